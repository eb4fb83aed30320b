//! Holding an account to its rate: BatchSendMessageToGlobe takes one call per second per account
//! (seed doc, "QPS limit"). Pure arithmetic on instants the caller gives; it never sleeps and has
//! no clock. The binding keeps one pacer per AccessKeyId, shared by every campaign in the process.

/// Slack added to each interval so a call never reaches the service a hair early (timers, the
/// time between our send and the service's clock reading, and network delays are not exact):
/// 0.5% of a one-second slot. The first send of a process, whose delay is the large one, is
/// counted from its answer instead (`mark_finished`).
pub const MARGIN_MS: u64 = 5;

/// How long before its slot a campaign starts preparing a request (journal entry, batch,
/// signature). The send itself is still held until one interval after the previous one
/// (`hold`), so starting early never sends early; starting at the slot would make every send
/// late by the preparation time, and since the next slot counts from the actual send, that
/// lateness would add up: ~5 ms a request, 0.5% of a one-second pace (issue 12's 20,000
/// benchmark at 98.97% of the limit).
pub const PREPARE_LEAD_MS: u64 = 25;

/// Spaces calls `interval_ms` apart: slots are reserved ahead (`reserve`), and the actual sends
/// are held to the interval too (`hold`, `mark_sent`), because work between a slot and its send
/// (journaling, signing, connecting) can make one send late and the next on time — closer than
/// the service's sliding second allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacer {
    interval_ms: u64,
    next_slot_ms: u64,
    last_sent_ms: Option<u64>,
    sends: u64,
}

impl Pacer {
    /// A pacer for `calls_per_second` (1 for the service's limit). Values below 1/3600 or not
    /// finite give one call per hour at most; above 1000, one per millisecond.
    pub fn per_second(calls_per_second: f64) -> Pacer {
        let qps = if calls_per_second.is_finite() {
            calls_per_second.clamp(1.0 / 3600.0, 1000.0)
        } else {
            1.0
        };
        // 1000 / qps is at most 3 600 000 here, so the cast is exact enough.
        let base = (1000.0 / qps).ceil() as u64;
        Pacer {
            interval_ms: base + MARGIN_MS.min(base / 125),
            next_slot_ms: 0,
            last_sent_ms: None,
            sends: 0,
        }
    }

    /// Takes `other`'s rate, keeping the slots already taken (a campaign with another `qps`
    /// on the same account).
    pub fn set_interval_from(&mut self, other: &Pacer) {
        self.interval_ms = other.interval_ms;
    }

    /// Milliseconds between two calls.
    pub fn interval_ms(&self) -> u64 {
        self.interval_ms
    }

    /// Requests marked sent so far (a shared pacer counts a process's first send from its answer
    /// for every process: src/wasm/send.rs).
    pub fn sends(&self) -> u64 {
        self.sends
    }

    /// Takes the next free slot at or after `now_ms` and returns how long to wait for it.
    pub fn reserve(&mut self, now_ms: u64) -> u64 {
        let after_last = self
            .last_sent_ms
            .map_or(0, |t| t.saturating_add(self.interval_ms));
        let at = self.next_slot_ms.max(after_last).max(now_ms);
        self.next_slot_ms = at.saturating_add(self.interval_ms);
        at - now_ms
    }

    /// Takes the next free slot like `reserve` and returns how long to wait before preparing
    /// the request for it: `PREPARE_LEAD_MS` less (capped at a quarter of the interval, so a fast
    /// pace does not prepare a whole request early).
    pub fn reserve_to_prepare(&mut self, now_ms: u64) -> u64 {
        let wait = self.reserve(now_ms);
        wait.saturating_sub(PREPARE_LEAD_MS.min(self.interval_ms / 4))
    }

    /// Right before sending: how much longer to wait so this send is at least one interval after
    /// the previous actual send. Zero when the slot's wait was enough.
    pub fn hold(&self, now_ms: u64) -> u64 {
        self.last_sent_ms.map_or(0, |t| {
            t.saturating_add(self.interval_ms).saturating_sub(now_ms)
        })
    }

    /// A request leaves now.
    pub fn mark_sent(&mut self, now_ms: u64) {
        self.last_sent_ms = Some(now_ms);
        self.sends = self.sends.saturating_add(1);
        self.next_slot_ms = self
            .next_slot_ms
            .max(now_ms.saturating_add(self.interval_ms));
    }

    /// The request marked sent has been answered (or failed) now. The first send of a process
    /// can leave long after we let it go (the runtime sets up its HTTP client on first use, code
    /// is still cold) while later sends leave at once, which would put the first two closer than
    /// the interval at the service; so the first send counts from its answer.
    pub fn mark_finished(&mut self, now_ms: u64) {
        if self.sends == 1 {
            self.last_sent_ms = Some(self.last_sent_ms.map_or(now_ms, |t| t.max(now_ms)));
            self.next_slot_ms = self
                .next_slot_ms
                .max(now_ms.saturating_add(self.interval_ms));
        }
    }

    /// The service throttled anyway (another process shares the account, or the clock drifted):
    /// no call before `now_ms + retry_after_ms`.
    pub fn back_off(&mut self, now_ms: u64, retry_after_ms: u64) {
        self.next_slot_ms = self.next_slot_ms.max(now_ms.saturating_add(retry_after_ms));
    }

    /// Estimated milliseconds until `calls` more calls are done, starting at `now_ms`.
    pub fn eta_ms(&self, now_ms: u64, calls: usize) -> u64 {
        if calls == 0 {
            return 0;
        }
        let first = self.next_slot_ms.saturating_sub(now_ms);
        first.saturating_add(self.interval_ms.saturating_mul(calls as u64 - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_per_second_with_a_small_margin() {
        let mut p = Pacer::per_second(1.0);
        assert_eq!(p.interval_ms(), 1005);
        assert_eq!(p.reserve(10_000), 0);
        assert_eq!(p.reserve(10_000), 1005);
        assert_eq!(p.reserve(10_500), 1510);
        // After a pause the next call goes at once.
        assert_eq!(p.reserve(60_000), 0);
    }

    #[test]
    fn actual_sends_are_held_an_interval_apart() {
        let mut p = Pacer::per_second(1.0);
        assert_eq!(p.reserve(0), 0);
        // The first request left late (journaling, connecting): 50 ms after its slot.
        assert_eq!(p.hold(50), 0);
        p.mark_sent(50);
        // The next slot is counted from the actual send, and a send that comes early is held.
        assert_eq!(p.reserve(100), 955);
        assert_eq!(p.hold(1005), 50);
        assert_eq!(p.hold(1055), 0);
        p.mark_sent(1055);
        assert_eq!(p.reserve(1100), 960);
    }

    #[test]
    fn the_first_send_counts_from_its_answer() {
        let mut p = Pacer::per_second(1.0);
        assert_eq!(p.reserve(0), 0);
        p.mark_sent(0);
        p.mark_finished(40);
        assert_eq!(p.reserve(50), 995);
        assert_eq!(p.hold(1000), 45);
        p.mark_sent(1045);
        // Later sends count from when they left.
        p.mark_finished(1070);
        assert_eq!(p.hold(2056), 0);
    }

    #[test]
    fn throttling_pushes_the_next_slot() {
        let mut p = Pacer::per_second(1.0);
        assert_eq!(p.reserve(0), 0);
        p.back_off(100, 3000);
        assert_eq!(p.reserve(200), 2900);
        // A back-off shorter than the pace changes nothing.
        p.back_off(200, 10);
        assert_eq!(p.reserve(200), 2900 + 1005);
    }

    #[test]
    fn preparing_starts_before_the_slot_and_the_send_is_still_held() {
        let mut p = Pacer::per_second(1.0);
        assert_eq!(p.reserve_to_prepare(0), 0);
        p.mark_sent(0);
        // The next slot is at 1005; preparing starts 25 ms before it.
        assert_eq!(p.reserve_to_prepare(100), 880);
        // Prepared in 10 ms: the send waits for the slot.
        assert_eq!(p.hold(990), 15);
        // A fast pace prepares at most a quarter interval early.
        let mut fast = Pacer::per_second(50.0);
        fast.reserve_to_prepare(0);
        fast.mark_sent(0);
        assert_eq!(fast.reserve_to_prepare(0), 20 - 5);
    }

    #[test]
    fn rates_and_eta() {
        assert_eq!(Pacer::per_second(10.0).interval_ms(), 100);
        assert_eq!(Pacer::per_second(1000.0).interval_ms(), 1);
        assert_eq!(Pacer::per_second(1e9).interval_ms(), 1);
        assert_eq!(Pacer::per_second(f64::NAN).interval_ms(), 1005);
        assert_eq!(Pacer::per_second(0.0).interval_ms(), 3_600_000 + 5);
        let mut p = Pacer::per_second(2.0);
        assert_eq!(p.interval_ms(), 504);
        p.reserve(0);
        assert_eq!(p.eta_ms(0, 3), 504 + 2 * 504);
        assert_eq!(p.eta_ms(0, 0), 0);
    }
}
