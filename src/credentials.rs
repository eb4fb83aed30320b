//! An AccessKey pair, optionally with an STS security token.
//!
//! The secret and the token must never reach an error, a log line or a snapshot: `Debug` and
//! `Display` are written by hand and print neither.

use std::fmt;

/// The credentials a request is signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
}

/// Why credentials were refused before anything was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsProblem {
    /// `accessKeyId` is empty.
    MissingAccessKeyId,
    /// `accessKeySecret` is empty.
    MissingAccessKeySecret,
    /// `accessKeyId` holds characters that cannot appear in a key ID (white space, controls or
    /// non-ASCII): usually a copy-paste slip.
    MalformedAccessKeyId,
    /// `securityToken` holds white space, control or non-ASCII characters: it travels in the
    /// query (1.0) or a header (ACS3), where such characters are not allowed.
    MalformedSecurityToken,
}

impl CredentialsProblem {
    /// The credentials field at fault, as the JavaScript option is named.
    pub fn field(&self) -> &'static str {
        match self {
            CredentialsProblem::MissingAccessKeyId | CredentialsProblem::MalformedAccessKeyId => {
                "credentials.accessKeyId"
            }
            CredentialsProblem::MissingAccessKeySecret => "credentials.accessKeySecret",
            CredentialsProblem::MalformedSecurityToken => "credentials.securityToken",
        }
    }
}

impl fmt::Display for CredentialsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialsProblem::MissingAccessKeyId => "the AccessKeyId is empty",
            CredentialsProblem::MissingAccessKeySecret => "the AccessKeySecret is empty",
            CredentialsProblem::MalformedAccessKeyId => {
                "the AccessKeyId holds white space, control or non-ASCII characters"
            }
            CredentialsProblem::MalformedSecurityToken => {
                "the security token holds white space, control or non-ASCII characters"
            }
        })
    }
}

impl Credentials {
    /// A key pair; with `security_token` for STS credentials (an empty token counts as none,
    /// as in the official SDK, docs/spec/wire-format.md §10.7).
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: Option<String>,
    ) -> Result<Credentials, CredentialsProblem> {
        let access_key_id = access_key_id.into();
        let access_key_secret = access_key_secret.into();
        if access_key_id.is_empty() {
            return Err(CredentialsProblem::MissingAccessKeyId);
        }
        if !access_key_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CredentialsProblem::MalformedAccessKeyId);
        }
        if access_key_secret.is_empty() {
            return Err(CredentialsProblem::MissingAccessKeySecret);
        }
        let security_token = security_token.filter(|t| !t.is_empty());
        if let Some(token) = &security_token {
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(CredentialsProblem::MalformedSecurityToken);
            }
        }
        Ok(Credentials {
            access_key_id,
            access_key_secret,
            security_token,
        })
    }

    /// The AccessKeyId (not a secret: it travels in every request).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret, for the signers only.
    pub(crate) fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The STS token, if these are STS credentials.
    pub(crate) fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// `static_sts` or `static_ak`, as the official SDK names its provider in
    /// `x-acs-credentials-provider` (docs/spec/wire-format.md §4, §10.2).
    pub fn provider_name(&self) -> &'static str {
        if self.security_token.is_some() {
            "static_sts"
        } else {
            "static_ak"
        }
    }

    /// Every secret text these credentials hold (secret and token), for scrubbing service text
    /// that may echo them before it is put in an error.
    pub(crate) fn secrets(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.access_key_secret.as_str()).chain(self.security_token.as_deref())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &format_args!("AccessKeySecret(***)"))
            .field(
                "security_token",
                &format_args!(
                    "{}",
                    if self.security_token.is_some() {
                        "SecurityToken(***)"
                    } else {
                        "None"
                    }
                ),
            )
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AccessKeyId {} ({})",
            self.access_key_id,
            self.provider_name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_secret_and_token() {
        let c = Credentials::new("LTAIid", "s3cr3t-value", Some("tok-en-value".into())).unwrap();
        for text in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(!text.contains("s3cr3t-value"), "{text}");
            assert!(!text.contains("tok-en-value"), "{text}");
            assert!(text.contains("LTAIid"));
        }
        assert_eq!(c.provider_name(), "static_sts");
    }

    #[test]
    fn refuses_empty_and_malformed() {
        assert_eq!(
            Credentials::new("", "s", None),
            Err(CredentialsProblem::MissingAccessKeyId)
        );
        assert_eq!(
            Credentials::new("id", "", None),
            Err(CredentialsProblem::MissingAccessKeySecret)
        );
        assert_eq!(
            Credentials::new("id ", "s", None),
            Err(CredentialsProblem::MalformedAccessKeyId)
        );
        assert_eq!(
            Credentials::new("idé", "s", None),
            Err(CredentialsProblem::MalformedAccessKeyId)
        );
        assert_eq!(
            Credentials::new("id", "s", Some("to ken".into())),
            Err(CredentialsProblem::MalformedSecurityToken)
        );
        let c = Credentials::new("id", "s", Some(String::new())).unwrap();
        assert_eq!(c.provider_name(), "static_ak");
    }
}
