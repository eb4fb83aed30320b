//! Where requests go: scheme and host (the path is always `/`).
//!
//! The host is signed under ACS3 (`host` header), so it must be exactly what the HTTP client will
//! send: lower case, and without the scheme's default port, as a WHATWG URL writes it.

use std::fmt;

/// The default endpoint: Singapore, the host of the seed doc's sample request (docs/spec/DECISIONS.md §1).
pub const DEFAULT_HOST: &str = "dysmsapi.ap-southeast-1.aliyuncs.com";

/// The official endpoint table for Dysmsapi 2018-05-01 (docs/spec/api-reference.md §3).
const REGIONS: &[(&str, &str)] = &[
    ("ap-southeast-1", "dysmsapi.ap-southeast-1.aliyuncs.com"),
    ("ap-southeast-5", "dysmsapi.ap-southeast-5.aliyuncs.com"),
    ("cn-hongkong", "dysmsapi.aliyuncs.com"),
    ("eu-central-1", "dysmsapi.eu-central-1.aliyuncs.com"),
];

/// An HTTPS endpoint, or plain HTTP to a loopback address (the sandbox, a local proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    secure: bool,
    host: String,
}

/// Why an endpoint text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointProblem {
    /// Not `https://host[:port][/]` (or a bare host).
    Malformed,
    /// Only `http` and `https` are spoken.
    UnsupportedScheme,
    /// Plain HTTP would expose the STS token and message text on the network; it is allowed
    /// only to loopback hosts.
    InsecureRemoteHttp,
    /// The API lives at `/`; a path, query or fragment would change what is signed.
    PathNotAllowed,
    /// Not in the official region table.
    UnknownRegion,
    /// A dot-separated label of the host name is empty (`a..b`, `.a`): DNS has no such name.
    EmptyLabel,
    /// A label of the host name is longer than DNS allows (63 octets, RFC 1035 §2.3.4).
    LabelTooLong { octets: usize },
    /// The host name is longer than DNS allows: 253 octets in text form, a trailing dot not
    /// counted (RFC 1035 §2.3.4: 255 on the wire, which holds 253 characters of text).
    NameTooLong { octets: usize },
}

/// The longest label DNS carries (RFC 1035 §2.3.4).
pub const MAX_LABEL_OCTETS: usize = 63;
/// The longest host name DNS carries, written as text without a trailing dot: 255 octets on the
/// wire are a length octet per label plus the labels plus the root's zero, which leaves 253.
pub const MAX_NAME_OCTETS: usize = 253;

impl fmt::Display for EndpointProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndpointProblem::Malformed => "expected https://host[:port]/ or a bare host name",
            EndpointProblem::UnsupportedScheme => "only http and https endpoints are supported",
            EndpointProblem::InsecureRemoteHttp => {
                "plain http is allowed only to loopback hosts (localhost, 127.0.0.0/8, [::1]); use https"
            }
            EndpointProblem::PathNotAllowed => "the endpoint must not carry a path, query or fragment",
            EndpointProblem::UnknownRegion => {
                "unknown region; known: ap-southeast-1, ap-southeast-5, cn-hongkong, eu-central-1"
            }
            EndpointProblem::EmptyLabel => "the host name has an empty label (two dots in a row, or a leading dot)",
            EndpointProblem::LabelTooLong { octets } => {
                return write!(
                    f,
                    "a label of the host name has {octets} characters; DNS allows at most {MAX_LABEL_OCTETS}"
                )
            }
            EndpointProblem::NameTooLong { octets } => {
                return write!(
                    f,
                    "the host name has {octets} characters; DNS allows at most {MAX_NAME_OCTETS}"
                )
            }
        })
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint {
            secure: true,
            host: DEFAULT_HOST.to_string(),
        }
    }
}

impl Endpoint {
    /// Parses `https://host[:port][/]`, `http://<loopback>[:port][/]` or a bare host (HTTPS).
    pub fn parse(text: &str) -> Result<Endpoint, EndpointProblem> {
        let text = text.trim();
        let (secure, rest) = match text.split_once("://") {
            Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
                "https" => (true, rest),
                "http" => (false, rest),
                _ => return Err(EndpointProblem::UnsupportedScheme),
            },
            None => (true, text),
        };
        let (authority, tail) = match rest.find(['/', '?', '#']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if !(tail.is_empty() || tail == "/") {
            return Err(EndpointProblem::PathNotAllowed);
        }
        let host = normalize_authority(authority, secure)?;
        if !secure && !is_loopback(&host) {
            return Err(EndpointProblem::InsecureRemoteHttp);
        }
        Ok(Endpoint { secure, host })
    }

    /// The HTTPS endpoint of a region in the official table (docs/spec/api-reference.md §3).
    pub fn for_region(region_id: &str) -> Result<Endpoint, EndpointProblem> {
        REGIONS
            .iter()
            .find(|(id, _)| *id == region_id)
            .map(|(_, host)| Endpoint {
                secure: true,
                host: (*host).to_string(),
            })
            .ok_or(EndpointProblem::UnknownRegion)
    }

    /// `host[:port]` as the HTTP client sends it in `Host` (signed under ACS3).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `https://host/` or `http://host:port/`.
    pub fn base_url(&self) -> String {
        format!(
            "{}://{}/",
            if self.secure { "https" } else { "http" },
            self.host
        )
    }
}

fn normalize_authority(authority: &str, secure: bool) -> Result<String, EndpointProblem> {
    if authority.is_empty() || authority.contains('@') {
        return Err(EndpointProblem::Malformed);
    }
    // Split host and port; an IPv6 literal keeps its brackets.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inner, after) = v6.split_once(']').ok_or(EndpointProblem::Malformed)?;
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(EndpointProblem::Malformed);
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(EndpointProblem::Malformed)?),
        };
        (format!("[{}]", inner.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with('-');
        if !valid {
            return Err(EndpointProblem::Malformed);
        }
        check_dns_limits(host)?;
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => None,
        Some(p) => {
            let n: u16 = p
                .parse()
                .ok()
                .filter(|n| *n > 0 && p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or(EndpointProblem::Malformed)?;
            Some(n)
        }
    };
    let default_port = if secure { 443 } else { 80 };
    Ok(match port {
        Some(n) if n != default_port => format!("{host}:{n}"),
        _ => host,
    })
}

/// A host name DNS cannot carry is refused here, before any request is built: otherwise the
/// runtime's resolver refuses it at send time (Node: `getaddrinfo EINVAL` for a name over 253
/// characters; resolvers answer a label over 63 with NXDOMAIN or an error), which costs a
/// round of resends and reads as a network fault rather than a typo (issue 12). `host` is ASCII
/// (checked by the caller), so characters are octets.
fn check_dns_limits(host: &str) -> Result<(), EndpointProblem> {
    // One trailing dot names the root explicitly ("example.com."): allowed, and not counted.
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > MAX_NAME_OCTETS {
        return Err(EndpointProblem::NameTooLong { octets: name.len() });
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err(EndpointProblem::EmptyLabel);
        }
        if label.len() > MAX_LABEL_OCTETS {
            return Err(EndpointProblem::LabelTooLong {
                octets: label.len(),
            });
        }
    }
    Ok(())
}

fn is_loopback(host: &str) -> bool {
    let name = match host.rfind(':') {
        Some(at) if !host.ends_with(']') => host.get(..at).unwrap_or(host),
        _ => host,
    };
    if name == "localhost" || name.ends_with(".localhost") || name == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = name.split('.').collect();
    octets.len() == 4
        && octets.first() == Some(&"127")
        && octets.iter().all(|o| o.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_forms_people_write() {
        let e = Endpoint::parse("https://dysmsapi.ap-southeast-1.aliyuncs.com/").unwrap();
        assert_eq!(e.host(), DEFAULT_HOST);
        assert_eq!(
            e.base_url(),
            "https://dysmsapi.ap-southeast-1.aliyuncs.com/"
        );
        assert_eq!(
            Endpoint::parse("DysmsAPI.aliyuncs.com").unwrap().host(),
            "dysmsapi.aliyuncs.com"
        );
        assert_eq!(
            Endpoint::parse("https://h.example:443").unwrap().host(),
            "h.example"
        );
        assert_eq!(
            Endpoint::parse("https://h.example:8443").unwrap().host(),
            "h.example:8443"
        );
        let local = Endpoint::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(local.host(), "127.0.0.1:8080");
        assert_eq!(local.base_url(), "http://127.0.0.1:8080/");
        assert_eq!(
            Endpoint::parse("http://localhost:80/").unwrap().host(),
            "localhost"
        );
        assert_eq!(
            Endpoint::parse("http://[::1]:9/").unwrap().host(),
            "[::1]:9"
        );
        assert_eq!(Endpoint::default().host(), DEFAULT_HOST);
    }

    #[test]
    fn refuses_what_would_change_the_signature_or_leak() {
        use EndpointProblem::*;
        for (text, problem) in [
            ("", Malformed),
            ("https://", Malformed),
            ("https://user@h.example", Malformed),
            ("https://h.example:0", Malformed),
            ("https://h.example:99999", Malformed),
            ("https://h.example:+80", Malformed),
            ("https://h ex", Malformed),
            ("ftp://h.example", UnsupportedScheme),
            ("http://dysmsapi.aliyuncs.com", InsecureRemoteHttp),
            ("http://127.0.0.1.evil.example", InsecureRemoteHttp),
            ("https://h.example/sms", PathNotAllowed),
            ("https://h.example/?a=b", PathNotAllowed),
        ] {
            assert_eq!(Endpoint::parse(text), Err(problem), "{text}");
        }
    }

    /// `labels` labels of `len` octets each, joined by dots.
    fn name_of(labels: usize, len: usize) -> String {
        vec!["a".repeat(len); labels].join(".")
    }

    #[test]
    fn a_label_holds_at_most_63_octets() {
        let host = format!("{}.example", "a".repeat(63));
        assert_eq!(Endpoint::parse(&host).unwrap().host(), host);
        let at_limit = format!("https://{}.example:8443/", "B".repeat(63));
        assert_eq!(
            Endpoint::parse(&at_limit).unwrap().host(),
            format!("{}.example:8443", "b".repeat(63))
        );
        for text in [
            format!("{}.example", "a".repeat(64)),
            format!("https://sms.{}.example", "a".repeat(64)),
            format!("https://sms.{}:443/", "a".repeat(64)),
            format!("http://{}.localhost:8080", "a".repeat(64)),
        ] {
            assert_eq!(
                Endpoint::parse(&text),
                Err(EndpointProblem::LabelTooLong { octets: 64 }),
                "{text}"
            );
        }
        assert_eq!(
            Endpoint::parse(&"x".repeat(200)),
            Err(EndpointProblem::LabelTooLong { octets: 200 })
        );
    }

    #[test]
    fn a_name_holds_at_most_253_octets_without_its_trailing_dot() {
        // 4 labels of 62 plus 3 dots = 251; "ab." in front makes 254, "a." makes 253.
        let base = name_of(4, 62);
        assert_eq!(base.len(), 251);
        let at_limit = format!("a.{base}");
        assert_eq!(at_limit.len(), MAX_NAME_OCTETS);
        assert_eq!(Endpoint::parse(&at_limit).unwrap().host(), at_limit);
        // The trailing dot of a fully qualified name is not counted (254 characters written).
        let qualified = format!("{at_limit}.");
        assert_eq!(Endpoint::parse(&qualified).unwrap().host(), qualified);
        assert_eq!(
            Endpoint::parse(&format!("https://{at_limit}:8443/"))
                .unwrap()
                .host(),
            format!("{at_limit}:8443")
        );
        let over = format!("ab.{base}");
        assert_eq!(over.len(), 254);
        for text in [
            over.clone(),
            format!("{over}."),
            format!("https://{over}:8443/"),
        ] {
            assert_eq!(
                Endpoint::parse(&text),
                Err(EndpointProblem::NameTooLong { octets: 254 }),
                "{text}"
            );
        }
        assert_eq!(
            Endpoint::parse(&name_of(100, 3)),
            Err(EndpointProblem::NameTooLong { octets: 399 })
        );
    }

    #[test]
    fn every_label_is_non_empty() {
        for text in [
            "https://a..example",
            "https://.example",
            "https://sms.example..",
            "https://.",
            "http://127..0.1:80",
        ] {
            assert_eq!(
                Endpoint::parse(text),
                Err(EndpointProblem::EmptyLabel),
                "{text}"
            );
        }
    }

    #[test]
    fn dns_problems_are_named_in_the_error() {
        let error = crate::Error::InvalidEndpoint {
            problem: Endpoint::parse(&format!("{}.example", "a".repeat(64))).unwrap_err(),
        };
        assert_eq!(error.code().as_str(), "INVALID_ENDPOINT");
        assert_eq!(error.field(), Some("endpoint"));
        assert_eq!(
            error.to_string(),
            "endpoint: a label of the host name has 64 characters; DNS allows at most 63"
        );
        assert_eq!(
            EndpointProblem::NameTooLong { octets: 254 }.to_string(),
            "the host name has 254 characters; DNS allows at most 253"
        );
        assert!(EndpointProblem::EmptyLabel
            .to_string()
            .contains("empty label"));
    }

    #[test]
    fn regions_map_to_the_official_table() {
        assert_eq!(
            Endpoint::for_region("eu-central-1").unwrap().host(),
            "dysmsapi.eu-central-1.aliyuncs.com"
        );
        assert_eq!(
            Endpoint::for_region("mars-1"),
            Err(EndpointProblem::UnknownRegion)
        );
    }
}
