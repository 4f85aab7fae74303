//! Engine semantics, through the public API: what a rule set finds in a text,
//! asserted exactly. Each test builds a small rule set with
//! `Program::from_source` and runs it over one document.

use gleaner::{Document, Program, Record};
use std::time::{Duration, Instant};

mod common;

// ---- helpers ---------------------------------------------------------------

fn program(src: &str) -> Program {
    match Program::from_source("t.rules", src) {
        Ok(p) => p,
        Err(d) => panic!("rules do not build:\n{}", d.render(false)),
    }
}

/// Runs `src` over `text`, and checks the invariants every record keeps.
fn records(src: &str, text: &str) -> Vec<Record> {
    let doc = Document::new("d", text);
    let out = program(src).run(&doc);
    for r in &out {
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        assert_eq!(r.text, text[r.start..r.end], "record text is its span");
        assert_eq!(r.doc, "d");
        for f in r.fields.values() {
            if let (Some(s), Some(e)) = (f.start, f.end) {
                assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
                assert!(r.start <= s && e <= r.end, "field inside its record");
                assert_eq!(f.text.as_deref(), Some(&text[s..e]));
            }
        }
    }
    out
}

/// `"Type rule text"` for each record.
fn found(src: &str, text: &str) -> Vec<String> {
    records(src, text)
        .iter()
        .map(|r| {
            let rule = r.rule.strip_prefix("t.rules:").unwrap_or(&r.rule);
            format!("{} {} {}", r.kind, rule, r.text)
        })
        .collect()
}

/// The texts a single pattern matches (after `prelude` declarations).
fn matches_with(prelude: &str, pattern: &str, text: &str) -> Vec<String> {
    let src = format!("record M()\n{prelude}\nrule r {{ match {pattern} emit M {{ }} }}");
    records(&src, text).into_iter().map(|r| r.text).collect()
}

fn matches(pattern: &str, text: &str) -> Vec<String> {
    matches_with("", pattern, text)
}

/// The capture names of a pattern, in order of appearance (`<name:` or `<name>`).
fn capture_names(pattern: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, _) in pattern.match_indices('<') {
        let name: String = pattern[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Each record as `"text | x=… y=…"`: its match and its fields that are present
/// (the value if there is one, else the text).
fn captures_with(prelude: &str, pattern: &str, text: &str) -> Vec<String> {
    let names = capture_names(pattern);
    let src = format!(
        "record M({})\n{prelude}\nrule r {{ match {pattern} emit M {{ {} }} }}",
        names.join(", "),
        names.join(", ")
    );
    records(&src, text).iter().map(show).collect()
}

fn captures(pattern: &str, text: &str) -> Vec<String> {
    captures_with("", pattern, text)
}

fn show(r: &Record) -> String {
    let mut s = r.text.clone();
    s.push_str(" |");
    for (name, f) in &r.fields {
        s.push_str(&format!(" {name}={}", f.display()));
    }
    s
}

/// The diagnostic codes of a rule set that must not build.
fn codes(src: &str) -> Vec<&'static str> {
    match Program::from_source("t.rules", src) {
        Ok(_) => panic!("expected errors, but the rules build:\n{src}"),
        Err(d) => d.list.iter().map(|d| d.code).collect(),
    }
}

// ---- atoms -----------------------------------------------------------------

#[test]
fn literal_multi_token() {
    let found = matches(
        r#"Cap ", the" Lower"#,
        "Ali, the secretary, said Ali, then.",
    );
    assert_eq!(found, vec!["Ali, the secretary"]);
}

#[test]
fn literal_case_insensitive() {
    let found = matches(r#""Said""#, "SAID said Said sAiD saying");
    assert_eq!(found, vec!["SAID", "said", "Said", "sAiD"]);
}

#[test]
fn literal_matches_whole_tokens_only() {
    let found = matches(r#""state""#, "statement states state U.S. stateless");
    assert_eq!(found, vec!["state"]);
    assert_eq!(matches(r#""U""#, "the U.S. and U"), vec!["U"]);
}

#[test]
fn literal_typographic_apostrophe() {
    let text = "Russia’s army and Russia's navy";
    assert_eq!(matches(r#""Russia's""#, text), vec!["Russia’s", "Russia's"]);
    assert_eq!(matches(r#""Russia’s""#, text), vec!["Russia’s", "Russia's"]);
}

#[test]
fn literal_typographic_dashes_and_quotes() {
    let found = matches(r#"Num "-" Num"#, "1990 – 1995, 2001 — 2002, 2010 - 2011");
    assert_eq!(found, vec!["1990 – 1995", "2001 — 2002", "2010 - 2011"]);
    let found = matches(r#""\"" Cap"#, r#"he said “Stop” and "Go""#);
    assert_eq!(found, vec!["“Stop", "\"Go"]);
}

#[test]
fn regex_anchored_to_whole_token() {
    let found = matches("/[A-Z]{2}/", "US USA IAEA UN xUN");
    assert_eq!(found, vec!["US", "UN"]);
}

#[test]
fn regex_case_insensitive_flag() {
    assert_eq!(matches("/iaea/", "IAEA iaea Iaea"), vec!["iaea"]);
    assert_eq!(
        matches("/iaea/i", "IAEA iaea Iaea"),
        vec!["IAEA", "iaea", "Iaea"]
    );
}

#[test]
fn regex_sees_token_text_as_written() {
    // Unlike literals, a regex does not fold typographic variants.
    assert_eq!(matches("Cap /'s/", "Russia’s and Iran's"), vec!["Iran's"]);
    assert_eq!(matches("Cap /’s/", "Russia’s and Iran's"), vec!["Russia’s"]);
}

const CLASS_TEXT: &str = "The UN said 1,200 people, in Paris.";

#[test]
fn class_cap() {
    assert_eq!(matches("Cap", CLASS_TEXT), vec!["The", "UN", "Paris"]);
}

#[test]
fn class_upper() {
    assert_eq!(matches("Upper", CLASS_TEXT), vec!["UN"]);
}

#[test]
fn class_lower() {
    assert_eq!(matches("Lower", CLASS_TEXT), vec!["said", "people", "in"]);
}

#[test]
fn class_num() {
    assert_eq!(matches("Num", CLASS_TEXT), vec!["1,200"]);
}

#[test]
fn class_punct() {
    assert_eq!(matches("Punct", CLASS_TEXT), vec![",", "."]);
}

#[test]
fn class_word() {
    let found = matches("Word", CLASS_TEXT);
    assert_eq!(found, vec!["The", "UN", "said", "people", "in", "Paris"]);
}

#[test]
fn any_token() {
    let found = matches(r#""said" _"#, "Ali said that, Bob said 3.");
    assert_eq!(found, vec!["said that", "said 3"]);
}

#[test]
fn lexicon_multi_token_entries() {
    let lex = r#"lexicon Role = minister, "prime minister", "foreign minister";"#;
    let found = matches_with(lex, "Role", "the prime minister met the foreign minister");
    assert_eq!(found, vec!["prime minister", "foreign minister"]);
}

#[test]
fn lexicon_longest_entry_first() {
    let lex = r#"lexicon Role = prime, "prime minister";"#;
    let found = captures_with(lex, "<r:Role> <n:_>", "the prime minister said");
    assert_eq!(found, vec!["prime minister said | r=prime minister n=said"]);
    // The shorter entry is still tried when the longer one cannot lead to a match.
    let found = captures_with(
        lex,
        r#"<r:Role> "minister" <n:_>"#,
        "the prime minister said",
    );
    assert_eq!(found, vec!["prime minister said | r=prime n=said"]);
}

#[test]
fn lexicon_typographic_and_case_variants() {
    let lex = r#"lexicon Org = "People's Party", "al-Qaeda";"#;
    let found = matches_with(lex, "Org", "the PEOPLE’S PARTY and Al-Qaeda");
    assert_eq!(found, vec!["PEOPLE’S PARTY", "Al-Qaeda"]);
}

#[test]
fn lexicon_canonical_value() {
    let src = r#"
        record Nat(n)
        lexicon Nationality = Russian => Russia, Iranian => Iran, "South Korean" => "South Korea", Dutch;
        rule nat { match <n:Nationality> Lower emit Nat { n: canon(n) } }
    "#;
    let found: Vec<String> = records(src, "Russian troops, South Korean ships and Dutch boats")
        .iter()
        .map(show)
        .collect();
    let expected = vec![
        "Russian troops | n=Russia",
        "South Korean ships | n=South Korea",
        // An entry without `=>` is its own canonical value.
        "Dutch boats | n=Dutch",
    ];
    assert_eq!(found, expected);
}

#[test]
fn lexicon_entry_never_crosses_sentence_end() {
    let lex = r#"lexicon Role = "prime minister";"#;
    assert_eq!(
        matches_with(lex, "Role", "He is prime. Minister Ali"),
        Vec::<String>::new()
    );
    assert_eq!(
        matches_with(lex, "Role", "He is prime minister"),
        vec!["prime minister"]
    );
}

/// A rule that is one of some choices at a token, each an entry of a
/// lexicon or one token (`<name:Towns | Regions>`, a gazetteer), is matched
/// by trying them at each token instead of by its automaton, and finds what
/// the automaton finds: at a token, the first choice that matches wins even
/// where a later one has a longer entry; a lexicon's longest entry is
/// taken, and a longer one that breaks off leaves the shorter; one-token
/// choices in a row are one test; matches go on after the last one's end
/// and stay in their sentence.
#[test]
fn a_rule_of_lexicon_entries_finds_what_the_automaton_finds() {
    let src = r#"
        record Place(name)
        record Near()
        lexicon Towns = "new york", "new york city", "port of spain"
        lexicon Regions = "new york state", "new england", port, "port of"
        rule place { match <name:Towns | Regions> emit Place { name } }
        rule near { match Towns | "Said" & Cap | "york" & Lower | Regions emit Near { } }
    "#;
    let text = "From New York State to New England, then Port of Spain, \
                Port Said and the port of New York City. We left New York. City life, york.";
    let fast = program(src);
    let mut slow = program(src);
    for (rule, choices) in [
        (0, "an entry of Towns, an entry of Regions"),
        (
            1,
            "an entry of Towns, the token test at 5, an entry of Regions",
        ),
    ] {
        assert!(fast.rules[rule].entries.is_some(), "rule {rule}");
        let described = gleaner::compile::describe(&fast, &fast.rules[rule]);
        let line = format!("\n  matched at each token by trying {choices} (the same");
        assert!(described.contains(&line), "{described}");
        slow.rules[rule].entries = None;
    }
    let doc = Document::new("d", text);
    let (a, b) = (fast.run(&doc), slow.run(&doc));
    assert_eq!(a, b);
    let found: Vec<String> = a
        .iter()
        .map(|r| format!("{} {}", &r.rule[8..], r.text))
        .collect();
    let want = [
        "near New York",
        "place New York",
        "near New England",
        "place New England",
        "near Port of Spain",
        "place Port of Spain",
        "near Port",
        "place Port",
        "near Said",
        "near port of",
        "place port of",
        "near New York City",
        "place New York City",
        "near New York",
        "place New York",
        "near york",
    ];
    assert_eq!(found, want);
    assert!(
        a.iter()
            .filter(|r| r.rule.ends_with("place"))
            .all(|r| r.fields["name"].text.as_deref() == Some(&r.text[..]))
    );
    // An entry followed by anything else is not one of entries.
    let other = program(
        r#"record Place(name)
        lexicon Towns = york
        rule place { match <name:Towns> Cap emit Place { name } }"#,
    );
    assert_eq!(other.rules[0].entries, None);
}

#[test]
fn lexicon_in_repetition() {
    let lex = r#"lexicon Role = minister, "prime minister", prime;"#;
    let found = matches_with(lex, r#"(Role ",")+"#, "prime minister, minister, prime, x");
    assert_eq!(found, vec!["prime minister, minister, prime,"]);
}

#[test]
fn canon_of_text_that_is_not_one_entry_has_no_value() {
    // Design question: `canon(x)` gives a value only when the whole capture is one
    // lexicon entry; a wider capture, or another branch, keeps only its text.
    let src = r#"record Q(c) lexicon N = Russian => Russia;
        rule q { match <c:N "army" | Cap> emit Q { c: canon(c) } }"#;
    let found: Vec<(Option<String>, Option<String>)> = records(src, "Russian army, Army")
        .iter()
        .map(|r| (r.fields["c"].text.clone(), r.fields["c"].value.clone()))
        .collect();
    let expected = vec![
        (Some("Russian army".to_string()), None),
        (Some("Army".to_string()), None),
    ];
    assert_eq!(found, expected);
}

#[test]
fn named_pattern() {
    let found = captures_with(
        "pattern Name = Cap{1,3};",
        r#"<p:Name> ", the""#,
        "Ali Akbar Baqeri, the deputy, and Bob, the other",
    );
    let expected = vec![
        "Ali Akbar Baqeri, the | p=Ali Akbar Baqeri",
        "Bob, the | p=Bob",
    ];
    assert_eq!(found, expected);
}

#[test]
fn named_patterns_use_each_other() {
    let prelude = r#"lexicon Head = minister, secretary;
        pattern Mod = "deputy" | "foreign";
        pattern Role = Mod{0,2} Head;"#;
    let found = matches_with(
        prelude,
        "Role",
        "the deputy foreign minister and the secretary",
    );
    assert_eq!(found, vec!["deputy foreign minister", "secretary"]);
}

#[test]
fn sentence_start_anchor() {
    let found = matches("^ Cap", "Ali left. Then Bob said Hello. Carol");
    assert_eq!(found, vec!["Ali", "Then", "Carol"]);
}

#[test]
fn sentence_start_anchor_mid_pattern() {
    let src = r#"record M() rule r within paragraph { match "." ^ Cap emit M { } }"#;
    assert_eq!(found(src, "Ali left. Bob said"), vec!["M r . Bob"]);
    // In sentence scope the `.` and `Bob` are never in one window.
    assert_eq!(
        matches(r#""." ^ Cap"#, "Ali left. Bob said"),
        Vec::<String>::new()
    );
}

#[test]
fn sentence_end_anchor() {
    let found = matches("Lower Punct? $", "Ali left. Then Bob said hello. Carol ran");
    assert_eq!(found, vec!["left.", "hello.", "ran"]);
}

#[test]
fn anchors_in_paragraph_scope_test_sentence_boundaries() {
    let src = r#"record M() rule r within paragraph { match "said" _* $ emit M { } }"#;
    let found = found(src, "Ali said no. Bob said yes. Done");
    // `_*` is greedy, but `$` is a sentence end: the match stops at the last one
    // it can reach, here the end of the paragraph.
    assert_eq!(found, vec!["M r said no. Bob said yes. Done"]);
}

#[test]
fn anchors_hold_between_sentences_at_the_edges_of_a_sentence_window() {
    // Between two sentences both `^` and `$` hold, also where a sentence
    // window ends or starts: they test the position in the document.
    let text = "Ali said. Bob left.";
    assert_eq!(matches(r#""." ^"#, text), vec!["."]);
    assert_eq!(matches("$ Cap", text), vec!["Bob"]);
}

// ---- operators -------------------------------------------------------------

#[test]
fn sequence() {
    assert_eq!(matches(r#""a" "b""#, "a b a c b a b"), vec!["a b", "a b"]);
}

#[test]
fn alternation_prefers_first_alternative_at_same_start() {
    assert_eq!(matches(r#""a" | "a" "b""#, "a b"), vec!["a"]);
    assert_eq!(matches(r#""a" "b" | "a""#, "a b"), vec!["a b"]);
}

#[test]
fn alternation_leftmost_start_beats_alternative_order() {
    assert_eq!(matches(r#""b" | "a""#, "a b a"), vec!["a", "b", "a"]);
}

#[test]
fn grouping() {
    assert_eq!(matches(r#"("a" "b")+"#, "a b a b a c"), vec!["a b a b"]);
    assert_eq!(
        matches(r#""x" ("a" | "b") "y""#, "x a y x b y x c y"),
        vec!["x a y", "x b y"]
    );
}

#[test]
fn optional() {
    let found = matches(r#""the"? Cap"#, "the Times and Reuters");
    assert_eq!(found, vec!["the Times", "Reuters"]);
}

#[test]
fn star_and_plus() {
    assert_eq!(
        matches(r#""very"* "good""#, "good very very good"),
        vec!["good", "very very good"]
    );
    assert_eq!(
        matches(r#""very"+ "good""#, "good very very good"),
        vec!["very very good"]
    );
    assert_eq!(
        matches("Cap+", "Ali Akbar Baqeri said to Bob"),
        vec!["Ali Akbar Baqeri", "Bob"]
    );
}

const FIVE: &str = "a a a a a";

#[test]
fn counted_exactly() {
    assert_eq!(matches(r#""a"{2}"#, FIVE), vec!["a a", "a a"]);
}

#[test]
fn counted_range() {
    assert_eq!(matches(r#""a"{2,3}"#, FIVE), vec!["a a a", "a a"]);
}

#[test]
fn counted_at_least() {
    assert_eq!(matches(r#""a"{4,}"#, FIVE), vec!["a a a a a"]);
    assert_eq!(matches(r#""a"{6,}"#, FIVE), Vec::<String>::new());
}

#[test]
fn repetition_of_a_body_that_can_match_nothing() {
    // As in the `regex` crate: a pass of the body that matches nothing ends the
    // repetition, so the body's first alternative, `"b"?`, is taken (empty)
    // before a second pass through `"a"`. Each of these used to match "a a"
    // (or "a a a") once.
    assert_eq!(matches(r#"("b"? | "a")* "a""#, "a a"), vec!["a", "a"]);
    assert_eq!(matches(r#"("b"? | "a")*? "a""#, "a a"), vec!["a", "a"]);
    assert_eq!(matches(r#"("b"? | "a")+ "a""#, "a a"), vec!["a", "a"]);
    assert_eq!(
        matches(r#"("b"? | "a"){2,} "a""#, "a a a"),
        vec!["a", "a", "a"]
    );
    assert_eq!(matches(r#"_ ((!"c")??)*"#, "a a"), vec!["a", "a"]);
    // A pass that consumes is still preferred when the body prefers it.
    assert_eq!(matches(r#"("b"? | "a")* "a""#, "b a"), vec!["b a"]);
    assert_eq!(matches(r#"("a" | "b"?)* "a""#, "a a b a"), vec!["a a b a"]);
}

#[test]
fn lazy_optional() {
    let text = "Ali Baqeri said";
    assert_eq!(
        captures("<x:Cap?> <y:Cap+>", text),
        vec!["Ali Baqeri | x=Ali y=Baqeri"]
    );
    assert_eq!(
        captures("<x:Cap??> <y:Cap+>", text),
        vec!["Ali Baqeri | y=Ali Baqeri"]
    );
}

#[test]
fn lazy_star() {
    let text = "Ali Baqeri said";
    let greedy = captures(r#"<x:Cap*> <y:Cap*> "said""#, text);
    assert_eq!(greedy, vec!["Ali Baqeri said | x=Ali Baqeri"]);
    let lazy = captures(r#"<x:Cap*?> <y:Cap*> "said""#, text);
    assert_eq!(lazy, vec!["Ali Baqeri said | y=Ali Baqeri"]);
}

#[test]
fn lazy_plus() {
    let text = "one two three four";
    assert_eq!(
        captures("<x:_+> <y:_+>", text),
        vec!["one two three four | x=one two three y=four"]
    );
    assert_eq!(
        captures("<x:_+?> <y:_+>", text),
        vec!["one two three four | x=one y=two three four"]
    );
}

#[test]
fn lazy_counted() {
    let text = "one two three four";
    assert_eq!(
        captures("<x:_{1,3}> <y:_*>", text),
        vec!["one two three four | x=one two three y=four"]
    );
    assert_eq!(
        captures("<x:_{1,3}?> <y:_*>", text),
        vec!["one two three four | x=one y=two three four"]
    );
    // A lazy quantifier at the end of a pattern takes as few as it may.
    assert_eq!(matches("_{2,3}?", text), vec!["one two", "three four"]);
}

#[test]
fn negated_atom() {
    assert_eq!(
        matches(r#""the" !Cap"#, "the Times and the times"),
        vec!["the times"]
    );
    // `!"the"` is any one token but `the`: here `and`.
    assert_eq!(
        matches(r#"!"the" Cap"#, "the Times and New York"),
        vec!["and New"]
    );
}

#[test]
fn negated_lexicon() {
    let prelude = "lexicon Stop = the, a, of;";
    let found = matches_with(prelude, r#""of" !Stop"#, "of the state of Iran of a kind");
    assert_eq!(found, vec!["of Iran"]);
}

#[test]
fn negated_alternation() {
    let found = matches(r#"(!("," | "."))+"#, "Ali, the deputy minister. Bob");
    assert_eq!(found, vec!["Ali", "the deputy minister", "Bob"]);
}

#[test]
fn negation_is_one_token_and_does_not_match_past_the_end() {
    // `!a` consumes exactly one token: it never matches nothing.
    assert_eq!(matches(r#""x" !"y""#, "x y x z x"), vec!["x z"]);
}

#[test]
fn captures_named() {
    let found = captures(
        r#"<person:Cap+> ", the" <role:Lower+> "of" <org:Cap+> ",""#,
        "Ali Baqeri, the deputy secretary of Supreme National Security Council, said",
    );
    let expected = vec![
        "Ali Baqeri, the deputy secretary of Supreme National Security Council, | person=Ali Baqeri role=deputy secretary org=Supreme National Security Council",
    ];
    assert_eq!(found, expected);
}

#[test]
fn captures_bare_are_lazy_one_to_eight_tokens() {
    let found = captures(
        r#"<person> ", the" <role> "of" <org> ", said""#,
        "Ali Baqeri, the deputy secretary of the Supreme National Security Council, said",
    );
    let expected = vec![
        "Ali Baqeri, the deputy secretary of the Supreme National Security Council, said | person=Ali Baqeri role=deputy secretary org=the Supreme National Security Council",
    ];
    assert_eq!(found, expected);
}

#[test]
fn captures_bare_take_at_most_eight_tokens() {
    let found = captures(
        r#"<x> "end""#,
        "one two three four five six seven eight nine end",
    );
    assert_eq!(
        found,
        vec![
            "two three four five six seven eight nine end | x=two three four five six seven eight nine"
        ]
    );
    // And at least one.
    assert_eq!(captures(r#""start" <x>"#, "start"), Vec::<String>::new());
}

#[test]
fn capture_that_does_not_participate_is_absent() {
    let found = captures("<n:Num> | <c:Cap>", "Paris 42");
    assert_eq!(found, vec!["Paris | c=Paris", "42 | n=42"]);
    let r = &records(
        "record M(n, c) rule r { match <n:Num> | <c:Cap> emit M { n, c } }",
        "Paris",
    )[0];
    assert_eq!(r.fields.keys().collect::<Vec<_>>(), vec!["c"]);
}

#[test]
fn capture_in_repetition_keeps_last_iteration() {
    let found = captures(r#"(<x:Cap> ",")+"#, "Ali, Bob, Carol, and");
    assert_eq!(found, vec!["Ali, Bob, Carol, | x=Carol"]);
}

#[test]
fn capture_inside_capture_of_the_same_name() {
    // The outer capture ends last, so its span is the field. The inner start
    // used to overwrite the outer start, giving `x` a span neither capture
    // matched ("b c" here).
    assert_eq!(
        captures(r#"<x: "a" <x: "b"> "c">"#, "a b c"),
        vec!["a b c | x=a b c"]
    );
    assert_eq!(
        captures(r#"<x: "a" (<x: "b"> | "c")+>"#, "a b c b"),
        vec!["a b c b | x=a b c b"]
    );
}

#[test]
fn capture_fields_have_byte_spans() {
    let r = &records(
        r#"record M(x) rule r { match "the" <x:Cap+> emit M { x } }"#,
        "Ask the New York Times",
    )[0];
    assert_eq!(
        (r.start, r.end, r.text.as_str()),
        (4, 22, "the New York Times")
    );
    let x = &r.fields["x"];
    assert_eq!(
        (x.start, x.end, x.text.as_deref(), x.value.as_deref()),
        (Some(8), Some(22), Some("New York Times"), None)
    );
}

// ---- matching --------------------------------------------------------------

#[test]
fn leftmost_non_overlapping() {
    assert_eq!(matches("_ _", "a b c d e"), vec!["a b", "c d"]);
    assert_eq!(matches(r#""a" "a""#, "a a a"), vec!["a a"]);
    assert_eq!(matches(r#""a" "a""#, "a a a a"), vec!["a a", "a a"]);
}

#[test]
fn leftmost_start_wins_over_longer_later_match() {
    // A match starting at `b` would be longer, but `a b` starts first and takes `b`.
    assert_eq!(matches(r#""a" "b" | "b" "c" "d""#, "a b c d"), vec!["a b"]);
}

#[test]
fn match_never_crosses_sentence_end_by_default() {
    let rule = |scope: &str| {
        format!(r#"record M() rule r {scope} {{ match "left" _+ "said" emit M {{ }} }}"#)
    };
    let text = "Ali left. Bob said hello.";
    assert_eq!(found(&rule(""), text), Vec::<String>::new());
    assert_eq!(found(&rule("within sentence"), text), Vec::<String>::new());
    assert_eq!(
        found(&rule("within paragraph"), text),
        vec!["M r left. Bob said"]
    );
    assert_eq!(
        found(&rule("within document"), text),
        vec!["M r left. Bob said"]
    );
}

#[test]
fn within_document_crosses_paragraphs() {
    let rule = |scope: &str| {
        format!(r#"record M() rule r {scope} {{ match "left" _+ "said" emit M {{ }} }}"#)
    };
    let text = "Ali left.\n\nBob said hello.";
    assert_eq!(found(&rule("within paragraph"), text), Vec::<String>::new());
    assert_eq!(
        found(&rule("within document"), text),
        vec!["M r left.\n\nBob said"]
    );
}

#[test]
fn headline_line_is_its_own_sentence() {
    // A newline ends a sentence even without a period.
    assert_eq!(
        matches("Cap Cap", "Iran Talks\nTehran Says"),
        vec!["Iran Talks", "Tehran Says"]
    );
}

// ---- overlaps between rules -----------------------------------------------

#[test]
fn overlap_priority_wins() {
    let src = "record P() rule long { match Cap Cap emit P { } } rule short priority 1 { match Cap emit P { } }";
    assert_eq!(
        found(src, "Ali Baqeri"),
        vec!["P short Ali", "P short Baqeri"]
    );
}

#[test]
fn overlap_longer_wins() {
    let src =
        "record P() rule short { match Cap emit P { } } rule long { match Cap Cap emit P { } }";
    assert_eq!(
        found(src, "Ali Baqeri and Bob"),
        vec!["P long Ali Baqeri", "P short Bob"]
    );
}

#[test]
fn overlap_earlier_start_wins() {
    let src =
        r#"record P() rule yz { match "y" "z" emit P { } } rule xy { match "x" "y" emit P { } }"#;
    assert_eq!(found(src, "x y z"), vec!["P xy x y"]);
}

#[test]
fn overlap_rule_order_breaks_ties() {
    // Same span, same priority: the rule written first wins (not the name order).
    let src = r#"record P() rule zz { match "x" "y" emit P { } } rule aa { match Lower Lower emit P { } }"#;
    assert_eq!(found(src, "x y"), vec!["P zz x y"]);
    let src = r#"record P() rule aa { match Lower Lower emit P { } } rule zz { match "x" "y" emit P { } }"#;
    assert_eq!(found(src, "x y"), vec!["P aa x y"]);
}

#[test]
fn overlap_priority_beats_length() {
    let src = "record P() rule long priority -1 { match Cap Cap emit P { } } rule short { match Cap emit P { } }";
    assert_eq!(
        found(src, "Ali Baqeri"),
        vec!["P short Ali", "P short Baqeri"]
    );
}

#[test]
fn overlap_winner_removes_all_it_overlaps() {
    // Same priority and length: `a b` wins by its earlier start and removes `b c`;
    // `c d` overlaps only the loser, so it stays.
    let src = r#"record P()
        rule ab { match "a" "b" emit P { } }
        rule bc { match "b" "c" emit P { } }
        rule cd { match "c" "d" emit P { } }"#;
    assert_eq!(found(src, "a b c d"), vec!["P ab a b", "P cd c d"]);
}

#[test]
fn keep_all_keeps_overlapping_records() {
    let src = "record P() keep all rule long { match Cap Cap emit P { } } rule short { match Cap emit P { } }";
    let expected = vec!["P long Ali Baqeri", "P short Ali", "P short Baqeri"];
    assert_eq!(found(src, "Ali Baqeri"), expected);
}

#[test]
fn different_types_never_conflict() {
    let src = "record P() record Q() rule p { match Cap Cap emit P { } } rule q priority 5 { match Cap emit Q { } }";
    let expected = vec!["P p Ali Baqeri", "Q q Ali", "Q q Baqeri"];
    assert_eq!(found(src, "Ali Baqeri"), expected);
}

// ---- cascades --------------------------------------------------------------

#[test]
fn cascade_runs_after_emitter_regardless_of_file_order() {
    let src = r#"
        record Person(name)
        record Said(who)
        rule said { match <who:@Person> "said" emit Said { who } }
        rule person { match <name:Cap Cap> emit Person { name } }
    "#;
    let found = found(src, "Ali Baqeri said it. Bob said no.");
    assert_eq!(
        found,
        vec!["Said said Ali Baqeri said", "Person person Ali Baqeri"]
    );
}

#[test]
fn cascade_sees_only_final_records() {
    // `@Person` matches the records that survived overlap resolution.
    let src = r#"
        record Person()
        record Said(who)
        rule said { match <who:@Person> "said" emit Said { who } }
        rule first { match Cap emit Person { } }
        rule full priority 1 { match Cap Cap emit Person { } }
    "#;
    let r = &records(src, "Ali Baqeri said")[0];
    assert_eq!(show(r), "Ali Baqeri said | who=Ali Baqeri");
}

#[test]
fn cascade_two_levels() {
    let src = r#"
        record Quote(who, what)
        record Role(person)
        record Person()
        rule quote { match <who:@Role> "said" <what:_+> emit Quote { who, what } }
        rule role { match "minister" <person:@Person> emit Role { person } }
        rule person { match Cap Cap emit Person { } }
    "#;
    let text = "minister Ali Baqeri said talks failed";
    let found: Vec<String> = records(src, text)
        .iter()
        .map(|r| format!("{} {}", r.kind, show(r)))
        .collect();
    let expected = vec![
        "Quote minister Ali Baqeri said talks failed | who=minister Ali Baqeri what=talks failed",
        "Role minister Ali Baqeri | person=Ali Baqeri",
        "Person Ali Baqeri |",
    ];
    assert_eq!(found, expected);
}

#[test]
fn cascade_type_ref_prefers_longest_record_at_a_start() {
    let src = r#"
        record P() keep all
        record Q(p, n)
        rule a { match Cap emit P { } }
        rule b { match Cap Cap emit P { } }
        rule q { match <p:@P> <n:_> emit Q { p, n } }
    "#;
    let r = &records(src, "Ali Baqeri said")[0];
    assert_eq!(
        (r.kind.as_str(), show(r).as_str()),
        ("Q", "Ali Baqeri said | p=Ali Baqeri n=said")
    );
    // The shorter record is still tried when the longer cannot lead to a match.
    let src = src.replace("<n:_>", r#"<n:"Baqeri">"#);
    let q: Vec<String> = records(&src, "Ali Baqeri said")
        .iter()
        .filter(|r| r.kind == "Q")
        .map(show)
        .collect();
    assert_eq!(q, vec!["Ali Baqeri | p=Ali n=Baqeri"]);
}

#[test]
fn cascade_type_ref_matches_multi_token_records_inside_longer_patterns() {
    let src = r#"
        record Org()
        record Member(org)
        rule org { match "the"? Cap+ "Council" emit Org { } }
        rule member { match "member" "of" <org:@Org> emit Member { org } }
    "#;
    let found = found(src, "a member of the Security Council said");
    assert_eq!(
        found,
        vec![
            "Member member member of the Security Council",
            "Org org the Security Council"
        ]
    );
}

// ---- emit ------------------------------------------------------------------

#[test]
fn emit_constant_gives_value_only() {
    let src = r#"record R(source, x) rule r { match <x:Cap> emit R { source: "constant", x } }"#;
    let r = &records(src, "Ali")[0];
    let source = &r.fields["source"];
    assert_eq!(source.value.as_deref(), Some("constant"));
    assert_eq!(
        (source.text.as_deref(), source.start, source.end),
        (None, None, None)
    );
    assert_eq!(r.fields.keys().collect::<Vec<_>>(), vec!["source", "x"]);
}

#[test]
fn emit_fields_in_declared_order() {
    let src = r#"record R(a, b, c) rule r { match <c:Cap> <a:Cap> emit R { c, b: "k", a } }"#;
    let r = &records(src, "Ali Baqeri")[0];
    assert_eq!(r.fields.keys().collect::<Vec<_>>(), vec!["a", "b", "c"]);
}

#[test]
fn emit_lower() {
    let src = "record R(x) rule r { match <x:Upper Cap> emit R { x: lower(x) } }";
    let r = &records(src, "the IAEA Board met")[0];
    let x = &r.fields["x"];
    assert_eq!(
        (x.text.as_deref(), x.value.as_deref()),
        (Some("IAEA Board"), Some("iaea board"))
    );
}

#[test]
fn emit_canon() {
    let src = r#"
        record R(country)
        lexicon Nationality = Russian => Russia, "Russia's" => Russia;
        rule r { match <c:Nationality> "army" emit R { country: canon(c) } }
    "#;
    let found: Vec<String> = records(src, "Russian army and Russia’s army")
        .iter()
        .map(|r| {
            let f = &r.fields["country"];
            format!(
                "{} -> {}",
                f.text.as_deref().unwrap(),
                f.value.as_deref().unwrap()
            )
        })
        .collect();
    assert_eq!(found, vec!["Russian -> Russia", "Russia’s -> Russia"]);
}

// ---- Unicode text ----------------------------------------------------------

#[test]
fn unicode_text_keeps_char_boundaries() {
    let text = "北京 said 😀 then Zoe\u{301} said ok; مرحبا said 👍🏽 and שלום said נעים 🇮🇷!";
    let src = r#"record M(x) rule r { match "said" <x:_> emit M { x } }"#;
    let recs = records(src, text);
    let found: Vec<String> = recs.iter().map(show).collect();
    let expected = vec![
        "said 😀 | x=😀",
        "said ok | x=ok",
        "said 👍🏽 | x=👍🏽",
        "said נעים | x=נעים",
    ];
    assert_eq!(found, expected);
    for r in &recs {
        assert_eq!(&text[r.start..r.end], r.text);
    }
}

#[test]
fn unicode_words_as_tokens() {
    let text = "北京 and Zoe\u{301} met مرحبا and שלום 🇮🇷";
    assert_eq!(
        matches(r#"_ "and" _"#, text),
        vec!["北京 and Zoe\u{301}", "مرحبا and שלום"]
    );
    assert_eq!(matches("\"ZOE\u{301}\"", text), vec!["Zoe\u{301}"]);
    assert_eq!(matches(r#""北京""#, text), vec!["北京"]);
    assert_eq!(matches(r#""שלום""#, text), vec!["שלום"]);
    assert_eq!(matches("Punct $", text), vec!["🇮🇷"]);
}

#[test]
fn unicode_no_normalization_form_folding() {
    // Design question: there is no Unicode normalization (NFC), so a precomposed
    // `ë` in a literal does not match `e` + U+0301 in the text (nor the reverse).
    let text = "Zoe\u{301} and Zoë";
    assert_eq!(matches(r#""Zoë""#, text), vec!["Zoë"]);
    assert_eq!(matches("\"Zoe\u{301}\"", text), vec!["Zoe\u{301}"]);
}

// ---- pathological patterns -------------------------------------------------

/// `zzz` then `n` tokens of `a`, in one sentence: one match at the start, then
/// a search over the rest that finds nothing.
fn long_sentence(n: usize) -> String {
    let mut s = String::with_capacity(2 * n + 4);
    s.push_str("zzz");
    for _ in 0..n {
        s.push_str(" a");
    }
    s
}

fn time_pattern(pattern: &str, text: &str) -> Duration {
    let src = format!("record M() rule r {{ match {pattern} emit M {{ }} }}");
    let p = program(&src);
    let doc = Document::new("d", text);
    let t = Instant::now();
    let out = p.run(&doc);
    let took = t.elapsed();
    let spans: Vec<(usize, usize)> = out.iter().map(|r| (r.start, r.end)).collect();
    assert_eq!(spans, vec![(0, 3)], "{pattern}");
    took
}

#[test]
fn pathological_nested_quantifiers_run_in_linear_time() {
    let text = long_sentence(20_000);
    let base = time_pattern(r#"_* "zzz""#, &text);
    println!("{:<22} {:?}", r#"_* "zzz""#, base);
    for pattern in [r#"(_*)* "zzz""#, r#"(_?)* "zzz""#, r#"(_|_ _)* "zzz""#] {
        let took = time_pattern(pattern, &text);
        println!(
            "{pattern:<22} {took:?} ({:.1}x)",
            took.as_secs_f64() / base.as_secs_f64()
        );
        assert!(took < Duration::from_secs(2), "{pattern} took {took:?}");
    }
}

#[test]
fn pathological_match_to_the_end_of_a_long_sentence() {
    // The greedy loop must reach the final `zzz` across 20,000 tokens.
    let mut text = long_sentence(20_000);
    text.push_str(" zzz");
    let src = r#"record M() rule r { match "zzz" (_|_ _)* "zzz" emit M { } }"#;
    let t = Instant::now();
    let out = records(src, &text);
    println!("(_|_ _)* to the end: {:?}", t.elapsed());
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].start, out[0].end), (0, text.len()));
}

// ---- checker errors --------------------------------------------------------

#[test]
fn error_unknown_name() {
    assert_eq!(
        codes("record M() rule r { match Nmae emit M { } }"),
        vec!["gleaner::unknown-name"]
    );
}

#[test]
fn error_unknown_field() {
    assert_eq!(
        codes("record M(a) rule r { match <a:_> emit M { b: a } }"),
        vec!["gleaner::unknown-field"]
    );
}

#[test]
fn error_unbound_capture() {
    assert_eq!(
        codes("record M(a) rule r { match <b:_> emit M { a } }"),
        vec!["gleaner::unbound-capture"]
    );
}

#[test]
fn error_empty_match() {
    assert_eq!(
        codes(r#"record M() rule r { match "a"? emit M { } }"#),
        vec!["gleaner::empty-match"]
    );
    assert_eq!(
        codes("record M() rule r { match ^ $ emit M { } }"),
        vec!["gleaner::empty-match"]
    );
}

#[test]
fn error_never_emitted() {
    assert_eq!(
        codes("record P() record M() rule r { match @P emit M { } }"),
        vec!["gleaner::never-emitted"]
    );
}

#[test]
fn error_rule_cycle() {
    let src = "record A() record B() rule a { match @B emit A { } } rule b { match @A emit B { } }";
    assert_eq!(codes(src), vec!["gleaner::rule-cycle"]);
    let src = "record A() rule a { match @A Cap emit A { } }";
    assert_eq!(codes(src), vec!["gleaner::rule-cycle"]);
}

#[test]
fn error_pattern_cycle_self() {
    let src = r#"record M() pattern P = "x" P?; rule r { match P emit M { } }"#;
    assert_eq!(codes(src), vec!["gleaner::pattern-cycle"]);
}

#[test]
fn error_pattern_cycle_through_another_pattern() {
    let src = r#"record M() pattern P = "x" Q?; pattern Q = "y" P?; rule r { match P emit M { } }"#;
    // Reported once: not once per pattern of the cycle, nor again for the rule using it.
    let err = Program::from_source("t.rules", src).unwrap_err();
    let found: Vec<(&str, &str)> = err
        .list
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    let expected = vec![(
        "gleaner::pattern-cycle",
        "pattern `P` refers to itself: P → Q → P",
    )];
    assert_eq!(found, expected);
    // Also when reached through a pattern outside the cycle, in any definition order.
    let src = r#"record M() pattern R = P; pattern Q = "y" P?; pattern P = "x" Q?; rule r { match R emit M { } }"#;
    assert_eq!(codes(src), vec!["gleaner::pattern-cycle"]);
}

#[test]
fn error_unknown_function() {
    assert_eq!(
        codes("record M(a) rule r { match <a:_> emit M { a: upper(a) } }"),
        vec!["gleaner::unknown-function"]
    );
}

#[test]
fn error_duplicate() {
    let src = "record M() rule r { match _ emit M { } } rule r { match Cap emit M { } }";
    assert_eq!(codes(src), vec!["gleaner::duplicate"]);
    assert_eq!(codes("record M() record M(a)"), vec!["gleaner::duplicate"]);
    assert_eq!(
        codes("lexicon L = a; pattern L = _;"),
        vec!["gleaner::duplicate"]
    );
}

#[test]
fn error_not_single_token() {
    let src = r#"record M() rule r { match "a" !"of the" emit M { } }"#;
    assert_eq!(codes(src), vec!["gleaner::not-single-token"]);
    let src = r#"record M() rule r { match "a" !("b" | "c"+) emit M { } }"#;
    assert_eq!(codes(src), vec!["gleaner::not-single-token"]);
}

#[test]
fn error_regex() {
    assert_eq!(
        codes("record M() rule r { match /(a/ emit M { } }"),
        vec!["gleaner::regex"]
    );
}

#[test]
fn error_repeat_limit() {
    assert_eq!(
        codes("record M() rule r { match _{1,5000} emit M { } }"),
        vec!["gleaner::repeat-limit"]
    );
}

#[test]
fn error_program_too_large() {
    let src = "record M() rule r { match (_{1000}){1000} emit M { } }";
    assert_eq!(codes(src), vec!["gleaner::program-too-large"]);
}

#[test]
fn errors_all_reported_in_one_run() {
    let src = r#"
        record Person(name, role)
        record Quote(who)
        rule person {
            match <name:Cap+> ", the" Roel          # unknown name
            emit Person { name, title: name }       # unknown field
        }
        rule quote {
            match @Person "said" /[a-z/             # invalid regex
            emit Quote { who }                      # unbound capture
        }
        rule person { match Cap emit Person { } }   # duplicate rule
    "#;
    let mut got = codes(src);
    got.sort_unstable();
    let expected = vec![
        "gleaner::duplicate",
        "gleaner::regex",
        "gleaner::unbound-capture",
        "gleaner::unknown-field",
        "gleaner::unknown-name",
    ];
    assert_eq!(got, expected);
}

/// A literal that starts with an apostrophe but no clitic is cut as written.
#[test]
fn regression_literal_with_leading_apostrophe() {
    let rules = "record R(x)\nrule r { match <x:\"’Tis\"> emit R { x } }";
    let program = gleaner::Program::from_source("t.rules", rules).expect("builds");
    let records = program.run(&gleaner::Document::new("d", "’Tis the season."));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].text, "’Tis");
}

/// Parentheses inside regexes and `->` in examples do not count as nesting.
#[test]
fn regression_nesting_ignores_regexes_and_arrows() {
    let mut rules = String::from("record R(x)\n");
    for i in 0..200 {
        rules.push_str(&format!(
            "rule r{i} {{ match <x:/\\(/> emit R {{ x }} example \"a ( b\" -> R {{ x: \"(\" }} }}\n"
        ));
    }
    assert!(gleaner::Program::from_source("t.rules", &rules).is_ok());
}

/// `resolve(x, Person)`: a surname takes the full name; a pronoun takes the last
/// name in subject position before it, not merely the nearest name.
#[test]
fn resolve_surnames_and_pronouns_to_full_names() {
    let rules = r#"
        record Person(name)
        record Said(who)
        rule person { match <name:Cap Cap> emit Person { name } }
        rule said { match <who:Cap | "he"> ("said" | "told") emit Said { who: resolve(who, Person) } }
    "#;
    let program = gleaner::Program::from_source("t.rules", rules).expect("builds");
    let text =
        "Ali Baqeri met Yevgeny Lukyanov. Later he said so. Baqeri told them. Nobody said that.";
    let records = program.run(&gleaner::Document::new("d", text));
    let said: Vec<(String, Option<String>)> = records
        .iter()
        .filter(|r| r.kind == "Said")
        .map(|r| {
            (
                r.fields["who"].text.clone().unwrap(),
                r.fields["who"].value.clone(),
            )
        })
        .collect();
    assert_eq!(
        said,
        vec![
            ("he".to_string(), Some("Ali Baqeri".to_string())),
            ("Baqeri".to_string(), Some("Ali Baqeri".to_string())),
            ("Nobody".to_string(), None),
        ]
    );
}

/// `resolve` and pronouns: a title that says a name is a woman's (or a man's)
/// rules it out for `he` (or `she`).
#[test]
fn resolve_pronouns_skip_names_whose_title_says_otherwise() {
    let rules = r#"
        record Person(name)
        record Said(who)
        rule person { match <name:("Mr." | "Mrs." | "George") Cap> emit Person { name } }
        rule said { match <who:"he" | "she"> "said" emit Said { who: resolve(who, Person) } }
    "#;
    let program = gleaner::Program::from_source("t.rules", rules).expect("builds");
    let text = "George Washington wrote. Mrs. Washington agreed. Then he said so. Mr. Adams spoke. And she said no.";
    let said: Vec<(String, Option<String>)> = program
        .run(&gleaner::Document::new("d", text))
        .iter()
        .filter(|r| r.kind == "Said")
        .map(|r| {
            (
                r.fields["who"].text.clone().unwrap(),
                r.fields["who"].value.clone(),
            )
        })
        .collect();
    assert_eq!(
        said,
        vec![
            ("he".to_string(), Some("George Washington".to_string())),
            ("she".to_string(), Some("Mrs. Washington".to_string())),
        ]
    );
}

/// `Glued`: a token with no white space before it. Straight quotes pair up as
/// opening (not glued) and closing (glued), so a closing quote never opens one.
#[test]
fn class_glued_pairs_straight_quotes() {
    let rules = r#"
        record Q(x)
        rule q { match ("\"" & !Glued) <x:_+?> ("\"" & Glued) emit Q { x } }
    "#;
    let program = gleaner::Program::from_source("t.rules", rules).expect("builds");
    let text = r#"She said "yes" and then" nothing "no" here."#;
    let got: Vec<String> = program
        .run(&gleaner::Document::new("d", text))
        .iter()
        .map(|r| r.text.clone())
        .collect();
    assert_eq!(got, vec![r#""yes""#, r#""no""#]);
}

/// `emit T at x`: the record spans capture `x`, while the rest of the match
/// (here the speaker) still fills fields; `@T` and overlaps use that span.
#[test]
fn emit_at_sets_the_record_span_from_a_capture() {
    let rules = r#"
        record Quote(speaker)
        record Echo(x)
        rule quote { match <q:"“" (!"”")+ "”"> <who:Cap> "said" emit Quote at q { speaker: who } }
        rule echo { match <x:@Quote> <w:Cap> emit Echo at x { x } }
    "#;
    let program = gleaner::Program::from_source("t.rules", rules).expect("builds");
    let text = "“We agree,” Ali said. “No,” Bob said.";
    let records = program.run(&gleaner::Document::new("d", text));
    let got: Vec<(String, String, String)> = records
        .iter()
        .map(|r| {
            let f = r.fields.values().next().unwrap();
            (r.kind.clone(), r.text.clone(), f.text.clone().unwrap())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Echo".into(), "“We agree,”".into(), "“We agree,”".into()),
            ("Quote".into(), "“We agree,”".into(), "Ali".into()),
            ("Echo".into(), "“No,”".into(), "“No,”".into()),
            ("Quote".into(), "“No,”".into(), "Bob".into()),
        ]
    );
}

/// A record as it is built (`Runner::run_each_ref`, which `gleaner run
/// --format jsonl` writes out) is the record `Runner::run` returns, and
/// writes the same JSON, for every record the bundled library finds in the
/// fixture articles (constants, lower-cased, canonical, resolved and date
/// values among them).
#[test]
fn records_as_built_write_the_same_json_as_records() {
    let program = Program::from_paths(&["rules".into()]).expect("bundled rules build");
    let mut runner = gleaner::engine::Runner::new();
    let (mut total, mut values) = (0, 0);
    for path in common::fixture_paths() {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = Document::new(path.display().to_string(), text);
        let records = runner.run(&program, &doc);
        let mut built = Vec::new();
        runner.run_each_ref(&program, &doc, &mut |r| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut c = Vec::new();
            gleaner::output::jsonl(&r, &mut a);
            gleaner::output::jsonl(&r.to_record(), &mut b);
            gleaner::output::json::record_jsonl(&r, &mut c);
            assert_eq!(
                String::from_utf8(a).unwrap(),
                String::from_utf8(b.clone()).unwrap()
            );
            assert_eq!(String::from_utf8(c).unwrap(), String::from_utf8(b).unwrap());
            values += r.fields.iter().filter(|(_, f)| f.value.is_some()).count();
            built.push(r.to_record());
        });
        assert_eq!(built, records, "{}", path.display());
        total += records.len();
    }
    assert!(
        total > 500 && values > 100,
        "{total} records, {values} values"
    );
}

/// With `profile` set, a runner's automata figures are those of the
/// program it runs now: given another program, it starts them afresh.
#[test]
fn automata_profile_is_of_the_program_run_now() {
    let a = program("record A()\nrule a { match \"said\" emit A {} }\n");
    let b = program("record B()\nrule b { match \"told\" emit B {} }\n");
    let mut runner = gleaner::Runner::new();
    runner.profile = Some(Vec::new());
    let runs = [
        (&a, "He said so. She said no. They said yes."),
        (&b, "He told her."),
    ];
    for (program, text) in runs {
        runner.run(program, &Document::new("d", text));
        let dump = gleaner::text::debug_tokens(text);
        let tokens: u64 = dump.split_whitespace().next().unwrap().parse().unwrap();
        let got = runner.automata_profile(program);
        assert_eq!(got.len(), 1, "{text}");
        assert_eq!(
            (got[0].rules.clone(), got[0].stats.tokens),
            (vec![0], tokens)
        );
        assert!(got[0].stats.transitions > 0 && got[0].stats.emptied == 0);
        assert!(got[0].stats.building_nanos > 0);
    }
}

/// An automaton made before `profile` was set times the building of its
/// states from then on: none before, some after.
#[test]
fn building_is_timed_once_profile_is_set() {
    let a = program("record A()\nrule a { match \"said\" emit A {} }\n");
    let mut runner = gleaner::Runner::new();
    runner.run(&a, &Document::new("d", "He said so."));
    runner.profile = Some(Vec::new());
    let before = runner.automata_profile(&a);
    assert_eq!(before.len(), 1);
    assert!(before[0].stats.transitions > 0);
    assert_eq!(before[0].stats.building_nanos, 0);
    runner.run(&a, &Document::new("d", "They said said."));
    let after = runner.automata_profile(&a);
    assert!(after[0].stats.transitions > before[0].stats.transitions);
    assert!(after[0].stats.building_nanos > 0);
}

/// A rule that needs a record of some type (`@P`, and no word) is looked at
/// only in the windows where one starts: where none does, its automaton
/// scans nothing.
#[test]
fn a_rule_that_needs_a_record_is_not_tried_where_none_starts() {
    let src = r#"
record P(name)
record Q(who)
rule p { match <name:"Ada"> emit P { name } }
rule q { match <who:@P> Lower emit Q { who } }
"#;
    let program = program(src);
    let qi = program.rules.iter().position(|r| r.name == "q").unwrap();
    let q = &program.rules[qi];
    assert!(q.required_words.is_none() && q.required_types.is_some());
    let mut runner = gleaner::Runner::new();
    runner.profile = Some(Vec::new());
    // Two sentences: only the first holds a P.
    let records = runner.run(&program, &Document::new("d", "Ada wrote it. Bob read it."));
    let got: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r.kind.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(got, [("Q", "Ada wrote"), ("P", "Ada")]);
    let automata = runner.automata_profile(&program);
    let q_automaton = automata.iter().find(|a| a.rules.contains(&qi)).unwrap();
    // "Ada wrote it ." and not "Bob read it ."
    assert_eq!(q_automaton.stats.tokens, 4);
}

/// A rule whose pattern needs a word of each of two sets ("said" and
/// "yes" here) is tried only in the windows that hold both; a paragraph
/// holds them when its sentences do between them. It is tried the same
/// whether the words each window triggers are worked out once for all
/// strata or again for each (`trigger_cache_tokens`). Rules that need the
/// same second set share its trigger number.
#[test]
fn a_rule_that_needs_two_words_is_tried_where_both_are() {
    let src = r#"
record S(who)
record P(who)
rule s { match <who:Cap> "said" "yes" emit S { who } }
rule p within paragraph { match <who:Cap> "said" "." "yes" emit P { who } }
"#;
    let program = program(src);
    for name in ["s", "p"] {
        let rule = program.rules.iter().find(|r| r.name == name).unwrap();
        let said = program.vocab.get("said");
        let yes = program.vocab.get("yes");
        assert_eq!(rule.required_words, Some(vec![said]), "{name}");
        assert_eq!(
            rule.also_required.as_ref().map(|a| &a.1),
            Some(&vec![yes]),
            "{name}"
        );
    }
    // The two rules share the number of their second set: a window with
    // "yes" marks one number, not one per rule.
    let ids: Vec<u32> = program
        .rules
        .iter()
        .map(|r| r.also_required.as_ref().unwrap().0)
        .collect();
    assert_eq!(ids, [2, 2]);
    assert_eq!(program.trigger_ids, 3);
    let lists_with_it = program.trigger_lists.iter().filter(|l| l.contains(&2));
    assert_eq!(lists_with_it.count(), 1);
    let text = "Ann said no. Bob said yes. Yes, Cal said.\n\nDan said. Yes it is.";
    for cache in [usize::MAX, 0] {
        let mut runner = gleaner::Runner::new();
        runner.profile = Some(Vec::new());
        runner.trigger_cache_tokens = cache;
        let records = runner.run(&program, &Document::new("d", text));
        let got: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r.kind.as_str(), r.text.as_str()))
            .collect();
        assert_eq!(got, [("S", "Bob said yes"), ("P", "Dan said. Yes")]);
        let tokens = |name: &str| {
            let i = program.rules.iter().position(|r| r.name == name).unwrap();
            let automata = runner.automata_profile(&program);
            automata
                .iter()
                .find(|a| a.rules.contains(&i))
                .unwrap()
                .stats
                .tokens
        };
        // "Bob said yes ." and "Yes , Cal said ."; not the three sentences
        // with only one of the words.
        assert_eq!(tokens("s"), 9);
        // Both paragraphs: 13 and 7 tokens.
        assert_eq!(tokens("p"), 20);
    }
}

/// Quotation marks weigh less than the commonest words when a part of a
/// rule is worth requiring: where each way through an alternation needs a
/// comma and then a quotation mark, the mark is what the alternation needs,
/// so sentences with "said" and no quotation mark are not tried.
#[test]
fn a_quotation_mark_inside_alternatives_is_required() {
    let src = r#"
record S(who)
rule s { match <who:Cap> "said" ("," "\"" Cap | "," "\"" Lower) emit S { who } }
"#;
    let program = program(src);
    let rule = &program.rules[0];
    assert_eq!(rule.required_words, Some(vec![program.vocab.get("said")]));
    let quote = program.vocab.get("\"");
    assert_eq!(
        rule.also_required.as_ref().map(|a| &a.1),
        Some(&vec![quote])
    );
    let mut runner = gleaner::Runner::new();
    runner.profile = Some(Vec::new());
    let text = "Ann said, no. Bob said, \"yes.";
    let records = runner.run(&program, &Document::new("d", text));
    let got: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r.kind.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(got, [("S", "Bob said, \"yes")]);
    // Only `Bob said , " yes .`
    assert_eq!(runner.automata_profile(&program)[0].stats.tokens, 6);
}
