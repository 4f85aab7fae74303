//! Records out: JSON, JSON Lines, an aligned table, the snapshot text format, and
//! an HTML page ([`html`]).

pub mod json;
pub mod snapshot;

use crate::engine::Record;
use std::fmt::Write as _;

pub mod html;

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
    /// One self-contained HTML page: the articles with their records highlighted,
    /// and a table of records per article. It needs the articles' texts: build it
    /// with [`html::Page`]; [`write()`] can only draw the tables.
    Html,
}

/// Writes records in a format; `Json` and `Html` want every record at once.
/// `Html` gets a page of tables only (the texts are not here), byte offsets.
pub fn write(format: Format, records: &[Record], out: &mut String) {
    match format {
        Format::Html => out.push_str(&html::records_page(records, html::Offsets::Bytes)),
        Format::Json => {
            let json = serde_json::to_string_pretty(records).unwrap_or_default();
            out.push_str(&json);
            out.push('\n');
        }
        Format::Jsonl => {
            let mut lines = Vec::new();
            for r in records {
                jsonl(r, &mut lines);
            }
            out.push_str(&String::from_utf8_lossy(&lines));
        }
        Format::Table => table(records, out),
        Format::Snapshot => {
            let mut doc: Option<&str> = None;
            for r in records {
                if doc != Some(&r.doc) {
                    if doc.is_some() {
                        out.push('\n');
                    }
                    doc_heading(&r.doc, out);
                    doc = Some(&r.doc);
                }
                out.push('\n');
                snapshot_block(r, out);
            }
        }
    }
}

/// One record (a [`Record`] or a [`crate::engine::RecordRef`]) as a JSON
/// line (UTF-8), written straight into `out`.
pub fn jsonl<R: serde::Serialize + ?Sized>(r: &R, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail, nor can a record's serialisation.
    let _ = serde_json::to_writer(&mut *out, r);
    out.push(b'\n');
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The `## id` line that opens a document in the snapshot format. An id that
/// a plain line cannot carry (one with a line break or other control
/// character, or that starts with `"`) is written as a JSON string, which
/// the snapshot reader unquotes.
pub(crate) fn doc_heading(id: &str, out: &mut String) {
    if id.starts_with('"') || id.chars().any(char::is_control) {
        let _ = writeln!(out, "## {}", quote(id));
    } else {
        let _ = writeln!(out, "## {id}");
    }
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
pub(crate) fn clip(s: &str, max: usize) -> String {
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

/// Converts offsets into one text between bytes (gleaner's offsets) and chars
/// (Unicode code points, as Python and most annotation tools count).
///
/// Built once per text; each conversion is a binary search (or nothing, for
/// ASCII text, where the two agree).
///
/// ```
/// use gleaner::output::CharOffsets;
/// let text = "“Né” a";
/// let map = CharOffsets::new(text);
/// assert_eq!(map.to_char(text.len()), 6);
/// assert_eq!(map.to_char(3), 1); // after “
/// assert_eq!(map.to_byte(1), 3);
/// ```
#[derive(Clone, Debug)]
pub struct CharOffsets {
    /// The byte offset of every char, then the text's length; empty for ASCII text.
    starts: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    /// The converter for a text.
    pub fn new(text: &str) -> CharOffsets {
        let starts = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        CharOffsets {
            starts,
            len: text.len(),
        }
    }

    /// The number of chars in the text.
    pub fn char_len(&self) -> usize {
        if self.starts.is_empty() {
            self.len
        } else {
            self.starts.len() - 1
        }
    }

    /// The char offset of a byte offset. A byte inside a multi-byte char maps to
    /// that char's offset; a byte past the end maps to the char count.
    pub fn to_char(&self, byte: usize) -> usize {
        if self.starts.is_empty() {
            byte.min(self.len)
        } else {
            // The number of char starts at or before `byte`, minus one.
            self.starts.partition_point(|&b| b <= byte) - 1
        }
    }

    /// The byte offset of a char offset; a char offset past the end maps to the text's length.
    pub fn to_byte(&self, char: usize) -> usize {
        if self.starts.is_empty() {
            char.min(self.len)
        } else {
            self.starts[char.min(self.starts.len() - 1)]
        }
    }

    /// Converts a record's span and its fields' spans from bytes to chars.
    pub fn record_to_chars(&self, r: &mut Record) {
        r.start = self.to_char(r.start);
        r.end = self.to_char(r.end);
        for f in r.fields.values_mut() {
            (f.start, f.end) = (
                f.start.map(|b| self.to_char(b)),
                f.end.map(|b| self.to_char(b)),
            );
        }
    }

    /// [`CharOffsets::record_to_chars`] for a record as it is built.
    pub fn record_ref_to_chars(&self, r: &mut crate::engine::RecordRef<'_>) {
        (r.start, r.end) = (self.to_char(r.start), self.to_char(r.end));
        for (_, f) in &mut r.fields {
            (f.start, f.end) = (
                f.start.map(|b| self.to_char(b)),
                f.end.map(|b| self.to_char(b)),
            );
        }
    }
}

/// Converts records found in `text` from byte offsets to char (code point) offsets.
pub fn records_to_chars(records: &mut [Record], text: &str) {
    if text.is_ascii() {
        return;
    }
    let map = CharOffsets::new(text);
    for r in records {
        map.record_to_chars(r);
    }
}

#[cfg(test)]
mod tests {
    use super::CharOffsets;

    #[test]
    fn ascii_offsets_are_the_same() {
        let m = CharOffsets::new("abc");
        assert_eq!(
            (0..=3).map(|b| m.to_char(b)).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(m.to_char(10), 3);
        assert_eq!(m.to_byte(2), 2);
        assert_eq!(m.to_byte(10), 3);
        assert_eq!(m.char_len(), 3);
    }

    #[test]
    fn multi_byte_offsets() {
        // é is 2 bytes, ’ is 3, 😀 is 4.
        let text = "é’a😀b";
        let m = CharOffsets::new(text);
        assert_eq!(text.len(), 11);
        assert_eq!(m.char_len(), 5);
        let chars: Vec<usize> = (0..=11).map(|b| m.to_char(b)).collect();
        assert_eq!(chars, [0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 5]);
        let bytes: Vec<usize> = (0..=5).map(|c| m.to_byte(c)).collect();
        assert_eq!(bytes, [0, 2, 5, 6, 10, 11]);
        assert_eq!(m.to_char(99), 5);
        assert_eq!(m.to_byte(99), 11);
        // Round trip at every char boundary, and agreement with counting chars.
        for (b, _) in text.char_indices() {
            assert_eq!(m.to_byte(m.to_char(b)), b);
            assert_eq!(m.to_char(b), text[..b].chars().count());
        }
    }

    #[test]
    fn empty_text() {
        let m = CharOffsets::new("");
        assert_eq!((m.to_char(0), m.to_byte(0), m.char_len()), (0, 0, 0));
    }
}
