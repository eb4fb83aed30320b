//! Which fetch failures prove that no byte of the request left this machine.
//!
//! A rejected `fetch` is either "never sent" — the core reports `CONNECTION_FAILED` and may send
//! again (src/retry.rs) — or "may have been sent" — `OUTCOME_UNKNOWN`, never resent, because the
//! API has no idempotency key and a second send is a second paid SMS. Only a failure that happens
//! before the HTTP request is written can be "never sent": name resolution, the TCP handshake, the
//! TLS handshake (which includes checking the server's certificate), and a request the runtime
//! refuses to start. Everything else — a reset, a closed socket, a timeout, a message without a
//! recognisable reason — stays "may have been sent".
//!
//! The transport (src/wasm/transport.rs) reads `code`, `syscall` and `message` from the rejection
//! and from each error nested in it (`cause`, `cause.errors`) and asks [`proves_nothing_sent`]
//! about each; the rule lives here so that it is tested natively, per runtime.
//!
//! What each runtime says (checked with Node 20.20 / undici, Bun 1.x and Deno 2.x against a local
//! HTTPS server that counted 0 requests for every refusal below):
//! - **Node**: `TypeError("fetch failed")` with `cause` carrying `code` (and `syscall`, `hostname`
//!   for DNS and TCP errors); with several addresses, `cause.errors` holds one error per address.
//! - **Bun**: the rejection itself carries `code` (and `syscall` for DNS), with Node's names.
//! - **Deno**: `cause.message` only, e.g. `error sending request for url (…): client error
//!   (Connect): invalid peer certificate: UnknownIssuer`.
//! - **Browsers and workerd**: `TypeError("Failed to fetch")`, `"NetworkError when attempting to
//!   fetch resource."`, `"Load failed"`, `"Network connection lost."` — no reason at all. A CORS
//!   failure looks exactly the same, and a signature 1.0 request is a CORS simple request: the
//!   browser sends it, the service processes it, and only then is the answer withheld from the
//!   page. So there a rejection never proves anything: it stays "may have been sent".

/// One error of a fetch rejection, as the transport read it from the JS value.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchFailure<'a> {
    /// `error.code`: Node's and Bun's error code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`).
    pub code: Option<&'a str>,
    /// `error.syscall`: the system call that failed (`getaddrinfo`, `connect`).
    pub syscall: Option<&'a str>,
    /// `error.message`.
    pub message: Option<&'a str>,
}

/// Codes that by themselves mean the connection was never made.
const NOT_CONNECTED_CODES: &[&str] = &[
    // The TCP handshake failed (Node/undici, Bun).
    "ECONNREFUSED",
    "ENETUNREACH",
    "EHOSTUNREACH",
    // undici's own connect timeout: TCP + TLS handshakes took longer than `connectTimeout`.
    "UND_ERR_CONNECT_TIMEOUT",
    // Older Bun releases.
    "ConnectionRefused",
    // Name resolution: Node turns getaddrinfo's EAI_NONAME/EAI_NODATA into ENOTFOUND; any other
    // EAI_* code is matched by its prefix below.
    "ENOTFOUND",
    // Node's own check of the certificate's names against the host, run when the TLS handshake
    // completes and before the socket is handed to the HTTP client (lib/_tls_wrap.js,
    // tls.checkServerIdentity).
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_TLS_CERT_ALTNAME_FORMAT",
];

/// Certificate verification results as Node names them (its source file crypto/crypto_common.cc,
/// `X509ErrorCode`: OpenSSL's `X509_V_ERR_*` without the prefix); Bun uses the same table
/// (its uSockets `us_X509_error_code`). The client checks the certificate during the TLS
/// handshake and closes the connection when it fails, so the HTTP request — written only on a
/// connection whose handshake completed — never left. Certificates are not re-checked on a
/// connection already in use: Node verifies once, when the connection is made.
const CERTIFICATE_CODES: &[&str] = &[
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_CRL",
    "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
    "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    "CERT_SIGNATURE_FAILURE",
    "CRL_SIGNATURE_FAILURE",
    "CERT_NOT_YET_VALID",
    "CERT_HAS_EXPIRED",
    "CRL_NOT_YET_VALID",
    "CRL_HAS_EXPIRED",
    "ERROR_IN_CERT_NOT_BEFORE_FIELD",
    "ERROR_IN_CERT_NOT_AFTER_FIELD",
    "ERROR_IN_CRL_LAST_UPDATE_FIELD",
    "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
    "OUT_OF_MEM",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "CERT_CHAIN_TOO_LONG",
    "CERT_REVOKED",
    "INVALID_CA",
    "PATH_LENGTH_EXCEEDED",
    "INVALID_PURPOSE",
    "CERT_UNTRUSTED",
    "CERT_REJECTED",
    "HOSTNAME_MISMATCH",
];

/// Deno's fetch is hyper-util's legacy client, whose error kind `Connect` is raised only by the
/// connector (DNS, TCP, TLS, a proxy tunnel) or for a pooled connection that closed before the
/// request was handed to it — never once the request is being written (hyper-util's
/// client/legacy/client.rs, `ErrorKind::Connect` vs `SendRequest`). Its text follows the URL
/// in Deno's message; the URL is serialised with spaces percent-encoded, so a marker with a space
/// cannot come from it.
const DENO_CONNECT_MARKERS: &[&str] = &[
    // Deno 2 (hyper-util 0.1): "error sending request for url (…): client error (Connect): …".
    "): client error (Connect)",
    // Deno 1 (hyper 0.14): "error sending request for url (…): error trying to connect: …".
    "): error trying to connect",
];

/// True when this error, read from a fetch rejection, proves the request was never sent.
pub fn proves_nothing_sent(failure: &FetchFailure<'_>) -> bool {
    if let Some(code) = failure.code {
        if NOT_CONNECTED_CODES.contains(&code) || CERTIFICATE_CODES.contains(&code) {
            return true;
        }
        // getaddrinfo's own error namespace (netdb.h): only name resolution returns these.
        if code.starts_with("EAI_") {
            return true;
        }
    }
    match failure.syscall {
        // The name did not resolve, whatever the code (Node reports a name getaddrinfo will not
        // look up, e.g. one over 253 characters, as EINVAL). An EINVAL from anywhere else proves
        // nothing.
        Some("getaddrinfo") => return true,
        // The TCP handshake failed (ETIMEDOUT, EADDRNOTAVAIL, …): a socket that never connected
        // never carried a byte of the request.
        Some("connect") => return true,
        _ => {}
    }
    failure.message.is_some_and(|m| {
        DENO_CONNECT_MARKERS.iter().any(|marker| m.contains(marker))
            // Older Deno wrote the OS error into the message.
            || m.contains("Connection refused")
            || m.contains("os error 111")
            // The fetch standard's "bad port" list: undici and Deno refuse before connecting.
            || m == "bad port"
            || (m.starts_with("Fetch failed: Requests to port ") && m.ends_with(" are blocked"))
    })
}

/// True when this error says the client refused the server's certificate: nothing was sent
/// (`proves_nothing_sent` holds too), and sending again would meet the same certificate, so the
/// retry rule does not (src/retry.rs, `Delivery::CertificateRefused`).
pub fn refuses_certificate(failure: &FetchFailure<'_>) -> bool {
    failure.code.is_some_and(|code| {
        CERTIFICATE_CODES.contains(&code) || code.starts_with("ERR_TLS_CERT_ALTNAME_")
    }) || failure.message.is_some_and(|m| {
        // Deno (rustls): "… client error (Connect): invalid peer certificate: UnknownIssuer".
        DENO_CONNECT_MARKERS.iter().any(|marker| m.contains(marker))
            && m.contains("invalid peer certificate")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(code: &str) -> FetchFailure<'_> {
        FetchFailure {
            code: Some(code),
            ..FetchFailure::default()
        }
    }

    fn message(message: &str) -> FetchFailure<'_> {
        FetchFailure {
            message: Some(message),
            ..FetchFailure::default()
        }
    }

    #[test]
    fn certificate_failures_prove_nothing_was_sent() {
        // The codes Node 20 and Bun gave against a local server: self-signed, unknown issuer,
        // unknown root sent in the chain, expired, wrong name (with the issuer trusted).
        for c in [
            "DEPTH_ZERO_SELF_SIGNED_CERT",
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "SELF_SIGNED_CERT_IN_CHAIN",
            "CERT_HAS_EXPIRED",
            "ERR_TLS_CERT_ALTNAME_INVALID",
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            "CERT_NOT_YET_VALID",
            "HOSTNAME_MISMATCH",
        ] {
            assert!(proves_nothing_sent(&code(c)), "{c}");
        }
        assert_eq!(CERTIFICATE_CODES.len(), 28, "Node's X509ErrorCode table");
    }

    #[test]
    fn dns_refusals_prove_nothing_was_sent() {
        for c in [
            "ENOTFOUND",
            "EAI_AGAIN",
            "EAI_FAIL",
            "EAI_NONAME",
            "EAI_NODATA",
        ] {
            assert!(proves_nothing_sent(&code(c)), "{c}");
        }
        // Node: "getaddrinfo EINVAL <a name over 253 characters>".
        assert!(proves_nothing_sent(&FetchFailure {
            code: Some("EINVAL"),
            syscall: Some("getaddrinfo"),
            message: Some("getaddrinfo EINVAL aaaa.com"),
        }));
    }

    #[test]
    fn einval_proves_nothing_unless_it_came_from_the_name_lookup() {
        assert!(!proves_nothing_sent(&code("EINVAL")));
        for syscall in ["write", "read", "writev", "setsockopt"] {
            assert!(!proves_nothing_sent(&FetchFailure {
                code: Some("EINVAL"),
                syscall: Some(syscall),
                message: Some("EINVAL"),
            }));
        }
    }

    #[test]
    fn a_tcp_handshake_that_failed_proves_nothing_was_sent() {
        for c in [
            "ECONNREFUSED",
            "ENETUNREACH",
            "EHOSTUNREACH",
            "UND_ERR_CONNECT_TIMEOUT",
        ] {
            assert!(proves_nothing_sent(&code(c)), "{c}");
        }
        assert!(proves_nothing_sent(&FetchFailure {
            code: Some("ETIMEDOUT"),
            syscall: Some("connect"),
            message: None,
        }));
    }

    #[test]
    fn deno_says_it_in_the_message() {
        for m in [
            "error sending request for url (https://127.0.0.1:1/): client error (Connect): invalid peer certificate: UnknownIssuer",
            "error sending request for url (https://sms.invalid/): client error (Connect): dns error: failed to lookup address information: Name or service not known",
            "error sending request for url (https://a.example/): client error (Connect): invalid dns name",
            "error sending request for url (https://a.example/): error trying to connect: invalid peer certificate contents: invalid peer certificate: UnknownIssuer",
            "error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)",
            "Fetch failed: Requests to port 1 are blocked",
            "bad port",
        ] {
            assert!(proves_nothing_sent(&message(m)), "{m}");
        }
    }

    #[test]
    fn everything_ambiguous_stays_may_have_been_sent() {
        for c in [
            "ECONNRESET",
            "EPIPE",
            "ETIMEDOUT",
            "UND_ERR_SOCKET",
            "UND_ERR_HEADERS_TIMEOUT",
            "UND_ERR_BODY_TIMEOUT",
            "UND_ERR_CLOSED",
            "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
            "UNSPECIFIED",
            "ABORT_ERR",
        ] {
            assert!(!proves_nothing_sent(&code(c)), "{c}");
        }
        assert!(!proves_nothing_sent(&FetchFailure {
            code: Some("ECONNRESET"),
            syscall: Some("read"),
            message: Some("read ECONNRESET"),
        }));
        for m in [
            // Browsers and workerd: no reason given (a CORS refusal reads the same).
            "Failed to fetch",
            "NetworkError when attempting to fetch resource.",
            "Load failed",
            "Network connection lost.",
            "fetch failed",
            "other side closed",
            "socket hang up",
            // Deno, after the request was handed to the connection.
            "error sending request for url (https://a.example/): client error (SendRequest): connection closed before message completed",
            // A URL can hold the marker's words, never its space.
            "error sending request for url (https://a.example/?m=):%20client%20error%20(Connect)): client error (SendRequest)",
        ] {
            assert!(!proves_nothing_sent(&message(m)), "{m}");
        }
        assert!(!proves_nothing_sent(&FetchFailure::default()));
    }
}
