//! Records out: JSON, JSON Lines, an aligned table, and the snapshot text format.

use crate::engine::Record;
use std::fmt::Write as _;

/// Output formats of `gleaner run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One aligned row per record, for people.
    Table,
    /// One JSON array of records.
    Json,
    /// One JSON record per line.
    Jsonl,
    /// The snapshot text format: a block per record, fields aligned.
    Snapshot,
}

/// Writes records in a format; `Json` wants every record at once.
pub fn write(format: Format, records: &[Record], out: &mut String) {
    match format {
        Format::Json => {
            let json = serde_json::to_string_pretty(records).unwrap_or_default();
            out.push_str(&json);
            out.push('\n');
        }
        Format::Jsonl => {
            for r in records {
                jsonl(r, out);
            }
        }
        Format::Table => table(records, out),
        Format::Snapshot => {
            let mut doc: Option<&str> = None;
            for r in records {
                if doc != Some(&r.doc) {
                    if doc.is_some() {
                        out.push('\n');
                    }
                    let _ = writeln!(out, "## {}", r.doc);
                    doc = Some(&r.doc);
                }
                out.push('\n');
                snapshot_block(r, out);
            }
        }
    }
}

/// One record as a JSON line.
pub fn jsonl(r: &Record, out: &mut String) {
    out.push_str(&serde_json::to_string(r).unwrap_or_default());
    out.push('\n');
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// One record in the snapshot format:
///
/// ```text
/// PersonRole 403..473 news/roles.rules:role_appositive
///   "Yevgeny Lukyanov, the deputy secretary of Russia’s Security Council,"
///   person  403..419  "Yevgeny Lukyanov"
///   org     445..472  "Russia’s Security Council" => "Russia"
///   source            => "constant"
/// ```
pub fn snapshot_block(r: &Record, out: &mut String) {
    let _ = writeln!(out, "{} {}..{} {}", r.kind, r.start, r.end, r.rule);
    let _ = writeln!(out, "  {}", quote(&r.text));
    let name_w = r
        .fields
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0);
    let spans: Vec<String> = r
        .fields
        .values()
        .map(|f| match (f.start, f.end) {
            (Some(s), Some(e)) => format!("{s}..{e}"),
            _ => String::new(),
        })
        .collect();
    let span_w = spans.iter().map(String::len).max().unwrap_or(0);
    for ((name, f), span) in r.fields.iter().zip(&spans) {
        let mut line = format!("  {name:name_w$}  {span:span_w$}");
        if let Some(t) = &f.text {
            let _ = write!(line, "  {}", quote(t));
        }
        if let Some(v) = &f.value {
            let _ = write!(
                line,
                "{}=> {}",
                if f.text.is_some() { " " } else { "  " },
                quote(v)
            );
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Cuts a string to `max` chars, with `…` when cut; newlines shown as spaces.
fn clip(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn table(records: &[Record], out: &mut String) {
    let rows: Vec<[String; 5]> = records
        .iter()
        .map(|r| {
            let fields = r
                .fields
                .iter()
                .map(|(k, f)| match (&f.text, &f.value) {
                    (Some(t), Some(v)) if t != v => {
                        format!("{k}={}=>{}", quote(&clip(t, 40)), quote(&clip(v, 40)))
                    }
                    _ => format!("{k}={}", quote(&clip(f.display(), 40))),
                })
                .collect::<Vec<_>>()
                .join(" ");
            [
                r.doc.clone(),
                r.kind.clone(),
                format!("{}..{}", r.start, r.end),
                clip(&r.text, 50),
                fields,
            ]
        })
        .collect();
    let header = ["DOC", "TYPE", "SPAN", "TEXT", "FIELDS"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths[0] = widths[0].min(40);
    let mut line = |cells: [&str; 5]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let cell = clip(cell, w);
                let pad = w - cell.chars().count();
                let _ = write!(l, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
}
