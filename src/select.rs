//! Choosing which cases run: suites, id globs, extra vector directories.

use sigv4_vectors::{Case, LoadError};
use std::path::PathBuf;

/// What the user asked to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Suites to keep (the first id component); empty keeps all.
    pub suites: Vec<String>,
    /// Globs over ids (`*` any run of characters, `?` one); a case is kept
    /// when any matches; empty keeps all.
    pub filters: Vec<String>,
    /// Extra vector directories in this project's format.
    pub vector_dirs: Vec<PathBuf>,
    /// Leave out the embedded vectors.
    pub no_embedded: bool,
}

impl Selection {
    /// Whether a case with this id is selected by the suites and filters
    /// (whether or not any vector holds such a case).
    pub fn selects(&self, id: &str) -> bool {
        let suite = id.split('/').next().unwrap_or("");
        (self.suites.is_empty() || self.suites.iter().any(|s| s == suite))
            && (self.filters.is_empty() || self.filters.iter().any(|f| glob_match(f, id)))
    }
}

/// Loads and filters cases; an empty result is an error naming the
/// selection, so a typo never turns into a green run.
pub fn select(selection: &Selection) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    if !selection.no_embedded {
        cases.extend(sigv4_vectors::embedded().map_err(|e: LoadError| e.to_string())?);
    }
    for dir in &selection.vector_dirs {
        cases.extend(sigv4_vectors::load_dir(dir).map_err(|e| e.to_string())?);
    }
    let mut seen = std::collections::HashSet::new();
    for case in &cases {
        if !seen.insert(case.id.as_str()) {
            return Err(format!(
                "two cases have the id {:?}; rename one of the vector directories",
                case.id
            ));
        }
    }
    cases.retain(|case| selection.selects(&case.id));
    if cases.is_empty() {
        return Err(format!(
            "no case matches the selection (suites: {:?}, filters: {:?}); \
             `check --list` shows the ids",
            selection.suites, selection.filters
        ));
    }
    Ok(cases)
}

/// Whether `text` matches `pattern`, where `*` is any run of characters
/// (slashes included) and `?` is one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("aws-v4/*", "aws-v4/get-vanilla/header"));
        assert!(glob_match("*/query", "aws-v4/get-vanilla/query"));
        assert!(glob_match("*vanilla*", "aws-2015/get-vanilla/header"));
        assert!(glob_match(
            "aws-v4/get-?anilla/header",
            "aws-v4/get-vanilla/header"
        ));
        assert!(!glob_match("aws-v4/*", "aws-2015/get-vanilla/header"));
        assert!(!glob_match("get-vanilla", "aws-v4/get-vanilla/header"));
        assert!(glob_match("**", ""));
    }
}
