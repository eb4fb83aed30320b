//! Native timing of the core on 1000 recipients: the golden batch, then the same numbers with
//! 100-character ASCII and 70-character Chinese texts. Validate, build and sign, both schemes.
//! Prints figures; asserts nothing about speed (machines here are shared and noisy).
//!
//! Run: `cargo bench --bench core`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aliyun_globe_sms::batch::{Batch, BatchInput, Messages};
use aliyun_globe_sms::request::{self, SignatureScheme, SigningContext};
use aliyun_globe_sms::{Credentials, Endpoint, NumberRules, Timestamp};
use serde_json::Value;

fn golden_batch() -> (BatchInput, Credentials) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden/batch-1000.json");
    let text = std::fs::read_to_string(path).expect("batch-1000.json");
    let all: Value = serde_json::from_str(&text).expect("json");
    let v = &all[1];
    let list = |key: &str| -> Vec<String> {
        v["inputsDecoded"][key]
            .as_array()
            .expect(key)
            .iter()
            .map(|x| x.as_str().unwrap_or("").to_string())
            .collect()
    };
    let mut input = BatchInput::new(list("To"), Messages::PerRecipient(list("Message")));
    input.from = v["inputs"]["request"]["From"].as_str().map(str::to_string);
    input.task_id = v["inputs"]["request"]["TaskId"]
        .as_str()
        .map(str::to_string);
    input.message_type = v["inputs"]["request"]["Type"].as_str().map(str::to_string);
    // Synthetic numbers (65 + 9 digits and the like): E.164 rules only.
    input.number_rules = NumberRules {
        check_national_length: false,
    };
    let creds = Credentials::new(
        v["inputs"]["accessKeyId"].as_str().unwrap_or(""),
        v["inputs"]["accessKeySecret"].as_str().unwrap_or(""),
        None,
    )
    .expect("credentials");
    (input, creds)
}

fn measure(label: &str, iterations: usize, mut f: impl FnMut()) {
    for _ in 0..iterations / 10 {
        f();
    }
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    let min = samples[0];
    let median = samples[samples.len() / 2];
    let p90 = samples[samples.len() * 9 / 10];
    // The minimum too: on a shared machine it moves least from run to run.
    println!(
        "{label:<40} min {:>8.1} µs   median {:>8.1} µs   p90 {:>8.1} µs   ({iterations} runs)",
        min.as_secs_f64() * 1e6,
        median.as_secs_f64() * 1e6,
        p90.as_secs_f64() * 1e6
    );
}

/// The golden batch's numbers with one synthetic text each, `length` characters long, built from
/// `words`: the issue-11 cases (100-character ASCII, 70-character Chinese) whose string-to-sign
/// is 200 KB to 1 MB, where the encoders and the hash dominate.
fn with_texts(golden: &BatchInput, words: &str, length: usize) -> BatchInput {
    let texts = (0..golden.to.len())
        .map(|i| {
            let mut text = format!("{i:04} ");
            text.extend(words.chars().cycle().take(length - 5));
            text
        })
        .collect();
    let mut input = BatchInput::new(golden.to.clone(), Messages::PerRecipient(texts));
    input.number_rules = golden.number_rules;
    input
}

fn bench_batch(title: &str, input: &BatchInput, creds: &Credentials) {
    let endpoint = Endpoint::default();
    let timestamp = Timestamp::from_unix_seconds(1_770_091_506).expect("time");
    println!("{title}, native, release build");
    measure("validate", 200, || {
        black_box(Batch::validate(black_box(input)).expect("valid"));
    });
    let batch = Batch::validate(input).expect("valid");
    // The JSON arrays alone (json_text's writer), which build + sign includes.
    measure("To + Message JSON arrays", 200, || {
        black_box(black_box(&batch).to_parameter());
        black_box(batch.message_parameter());
    });
    for scheme in [SignatureScheme::V1, SignatureScheme::Acs3] {
        let ctx = SigningContext {
            endpoint: &endpoint,
            scheme,
            timestamp,
            nonce: "fe44f5c60ddbaa2b15a070a30d281bc16a7dd406426fd1dffc3f0fa0b2bc58e3",
        };
        measure(
            &format!("build + sign, signature {}", scheme.as_str()),
            200,
            || {
                black_box(request::sign_batch(black_box(&batch), creds, &ctx).expect("signed"));
            },
        );
        measure(
            &format!("validate + build + sign, signature {}", scheme.as_str()),
            200,
            || {
                let batch = Batch::validate(black_box(input)).expect("valid");
                black_box(request::sign_batch(&batch, creds, &ctx).expect("signed"));
            },
        );
    }
    let ctx = SigningContext {
        endpoint: &endpoint,
        scheme: SignatureScheme::V1,
        timestamp,
        nonce: "n",
    };
    let url_len = request::sign_batch(&batch, creds, &ctx)
        .expect("signed")
        .url
        .len();
    println!("signature 1.0 URL length: {url_len} bytes\n");
}

fn main() {
    let (golden, creds) = golden_batch();
    let count = golden.to.len();
    bench_batch(
        &format!("1000-recipient golden batch ({count} recipients)"),
        &golden,
        &creds,
    );
    bench_batch(
        &format!("{count} recipients, 100-character ASCII texts"),
        &with_texts(
            &golden,
            "Your verification code is ready: use it within 10 minutes (do not share it). ",
            100,
        ),
        &creds,
    );
    bench_batch(
        &format!("{count} recipients, 70-character Chinese texts"),
        &with_texts(
            &golden,
            "您的验证码已发送，请在十分钟内使用，切勿告诉他人。",
            70,
        ),
        &creds,
    );
}
