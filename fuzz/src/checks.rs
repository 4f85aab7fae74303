//! What each fuzz target checks, on a plain input (rule text, document text,
//! snapshot text). Shared by the fuzz targets and by the main crate's
//! `tests/fuzz_regressions.rs`, which includes this file by path, so it uses
//! nothing but `gleaner` and `std`.
//!
//! Every function panics (with the input in the message where it helps) when
//! an invariant fails.

#![allow(dead_code)]

use gleaner::output::snapshot;
use gleaner::syntax::ast::Scope;
use gleaner::text::tokenize::{GLUED, LINE_BEFORE, PARA_BEFORE};
use gleaner::text::{Token, segment, tokenize};
use gleaner::{Document, Program, Record, Runner};

/// Makes a folder of its own the working directory, once per process, so
/// that the `import` and `lexicon … from` paths of fuzzed rule text resolve in
/// a known place: it holds one rule file and one lexicon file to find.
pub fn sandbox_cwd() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // One fixed folder, so that runs leave no trail of them; its files
        // are written with the same text every time.
        let dir = std::env::temp_dir().join("gleaner-fuzz-sandbox");
        std::fs::create_dir_all(dir.join("sub")).expect("a sandbox folder");
        std::fs::write(
            dir.join("a.rules"),
            "record Imported(x)\nlexicon Li = one, two\n",
        )
        .expect("a.rules");
        std::fs::write(
            dir.join("sub/l.tsv"),
            "Russia\tRU\nprime minister\n# note\n",
        )
        .expect("l.tsv");
        std::env::set_current_dir(&dir).expect("cd to the sandbox");
    });
}

/// A rule file's text: loading, checking, compiling, and (when it builds)
/// running its examples must not panic, and the diagnostics must render.
pub fn check_rules(text: &str) {
    let loaded = gleaner::load::load_str("fuzz.rules", text);
    match Program::build(loaded) {
        Err(diags) => {
            assert!(!diags.list.is_empty(), "a failed build with no diagnostic");
            let plain = diags.render(false);
            assert!(!plain.is_empty());
        }
        Ok(program) => {
            let failures: Vec<_> = gleaner::verify::verify(&program)
                .into_iter()
                .flat_map(|r| r.failures)
                .collect();
            let _ = gleaner::diag::render(&program.sources, &failures, false);
        }
    }
}

/// Characters the tokenizer treats as separators (docs/language.md §5.1).
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{200B}'
                | '\u{2060}'
                | '\u{180E}'
                | '\u{FEFF}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// How many line breaks a stretch of white space holds (docs/language.md
/// §5.2): LF, CR and CRLF (once), U+2028 and U+0085 count one, U+2029 (the
/// paragraph separator) two.
fn line_breaks(gap: &str) -> usize {
    let mut n = 0;
    let mut chars = gap.chars().peekable();
    while let Some(c) = chars.next() {
        n += match c {
            '\r' if chars.peek() == Some(&'\n') => 0,
            '\n' | '\r' | '\u{2028}' | '\u{0085}' => 1,
            '\u{2029}' => 2,
            _ => 0,
        };
    }
    n
}

/// Tokens of `text` and its sentences and paragraphs: tokens in order, not
/// overlapping, non-empty, on char boundaries and inside the text, with only
/// separators between them; flags that say what lies before a token agree
/// with the text; segments cover every token once.
pub fn check_tokenize(text: &str) {
    let mut tokens: Vec<Token> = Vec::new();
    tokenize(text, &mut tokens);
    let mut prev_end = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        let (s, e) = (t.start as usize, t.end() as usize);
        assert!(s < e, "token {i} is empty: {t:?} in {text:?}");
        assert!(
            s >= prev_end,
            "token {i} overlaps the one before: {t:?} in {text:?}"
        );
        assert!(
            e <= text.len(),
            "token {i} ends past the text: {t:?} in {text:?}"
        );
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "token {i} is not on char boundaries: {t:?} in {text:?}"
        );
        let gap = &text[prev_end..s];
        assert!(
            gap.chars().all(is_separator),
            "text between tokens is not all white space: {gap:?} before token {i} in {text:?}"
        );
        let word = &text[s..e];
        assert!(
            !word.chars().any(char::is_whitespace),
            "token {i} holds white space: {word:?} in {text:?}"
        );
        assert_eq!(
            t.flags & GLUED != 0,
            i > 0 && s == prev_end,
            "GLUED of token {i} {word:?} in {text:?}"
        );
        let breaks = line_breaks(gap);
        assert_eq!(
            t.flags & LINE_BEFORE != 0,
            breaks >= 1,
            "LINE_BEFORE of token {i} {word:?} in {text:?}"
        );
        assert_eq!(
            t.flags & PARA_BEFORE != 0,
            breaks >= 2,
            "PARA_BEFORE of token {i} {word:?} in {text:?}"
        );
        prev_end = e;
    }
    assert!(
        text[prev_end..].chars().all(is_separator),
        "text after the last token is not all white space in {text:?}"
    );

    let seg = segment(text, &tokens);
    let n = tokens.len() as u32;
    for (what, ranges) in [
        ("sentences", &seg.sentences),
        ("paragraphs", &seg.paragraphs),
    ] {
        if n == 0 {
            assert!(ranges.is_empty(), "{what} without tokens in {text:?}");
            continue;
        }
        let mut next = 0;
        for r in ranges.iter() {
            assert_eq!(r.start, next, "{what} not contiguous in {text:?}");
            assert!(r.start < r.end, "an empty range among {what} in {text:?}");
            next = r.end;
        }
        assert_eq!(next, n, "{what} do not cover every token in {text:?}");
    }
    for p in &seg.paragraphs {
        assert!(
            seg.sentences.iter().any(|s| s.start == p.start),
            "paragraph {p:?} does not start a sentence in {text:?}"
        );
    }
    for (i, t) in tokens.iter().enumerate().skip(1) {
        let i = i as u32;
        if t.flags & LINE_BEFORE != 0 {
            assert!(
                seg.sentences.iter().any(|s| s.start == i),
                "a token after a line break does not start a sentence in {text:?}"
            );
        }
        if t.flags & PARA_BEFORE != 0 {
            assert!(
                seg.paragraphs.iter().any(|p| p.start == i),
                "a token after a blank line does not start a paragraph in {text:?}"
            );
        }
    }

    // The other readers of token text: normalisation and literals.
    let mut norm = String::new();
    for t in &tokens {
        gleaner::text::normalize(t.text(text), &mut norm);
    }
    if text.len() <= 4096 {
        let _ = gleaner::text::literal_forms(text);
        let _ = gleaner::text::debug_tokens(text);
    }
}

/// Runs `rules` (when they build) over `text`: every record and field span
/// lies on char boundaries inside the text and its text is that slice;
/// records come out in the documented order; a second run, with the same
/// runner and with a new one, gives the same records. Returns the records, or
/// `None` when the rules do not build.
pub fn check_engine(rules: &str, text: &str) -> Option<Vec<Record>> {
    let program = Program::from_source("fuzz.rules", rules).ok()?;
    let doc = Document::new("fuzz", text);
    let mut runner = Runner::new();
    let records = runner.run(&program, &doc);
    let ctx = || format!("\n--- rules:\n{rules}\n--- text: {text:?}\n--- records: {records:#?}");
    for r in &records {
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "record span out of the text{}",
            ctx()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "record span not on char boundaries{}",
            ctx()
        );
        assert_eq!(
            r.text,
            text[r.start..r.end],
            "record text is not its span{}",
            ctx()
        );
        for (name, f) in &r.fields {
            match (f.start, f.end) {
                (Some(s), Some(e)) => {
                    assert!(
                        s <= e && e <= text.len(),
                        "field {name} out of the text{}",
                        ctx()
                    );
                    assert!(
                        text.is_char_boundary(s) && text.is_char_boundary(e),
                        "field {name} not on char boundaries{}",
                        ctx()
                    );
                    assert_eq!(
                        f.text.as_deref(),
                        Some(&text[s..e]),
                        "field {name}'s text is not its span{}",
                        ctx()
                    );
                }
                (None, None) => {
                    assert!(f.text.is_none(), "field {name}: text without span{}", ctx())
                }
                _ => panic!("field {name} has half a span{}", ctx()),
            }
        }
    }
    // A match never crosses the edge of its rule's window (sentence by
    // default, or paragraph), and neither does the record or its fields.
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    let seg = segment(text, &tokens);
    let bytes = |ranges: &[std::ops::Range<u32>]| -> Vec<(usize, usize)> {
        ranges
            .iter()
            .map(|r| {
                (
                    tokens[r.start as usize].start as usize,
                    tokens[r.end as usize - 1].end() as usize,
                )
            })
            .collect()
    };
    let (sentences, paragraphs) = (bytes(&seg.sentences), bytes(&seg.paragraphs));
    for r in &records {
        let rule = program
            .rules
            .iter()
            .find(|rule| rule.id == r.rule)
            .unwrap_or_else(|| panic!("a record of no rule{}", ctx()));
        let windows = match rule.scope {
            Scope::Sentence => &sentences,
            Scope::Paragraph => &paragraphs,
            Scope::Document => continue,
        };
        let Some(&(ws, we)) = windows
            .iter()
            .find(|&&(ws, we)| ws <= r.start && r.end <= we)
        else {
            panic!("a record crosses its window{}", ctx());
        };
        for (name, f) in &r.fields {
            if let (Some(s), Some(e)) = (f.start, f.end) {
                assert!(
                    ws <= s && e <= we,
                    "field {name} is outside its record's window{}",
                    ctx()
                );
            }
        }
    }

    let key = |r: &Record| {
        (
            r.start,
            std::cmp::Reverse(r.end),
            r.kind.clone(),
            r.rule.clone(),
        )
    };
    assert!(
        records.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "records out of order{}",
        ctx()
    );
    let again = runner.run(&program, &doc);
    assert_eq!(
        records,
        again,
        "a second run with the same runner differs{}",
        ctx()
    );
    let fresh = Runner::new().run(&program, &doc);
    assert_eq!(records, fresh, "a run with a new runner differs{}", ctx());
    Some(records)
}

/// A snapshot file's text: when it parses, writing it back and parsing again
/// gives the same records.
pub fn check_snapshot(text: &str) {
    let Ok(docs) = snapshot::parse(text) else {
        return;
    };
    let written = snapshot::write_file("fuzz.txt", &docs);
    match snapshot::parse(&written) {
        Ok(back) => assert_eq!(
            back, docs,
            "the snapshot does not read back as written:\n--- input:\n{text}\n--- written:\n{written}"
        ),
        Err(e) => panic!(
            "a written snapshot does not parse ({e}):\n--- input:\n{text}\n--- written:\n{written}"
        ),
    }
}
