//! Line diffs of two intermediates, with invisible characters shown, so a
//! stray tab, trailing space or `\r` cannot hide.

/// Shows `line` with control characters escaped and spaces at either end
/// marked `␠`.
pub fn visible(line: &str) -> String {
    let leading = line.len() - line.trim_start_matches(' ').len();
    let trailing = line.len() - line.trim_end_matches(' ').len();
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let count = chars.len();
    for (i, c) in chars.into_iter().enumerate() {
        match c {
            ' ' if i < leading || i >= count.saturating_sub(trailing) => out.push('␠'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// Shows a whole text from someone else's program (a signer's message, an
/// adapter's stderr) safely on a terminal: control characters escaped, so
/// that an escape sequence cannot recolour or rewrite the screen, but line
/// breaks and tabs kept.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A unified-style diff of `expected` and `actual`, line by line: `-` lines
/// only in expected, `+` only in actual, two spaces for common lines. A
/// line replaced by another (`-` lines followed by as many `+` lines) gets
/// a `?` line under its `+` line with a `^` at the first character that
/// differs, as Python's `difflib.ndiff` marks it: in a canonical query of
/// a few hundred characters the difference is otherwise hard to find.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let mut out = String::new();
    let lines = diff_lines(expected, actual);
    let mut at = 0;
    while at < lines.len() {
        let removed = lines[at..]
            .iter()
            .take_while(|(tag, _)| *tag == '-')
            .count();
        let added = lines[at + removed..]
            .iter()
            .take_while(|(tag, _)| *tag == '+')
            .count();
        if removed > 0 && removed == added {
            for (tag, line) in &lines[at..at + removed] {
                out.push_str(&format!("{tag} {line}\n"));
            }
            for (offset, (tag, line)) in lines[at + removed..at + 2 * removed].iter().enumerate() {
                out.push_str(&format!("{tag} {line}\n"));
                // Lines that differ from their start (two signatures)
                // need no marker.
                let column = first_difference(&lines[at + offset].1, line);
                if column >= MIN_SHARED_FOR_MARKER {
                    out.push_str(&format!("? {}^\n", " ".repeat(column)));
                }
            }
            at += 2 * removed;
        } else {
            let (tag, line) = &lines[at];
            out.push_str(&format!("{tag} {line}\n"));
            at += 1;
        }
    }
    out
}

/// The shortest shared start after which a replaced line is marked.
const MIN_SHARED_FOR_MARKER: usize = 3;

/// How many characters `a` and `b` share at their start.
fn first_difference(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The diff's lines, tagged `' '`, `-` or `+`, each shown [`visible`].
fn diff_lines(expected: &str, actual: &str) -> Vec<(char, String)> {
    let a: Vec<&str> = expected.split('\n').collect();
    let b: Vec<&str> = actual.split('\n').collect();
    // Intermediates are short; a quadratic LCS table is fine, but guard
    // against adapters returning megabytes.
    if a.len() * b.len() > 4_000_000 {
        return vec![(
            ' ',
            format!("(too long to diff: {} and {} lines)", a.len(), b.len()),
        )];
    }
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push((' ', visible(a[i])));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(('-', visible(a[i])));
            i += 1;
        } else {
            out.push(('+', visible(b[j])));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_keeps_its_lines_and_loses_its_escape_sequences() {
        assert_eq!(
            printable("boom \u{1}\u{1b}[31mred\r\n\tnext"),
            "boom \\u{1}\\u{1b}[31mred\\u{d}\n\tnext"
        );
    }

    #[test]
    fn shows_what_differs_and_what_hides() {
        let diff = line_diff("GET\n/\nhost:a\n", "GET\n/ \nhost:a\t\n");
        assert_eq!(
            diff,
            "  GET\n- /\n- host:a\n+ /␠\n+ host:a\\t\n?       ^\n  \n"
        );
    }

    #[test]
    fn a_replaced_line_is_marked_where_it_first_differs() {
        let diff = line_diff(
            "GET\nX-Amz-Credential=AKID%2F20150830%2Fus-east-1\nhost",
            "GET\nX-Amz-Credential=AKID/20150830/us-east-1\nhost",
        );
        assert_eq!(
            diff,
            "  GET\n\
             - X-Amz-Credential=AKID%2F20150830%2Fus-east-1\n\
             + X-Amz-Credential=AKID/20150830/us-east-1\n\
             ?                      ^\n\
             \x20 host\n"
        );
        // Lines only added or only removed, or in unequal runs, or that
        // differ from their start (signatures), get none.
        assert_eq!(line_diff("abcdef", "abXdef"), "- abcdef\n+ abXdef\n");
        assert_eq!(line_diff("a\nb", "a"), "  a\n- b\n");
        assert_eq!(line_diff("a", "b\nc"), "- a\n+ b\n+ c\n");
    }
}
