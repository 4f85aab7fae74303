//! Gold files: one annotated document a line, offsets in chars (code points).
//!
//! ```text
//! {"id": "...", "text": "...", "date": "2015-09-01" | null,
//!  "records": [{"type": "Date", "start": 63, "end": 89,
//!               "fields": {"value": {"value": "2015-09-01"}}}, ...]}
//! ```

use crate::engine::Record;
use crate::output::CharOffsets;
use crate::text::document::parse_json_line;
use crate::text::{DocError, Document};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::path::Path;

/// A span in chars (code points), end exclusive.
pub type Span = (usize, usize);

/// One gold document: the document and its records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GoldDoc {
    /// The document (id, text, date) the rules run over.
    pub doc: Document,
    /// The gold records, offsets in chars.
    pub records: Vec<EvalRecord>,
}

/// A record as evaluation sees it, gold or system: a type, a span and fields,
/// offsets in chars.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvalRecord {
    /// The record type.
    pub kind: String,
    /// The record's span.
    pub span: Span,
    /// The fields.
    pub fields: IndexMap<String, EvalField>,
    /// The rule that made it (system records only).
    pub rule: Option<String>,
}

/// A field: a span, a value, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvalField {
    /// The field's span.
    pub span: Option<Span>,
    /// The field's value.
    pub value: Option<String>,
}

impl EvalRecord {
    /// A system record whose offsets are already chars (see
    /// [`crate::output::records_to_chars`]). A field's value is its value,
    /// else its text.
    pub fn from_char_record(r: &Record) -> EvalRecord {
        let fields = r
            .fields
            .iter()
            .map(|(name, f)| {
                let span = match (f.start, f.end) {
                    (Some(s), Some(e)) => Some((s, e)),
                    _ => None,
                };
                let value = f.value.clone().or_else(|| f.text.clone());
                (name.clone(), EvalField { span, value })
            })
            .collect();
        EvalRecord {
            kind: r.kind.clone(),
            span: (r.start, r.end),
            fields,
            rule: Some(r.rule.clone()),
        }
    }
}

/// Reads a gold file (`-` is standard input). The outer error is a file that
/// cannot be read at all; the inner list holds the lines that are not gold
/// documents (each with file and line), the others being read.
pub fn read_gold(path: &Path) -> std::io::Result<(Vec<GoldDoc>, Vec<DocError>)> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)?;
        buf
    } else {
        std::fs::read(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?
    };
    Ok(parse_gold(path, &bytes))
}

/// Parses the lines of a gold file; see [`read_gold`].
pub fn parse_gold(path: &Path, bytes: &[u8]) -> (Vec<GoldDoc>, Vec<DocError>) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stdin".into());
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = i + 1;
        let error = |message: String| DocError::Json {
            path: path.to_path_buf(),
            line: number,
            message,
        };
        let Ok(line) = std::str::from_utf8(line) else {
            errors.push(error("not valid UTF-8".into()));
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_gold_line(line, &format!("{stem}:{number}")) {
            Ok(doc) => docs.push(doc),
            Err(message) => errors.push(error(message)),
        }
    }
    (docs, errors)
}

/// Parses one gold line; `fallback_id` is the id when the line has none.
pub fn parse_gold_line(line: &str, fallback_id: &str) -> Result<GoldDoc, String> {
    let mut doc = parse_json_line(line, fallback_id, "text")?;
    let records = match doc.meta.remove("records") {
        Some(Value::Array(a)) => a,
        Some(_) => return Err("field `records` is not an array".into()),
        None => return Err("no `records` field".into()),
    };
    let chars = CharOffsets::new(&doc.text).char_len();
    let records = records
        .iter()
        .enumerate()
        .map(|(i, r)| parse_record(r, chars).map_err(|e| format!("record {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(GoldDoc { doc, records })
}

fn parse_record(value: &Value, chars: usize) -> Result<EvalRecord, String> {
    let Value::Object(map) = value else {
        return Err("expected a JSON object".into());
    };
    let kind = match map.get("type") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err("`type` is not a record type name".into()),
        None => return Err("no `type` field".into()),
    };
    let span = read_span(map, chars)?.ok_or("no `start` and `end`")?;
    let mut fields = IndexMap::new();
    match map.get("fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fs)) => {
            for (name, f) in fs {
                let Value::Object(f) = f else {
                    return Err(format!("field `{name}` is not a JSON object"));
                };
                let span = read_span(f, chars).map_err(|e| format!("field `{name}`: {e}"))?;
                let value = match f.get("value") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => return Err(format!("field `{name}`: `value` is not a string")),
                };
                fields.insert(name.clone(), EvalField { span, value });
            }
        }
        Some(_) => return Err("`fields` is not a JSON object".into()),
    }
    Ok(EvalRecord {
        kind,
        span,
        fields,
        rule: None,
    })
}

/// The `start` and `end` of an object, checked against the text's length in chars.
fn read_span(map: &Map<String, Value>, chars: usize) -> Result<Option<Span>, String> {
    let offset = |key: &str| match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| format!("`{key}` is not a non-negative integer")),
    };
    match (offset("start")?, offset("end")?) {
        (None, None) => Ok(None),
        (Some(s), Some(e)) if s <= e && e <= chars => Ok(Some((s, e))),
        (Some(s), Some(e)) if s > e => Err(format!("start {s} is after end {e}")),
        (Some(_), Some(e)) => Err(format!(
            "end {e} is past the end of the text ({chars} chars)"
        )),
        _ => Err("`start` and `end` go together".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gold_line() {
        let g = parse_gold_line(
            r#"{"id": "d", "text": "“Né” 2015", "date": null, "records": [
                {"type": "Date", "start": 5, "end": 9, "fields": {"value": {"value": "2015"}}},
                {"type": "Q", "start": 0, "end": 4, "fields": {"who": {"start": 1, "end": 3}}}]}"#,
            "x",
        )
        .unwrap();
        assert_eq!(g.doc.id, "d");
        assert_eq!(g.doc.date, None);
        assert_eq!(g.records[0].span, (5, 9));
        assert_eq!(g.records[0].fields["value"].value.as_deref(), Some("2015"));
        assert_eq!(g.records[1].fields["who"].span, Some((1, 3)));
    }

    #[test]
    fn bad_gold_lines() {
        let err = |line: &str| parse_gold_line(line, "x").unwrap_err();
        assert_eq!(err(r#"{"text": "ab"}"#), "no `records` field");
        assert_eq!(
            err(r#"{"text": "é", "records": [{"type": "D", "start": 0, "end": 2}]}"#),
            "record 1: end 2 is past the end of the text (1 chars)"
        );
        assert_eq!(
            err(r#"{"text": "ab", "records": [{"type": "D", "start": 0}]}"#),
            "record 1: `start` and `end` go together"
        );
        assert_eq!(
            err(
                r#"{"text": "ab", "records": [{"type": "D", "start": 0, "end": 1,
                "fields": {"f": {"start": -1, "end": 1}}}]}"#
            ),
            "record 1: field `f`: `start` is not a non-negative integer"
        );
        assert!(err("nope").starts_with("not JSON"));
    }
}
