//! The automaton prefilter (a lazy DFA that rules windows out before the
//! Pike VM runs) and the backtracker that small searches go to never change
//! what is found: every test here runs the same rules with both and with
//! neither (`Runner::no_dfa`, `Runner::pike_only`) and wants the same records.
//! Nor does a rule taking the matches of another over the same pattern
//! (`Rule::matches_as`): its records are those it finds in a program alone.

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

/// A rule over a lexicon is tried in the windows that hold a word of one of
/// its entries: the entry's first word that is not among the commonest (not
/// `the` of `the epsilon`, which nearly every sentence holds). A word the
/// rule does not name stands for the other words of its group (those that
/// the rules cannot tell apart): `epsilon` is in the group of `delta` (each
/// ends an entry and starts none), and a token of either is looked up as
/// `delta`, which must trigger the rule too.
#[test]
fn a_lexicon_rule_is_triggered_by_a_rarer_word_of_each_entry() {
    let src = r#"
record Place(name)
lexicon Places = "alpha delta", "alpha", "the epsilon", "the zeta eta", "of"
rule place { match <name:Places> emit Place { name } }
"#;
    let program = program(src);
    let word = |w: &str| program.vocab.get(w);
    let rule = &program.rules[0];
    let mut required = rule.required_words.clone().unwrap();
    required.sort_unstable();
    // `of` alone is an entry, so it stays.
    let mut want = ["alpha", "epsilon", "zeta", "of"].map(word).to_vec();
    want.sort_unstable();
    assert_eq!(required, want);
    let group = |w: &str| program.word_group[word(w) as usize];
    assert_eq!(group("delta"), group("epsilon"));
    assert_ne!(group("the"), group("alpha"));
    for (text, expected) in [
        ("We saw the epsilon today.", vec![("Place", "the epsilon")]),
        (
            "Then the zeta eta and alpha delta.",
            vec![("Place", "the zeta eta"), ("Place", "alpha delta")],
        ),
        ("The eta and the delta.", vec![]),
        ("One of them.", vec![("Place", "of")]),
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

/// The runner of a random test: 400 cases, or `PROPTEST_CASES` when set (as
/// for the `proptest!` tests of `tests/properties.rs`); failures are not
/// saved (a failing case becomes an exact test here).
fn random_runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

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
    let mut runner = random_runner();
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

/// A pattern as a tree, so that captures can be put around any part of it.
#[derive(Clone, Debug)]
enum Node {
    Leaf(String),
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Rep(Box<Node>, &'static str),
}

fn node() -> impl Strategy<Value = Node> {
    atom(false)
        .prop_map(Node::Leaf)
        .prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(Node::Seq),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Alt),
                (
                    inner,
                    prop_oneof![Just("+"), Just("*?"), Just("?"), Just("{0,2}")]
                )
                    .prop_map(|(n, q)| Node::Rep(Box::new(n), q)),
            ]
        })
}

/// The pattern of `node`, with capture `name` around part `at` (numbered in
/// pre-order from `*next`) for each `(at, name)` of `captures`.
fn render(node: &Node, captures: &[(usize, &str)], next: &mut usize) -> String {
    let me = *next;
    *next += 1;
    let mut all = |nodes: &[Node]| -> Vec<String> {
        nodes.iter().map(|n| render(n, captures, next)).collect()
    };
    let mut out = match node {
        Node::Leaf(s) => s.clone(),
        Node::Seq(v) => format!("({})", all(v).join(" ")),
        Node::Alt(v) => format!("({})", all(v).join(" | ")),
        Node::Rep(n, q) => format!("({}){q}", render(n, captures, next)),
    };
    for (at, name) in captures {
        if *at == me {
            out = format!("<{name}:{out}>");
        }
    }
    out
}

/// Each part's parent (numbered as [`render`] numbers them), pushed onto `out`.
fn parents(node: &Node, parent: Option<usize>, out: &mut Vec<Option<usize>>) {
    let me = out.len();
    out.push(parent);
    match node {
        Node::Leaf(_) => {}
        Node::Seq(v) | Node::Alt(v) => v.iter().for_each(|n| parents(n, Some(me), out)),
        Node::Rep(n, _) => parents(n, Some(me), out),
    }
}

/// Rule `b` has the pattern of rule `a` with its one capture around one of
/// `a`'s two (often one around the other) or around any other part: where `y` is saved on
/// the same ways as `x` or `w` (or as the whole match), the matcher runs `a`
/// alone and `b` takes `a`'s matches ([`gleaner::compile::Rule::matches_as`]).
/// Both find what each finds in a program of its own.
#[test]
fn a_rule_that_takes_another_rules_matches_finds_what_it_finds_alone() {
    let mut runner = random_runner();
    let strategy = (node(), any::<(u16, u16, u16, u8)>(), scope(), text());
    let shared = std::cell::Cell::new(0);
    let found = std::cell::Cell::new(0);
    runner
        .run(&strategy, |(tree, (x, w, y, pick), scope, text)| {
            let mut parent = Vec::new();
            parents(&tree, None, &mut parent);
            let n = parent.len();
            let x = x as usize % n;
            // Often `w` holds `x`: a part and the part around it can be
            // saved where each other are, on different ways.
            let w = match parent[x] {
                Some(p) if pick & 4 != 0 => p,
                _ => w as usize % n,
            };
            let y = [x, w, y as usize % n][pick as usize % 3];
            // A last token, so that no pattern matches nothing.
            let a = render(&tree, &[(x, "x"), (w, "w")], &mut 0);
            let b = render(&tree, &[(y, "y")], &mut 0);
            let a = format!("rule a {scope}{{ match {a} _ emit A {{ x, w }} }}\n");
            let b = format!("rule b {scope}{{ match {b} _ emit B {{ y }} }}\n");
            let head =
                "record A(x, w)\nrecord B(y)\nlexicon Place = \"new york\", york, \"the bo\"\n";
            let Ok(both_rules) = Program::from_source("t.rules", &format!("{head}{a}{b}")) else {
                return Ok(());
            };
            let alone_a = Program::from_source("t.rules", &format!("{head}{a}")).unwrap();
            let alone_b = Program::from_source("t.rules", &format!("{head}{b}")).unwrap();
            if both_rules.rules[1].matches_as.is_some() {
                shared.set(shared.get() + 1);
            }
            let doc = Document::new("d", text.clone());
            let mut runner = Runner::new();
            let got = runner.run(&both_rules, &doc);
            let of = |kind: &str| -> Vec<Record> {
                got.iter().filter(|r| r.kind == kind).cloned().collect()
            };
            found.set(found.get() + got.len());
            prop_assert_eq!(of("A"), runner.run(&alone_a, &doc), "{}{}\n{}", a, b, text);
            prop_assert_eq!(of("B"), runner.run(&alone_b, &doc), "{}{}\n{}", a, b, text);
            Ok(())
        })
        .unwrap();
    assert!(
        shared.get() > 100,
        "b took a's matches {} times",
        shared.get()
    );
    assert!(found.get() > 1000, "{} records found", found.get());
}

/// A capture of `b` ends where two of `a`'s do, but only one of them is
/// saved on the same ways there (`x` after "q"; `w` after "q" and after
/// "p"): `b`'s `y` is `a`'s `x`, "q", not up to the end of `w`, "q p".
#[test]
fn a_capture_is_taken_from_one_saved_on_the_same_ways() {
    let program = program(
        r#"
record A(w, x)
record B(y)
rule a { match (<w:("p" | <x:"q">)>)+ "r" emit A { w, x } }
rule b { match (("p" | <y:"q">))+ "r" emit B { y } }
"#,
    );
    assert!(program.rules[1].matches_as.is_some());
    let doc = Document::new("d", "q p r.");
    let records = Runner::new().run(&program, &doc);
    let fields: Vec<String> = records
        .iter()
        .map(|r| format!("{} {}", r.kind, serde_json::to_string(&r.fields).unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            r#"A {"w":{"text":"p","start":2,"end":3},"x":{"text":"q","start":0,"end":1}}"#,
            r#"B {"y":{"text":"q","start":0,"end":1}}"#
        ],
        "{records:?}"
    );
}

/// One sentence of 20,000 words, where a rule matches thousands of times:
/// the first search is the backtracker's, those after a match the Pike
/// VM's (the backtracker would clear a visited set of the window's width
/// once a match). Together they find what the Pike VM alone does, match
/// for match.
#[test]
fn many_matches_in_one_long_window() {
    let p = program(
        "record R(x)\n\
         rule r { match <x:(\"the\" | \"a\") (\"new\" | \"minister\")? (\"talks\" | \"of\")? (\"new\" | \"minister\")? \"said\"?> emit R { x } }\n",
    );
    let words = [
        "the", "minister", "said", "Iran", "talks", "and", "of", "a", "new",
    ];
    let mut seed = 7u64;
    let text: Vec<&str> = (0..20_000)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            words[(seed >> 33) as usize % words.len()]
        })
        .collect();
    let doc = Document::new("d", text.join(" "));
    let mut backtracker = Runner::new();
    backtracker.pike_only = false;
    let mut pike = Runner::new();
    pike.pike_only = true;
    let found = backtracker.run(&p, &doc);
    assert_eq!(found, pike.run(&p, &doc));
    assert!(found.len() > 3000, "{} matches", found.len());
    assert!(found.iter().any(|r| r.text.split(' ').count() == 5));
}
