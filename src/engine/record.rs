//! Records: what a run returns.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

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
