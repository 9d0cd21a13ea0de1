//! The credentials `serve` accepts: access keys, secrets, optional session
//! tokens, and the IAM user ARN each one stands for.

use serde::Deserialize;
use sigv4_signer::verify::KnownKeyRef;
use std::path::Path;

/// One known credential.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key. Never logged.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    #[serde(default)]
    pub session_token: Option<String>,
    /// The principal, e.g. `arn:aws:iam::123456789012:user/alice`.
    pub arn: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    credentials: Vec<Credential>,
}

/// The credentials of a `--credentials` file.
#[derive(Debug, Clone, Default)]
pub struct CredentialStore {
    credentials: Vec<Credential>,
}

impl CredentialStore {
    /// Reads `{"credentials": [{"access_key_id", "secret_access_key",
    /// "session_token"?, "arn"}]}`.
    ///
    /// # Errors
    /// A message naming the file and the problem.
    pub fn load(path: &Path) -> Result<CredentialStore, String> {
        let text = crate::files::read_text(path, "credentials")?;
        CredentialStore::parse(&text).map_err(|e| format!("credentials {}: {e}", path.display()))
    }

    /// Parses the JSON text of a credentials file.
    ///
    /// # Errors
    /// What is wrong with it.
    pub fn parse(text: &str) -> Result<CredentialStore, String> {
        let file: CredentialsFile = serde_json::from_str(text).map_err(|e| {
            let what = if e.is_syntax() || e.is_eof() {
                format!("not JSON ({e})")
            } else {
                e.to_string()
            };
            format!(
                "{what}; a credentials file is {{\"credentials\": [{{\"access_key_id\": ..., \
                 \"secret_access_key\": ..., \"session_token\": ... (optional), \
                 \"arn\": \"arn:aws:iam::123456789012:user/NAME\"}}, ...]}}"
            )
        })?;
        if file.credentials.is_empty() {
            return Err("no credentials in the file".into());
        }
        for (i, c) in file.credentials.iter().enumerate() {
            if c.access_key_id.is_empty() || c.secret_access_key.is_empty() {
                return Err(format!(
                    "credential #{} has an empty access key id or secret",
                    i + 1
                ));
            }
            if c.session_token.as_deref() == Some("") {
                // Clients send no X-Amz-Security-Token for an empty token,
                // so every request of this key would be refused: a mistake
                // in the file, where `null` means "no token".
                return Err(format!(
                    "credential {:?}: session_token is empty (use null for credentials without one)",
                    c.access_key_id
                ));
            }
            if !c.arn.starts_with("arn:") {
                return Err(format!(
                    "credential {:?}: arn {:?} does not start with arn:",
                    c.access_key_id, c.arn
                ));
            }
            if file.credentials[..i]
                .iter()
                .any(|o| o.access_key_id == c.access_key_id)
            {
                return Err(format!("access key id {:?} appears twice", c.access_key_id));
            }
        }
        Ok(CredentialStore {
            credentials: file.credentials,
        })
    }

    /// The credential of `access_key_id`.
    pub fn get(&self, access_key_id: &str) -> Option<&Credential> {
        self.credentials
            .iter()
            .find(|c| c.access_key_id == access_key_id)
    }

    /// The verifier's view of a key, borrowed: no secret is copied.
    pub fn known_key(&self, access_key_id: &str) -> Option<KnownKeyRef<'_>> {
        self.get(access_key_id).map(|c| KnownKeyRef {
            secret_access_key: &c.secret_access_key,
            session_token: c.session_token.as_deref(),
        })
    }

    /// Every secret, for redaction.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.credentials
            .iter()
            .map(|c| c.secret_access_key.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialStore;

    #[test]
    fn an_empty_session_token_is_refused_with_its_key_id() {
        let err = CredentialStore::parse(
            r#"{"credentials":[{"access_key_id":"AKIDTEMP","secret_access_key":"s","session_token":"","arn":"arn:aws:iam::1:user/a"}]}"#,
        )
        .expect_err("an empty token is refused");
        assert!(
            err.contains("\"AKIDTEMP\"") && err.contains("session_token is empty"),
            "{err}"
        );
        assert!(CredentialStore::parse(
            r#"{"credentials":[{"access_key_id":"AKIDTEMP","secret_access_key":"s","session_token":null,"arn":"arn:aws:iam::1:user/a"}]}"#,
        )
        .is_ok());
    }
}
