//! The raw HTTP/1.1 request text of `request.txt` and
//! `*-signed-request.txt`: a request line, `Name:value` header lines
//! (a line starting with a space or tab continues the previous value), an
//! empty line, the body.

use serde::Serialize;
use std::fmt;

/// A request as written in a vector file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpRequest {
    /// The method.
    pub method: String,
    /// The path as on the request line (it may hold raw spaces or UTF-8).
    pub path: String,
    /// The query without `?`, `""` when there is none.
    pub query: String,
    /// `[name, value]` in file order; a folded value keeps its `\n`.
    pub headers: Vec<(String, String)>,
    /// The body bytes, empty when there is none.
    #[serde(skip)]
    pub body: Vec<u8>,
}

/// Why a request text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub reason: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ParseError {}

impl HttpRequest {
    /// Parses request text. Lines end with `\n` (a `\r` before it is
    /// dropped).
    ///
    /// # Errors
    /// A [`ParseError`] naming the line that is malformed.
    pub fn parse(text: &[u8]) -> Result<HttpRequest, ParseError> {
        let (head, body) = split_head_body(text);
        let head = std::str::from_utf8(head).map_err(|_| ParseError {
            line: 1,
            reason: "the request line and headers are not UTF-8",
        })?;
        let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let request_line = lines.next().unwrap_or("");
        let (method, rest) = request_line.split_once(' ').ok_or(ParseError {
            line: 1,
            reason: "the request line is not `METHOD TARGET HTTP/1.1`",
        })?;
        // The target may hold raw spaces, so the version is after the last.
        let target = match rest.rsplit_once(' ') {
            Some((target, version)) if version.starts_with("HTTP/") => target,
            _ => rest,
        };
        if method.is_empty() || target.is_empty() {
            return Err(ParseError {
                line: 1,
                reason: "the request line has no method or no target",
            });
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for (index, line) in lines.enumerate() {
            let number = index + 2;
            if line.is_empty() {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                let (_, value) = headers.last_mut().ok_or(ParseError {
                    line: number,
                    reason: "a continuation line before any header",
                })?;
                value.push('\n');
                value.push_str(line);
                continue;
            }
            let (name, value) = line.split_once(':').ok_or(ParseError {
                line: number,
                reason: "a header line without ':'",
            })?;
            headers.push((name.to_owned(), value.to_owned()));
        }
        Ok(HttpRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.to_vec(),
        })
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits at the first empty line; no empty line means no body.
fn split_head_body(text: &[u8]) -> (&[u8], &[u8]) {
    let mut at = 0;
    while let Some(offset) = text[at..].iter().position(|&b| b == b'\n') {
        let line_end = at + offset;
        let next = line_end + 1;
        let rest = &text[next..];
        if let Some(body) = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
        {
            return (&text[..line_end], body);
        }
        at = next;
    }
    (text, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_spaces_folds_and_bodies() {
        let text = b"GET /example space/?a=b HTTP/1.1\nHost:x\nMy:v1\n  v2\n\nbody\n";
        let request = HttpRequest::parse(text).unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/example space/");
        assert_eq!(request.query, "a=b");
        assert_eq!(
            request.headers,
            vec![
                ("Host".to_owned(), "x".to_owned()),
                ("My".to_owned(), "v1\n  v2".to_owned())
            ]
        );
        assert_eq!(request.body, b"body\n");
    }

    #[test]
    fn no_blank_line_means_no_body() {
        let request = HttpRequest::parse(b"POST / HTTP/1.1\nHost:x\n").unwrap();
        assert!(request.body.is_empty());
        assert_eq!(request.headers.len(), 1);
    }

    #[test]
    fn malformed_text_is_an_error() {
        assert!(HttpRequest::parse(b"").is_err());
        assert!(HttpRequest::parse(b"GET\n").is_err());
        assert!(HttpRequest::parse(b"GET / HTTP/1.1\n  fold\n").is_err());
        assert!(HttpRequest::parse(b"GET / HTTP/1.1\nno colon\n").is_err());
        assert!(HttpRequest::parse(b"GET / HTTP/1.1\n\xff: x\n").is_err());
    }
}
