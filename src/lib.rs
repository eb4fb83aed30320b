//! aliyun-globe-sms: the pure core.
//!
//! Validation, signing, request building and response reading for Alibaba Cloud's
//! international SMS API (Dysmsapi 2018-05-01): `BatchSendMessageToGlobe`, and in `operations`
//! `SendMessageToGlobe`, `QueryMessage`, `SmsConversion` and `ConversionData`. Plain Rust: no I/O, no clock and no
//! randomness of its own (time and nonce are arguments), no JavaScript types. The wasm
//! bindings live in `wasm/`, compiled only for wasm32.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![forbid(unsafe_code)]

mod code;

pub mod attempts;
pub mod batch;
pub mod campaign;
pub mod campaign_run;
pub mod channel_id;
pub mod conversion_rate;
pub mod credentials;
pub mod csv;
pub mod csv_campaign;
pub mod delivery;
pub mod delivery_run;
pub mod endpoint;
pub mod fleet;
pub mod fleet_run;
pub mod error;
pub mod event_time;
pub mod fetch_failure;
pub mod journal;
pub mod json_text;
pub mod ledger;
pub mod message_id;
pub mod operations;
pub mod options;
pub mod pacer;
pub mod poller;
pub mod recipient;
pub mod redact;
pub mod report;
pub mod report_date;
pub mod request;
pub mod response;
pub mod retry;
pub mod segment;
pub mod sender_id;
pub mod signature;
pub mod timestamp;
pub mod validity_period;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use batch::{Batch, BatchInput, Issue, MessageType, Messages};
pub use credentials::Credentials;
pub use endpoint::Endpoint;
pub use error::Error;
pub use recipient::{NumberRules, Recipient, RecipientProblem};
pub use redact::KnownSecrets;
pub use request::{Action, Call, SignatureScheme, SignedRequest};
pub use response::{BatchOutcome, FailedRecipient, SentRecipient};
pub use segment::{Encoding, MessageProblem, SegmentCount};
pub use sender_id::{SenderId, SenderIdProblem};
pub use timestamp::Timestamp;
