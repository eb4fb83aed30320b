//! Properties of the single-message operations: reading any answer never panics and classifies
//! it as the batch does; no error shows a secret the answer echoed; any input is validated
//! without panicking, a valid one signs in both schemes, and its call is sent exactly as built.

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::operations::conversion_data::{ConversionData, ConversionDataInput};
use aliyun_globe_sms::operations::query_message::{
    read_query_message_response, QueryMessage, QueryMessageInput,
};
use aliyun_globe_sms::operations::read_conversion_response;
use aliyun_globe_sms::operations::send_message::{
    read_send_message_response, SendMessage, SendMessageInput,
};
use aliyun_globe_sms::operations::sms_conversion::{SmsConversion, SmsConversionInput};
use aliyun_globe_sms::request::{self, Call, SignatureScheme, SigningContext};
use aliyun_globe_sms::response::read_batch_response;
use aliyun_globe_sms::{Credentials, Endpoint, Error, KnownSecrets, Timestamp};
use proptest::prelude::*;

const SECRET: &str = "s3cr3t/Secret+Key=";
const TOKEN: &str = "CAIS+token/Value==";

fn credentials() -> Credentials {
    Credentials::new("STS.id", SECRET, Some(TOKEN.into())).unwrap()
}

/// Bodies shaped like the service's answers: the fields every operation reads, with strings,
/// numbers, nulls, objects, the secrets echoed, or nothing; and plain bytes.
fn any_body() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        "\"[^\"\\\\]{0,24}\"",
        "[0-9]{1,25}",
        Just("null".to_string()),
        Just("{}".to_string()),
        Just("[]".to_string()),
        Just(format!("\"{SECRET} {TOKEN}\"")),
        Just("{\"Carrier\":1,\"Country\":\"x\",\"Region\":null}".to_string()),
        prop::sample::select(vec![
            "\"1\"",
            "\"2\"",
            "\"3\"",
            "\"6\"",
            "\"OK\"",
            "\"DATA_NOT_EXIST\"",
            "\"QPS_LIMIT_CONTROL\"",
            "\"Throttling.User\""
        ])
        .prop_map(str::to_string),
    ];
    let key = prop::sample::select(vec![
        "ResponseCode",
        "Code",
        "code",
        "Message",
        "ResponseDescription",
        "RequestId",
        "MessageId",
        "Segments",
        "From",
        "To",
        "NumberDetail",
        "Status",
        "ErrorCode",
        "SendDate",
        "ReceiveDate",
        "FailedList",
        "MessageIdList",
        "SuccessCount",
    ]);
    prop_oneof![
        prop::collection::vec((key, value), 0..8).prop_map(|fields| {
            let members: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", members.join(",")).into_bytes()
        }),
        prop::collection::vec(any::<u8>(), 0..128),
    ]
}

fn any_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(vec![200u16, 204, 302, 400, 403, 404, 429, 500, 502, 503]),
        any::<u16>(),
    ]
}

/// What every reader must satisfy for one answer.
fn check_error(status: u16, error: &Error) -> Result<(), TestCaseError> {
    let shown = format!("{error} {error:?}");
    prop_assert!(!shown.contains(SECRET), "secret in {}", shown);
    prop_assert!(!shown.contains(TOKEN), "token in {}", shown);
    // A 5xx that is not throttling may have been processed: never "not sent".
    if status >= 500 && error.code().as_str() != "THROTTLED" {
        prop_assert_eq!(error.code().as_str(), "OUTCOME_UNKNOWN");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn reading_any_answer_never_panics_and_classifies_as_the_batch(
        status in any_status(),
        body in any_body(),
        retry_after in ".{0,8}",
    ) {
        let creds = credentials();
        let headers = vec![("x-acs-retry-after".to_string(), retry_after)];
        let send = SendMessage::validate(&SendMessageInput::new("6591234567", "x")).unwrap();
        let query = QueryMessage::validate(&QueryMessageInput { message_id: "1".into() }).unwrap();
        let batch = Batch::validate(&BatchInput::new(vec!["6591234567".into()], Messages::One("x".into()))).unwrap();
        for known in [KnownSecrets::of_credentials(&creds), KnownSecrets::held_elsewhere()] {
            let results = [
                read_send_message_response(&send, &known, status, &headers, &body).map(|_| ()),
                read_query_message_response(&query, &known, status, &headers, &body).map(|_| ()),
                read_conversion_response(&known, status, &headers, &body).map(|_| ()),
            ];
            let batch_error = read_batch_response(&batch, &known, status, &headers, &body).err();
            for result in &results {
                match result {
                    Ok(()) => prop_assert!((200..300).contains(&status)),
                    Err(error) => {
                        check_error(status, error)?;
                        // An error the answer itself explains is the batch's error too: one
                        // classification for every operation.
                        if let (Error::Service { .. }, Some(batch_error)) = (error, &batch_error) {
                            prop_assert_eq!(error, batch_error);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn any_input_is_checked_and_a_valid_one_signed_as_built(
        to in prop_oneof![".{0,20}", "\\+?[0-9 ]{7,16}"],
        message in ".{0,80}",
        from in prop::option::of("[A-Za-z0-9 ]{0,16}"),
        task_id in prop::option::of(".{0,20}"),
        validity in prop::option::of(prop_oneof![any::<f64>(), (0u32..400_000).prop_map(f64::from)]),
        channel in prop::option::of("[A-Za-z0-9._ -]{0,70}"),
        message_id in ".{0,70}",
        delivered in any::<bool>(),
        time in prop::option::of(prop_oneof![any::<f64>(), (1_500_000_000_000u64..1_800_000_000_000).prop_map(|t| t as f64)]),
        rate in prop_oneof![".{0,8}", "[01]\\.[0-9]{0,6}"],
        scheme in prop::sample::select(vec![SignatureScheme::V1, SignatureScheme::Acs3]),
    ) {
        let now_ms = 1_700_000_000_000.0;
        let mut send = SendMessageInput::new(to, message);
        send.from = from;
        send.task_id = task_id;
        send.validity_period = validity;
        send.channel_id = channel;
        let calls: Vec<Result<Call, Vec<aliyun_globe_sms::Issue>>> = vec![
            SendMessage::validate(&send).map(|s| s.call()),
            QueryMessage::validate(&QueryMessageInput { message_id: message_id.clone() }).map(|q| q.call()),
            SmsConversion::validate(&SmsConversionInput { message_id, delivered, conversion_time: time }, now_ms).map(|c| c.call()),
            ConversionData::validate(&ConversionDataInput { conversion_rate: rate, report_time: time }, now_ms).map(|d| d.call()),
        ];
        let endpoint = Endpoint::default();
        let ctx = SigningContext {
            endpoint: &endpoint,
            scheme,
            timestamp: Timestamp::from_unix_seconds(1_700_000_000).unwrap(),
            nonce: "0f3e9b7a-5c1d",
        };
        for call in calls {
            match call {
                Ok(call) => {
                    let signed = request::sign(&call, &credentials(), &ctx).unwrap();
                    prop_assert!(request::sends(&signed, &call));
                    let (traced, _) = request::sign_traced(&call, &credentials(), &ctx).unwrap();
                    prop_assert_eq!(&traced, &signed);
                }
                Err(issues) => {
                    prop_assert!(!issues.is_empty());
                    for issue in &issues {
                        prop_assert!(issue.index.is_none());
                        let field_prefix = format!("{}: ", issue.field);
                        prop_assert!(issue.message.starts_with(&field_prefix), "{}", issue.message);
                    }
                }
            }
        }
    }
}
