//! IAM-style policies for `execute-api:Invoke`: Allow and Deny statements
//! over actions and resource ARNs with `*` and `?` wildcards, evaluated as
//! IAM does: an explicit Deny wins, otherwise an Allow is needed.

use crate::select::glob_match;
use serde::Deserialize;
use serde_json::Value;

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Refuses, whatever else grants.
    Deny,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The `Sid`, if any, for messages.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Action patterns, e.g. `execute-api:Invoke`.
    pub actions: Vec<String>,
    /// Resource ARN patterns.
    pub resources: Vec<String>,
    /// Principal ARN patterns; `None` means every caller.
    pub principals: Option<Vec<String>>,
}

/// The outcome of evaluating the policies for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An Allow matched and no Deny.
    Allowed,
    /// A Deny statement matched.
    ExplicitDeny {
        /// Its `Sid`, if any.
        sid: Option<String>,
    },
    /// No statement allowed the request.
    ImplicitDeny,
}

/// All statements of the `--policy` files.
#[derive(Debug, Clone, Default)]
pub struct Policies {
    statements: Vec<Statement>,
}

fn strings(value: &Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{what} must hold strings"))
            })
            .collect(),
        _ => Err(format!("{what} must be a string or a list of strings")),
    }
}

impl Policies {
    /// Reads one or more policy documents.
    ///
    /// # Errors
    /// A message naming the file and the problem.
    pub fn load(paths: &[std::path::PathBuf]) -> Result<Policies, String> {
        let mut all = Policies::default();
        for path in paths {
            let text = crate::files::read_text(path, "policy")?;
            let one =
                Policies::parse(&text).map_err(|e| format!("policy {}: {e}", path.display()))?;
            all.statements.extend(one.statements);
        }
        Ok(all)
    }

    /// Parses one policy document (`{"Version": ..., "Statement": [...]}`).
    ///
    /// # Errors
    /// What is wrong, naming the statement.
    pub fn parse(text: &str) -> Result<Policies, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let statements = match &doc["Statement"] {
            Value::Array(items) => items.clone(),
            Value::Object(_) => vec![doc["Statement"].clone()],
            _ => return Err("no \"Statement\" (an object or a list)".into()),
        };
        let mut out = Vec::new();
        for (i, st) in statements.iter().enumerate() {
            let name = format!("statement #{}", i + 1);
            let object = st
                .as_object()
                .ok_or_else(|| format!("{name} is not an object"))?;
            for key in object.keys() {
                if !["Sid", "Effect", "Action", "Resource", "Principal"].contains(&key.as_str()) {
                    return Err(format!(
                        "{name}: {key:?} is not supported (supported: Sid, Effect, Action, Resource, Principal)"
                    ));
                }
            }
            let effect: Effect = serde_json::from_value(st["Effect"].clone())
                .map_err(|_| format!("{name}: Effect must be \"Allow\" or \"Deny\""))?;
            let principals = match &st["Principal"] {
                Value::Null => None,
                Value::String(s) if s == "*" => None,
                Value::Object(map) => match map.get("AWS") {
                    Some(v) => Some(strings(v, &format!("{name}: Principal.AWS"))?),
                    None => {
                        return Err(format!(
                            "{name}: only Principal {{\"AWS\": ...}} is supported"
                        ))
                    }
                },
                _ => {
                    return Err(format!(
                        "{name}: Principal must be \"*\" or {{\"AWS\": ...}}"
                    ))
                }
            };
            out.push(Statement {
                sid: st["Sid"].as_str().map(str::to_owned),
                effect,
                actions: strings(&st["Action"], &format!("{name}: Action"))?,
                resources: strings(&st["Resource"], &format!("{name}: Resource"))?,
                principals,
            });
        }
        Ok(Policies { statements: out })
    }

    /// Whether there are no statements at all.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Evaluates `action` on `resource` by `principal`.
    pub fn decide(&self, principal: &str, action: &str, resource: &str) -> Decision {
        let mut allowed = false;
        for st in &self.statements {
            let principal_ok = st.principals.as_ref().map_or(true, |ps| {
                ps.iter().any(|p| p == "*" || glob_match(p, principal))
            });
            let action_ok = st
                .actions
                .iter()
                .any(|a| glob_match(&a.to_ascii_lowercase(), &action.to_ascii_lowercase()));
            let resource_ok = st.resources.iter().any(|r| glob_match(r, resource));
            if principal_ok && action_ok && resource_ok {
                match st.effect {
                    Effect::Deny => {
                        return Decision::ExplicitDeny {
                            sid: st.sid.clone(),
                        }
                    }
                    Effect::Allow => allowed = true,
                }
            }
        }
        if allowed {
            Decision::Allowed
        } else {
            Decision::ImplicitDeny
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:api/prod/GET/pets/*"},
        {"Sid":"NoSecrets","Effect":"Deny","Action":["execute-api:*"],"Resource":"arn:aws:execute-api:*:*:*/*/*/pets/secret*"},
        {"Effect":"Allow","Action":"*","Resource":"*","Principal":{"AWS":"arn:aws:iam::1:user/admin"}}]}"#;

    #[test]
    fn deny_wins_allow_is_needed() {
        let p = Policies::parse(POLICY).unwrap();
        let arn =
            |m: &str, path: &str| format!("arn:aws:execute-api:us-east-1:1:api/prod/{m}/{path}");
        let alice = "arn:aws:iam::1:user/alice";
        assert_eq!(
            p.decide(alice, "execute-api:Invoke", &arn("GET", "pets/1")),
            Decision::Allowed
        );
        assert_eq!(
            p.decide(alice, "execute-api:Invoke", &arn("POST", "pets/1")),
            Decision::ImplicitDeny
        );
        assert_eq!(
            p.decide(alice, "execute-api:Invoke", &arn("GET", "pets/secret-1")),
            Decision::ExplicitDeny {
                sid: Some("NoSecrets".into())
            }
        );
        let admin = "arn:aws:iam::1:user/admin";
        assert_eq!(
            p.decide(admin, "execute-api:Invoke", &arn("POST", "pets/1")),
            Decision::Allowed
        );
        assert!(matches!(
            p.decide(admin, "execute-api:Invoke", &arn("GET", "pets/secret")),
            Decision::ExplicitDeny { .. }
        ));
    }

    #[test]
    fn unsupported_parts_are_named() {
        let err = Policies::parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("\"Condition\" is not supported"), "{err}");
        assert!(Policies::parse(
            r#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#
        )
        .is_err());
        assert!(Policies::parse("[]").is_err());
    }
}
