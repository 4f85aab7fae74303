//! Sentence and paragraph segmentation over a token stream.
//!
//! A sentence ends:
//!
//! * after a terminal punctuation token (`.` `!` `?` `…`, a `...` run, or
//!   `。` `！` `？` `؟`), optionally followed by closing quotes and brackets
//!   (`” ’ » ) ] }`, and `"`/`'` written directly after the previous token),
//!   when the next token starts with an uppercase or caseless letter, a
//!   digit, or an opening quote/bracket (`“ ‘ „ « ( [ {`, and `"`/`'` preceded
//!   by whitespace);
//! * before any token preceded by a newline ([`LINE_BEFORE`]): headlines and
//!   datelines carry no period;
//! * at the end of the text.
//!
//! A paragraph ends before any token preceded by a blank line
//! ([`PARA_BEFORE`]), and at the end of the text. Abbreviations never end a
//! sentence, since the tokenizer keeps their period inside the word token.

use super::tokenize::{GLUED, LINE_BEFORE, PARA_BEFORE, Token, TokenKind};
use std::ops::Range;

/// Sentence and paragraph boundaries as half-open ranges of token indices.
///
/// Both lists are contiguous, non-empty, in order and cover every token
/// exactly once; every paragraph is a union of whole sentences. Both are
/// empty when there are no tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segments {
    /// Token index ranges of the sentences, in order.
    pub sentences: Vec<Range<u32>>,
    /// Token index ranges of the paragraphs, in order.
    pub paragraphs: Vec<Range<u32>>,
}

/// Whether a punctuation token ends a sentence.
fn is_terminal(t: &str) -> bool {
    matches!(t, "!" | "?" | "…" | "。" | "！" | "？" | "؟")
        || (!t.is_empty() && t.bytes().all(|c| c == b'.'))
}

/// Splits the tokens of `text` (as produced by
/// [`tokenize`](super::tokenize::tokenize) on the same `text`) into sentences
/// and paragraphs.
pub fn segment(text: &str, tokens: &[Token]) -> Segments {
    let mut seg = Segments::default();
    if tokens.is_empty() {
        return seg;
    }
    let mut sentence_start = 0u32;
    let mut para_start = 0u32;
    // The tokens since the last word end with terminal punctuation (plus
    // closing quotes/brackets).
    let mut terminal = false;
    for (i, t) in tokens.iter().enumerate() {
        let idx = i as u32;
        // Most tokens are words after words: their text is looked at only
        // after terminal punctuation, or when they are punctuation.
        let adjacent = t.flags & GLUED != 0;
        if i > 0 {
            let para = t.flags & PARA_BEFORE != 0;
            if para
                || t.flags & LINE_BEFORE != 0
                || (terminal && starts_sentence(t.text(text), adjacent))
            {
                seg.sentences.push(sentence_start..idx);
                sentence_start = idx;
            }
            if para {
                seg.paragraphs.push(para_start..idx);
                para_start = idx;
            }
        }
        terminal = t.kind == TokenKind::Punct && {
            let s = t.text(text);
            is_terminal(s) || (terminal && is_closer(s, adjacent))
        };
    }
    let n = tokens.len() as u32;
    seg.sentences.push(sentence_start..n);
    seg.paragraphs.push(para_start..n);
    seg
}

/// Whether a token can start a sentence after terminal punctuation.
fn starts_sentence(s: &str, adjacent: bool) -> bool {
    let Some(c) = s.chars().next() else {
        return false;
    };
    match c {
        '“' | '‘' | '„' | '«' | '(' | '[' | '{' => true,
        '"' | '\'' => !adjacent,
        c if c.is_alphabetic() => !c.is_lowercase(),
        c => c.is_numeric(),
    }
}

/// Whether a punctuation token closes a quote or bracket.
fn is_closer(s: &str, adjacent: bool) -> bool {
    match s {
        "”" | "’" | "»" | ")" | "]" | "}" => true,
        "\"" | "'" => adjacent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokenize::tokenize;
    use super::*;

    /// Sentences as `|`-joined token texts, paragraphs separated by ` // `.
    fn render(text: &str) -> (Vec<String>, Vec<std::ops::Range<u32>>) {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let seg = segment(text, &toks);
        check(&seg, toks.len());
        let sentences = seg
            .sentences
            .iter()
            .map(|r| {
                toks[r.start as usize..r.end as usize]
                    .iter()
                    .map(|t| t.text(text))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        (sentences, seg.paragraphs)
    }

    fn sentences(text: &str) -> Vec<String> {
        render(text).0
    }

    /// Structural invariants: contiguous, non-empty, in order, covering all
    /// tokens; paragraphs made of whole sentences.
    fn check(seg: &Segments, n: usize) {
        for list in [&seg.sentences, &seg.paragraphs] {
            if n == 0 {
                assert!(list.is_empty());
                continue;
            }
            assert_eq!(list.first().map(|r| r.start), Some(0));
            assert_eq!(list.last().map(|r| r.end), Some(n as u32));
            for r in list.iter() {
                assert!(r.start < r.end, "empty range {r:?}");
            }
            for w in list.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
        }
        for p in &seg.paragraphs {
            assert!(seg.sentences.iter().any(|s| s.start == p.start));
            assert!(seg.sentences.iter().any(|s| s.end == p.end));
        }
    }

    #[test]
    fn three_paragraphs_with_headline() {
        let text = "Tehran, Moscow sign agreement\n\nNovember 11, 2011 - 17:3\nTEHRAN – Iran and Russia signed it. Officials said so.  \n\n“This is a document,” Baqeri told reporters. He left.";
        let (s, p) = render(text);
        assert_eq!(
            s,
            vec![
                "Tehran|,|Moscow|sign|agreement",
                "November|11|,|2011|-|17:3",
                "TEHRAN|–|Iran|and|Russia|signed|it|.",
                "Officials|said|so|.",
                "“|This|is|a|document|,|”|Baqeri|told|reporters|.",
                "He|left|.",
            ]
        );
        assert_eq!(p, vec![0..5, 5..23, 23..37]);
    }

    #[test]
    fn abbreviation_and_quotes() {
        assert_eq!(
            sentences("Mr. Smith arrived. He said “Go.” Then left."),
            vec!["Mr.|Smith|arrived|.", "He|said|“|Go|.|”", "Then|left|."]
        );
        assert_eq!(
            sentences("He said \"Go.\" Then left. \"Why?\" she asked. (Really.) Yes!"),
            vec![
                "He|said|\"|Go|.|\"",
                "Then|left|.",
                "\"|Why|?|\"|she|asked|.",
                "(|Really|.|)",
                "Yes|!"
            ]
        );
        assert_eq!(
            sentences("George W. Bush and the U.S. Army met at 5 p.m. Friday. It rained."),
            vec![
                "George|W.|Bush|and|the|U.S.|Army|met|at|5|p.m.|Friday|.",
                "It|rained|."
            ]
        );
    }

    #[test]
    fn end_conditions() {
        // No final punctuation.
        assert_eq!(
            sentences("It rained. Nobody came"),
            vec!["It|rained|.", "Nobody|came"]
        );
        // Lowercase, punctuation or a dash after a period: no break.
        assert_eq!(
            sentences("Wait... then go. 3.5 percent rose. it was. — and"),
            vec!["Wait|...|then|go|.", "3.5|percent|rose|.|it|was|.|—|and"]
        );
        assert_eq!(
            sentences("Wait... Then go?! Yes… 2011 was good. ‘Fine’"),
            vec![
                "Wait|...",
                "Then|go|?|!",
                "Yes|…",
                "2011|was|good|.",
                "‘|Fine|’"
            ]
        );
        // A newline always ends a sentence, mid-clause too.
        assert_eq!(sentences("a line\nwith more"), vec!["a|line", "with|more"]);
        assert_eq!(sentences("Done.Then"), vec!["Done|.", "Then"]);
        assert_eq!(sentences("."), vec!["."]);
    }

    #[test]
    fn empty_and_degenerate() {
        assert_eq!(segment("", &[]), Segments::default());
        let (s, p) = render("\n\n  \n");
        assert!(s.is_empty() && p.is_empty());
        let (s, p) = render("\n\nA\n\n\nB");
        assert_eq!(s, vec!["A", "B"]);
        assert_eq!(p, vec![0..1, 1..2]);
        let (s, p) = render("北京。東京！Москва. Путин? ؟ قال");
        assert_eq!(
            s,
            vec!["北京|。", "東京|！", "Москва|.", "Путин|?|؟", "قال"]
        );
        assert_eq!(p, vec![0..10]);
    }

    #[test]
    fn invariants_on_tricky_texts() {
        let pieces = [
            "A", "a", ".", "...", "?", "\n", "\n\n", " ", "“", "”", "\"", "'", ")", "(", "1",
            "Mr.", "—", "é", "北",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in ["", " ", "."] {
                        render(&format!("{a}{b}{c}{d}{a}"));
                    }
                }
            }
        }
    }
}
