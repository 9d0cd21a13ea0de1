//! `matrix REPORT.json...`: several JSON reports as one table, rows are
//! cases, columns are implementations, each failing cell naming the
//! diagnosed fault (or the diverging stage when no fault was proven).

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One implementation's column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Header text: name and version (or the file name).
    pub title: String,
    /// The report file the column was read from; it tells apart columns
    /// with the same title.
    pub source: String,
    /// Cell per case id.
    pub cells: BTreeMap<String, Cell>,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Passed.
    Pass,
    /// Failed: the fault or stage, and whether the case is contested.
    Fail {
        /// The proven fault, or `at <stage>`.
        what: String,
        /// The case is contested.
        contested: bool,
    },
    /// Skipped, with the reason.
    Skipped(String),
    /// Adapter error.
    AdapterError,
}

/// Reads one JSON report into a column.
///
/// # Errors
/// A message naming what is missing when the document is not a report.
pub fn column(file_name: &str, report: &Value) -> Result<Column, String> {
    let cases = report["cases"].as_array().ok_or_else(|| {
        format!("{file_name}: not a sigv4-conformance JSON report (no \"cases\" array)")
    })?;
    let name = report["adapter"]["name"].as_str().unwrap_or("");
    let version = report["adapter"]["version"].as_str().unwrap_or("");
    let title = if name.is_empty() {
        file_name.to_owned()
    } else {
        format!("{name} {version}").trim().to_owned()
    };
    let mut cells = BTreeMap::new();
    for case in cases {
        let id = case["id"]
            .as_str()
            .ok_or_else(|| format!("{file_name}: a case without an \"id\""))?;
        let cell = match case["verdict"].as_str() {
            Some("pass") => Cell::Pass,
            Some("fail") => {
                let fault = case["diagnosis"]
                    .as_array()
                    .and_then(|d| d.iter().find(|x| x["proven"] == true))
                    .and_then(|d| d["fault"].as_str())
                    .map(str::to_owned);
                let stage = case["diverged_at"].as_str().map(|s| format!("at {s}"));
                Cell::Fail {
                    what: fault.or(stage).unwrap_or_else(|| "error".to_owned()),
                    contested: case.get("contested").is_some(),
                }
            }
            Some("skipped") => Cell::Skipped(case["reason"].as_str().unwrap_or("").to_owned()),
            Some("adapter-error") => Cell::AdapterError,
            _ => {
                return Err(format!(
                    "{file_name}: case {id} has an unknown verdict {}; a verdict is \"pass\", \
                     \"fail\", \"skipped\" or \"adapter-error\"",
                    case["verdict"]
                ))
            }
        };
        cells.insert(id.to_owned(), cell);
    }
    Ok(Column {
        title,
        source: file_name.to_owned(),
        cells,
    })
}

/// The header of each column, unique: a title shared by several columns
/// gets the report's file name, and a file given twice a number, so that
/// no two columns look like one implementation.
fn headers(columns: &[Column]) -> Vec<String> {
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let same_title: Vec<usize> = (0..columns.len())
                .filter(|&other| columns[other].title == column.title)
                .collect();
            if same_title.len() < 2 {
                return column.title.clone();
            }
            let labelled = if column.title == column.source {
                column.source.clone()
            } else {
                format!("{} ({})", column.title, column.source)
            };
            let same_source: Vec<usize> = same_title
                .into_iter()
                .filter(|&other| columns[other].source == column.source)
                .collect();
            if same_source.len() < 2 {
                return labelled;
            }
            let ordinal = same_source
                .iter()
                .take_while(|&&other| other != index)
                .count()
                + 1;
            format!("{labelled} #{ordinal}")
        })
        .collect()
}

fn case_ids(columns: &[Column]) -> Vec<&str> {
    let mut ids: Vec<&str> = columns
        .iter()
        .flat_map(|c| c.cells.keys().map(String::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A column's counts, for the summary row: how many cases passed out of
/// those the report has, then the failures (contested ones apart), skips
/// and adapter errors there were.
fn summary(column: &Column) -> String {
    let count = |keep: fn(&Cell) -> bool| column.cells.values().filter(|c| keep(c)).count();
    let pass = count(|c| matches!(c, Cell::Pass));
    let fail = count(|c| {
        matches!(
            c,
            Cell::Fail {
                contested: false,
                ..
            }
        )
    });
    let contested = count(|c| {
        matches!(
            c,
            Cell::Fail {
                contested: true,
                ..
            }
        )
    });
    let skipped = count(|c| matches!(c, Cell::Skipped(_)));
    let errors = count(|c| matches!(c, Cell::AdapterError));
    let mut text = format!("{pass}/{} pass", column.cells.len());
    for (n, what) in [
        (fail, "fail"),
        (contested, "fail?"),
        (skipped, "skip"),
        (errors, "adapter-error"),
    ] {
        if n > 0 {
            let _ = write!(text, ", {n} {what}");
        }
    }
    text
}

fn text(cell: Option<&Cell>) -> String {
    match cell {
        None => "–".to_owned(),
        Some(Cell::Pass) => "pass".to_owned(),
        Some(Cell::Fail { what, contested }) => {
            format!("FAIL{} {what}", if *contested { "?" } else { "" })
        }
        Some(Cell::Skipped(_)) => "skip".to_owned(),
        Some(Cell::AdapterError) => "adapter-error".to_owned(),
    }
}

/// The matrix as a Markdown table.
pub fn markdown(columns: &[Column]) -> String {
    let mut out = String::from("| case |");
    for header in headers(columns) {
        let _ = write!(out, " {} |", markdown_text(&header));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push('\n');
    out.push_str("| **all cases** |");
    for c in columns {
        let _ = write!(out, " **{}** |", summary(c));
    }
    out.push('\n');
    for id in case_ids(columns) {
        if id.contains('`') {
            let _ = write!(out, "| {} |", markdown_text(id));
        } else {
            let _ = write!(out, "| `{}` |", id.replace('|', "\\|"));
        }
        for c in columns {
            let _ = write!(out, " {} |", markdown_text(&text(c.cells.get(id))));
        }
        out.push('\n');
    }
    out.push_str("\nFAIL? marks a contested case (see the vector's contested_reason). – means the report has no such case.\n");
    out
}

/// Text from a report (an adapter's name, a reason) as one Markdown table
/// cell: no `|` to end the cell, no line break to end the row, and no
/// HTML for a renderer to run (`<script>` in an adapter's name).
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The matrix as a self-contained HTML page.
pub fn html(columns: &[Column]) -> String {
    use crate::report::junit::escape;
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>SigV4 conformance matrix</title><style>\
         body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}\
         th,td{border:1px solid #ccc;padding:.25em .6em;font-size:14px}th{background:#f4f4f4;position:sticky;top:0}\
         td.pass{background:#e6f4ea}td.fail{background:#fce8e6}td.contested{background:#fef7e0}\
         td.skip{color:#777}td.error{background:#f3e5f5}code{font-size:13px}\
         </style></head><body>\n<h1>SigV4 conformance matrix</h1>\n<table>\n<tr><th>case</th>",
    );
    for header in headers(columns) {
        let _ = write!(out, "<th>{}</th>", escape(&header));
    }
    out.push_str("</tr>\n<tr><th>all cases</th>");
    for c in columns {
        let _ = write!(out, "<th>{}</th>", escape(&summary(c)));
    }
    out.push_str("</tr>\n");
    for id in case_ids(columns) {
        let _ = write!(out, "<tr><td><code>{}</code></td>", escape(id));
        for c in columns {
            let cell = c.cells.get(id);
            let class = match cell {
                Some(Cell::Pass) => "pass",
                Some(Cell::Fail {
                    contested: true, ..
                }) => "contested",
                Some(Cell::Fail { .. }) => "fail",
                Some(Cell::Skipped(_)) => "skip",
                Some(Cell::AdapterError) => "error",
                None => "",
            };
            let title = match cell {
                Some(Cell::Skipped(reason)) => format!(" title=\"{}\"", escape(reason)),
                _ => String::new(),
            };
            let _ = write!(
                out,
                "<td class=\"{class}\"{title}>{}</td>",
                escape(&text(cell))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n<p>FAIL? marks a contested case. Hover a skipped cell for the reason.</p>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(title: &str, source: &str) -> Column {
        Column {
            title: title.to_owned(),
            source: source.to_owned(),
            cells: BTreeMap::new(),
        }
    }

    #[test]
    fn the_summary_counts_each_kind_of_cell() {
        let mut column = named("x", "x.json");
        let fail = |contested| Cell::Fail {
            what: "at scope".to_owned(),
            contested,
        };
        for (id, cell) in [
            ("a", Cell::Pass),
            ("b", Cell::Pass),
            ("c", fail(false)),
            ("d", fail(true)),
            ("e", Cell::Skipped("why".to_owned())),
        ] {
            column.cells.insert(id.to_owned(), cell);
        }
        assert_eq!(summary(&column), "2/5 pass, 1 fail, 1 fail?, 1 skip");
        let table = markdown(std::slice::from_ref(&column));
        assert!(
            table.contains("| **all cases** | **2/5 pass, 1 fail, 1 fail?, 1 skip** |\n"),
            "{table}"
        );
    }

    #[test]
    fn markdown_cells_hold_no_html_and_no_row_breaks() {
        let mut column = named("evil <script>alert(1)</script> | x", "e.json");
        column
            .cells
            .insert("a`b".to_owned(), Cell::Skipped("why\nnot".to_owned()));
        let table = markdown(std::slice::from_ref(&column));
        assert!(
            table.starts_with("| case | evil &lt;script&gt;alert(1)&lt;/script&gt; \\| x |\n"),
            "{table}"
        );
        assert!(!table.contains("<script>"), "{table}");
        assert!(table.contains("| a`b |"), "{table}");
        assert_eq!(table.lines().count(), 6, "{table}");
    }

    #[test]
    fn headers_tell_apart_columns_with_the_same_title() {
        let columns = [
            named("botocore 1.0", "a.json"),
            named("botocore 1.0", "b.json"),
            named("aws4 2.0", "c.json"),
        ];
        assert_eq!(
            headers(&columns),
            ["botocore 1.0 (a.json)", "botocore 1.0 (b.json)", "aws4 2.0"]
        );
    }

    #[test]
    fn headers_number_a_report_given_twice() {
        let columns = [
            named("ref 0.1.0", "r.json"),
            named("ref 0.1.0", "r.json"),
            named("r2.json", "r2.json"),
            named("r2.json", "r2.json"),
        ];
        assert_eq!(
            headers(&columns),
            [
                "ref 0.1.0 (r.json) #1",
                "ref 0.1.0 (r.json) #2",
                "r2.json #1",
                "r2.json #2"
            ]
        );
    }
}
