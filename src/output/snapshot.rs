//! Snapshot files: the records of every article of one input file, in the
//! snapshot text format, and reading them back.
//!
//! ```text
//! ---
//! source: gleaner test
//! input_file: articles/seed.txt
//! ---
//! ## seed
//!
//! PersonRole 78..112 example.rules:role_appositive
//!   "Ali Baqeri, the deputy secretary"
//!   person  78..88  "Ali Baqeri"
//! ```
//!
//! The part after the header is what `gleaner run --format snapshot` prints,
//! and what the project's own insta snapshots hold; a document without
//! records shows `(no records)`. A document id that a plain line cannot
//! carry (a line break or other control character, or a leading `"`) is
//! written as a JSON string: `## "two\nlines"`.

use super::{doc_heading, snapshot_block};
use crate::engine::{Field, Record};
use std::fmt::Write as _;

/// The records of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocRecords {
    /// The document id.
    pub id: String,
    /// Its records, in the order a run gives them.
    pub records: Vec<Record>,
}

/// Writes a snapshot file: the header naming the input file, then each document.
pub fn write_file(input_file: &str, docs: &[DocRecords]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\nsource: gleaner test\ninput_file: {input_file}\n---"
    );
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_doc(doc, &mut out);
    }
    out
}

/// Writes one document's section: `## id`, then a block per record.
pub fn write_doc(doc: &DocRecords, out: &mut String) {
    doc_heading(&doc.id, out);
    if doc.records.is_empty() {
        out.push_str("\n(no records)\n");
    }
    for r in &doc.records {
        out.push('\n');
        snapshot_block(r, out);
    }
}

/// What is wrong with a snapshot file, and on which line (from 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// The line, from 1.
    pub line: usize,
    /// What was expected.
    pub message: String,
}

/// Reads a snapshot file (with or without its `---` header) back into records.
///
/// Lines may end in LF or CRLF; a stray CR before the line end (as in
/// `\r\r\n`) is dropped too, so it never ends up in an id or rule name.
pub fn parse(text: &str) -> Result<Vec<DocRecords>, ParseError> {
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .enumerate()
        .peekable();
    // The header, if any.
    if lines.peek().is_some_and(|(_, l)| *l == "---") {
        lines.next();
        loop {
            match lines.next() {
                Some((_, "---")) => break,
                Some(_) => {}
                None => {
                    return Err(ParseError {
                        line: text.lines().count(),
                        message: "the header has no closing `---`".into(),
                    });
                }
            }
        }
    }
    let mut docs: Vec<DocRecords> = Vec::new();
    while let Some((n, line)) = lines.next() {
        let err = |message: &str| ParseError {
            line: n + 1,
            message: message.to_string(),
        };
        if line.trim().is_empty() || line == "(no records)" {
            continue;
        }
        if let Some(id) = line.strip_prefix("## ") {
            // A quoted id is a JSON string (see `doc_heading`).
            let id = match parse_quoted(id) {
                Ok((unquoted, "")) => unquoted,
                _ => id.to_string(),
            };
            docs.push(DocRecords {
                id,
                records: Vec::new(),
            });
            continue;
        }
        let Some(doc) = docs.last_mut() else {
            return Err(err("expected `## <document id>` before the first record"));
        };
        // `Type start..end rule`
        let mut parts = line.splitn(3, ' ');
        let (Some(kind), Some(span), Some(rule)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(err("expected a record line: `Type start..end file:rule`"));
        };
        let (start, end) = parse_span(span).ok_or_else(|| err("expected `start..end`"))?;
        let Some((tn, text_line)) = lines.next() else {
            return Err(err("a record line must be followed by its quoted text"));
        };
        let text = text_line
            .strip_prefix("  ")
            .and_then(|t| parse_quoted(t).ok())
            .filter(|(_, rest)| rest.is_empty())
            .map(|(s, _)| s)
            .ok_or_else(|| ParseError {
                line: tn + 1,
                message: "expected the record's text as a quoted string".into(),
            })?;
        let mut record = Record {
            doc: doc.id.clone(),
            kind: kind.to_string(),
            rule: rule.to_string(),
            start,
            end,
            text,
            fields: Default::default(),
        };
        while let Some((fnum, field_line)) = lines.next_if(|(_, l)| l.starts_with("  ")) {
            let (name, field) = parse_field(field_line).map_err(|message| ParseError {
                line: fnum + 1,
                message,
            })?;
            record.fields.insert(name, field);
        }
        doc.records.push(record);
    }
    Ok(docs)
}

fn parse_span(s: &str) -> Option<(usize, usize)> {
    let (a, b) = s.split_once("..")?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// A JSON string at the start of `s`; returns it and the rest.
fn parse_quoted(s: &str) -> Result<(String, &str), ()> {
    if !s.starts_with('"') {
        return Err(());
    }
    let mut stream = serde_json::Deserializer::from_str(s).into_iter::<String>();
    match stream.next() {
        Some(Ok(value)) => Ok((value, &s[stream.byte_offset()..])),
        _ => Err(()),
    }
}

/// `  name  start..end  "text" => "value"` (span, text and value each optional).
fn parse_field(line: &str) -> Result<(String, Field), String> {
    let line = line.trim_start();
    let (name, rest) = line
        .split_once(' ')
        .ok_or_else(|| "expected a field: `name  start..end  \"text\"`".to_string())?;
    let mut rest = rest.trim_start();
    let mut field = Field::default();
    if !rest.starts_with('"') && !rest.starts_with("=>") {
        let (span, after) = rest.split_once(' ').unwrap_or((rest, ""));
        let (s, e) = parse_span(span).ok_or("expected the field's `start..end`")?;
        field.start = Some(s);
        field.end = Some(e);
        rest = after.trim_start();
    }
    if rest.starts_with('"') {
        let (text, after) = parse_quoted(rest).map_err(|_| "a bad quoted string")?;
        field.text = Some(text);
        rest = after.trim_start();
    }
    if let Some(after) = rest.strip_prefix("=>") {
        let (value, after) =
            parse_quoted(after.trim_start()).map_err(|_| "expected a quoted value after `=>`")?;
        field.value = Some(value);
        rest = after;
    }
    if !rest.trim().is_empty() {
        return Err(format!(
            "unexpected `{}` at the end of a field",
            rest.trim()
        ));
    }
    Ok((name.to_string(), field))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Program};

    #[test]
    fn round_trip_of_real_records() {
        let program = Program::bundled().unwrap();
        let text =
            std::fs::read_to_string("tests/fixtures/000_tehran_moscow_security_agreement.txt")
                .unwrap();
        let records = program.run(&Document::new("seed", text));
        assert!(records.len() > 20);
        let docs = vec![
            DocRecords {
                id: "seed".into(),
                records,
            },
            DocRecords {
                id: "empty".into(),
                records: vec![],
            },
        ];
        let file = write_file("articles/seed.txt", &docs);
        assert_eq!(parse(&file).unwrap(), docs);
        // Without the header, as `gleaner run --format snapshot` prints it.
        let body = file.split_once("---\n## ").unwrap().1;
        assert_eq!(parse(&format!("## {body}")).unwrap(), docs);
    }

    #[test]
    fn ids_a_plain_line_cannot_carry_are_quoted() {
        let docs: Vec<DocRecords> = ["a\nb", "\"q", "tab\there", "007\r", "plain \"id\""]
            .into_iter()
            .map(|id| DocRecords {
                id: id.into(),
                records: vec![],
            })
            .collect();
        let file = write_file("in.jsonl", &docs);
        assert_eq!(
            file,
            "---\nsource: gleaner test\ninput_file: in.jsonl\n---\n\
             ## \"a\\nb\"\n\n(no records)\n\n\
             ## \"\\\"q\"\n\n(no records)\n\n\
             ## \"tab\\there\"\n\n(no records)\n\n\
             ## \"007\\r\"\n\n(no records)\n\n\
             ## plain \"id\"\n\n(no records)\n"
        );
        assert_eq!(parse(&file).unwrap(), docs);
    }

    #[test]
    fn stray_carriage_returns_end_lines() {
        let text = "---\r\r\nsource: x\r\n---\r\n## 007\r\r\n\r\nA 1..2 f:r\r\r\n  \"t\"\r\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].id, "007");
        assert_eq!(docs[0].records[0].rule, "f:r");
        assert_eq!(docs[0].records[0].text, "t");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("## a\n\nPersonRole 1..x r\n  \"t\"\n").unwrap_err();
        assert_eq!(e.to_string(), "line 3: expected `start..end`");
        let e = parse("PersonRole 1..2 r\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("## a\nDate 1..2 r\n  \"t\"\n  value  1..2  \"t\" => oops\n").unwrap_err();
        assert_eq!(e.to_string(), "line 4: expected a quoted value after `=>`");
    }
}
