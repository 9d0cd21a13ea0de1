//! Reading case directories, from the embedded copy or from disk. Every
//! problem is an error naming the file; nothing panics, and an empty set is
//! an error so that deleting data can never make a run pass.

use crate::{Case, Context, Expected, HttpRequest, Location};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Why vectors could not be loaded.
#[derive(Debug)]
pub struct LoadError {
    /// The file or directory concerned.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

impl std::error::Error for LoadError {}

fn error(path: impl Into<String>, reason: impl Into<String>) -> LoadError {
    LoadError {
        path: path.into(),
        reason: reason.into(),
    }
}

/// The vectors embedded in this crate, sorted by id.
///
/// # Errors
/// A [`LoadError`] if the embedded data is malformed (a build problem).
pub fn embedded() -> Result<Vec<Case>, LoadError> {
    let files: BTreeMap<String, &[u8]> = EMBEDDED
        .iter()
        .map(|(path, bytes)| ((*path).to_owned(), *bytes))
        .collect();
    cases_from(&files, "embedded vectors")
}

/// Loads every case under `dir`. Ids start with the directory's own name,
/// e.g. `my-cases/get-x/header` for `my-cases/get-x/context.json`.
///
/// # Errors
/// A [`LoadError`] naming the first unreadable or malformed file, or the
/// directory if it holds no case.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, LoadError> {
    let shown = dir.display().to_string();
    let meta = std::fs::metadata(dir).map_err(|e| error(&shown, e.to_string()))?;
    if !meta.is_dir() {
        return Err(error(&shown, "not a directory"));
    }
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "vectors".to_owned());
    let mut files = BTreeMap::new();
    read_tree(dir, dir, &name, &mut files, 0)?;
    cases_from(&files, &shown)
}

/// The largest file of a vector directory read.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

fn read_tree(
    root: &Path,
    dir: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
    depth: usize,
) -> Result<(), LoadError> {
    if depth > 16 {
        return Err(error(
            dir.display().to_string(),
            "directories nested too deep",
        ));
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| error(dir.display().to_string(), e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| error(dir.display().to_string(), e.to_string()))?;
        let path: PathBuf = entry.path();
        // Symbolic links are followed (a shared context.json, a linked
        // suite); the depth limit stops a loop.
        let kind = std::fs::metadata(&path)
            .map_err(|e| error(path.display().to_string(), e.to_string()))?;
        if kind.is_dir() {
            read_tree(root, &path, prefix, files, depth + 1)?;
        } else if !kind.is_file() {
            return Err(error(
                path.display().to_string(),
                "not a regular file (a device or a pipe); a vector's files are plain files",
            ));
        } else if kind.len() > MAX_FILE_BYTES {
            return Err(error(
                path.display().to_string(),
                format!(
                    "{} bytes; a vector's file holds at most {MAX_FILE_BYTES}",
                    kind.len()
                ),
            ));
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(&path)
                .map_err(|e| error(path.display().to_string(), e.to_string()))?;
            files.insert(format!("{prefix}/{relative}"), bytes);
        }
    }
    Ok(())
}

fn cases_from<B: AsRef<[u8]>>(
    files: &BTreeMap<String, B>,
    origin: &str,
) -> Result<Vec<Case>, LoadError> {
    let mut cases = Vec::new();
    for path in files.keys() {
        let Some(dir) = path.strip_suffix("/context.json") else {
            continue;
        };
        let read_text = |name: &str| -> Result<Option<String>, LoadError> {
            let file = format!("{dir}/{name}");
            match files.get(&file) {
                None => Ok(None),
                Some(bytes) => String::from_utf8(bytes.as_ref().to_vec())
                    .map(Some)
                    .map_err(|_| error(&file, "not UTF-8")),
            }
        };
        let context_text = read_text("context.json")?.unwrap_or_default();
        let context: Context = serde_json::from_str(&context_text)
            .map_err(|e| error(format!("{dir}/context.json"), e.to_string()))?;
        check_time(&context.time).map_err(|reason| error(format!("{dir}/context.json"), reason))?;
        let request_file = format!("{dir}/request.txt");
        let request_bytes = files
            .get(&request_file)
            .ok_or_else(|| error(&request_file, "missing"))?;
        let request = HttpRequest::parse(request_bytes.as_ref())
            .map_err(|e| error(&request_file, e.to_string()))?;
        let mut locations = 0;
        for location in Location::ALL {
            let loc = location.as_str();
            let expected = Expected {
                // Neither stage ever ends with a line break; one stray final
                // `\n` in a file is an editor artefact, not part of the value.
                canonical_request: read_text(&format!("{loc}-canonical-request.txt"))?
                    .map(strip_final_newline),
                string_to_sign: read_text(&format!("{loc}-string-to-sign.txt"))?
                    .map(strip_final_newline),
                signature: read_text(&format!("{loc}-signature.txt"))?.map(|s| s.trim().to_owned()),
                signed_request: read_text(&format!("{loc}-signed-request.txt"))?,
            };
            if expected.canonical_request.is_none() && expected.signature.is_none() {
                continue;
            }
            if let Some(signature) = &expected.signature {
                let is_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
                if signature.len() != 64 || !signature.bytes().all(|b| is_hex(&b)) {
                    return Err(error(
                        format!("{dir}/{loc}-signature.txt"),
                        format!("{signature:?} is not a signature: give 64 lower-case hex digits"),
                    ));
                }
            }
            locations += 1;
            cases.push(Case {
                id: format!("{dir}/{loc}"),
                dir: dir.to_owned(),
                location,
                context: context.clone(),
                body_base64: base64_encode(&request.body),
                request: request.clone(),
                expected,
            });
        }
        if locations == 0 {
            return Err(error(
                dir,
                "no expected stages: a case needs <location>-signature.txt or \
                 <location>-canonical-request.txt for header or query",
            ));
        }
    }
    if cases.is_empty() {
        return Err(error(
            origin,
            "no case found (no directory with a context.json)",
        ));
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(cases)
}

/// Checks `time` is a real instant written `YYYY-MM-DDTHH:MM:SSZ`, so a
/// mistyped case is refused when it is loaded, naming its file, rather
/// than blamed on the signer under test.
fn check_time(time: &str) -> Result<(), String> {
    let refuse = || {
        Err(format!(
            "\"time\": {time:?} is not an instant written YYYY-MM-DDTHH:MM:SSZ (UTC)"
        ))
    };
    let bytes = time.as_bytes();
    let shape = b"0000-00-00T00:00:00Z";
    if bytes.len() != shape.len()
        || !bytes.iter().zip(shape).all(|(&b, &s)| {
            if s == b'0' {
                b.is_ascii_digit()
            } else {
                b == s
            }
        })
    {
        return refuse();
    }
    let number = |at: usize, len: usize| {
        bytes[at..at + len]
            .iter()
            .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'))
    };
    let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2));
    let (hour, minute, second) = (number(11, 2), number(14, 2), number(17, 2));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return refuse(),
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
        return refuse();
    }
    Ok(())
}

fn strip_final_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
    }
    text
}

/// Standard base64 with padding; small enough not to need a dependency.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{base64_encode, check_time};
    use crate::load_dir;

    #[test]
    fn links_are_followed_and_devices_named() {
        let root = std::env::temp_dir().join(format!("sigv4-vectors-links-{}", std::process::id()));
        let case = root.join("mine/linked");
        std::fs::create_dir_all(&case).expect("case dir");
        let published = concat!(env!("CARGO_MANIFEST_DIR"), "/data/aws-v4/get-vanilla");
        for file in ["context.json", "request.txt", "header-signature.txt"] {
            std::os::unix::fs::symlink(format!("{published}/{file}"), case.join(file))
                .expect("symlink");
        }
        let cases = load_dir(&root.join("mine")).expect("loads through the links");
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].id, "mine/linked/header");
        std::fs::remove_file(case.join("context.json")).expect("remove");
        std::os::unix::fs::symlink("/dev/zero", case.join("context.json")).expect("symlink");
        let error = load_dir(&root.join("mine"))
            .expect_err("a device")
            .to_string();
        assert!(
            error.contains("context.json") && error.contains("not a regular file"),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn times_are_checked_when_a_case_is_loaded() {
        for good in [
            "2015-08-30T12:36:00Z",
            "2024-02-29T23:59:59Z",
            "0000-01-01T00:00:00Z",
        ] {
            assert_eq!(check_time(good), Ok(()), "{good}");
        }
        for bad in [
            "yesterday",
            "",
            "20150830T123600Z",
            "2015-08-30 12:36:00Z",
            "2015-08-30T12:36:00",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2015-13-01T00:00:00Z",
            "2015-04-31T00:00:00Z",
            "2015-08-00T00:00:00Z",
            "2015-08-30T24:00:00Z",
            "2015-08-30T12:60:00Z",
            "2015-08-30T12:36:60Z",
            "2015-08-30T12:36:00Z ",
            "２015-08-30T12:36:00Z",
        ] {
            let refused = check_time(bad).expect_err(bad);
            assert!(refused.contains("YYYY-MM-DDTHH:MM:SSZ"), "{refused}");
        }
    }

    #[test]
    fn base64_matches_rfc_4648_examples() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), expected);
        }
    }
}
