//! Where requests go: scheme and host (the path is always `/`).
//!
//! The host is signed under ACS3 (`host` header), so it must be exactly what the HTTP client will
//! send: lower case, and without the scheme's default port, as a WHATWG URL writes it.

use std::fmt;

/// The default endpoint: Singapore, the host of the seed doc's sample request (DECISIONS.md §1).
pub const DEFAULT_HOST: &str = "dysmsapi.ap-southeast-1.aliyuncs.com";

/// The official endpoint table for Dysmsapi 2018-05-01 (api-reference.md §3).
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
}

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

    /// The HTTPS endpoint of a region in the official table (api-reference.md §3).
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
            && !host.starts_with(['.', '-'])
            && !host.contains("..");
        if !valid {
            return Err(EndpointProblem::Malformed);
        }
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
