//! The automaton prefilter (a lazy DFA that rules windows out before the
//! Pike VM runs) and the backtracker that small searches go to never change
//! what is found: every test here runs the same rules with both and with
//! neither (`Runner::no_dfa`, `Runner::pike_only`) and wants the same records.

use gleaner::engine::Runner;
use gleaner::{Document, Program, Record};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

mod common;

fn both(program: &Program, doc: &Document) -> (Vec<Record>, Vec<Record>) {
    let mut with = Runner::new();
    with.no_dfa = false;
    with.pike_only = false;
    let mut without = Runner::new();
    without.no_dfa = true;
    without.pike_only = true;
    (with.run(program, doc), without.run(program, doc))
}

/// With the prefilter and without, `text` gives these records (type, text).
fn assert_records(program: &Program, text: &str, expected: &[(&str, &str)]) {
    let doc = Document::new("d", text);
    let (with, without) = both(program, &doc);
    assert_eq!(with, without, "{text}");
    let got: Vec<(&str, &str)> = with
        .iter()
        .map(|r| (r.kind.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(got, expected, "{text}");
}

fn program(src: &str) -> Program {
    match Program::from_source("t.rules", src) {
        Ok(p) => p,
        Err(d) => panic!("rules do not build:\n{}", d.render(false)),
    }
}

/// The bundled library over every fixture article: the same records, with one
/// runner kept across the articles (its automata warm) and a fresh one each,
/// and with one that works out the rules a window triggers again for each
/// stratum, as for a very long document (`Runner::trigger_cache_tokens`).
#[test]
fn bundled_rules_find_the_same_on_every_fixture() {
    let program = Program::from_paths(&["rules".into()]).expect("bundled rules build");
    let mut warm = Runner::new();
    warm.no_dfa = false;
    warm.pike_only = false;
    let mut long = Runner::new();
    long.no_dfa = false;
    long.pike_only = false;
    long.trigger_cache_tokens = 0;
    let mut total = 0;
    let files = common::fixture_paths();
    assert!(files.len() >= 10);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = Document::new(path.display().to_string(), text);
        let (with, without) = both(&program, &doc);
        assert_eq!(with, without, "{}", path.display());
        assert_eq!(warm.run(&program, &doc), without, "{}", path.display());
        assert_eq!(long.run(&program, &doc), without, "{}", path.display());
        total += with.len();
    }
    assert!(total > 500, "only {total} records");
}

/// A lexicon's first word alone, or a word inside an entry, is not an entry;
/// a record reference spans what the earlier rule found.
#[test]
fn lexicons_and_record_references() {
    let src = r#"
record Org(name)
record Said(who)
lexicon Orgs = "united nations", "world health organization", "nato"
rule org { match <name:Orgs> emit Org { name } }
rule said { match <who:@Org> "said" emit Said { who } }
rule said_plain { match <who:Cap> "said" emit Said { who } }
"#;
    let program = program(src);
    for (text, expected) in [
        ("The united states said no.", vec![]),
        ("The health organization said no.", vec![]),
        (
            "The United Nations said no.",
            vec![("Said", "United Nations said"), ("Org", "United Nations")],
        ),
        (
            "NATO said yes. World Health Organization said no.",
            vec![
                ("Said", "NATO said"),
                ("Org", "NATO"),
                ("Said", "World Health Organization said"),
                ("Org", "World Health Organization"),
            ],
        ),
        ("Nations said no.", vec![("Said", "Nations said")]),
    ] {
        assert_records(&program, text, &expected);
    }
}

/// Rules over one pattern (a Quote rule and a Statement rule, say) share
/// their automaton's states; each still gets through where the pattern
/// matches, and the rule between them keeps its own.
#[test]
fn rules_over_one_pattern_share_an_automaton() {
    let src = r#"
record Quote(speaker)
record Statement(speaker)
rule quote { match <speaker:Cap> ","? "said" ","? "\"" emit Quote { speaker } }
rule told { match <speaker:Cap> "told" emit Statement { speaker } }
rule statement { match <speaker:Cap> ","? "said" ","? "\"" emit Statement { speaker } }
"#;
    let program = program(src);
    assert_records(
        &program,
        "Baqeri said, \"We agreed.\" Lavrov told reporters.",
        &[
            ("Quote", "Baqeri said, \""),
            ("Statement", "Baqeri said, \""),
            ("Statement", "Lavrov told"),
        ],
    );
}

/// `^` and `$` hold between the sentences of a paragraph (also one after
/// the other), and nowhere else: the automaton follows them.
/// Found by `random_rules_find_the_same`: the Pike VM skipped ahead to the
/// next place a match could start, but kept what threads that died at the
/// place before had marked as seen, so the `$` that failed after "a" was not
/// tried again before "Ann", where it holds.
#[test]
fn an_assertion_that_failed_at_one_place_is_tried_at_the_next() {
    let program = program(
        r#"
record A(x)
lexicon Place = "new york", york
rule a within paragraph { match (Place*? | "a") <x:$> ^ Cap emit A { x } }
"#,
    );
    assert_records(&program, "a . Ann", &[("A", "Ann")]);
    assert_records(
        &program,
        "a . Ann . york . Bo",
        &[("A", "Ann"), ("A", "Bo")],
    );
}

#[test]
fn anchors_inside_a_paragraph() {
    let src = r#"
record Turn(text)
record Lead(text)
record Last(text)
rule turn within paragraph { match <text:"." $ ^ Cap> emit Turn { text } }
rule lead within paragraph { match ^ <text:Cap Lower> emit Lead { text } }
rule last within paragraph { match <text:Lower "."> $ emit Last { text } }
"#;
    let program = program(src);
    for (text, expected) in [
        (
            "It rained all day. Ann stayed in.",
            vec![
                ("Lead", "It rained"),
                ("Last", "day."),
                ("Turn", ". Ann"),
                ("Lead", "Ann stayed"),
                ("Last", "in."),
            ],
        ),
        // No sentence ends after "Mr." here, so nothing is anchored there.
        (
            "They met Mr. Smith today.",
            vec![("Lead", "They met"), ("Last", "today.")],
        ),
    ] {
        assert_records(&program, text, &expected);
    }
}

// ---- random rules over random text -------------------------------------------------

const WORDS: [&str; 12] = [
    "a", "b", "c", "the", "new", "york", "said", "Ann", "Bo", "7", ",", ".",
];

/// A token test, a lexicon, an anchor, or (with `refs`) a reference to `A`.
fn atom(refs: bool) -> impl Strategy<Value = String> {
    let reference = if refs { "@A" } else { "\"b\"" };
    prop_oneof![
        (0..WORDS.len()).prop_map(|i| format!("{:?}", WORDS[i])),
        Just("Cap".to_string()),
        Just("Num".to_string()),
        Just("_".to_string()),
        Just("Place".to_string()),
        Just(reference.to_string()),
        Just("/[a-c]/".to_string()),
        Just("!\"the\"".to_string()),
        Just("^".to_string()),
        Just("$".to_string()),
    ]
}

fn pattern(refs: bool) -> impl Strategy<Value = String> {
    let leaf = atom(refs);
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.join(" ")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("({})", v.join(" | "))),
            (inner.clone(), 0u32..3, 0u32..3)
                .prop_map(|(p, m, extra)| format!("({p}){{{m},{}}}", m + extra)),
            inner.clone().prop_map(|p| format!("({p})+")),
            inner.prop_map(|p| format!("({p})*?")),
        ]
    })
}

/// A pattern that takes at least one token: a pattern, then a word or lexicon.
fn rule_pattern(refs: bool) -> impl Strategy<Value = String> {
    (
        pattern(refs),
        prop_oneof![
            (0..WORDS.len()).prop_map(|i| format!("{:?}", WORDS[i])),
            Just("Place".to_string()),
            Just("Cap".to_string()),
        ],
        any::<bool>(),
    )
        .prop_map(|(p, t, first)| {
            if first {
                format!("{t} {p}")
            } else {
                format!("{p} {t}")
            }
        })
}

/// Words, and now and then a paragraph break: with ".", "Ann" and "Bo",
/// several sentences and paragraphs, so `^` and `$` hold inside a paragraph.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(0..WORDS.len() + 1, 0..40).prop_map(|v| {
        v.iter()
            .map(|&i| WORDS.get(i).copied().unwrap_or("\n\n"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Where a rule may match: a sentence (the default) or a paragraph.
fn scope() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just("within paragraph ")]
}

#[test]
fn random_rules_find_the_same() {
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    // Rule `a` captures a middle part: where a capture starts and ends
    // depends on which alternative and how many repetitions win.
    let captured = (pattern(false), pattern(false), rule_pattern(false))
        .prop_map(|(before, inside, rest)| format!("({before}) <x:({inside})> {rest}"));
    let strategy = ((captured, scope()), (rule_pattern(true), scope()), text());
    let built = std::cell::Cell::new(0);
    let found = std::cell::Cell::new(0);
    runner
        .run(&strategy, |((p, ps), (q, qs), text)| {
            let src = format!(
                "record A(x)\nrecord B()\nlexicon Place = \"new york\", york, \"the bo\"\n\
                 rule a {ps}{{ match {p} emit A {{ x }} }}\nrule b {qs}{{ match {q} emit B {{}} }}\n"
            );
            // Patterns that can match no tokens do not build.
            let Ok(program) = Program::from_source("t.rules", &src) else {
                return Ok(());
            };
            let doc = Document::new("d", text.clone());
            let (with, without) = both(&program, &doc);
            built.set(built.get() + 1);
            found.set(found.get() + without.len());
            prop_assert_eq!(with, without, "{}\n{}", src, text);
            Ok(())
        })
        .unwrap();
    // The cases mean something: most rule sets build, and they find things.
    assert!(built.get() > 200, "{} rule sets built", built.get());
    assert!(found.get() > 300, "{} records found", found.get());
}
