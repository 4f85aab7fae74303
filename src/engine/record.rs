//! Records: what a run returns.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One extracted record.
///
/// In JSON: `{"doc", "type", "rule", "start", "end", "text", "fields"}`; spans are
/// byte offsets into the document text (end exclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The document id.
    pub doc: String,
    /// The record type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The rule that made it: `file:name`.
    pub rule: String,
    /// First byte of the match.
    pub start: usize,
    /// One past the last byte of the match.
    pub end: usize,
    /// The matched text.
    pub text: String,
    /// The fields, in the record type's declared order.
    pub fields: IndexMap<String, Field>,
}

/// A record field: a span of the text, a value, or both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The text of the span.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// First byte.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub start: Option<usize>,
    /// One past the last byte.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end: Option<usize>,
    /// A value computed from the text (`canon`, `lower`) or a constant.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<String>,
}

impl Field {
    /// The value if there is one, else the text.
    pub fn display(&self) -> &str {
        self.value.as_deref().or(self.text.as_deref()).unwrap_or("")
    }
}

/// A record as it is built, borrowing its strings from the document and
/// the program ([`crate::engine::Runner::run_each_ref`]): what a run that
/// only writes its records out needs, without a copy of each string. It
/// serialises exactly as the [`Record`] that [`RecordRef::to_record`] makes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordRef<'a> {
    /// The document id.
    pub doc: &'a str,
    /// The record type.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The rule that made it: `file:name`.
    pub rule: &'a str,
    /// First byte of the match.
    pub start: usize,
    /// One past the last byte of the match.
    pub end: usize,
    /// The matched text.
    pub text: &'a str,
    /// The fields, in the record type's declared order.
    #[serde(serialize_with = "as_map")]
    pub fields: Vec<(&'a str, FieldRef<'a>)>,
}

/// A field of a [`RecordRef`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldRef<'a> {
    /// The text of the span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    /// First byte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// One past the last byte.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// A value computed from the text (`canon`, `lower`) or a constant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Cow<'a, str>>,
}

/// Fields in order, as a JSON object (as [`Record::fields`] serialises).
fn as_map<S: serde::Serializer>(fields: &[(&str, FieldRef<'_>)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(fields.iter().map(|(k, v)| (k, v)))
}

impl RecordRef<'_> {
    /// The record, its strings copied.
    pub fn to_record(&self) -> Record {
        Record {
            doc: self.doc.to_string(),
            kind: self.kind.to_string(),
            rule: self.rule.to_string(),
            start: self.start,
            end: self.end,
            text: self.text.to_string(),
            fields: self
                .fields
                .iter()
                .map(|(name, f)| {
                    let field = Field {
                        text: f.text.map(str::to_string),
                        start: f.start,
                        end: f.end,
                        value: f.value.as_deref().map(str::to_string),
                    };
                    (name.to_string(), field)
                })
                .collect(),
        }
    }
}
