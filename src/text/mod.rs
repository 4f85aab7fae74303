//! The text layer: documents, tokens, sentences and paragraphs.

pub mod document;
pub mod segment;
pub mod tokenize;

pub use document::{DocError, Document, read_input};
pub use segment::{Segments, segment};
pub use tokenize::{Token, TokenKind, normalize, tokenize};

/// The matching forms of the tokens of a literal or lexicon entry, cut by the
/// same tokenizer as documents. A literal that starts with a clitic (`’s`,
/// `n't`) is cut as it would be after a word, so `"’s"` is one token.
pub fn literal_forms(literal: &str) -> Vec<String> {
    let starts_with_clitic = literal.starts_with(['\'', '’', '‘', '`']);
    let owned;
    let text = if starts_with_clitic || literal.starts_with("n't") || literal.starts_with("n’t") {
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
            normalize(&text[t.start as usize..t.end as usize], &mut s);
            s
        })
        .collect()
}
