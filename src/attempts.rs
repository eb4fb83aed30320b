//! One send as a state machine: sign with a fresh time and nonce, take the account's slot (in a
//! campaign), send once, then ask the retry rule (`src/retry.rs`) whether it is done or must be
//! resent after a wait. Pure: the bindings (src/wasm/send.rs) perform each action and feed back
//! what happened, so "an unknown is never resent" and "every resend waits" are tested natively
//! (tests/machines.rs).

use crate::error::Error;
use crate::response::BatchOutcome;
use crate::retry::{self, Attempted, Delivery, Next, Safety};

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptAction<T = BatchOutcome> {
    /// Sign the batch now (a fresh timestamp and nonce); answer `Signed` or `SigningFailed`.
    Sign,
    /// Wait until a send now would be one interval after the account's previous send, and mark
    /// the send (campaigns only); answer `SlotTaken`.
    TakeSlot,
    /// Send the signed request once; answer `Delivered` with what was seen.
    Send,
    /// Wait this long, then answer `Waited` (a resend outside a campaign).
    Wait { ms: u64 },
    /// Push the account's pacer back by `not_before_ms` (the service's wait), take its next
    /// slot, wait for it, then answer `Waited` (a resend in a campaign).
    WaitForSlot { not_before_ms: u64 },
    /// Finished: the outcome, or the error to report.
    Done(Box<Result<T, Error>>),
}

/// What the driver saw, besides an exchange's result (`Attempts::delivered`).
#[derive(Debug, Clone)]
pub enum AttemptEvent {
    Signed,
    /// Signing failed (a signer threw or answered something unusable, the clock is unusable):
    /// nothing was sent, and the send ends with this error.
    SigningFailed(Error),
    SlotTaken,
    /// A shared pacer (src/fleet.rs) failed or answered nonsense: nothing was sent, and the
    /// send ends with this error.
    SlotFailed(Error),
    Waited,
    /// The caller's signal fired while nothing was in flight.
    Aborted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Signing,
    Slot,
    Sending,
    Waiting,
    Done,
}

/// The attempts of one call.
#[derive(Debug, Clone)]
pub struct Attempts {
    attempt: u32,
    max_attempts: u32,
    paced: bool,
    safety: Safety,
    phase: Phase,
}

impl Attempts {
    /// Starts a call of at most `max_attempts` attempts; `paced` when a pacer holds it to its
    /// account's rate; `safety` says what may be resent (`retry::Safety`). The first action is
    /// always `Sign`.
    pub fn start<T>(max_attempts: u32, paced: bool, safety: Safety) -> (Attempts, AttemptAction<T>) {
        let machine = Attempts {
            attempt: 1,
            max_attempts: max_attempts.max(1),
            paced,
            safety,
            phase: Phase::Signing,
        };
        (machine, AttemptAction::Sign)
    }

    /// The attempt under way (1 for the first send).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    fn done<T>(&mut self, result: Result<T, Error>) -> AttemptAction<T> {
        self.phase = Phase::Done;
        AttemptAction::Done(Box::new(result))
    }

    /// The next action after one exchange (`Send`): what the transport saw, a random number in
    /// `[0, 1)` for a resend's jitter, and `read`, which turns an HTTP answer into the
    /// operation's outcome or error.
    pub fn delivered<T: Attempted>(
        &mut self,
        delivery: Delivery<'_>,
        jitter: f64,
        read: impl FnOnce(u16, &[(String, String)], &[u8]) -> Result<T, Error>,
    ) -> AttemptAction<T> {
        if self.phase != Phase::Sending {
            return self.next(AttemptEvent::Waited);
        }
        match retry::after_attempt(
            read,
            self.safety,
            self.attempt,
            self.max_attempts,
            delivery,
            jitter,
        ) {
            Next::Done(result) => self.done(*result),
            Next::ResendAfter { wait_ms } => {
                self.phase = Phase::Waiting;
                if self.paced {
                    AttemptAction::WaitForSlot {
                        not_before_ms: wait_ms,
                    }
                } else {
                    AttemptAction::Wait { ms: wait_ms }
                }
            }
        }
    }

    /// The next action after `event`. An event that does not fit the phase (a driver's
    /// mistake) ends the call as aborted when nothing is in flight, or as unknown when a request
    /// may be.
    pub fn next<T>(&mut self, event: AttemptEvent) -> AttemptAction<T> {
        match (self.phase, event) {
            (Phase::Done, _) => AttemptAction::Done(Box::new(Err(Error::Aborted))),
            (Phase::Signing, AttemptEvent::Signed) if self.paced => {
                self.phase = Phase::Slot;
                AttemptAction::TakeSlot
            }
            (Phase::Signing, AttemptEvent::Signed) | (Phase::Slot, AttemptEvent::SlotTaken) => {
                self.phase = Phase::Sending;
                AttemptAction::Send
            }
            (Phase::Signing, AttemptEvent::SigningFailed(error)) => self.done(Err(error)),
            (Phase::Slot | Phase::Waiting, AttemptEvent::SlotFailed(error)) => self.done(Err(error)),
            (Phase::Waiting, AttemptEvent::Waited) => {
                self.attempt += 1;
                self.phase = Phase::Signing;
                AttemptAction::Sign
            }
            // A request is out: whatever the driver says now, it may have been sent.
            (Phase::Sending, _) => self.done(Err(Error::OutcomeUnknown {
                reason: crate::error::UnknownReason::Aborted,
                http_status: None,
                service_code: None,
                request_id: None,
                excerpt: None,
            })),
            // Nothing in flight: stopping here sends nothing.
            (Phase::Signing | Phase::Slot | Phase::Waiting, _) => self.done(Err(Error::Aborted)),
        }
    }
}
