//! One send as a state machine: sign with a fresh time and nonce, take the account's slot (in a
//! campaign), send once, then ask the retry rule (`src/retry.rs`) whether it is done or must be
//! resent after a wait. Pure: the bindings (src/wasm/send.rs) perform each action and feed back
//! what happened, so "an unknown is never resent" and "every resend waits" are tested natively
//! (tests/machines.rs).

use crate::batch::Batch;
use crate::error::Error;
use crate::redact::KnownSecrets;
use crate::response::BatchOutcome;
use crate::retry::{self, Delivery, Next};

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptAction {
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
    Done(Box<Result<BatchOutcome, Error>>),
}

/// What the driver saw.
#[derive(Debug, Clone)]
pub enum AttemptEvent<'a> {
    Signed,
    /// Signing failed (a signer threw or answered something unusable, the clock is unusable):
    /// nothing was sent, and the send ends with this error.
    SigningFailed(Error),
    SlotTaken,
    /// One exchange; what the client knows of the secrets behind its request (which decides
    /// what of the service's text an error may quote); a random number in `[0, 1)` for the
    /// resend's jitter.
    Delivered {
        delivery: Delivery<'a>,
        known: &'a KnownSecrets,
        jitter: f64,
    },
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

/// The attempts of one batch.
#[derive(Debug, Clone)]
pub struct Attempts {
    attempt: u32,
    max_attempts: u32,
    paced: bool,
    phase: Phase,
}

impl Attempts {
    /// Starts a send of at most `max_attempts` attempts; `paced` when a campaign holds it to its
    /// account's rate. The first action is always `Sign`.
    pub fn start(max_attempts: u32, paced: bool) -> (Attempts, AttemptAction) {
        let machine = Attempts {
            attempt: 1,
            max_attempts: max_attempts.max(1),
            paced,
            phase: Phase::Signing,
        };
        (machine, AttemptAction::Sign)
    }

    /// The attempt under way (1 for the first send).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    fn done(&mut self, result: Result<BatchOutcome, Error>) -> AttemptAction {
        self.phase = Phase::Done;
        AttemptAction::Done(Box::new(result))
    }

    /// The next action after `event`. An event that does not fit the phase (a driver's mistake)
    /// ends the send as aborted when nothing is in flight, or as unknown when a request may be.
    pub fn next(&mut self, batch: &Batch, event: AttemptEvent<'_>) -> AttemptAction {
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
            (
                Phase::Sending,
                AttemptEvent::Delivered {
                    delivery,
                    known,
                    jitter,
                },
            ) => {
                match retry::after_attempt(
                    batch,
                    known,
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
