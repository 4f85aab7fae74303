//! JSON Lines of records as they are built ([`RecordRef`]), written by hand:
//! the bytes `serde_json` writes for the same record, at a fraction of the
//! cost. A run over a corpus spends more on writing records than on any
//! other single step after matching, and most of that went to escaping
//! strings a byte at a time; here a string with nothing to escape is copied
//! whole, eight bytes checked at once.

use crate::engine::{FieldRef, RecordRef};

/// Appends `r` as one JSON line: exactly what `serde_json::to_writer` writes
/// for it (and for the [`crate::engine::Record`] it stands for), then `\n`.
pub fn record_jsonl(r: &RecordRef<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"doc\":");
    string(r.doc, out);
    out.extend_from_slice(b",\"type\":");
    string(r.kind, out);
    out.extend_from_slice(b",\"rule\":");
    string(r.rule, out);
    out.extend_from_slice(b",\"start\":");
    number(r.start, out);
    out.extend_from_slice(b",\"end\":");
    number(r.end, out);
    out.extend_from_slice(b",\"text\":");
    string(r.text, out);
    out.extend_from_slice(b",\"fields\":{");
    for (i, (name, f)) in r.fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(name, out);
        out.push(b':');
        field(f, out);
    }
    out.extend_from_slice(b"}}\n");
}

/// A field: its parts that are there, in declared order.
fn field(f: &FieldRef<'_>, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    let mut key = |name: &[u8], out: &mut Vec<u8>| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(name);
    };
    if let Some(text) = f.text {
        key(b"\"text\":", out);
        string(text, out);
    }
    if let Some(start) = f.start {
        key(b"\"start\":", out);
        number(start, out);
    }
    if let Some(end) = f.end {
        key(b"\"end\":", out);
        number(end, out);
    }
    if let Some(value) = &f.value {
        key(b"\"value\":", out);
        string(value, out);
    }
    out.push(b'}');
}

fn number(n: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `s` as a JSON string, escaped as `serde_json` escapes: `"` and `\`, and
/// the control characters below U+0020 (`\b \f \n \r \t` by name, the others
/// as `\u00XX` with lower-case hex); everything else as it is.
pub fn string(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if nothing_to_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    // `bytes[done..i]` needs no escape and is not written yet.
    let (mut done, mut i) = (0, 0);
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if !any_to_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if to_escape(b) {
            out.extend_from_slice(&bytes[done..i]);
            escape(b, out);
            done = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
}

/// True if no byte of `bytes` needs an escape: checked eight at a time, the
/// last eight overlapping the ones before, a short text padded with spaces
/// (most strings of a record are short and need none).
fn nothing_to_escape(bytes: &[u8]) -> bool {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    let n = bytes.len();
    if n < 8 {
        let mut padded = [b' '; 8];
        padded[..n].copy_from_slice(bytes);
        return !any_to_escape(u64::from_le_bytes(padded));
    }
    let mut i = 0;
    while i + 8 <= n {
        if any_to_escape(word(&bytes[i..i + 8])) {
            return false;
        }
        i += 8;
    }
    i == n || !any_to_escape(word(&bytes[n - 8..]))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// True if a byte of `w` is below 0x20, a `"` or a `\` (each test is exact
/// about whether some byte is one, if not about which).
fn any_to_escape(w: u64) -> bool {
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    control | zero_in(w ^ (ONES * u64::from(b'"'))) | zero_in(w ^ (ONES * u64::from(b'\\'))) != 0
}

fn to_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

fn escape(b: u8, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let named = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', named]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        string(s, &mut out);
        String::from_utf8(out).expect("UTF-8")
    }

    /// Every ASCII byte and some others, alone and at each place of an
    /// eight-byte word, escaped as serde_json escapes them.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        samples.extend(
            [
                "é",
                "“quoted”",
                "tab\there",
                "\u{2028}",
                "\u{7f}",
                "日本語",
                "",
            ]
            .map(String::from),
        );
        for sample in samples.clone() {
            for before in 0..17 {
                for after in [0, 1, 7, 8, 9] {
                    let s = format!("{}{sample}{}", "a".repeat(before), "é".repeat(after));
                    assert_eq!(ours(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                }
            }
        }
        let all: String = samples.concat();
        assert_eq!(ours(&all), serde_json::to_string(&all).unwrap());
    }

    #[test]
    fn a_record_is_written_as_serde_json_writes_it() {
        let fields = vec![
            (
                "name",
                FieldRef {
                    text: Some("Ali \"B\""),
                    start: Some(3),
                    end: Some(10),
                    value: None,
                },
            ),
            (
                "value",
                FieldRef {
                    value: Some(Cow::Borrowed("2011-11-11")),
                    ..FieldRef::default()
                },
            ),
            ("empty", FieldRef::default()),
            (
                "lower",
                FieldRef {
                    text: Some("x\ny"),
                    start: Some(0),
                    end: Some(3),
                    value: Some(Cow::Owned("x\ny".into())),
                },
            ),
        ];
        let r = RecordRef {
            doc: "doc\\1\u{1}",
            kind: "Person",
            rule: "news/x.rules:y",
            start: 0,
            end: 18_446_744,
            text: "a\tb",
            fields,
        };
        let mut out = Vec::new();
        record_jsonl(&r, &mut out);
        let mut expected = serde_json::to_vec(&r).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(expected.clone()).unwrap()
        );
        let no_fields = RecordRef {
            fields: Vec::new(),
            ..r
        };
        let mut out = Vec::new();
        record_jsonl(&no_fields, &mut out);
        assert_eq!(
            out,
            [serde_json::to_vec(&no_fields).unwrap(), b"\n".to_vec()].concat()
        );
    }
}
