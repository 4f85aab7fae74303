//! The text layer: documents, tokens, sentences and paragraphs.

pub mod document;
pub mod segment;
pub mod tokenize;

pub use document::{
    DocError, Document, MAX_TEXT_BYTES, Reading, input_files, read_input, read_input_with,
};
pub use segment::{Segments, segment};
pub use tokenize::{Token, TokenKind, normalize, tokenize};

/// The matching forms of the tokens of a literal or lexicon entry, cut by the
/// same tokenizer as documents. A literal that starts with a clitic (`’s`,
/// `n't`) is cut as it would be after a word, so `"’s"` is one token.
pub fn literal_forms(literal: &str) -> Vec<String> {
    // Most are ASCII words and single spaces: each word is a token, and its
    // form is its lowercase (what the tokenizer and `normalize` give them).
    let b = literal.as_bytes();
    if b.iter().all(|&c| c.is_ascii_alphabetic() || c == b' ')
        && b.iter().any(u8::is_ascii_alphabetic)
        && b.len() <= tokenize::MAX_TOKEN_BYTES
    {
        let forms = literal
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        debug_assert_eq!(forms, literal_forms_cut(literal));
        return forms;
    }
    literal_forms_cut(literal)
}

/// [`literal_forms`], by cutting the literal into tokens.
fn literal_forms_cut(literal: &str) -> Vec<String> {
    let lower = literal.to_lowercase();
    let starts_with_clitic = [
        "'s", "’s", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d", "'m", "’m", "n't", "n’t",
        "'", "’",
    ]
    .iter()
    .any(|c| {
        lower
            .strip_prefix(c)
            .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
    });
    let owned;
    let text = if starts_with_clitic {
        owned = format!("a{literal}");
        owned.as_str()
    } else {
        literal
    };
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    let skip = usize::from(!std::ptr::eq(text, literal) && !tokens.is_empty());
    tokens[skip..]
        .iter()
        .map(|t| {
            let mut s = String::new();
            normalize(&text[t.start as usize..t.end() as usize], &mut s);
            s
        })
        .collect()
}

/// A readable dump of a text's paragraphs, sentences and tokens (for `gleaner debug tokens`).
pub fn debug_tokens(text: &str) -> String {
    use std::fmt::Write as _;
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    let seg = segment(text, &tokens);
    let mut out = String::new();
    let mut norm = String::new();
    let _ = writeln!(
        out,
        "{} tokens, {} sentences, {} paragraphs",
        tokens.len(),
        seg.sentences.len(),
        seg.paragraphs.len(),
    );
    for (pi, p) in seg.paragraphs.iter().enumerate() {
        let _ = writeln!(out, "paragraph {}", pi + 1);
        for (si, s) in seg.sentences.iter().enumerate() {
            if s.start < p.start || s.end > p.end {
                continue;
            }
            let _ = writeln!(out, "  sentence {}", si + 1);
            for i in s.clone() {
                let t = tokens[i as usize];
                let mut classes = Vec::new();
                for (flag, name) in [
                    (tokenize::CAP, "Cap"),
                    (tokenize::UPPER, "Upper"),
                    (tokenize::LOWER, "Lower"),
                    (tokenize::LETTER, "Word"),
                    (tokenize::GLUED, "Glued"),
                ] {
                    if t.flags & flag != 0 {
                        classes.push(name);
                    }
                }
                match t.kind {
                    TokenKind::Number => classes.push("Num"),
                    TokenKind::Punct => classes.push("Punct"),
                    TokenKind::Word => {}
                }
                let raw = &text[t.start as usize..t.end() as usize];
                normalize(raw, &mut norm);
                let form = if norm != raw.to_lowercase() {
                    format!("  (matches as {norm:?})")
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "    {i:>5}  {:>12}  {:<20}  {raw}{form}",
                    format!("{}..{}", t.start, t.end()),
                    classes.join(" "),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for ASCII words gives what cutting into tokens gives.
    #[test]
    fn ascii_words_are_their_lowercase_forms() {
        for literal in [
            "said",
            "United Nations",
            "  New  York ",
            "Mr",
            "NATO",
            "a",
            "I",
            "x y z",
            &"long".repeat(5000),
        ] {
            assert_eq!(
                literal_forms(literal),
                literal_forms_cut(literal),
                "{literal:?}"
            );
        }
        assert_eq!(literal_forms("New York"), ["new", "york"]);
        // Not ASCII words alone: cut into tokens.
        assert_eq!(literal_forms("U.S."), literal_forms_cut("U.S."));
        assert_eq!(literal_forms("’s"), ["'s"]);
        assert_eq!(literal_forms("don't"), literal_forms_cut("don't"));
    }
}
