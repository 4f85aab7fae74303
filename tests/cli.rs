//! The `gleaner` binary, end to end: exact output, exit codes.

mod common;

use common::{gleaner, gleaner_stdin, stderr, stdout};

const SEED: &str = "tests/fixtures/000_tehran_moscow_security_agreement.txt";

/// One rule: a capitalised word before "said" is a `Said` record.
const SAID_RULES: &str =
    "record Said(who)\nrule said { match <who:Cap> \"said\" emit Said { who } }\n";

/// Writes a rule file `name` holding `src` into `dir`; its path.
fn rules_file(dir: &tempfile::TempDir, name: &str, src: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, src).unwrap();
    path.to_str().unwrap().to_string()
}

/// The four PersonRole records the seed article must give, field by field.
#[test]
fn seed_article_person_roles() {
    let out = gleaner(&["run", SEED, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let records: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let person_roles: Vec<(String, String, String, Option<String>)> = records
        .iter()
        .filter(|r| r["type"] == "PersonRole")
        .map(|r| {
            let f = &r["fields"];
            (
                f["person"]["text"].as_str().unwrap().to_string(),
                f["role"]["text"].as_str().unwrap().to_string(),
                f["org"]["text"].as_str().unwrap().to_string(),
                f["org"]["value"].as_str().map(str::to_string),
            )
        })
        .collect();
    let want = |p: &str, r: &str, o: &str, v: Option<&str>| {
        (
            p.to_string(),
            r.to_string(),
            o.to_string(),
            v.map(str::to_string),
        )
    };
    assert_eq!(
        person_roles,
        vec![
            want(
                "Ali Baqeri",
                "deputy secretary",
                "Supreme National Security Council",
                None
            ),
            want(
                "Yevgeny Lukyanov",
                "deputy secretary",
                "Russia’s Security Council",
                None
            ),
            want(
                "Sergei Lavrov",
                "Foreign Minister",
                "Russian",
                Some("Russia")
            ),
            want(
                "Nikolai Patrushev",
                "Secretary",
                "Russia’s Security Council",
                None
            ),
        ]
    );
}

/// One JSON line has exactly the documented shape.
#[test]
fn jsonl_record_shape() {
    let out = gleaner(&["run", SEED, "--format", "jsonl"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lavrov = text
        .lines()
        .find(|l| l.contains("\"type\":\"PersonRole\"") && l.contains("Lavrov"))
        .unwrap();
    assert_eq!(
        lavrov,
        r#"{"doc":"000_tehran_moscow_security_agreement","type":"PersonRole","rule":"news/roles.rules:role_premodifier","start":1988,"end":2026,"text":"Russian Foreign Minister Sergei Lavrov","fields":{"person":{"text":"Sergei Lavrov","start":2013,"end":2026},"role":{"text":"Foreign Minister","start":1996,"end":2012},"org":{"text":"Russian","start":1988,"end":1995,"value":"Russia"}}}"#
    );
}

#[test]
fn table_output() {
    let out = gleaner(&["run", SEED]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("DOC "), "{}", lines[0]);
    let roles: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains("  PersonRole  "))
        .collect();
    assert_eq!(roles.len(), 4);
    assert_eq!(
        roles[2].split_whitespace().collect::<Vec<_>>().join(" "),
        "000_tehran_moscow_security_agreement PersonRole 1988..2026 Russian Foreign Minister Sergei Lavrov person=\"Sergei Lavrov\" role=\"Foreign Minister\" org=\"Russian\"=>\"Russia\""
    );
}

#[test]
fn jsonl_from_stdin_with_constants_and_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(
        &dir,
        "said.rules",
        "record Said(who, how)\nrule said { match <who:Cap+> \"said\" emit Said { who, how: \"verb\" } }\n",
    );
    let input = "{\"id\": \"a\", \"text\": \"Baqeri said no.\"}\n{\"id\": \"b\", \"text\": \"Nobody spoke.\", \"date\": \"2011-11-11\"}\n";
    let out = gleaner_stdin(&["run", "--rules", &rules, "-f", "jsonl", "-"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"doc\":\"a\",\"type\":\"Said\",\"rule\":\"said.rules:said\",\"start\":0,\"end\":11,\"text\":\"Baqeri said\",\"fields\":{\"who\":{\"text\":\"Baqeri\",\"start\":0,\"end\":6},\"how\":{\"value\":\"verb\"}}}\n"
    );
}

/// Standard input is streamed: white space before the first `{` is skipped
/// for JSON Lines, and kept in a plain text (its offsets count it); many
/// documents come out in input order.
#[test]
fn stdin_streams_jsonl_and_keeps_plain_text_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(&dir, "said.rules", SAID_RULES);
    let rules = rules.as_str();
    let mut input = String::from("\n  \n");
    for i in 0..2000 {
        input.push_str(&format!(
            "{{\"id\": \"d{i}\", \"text\": \"Ann said {i}.\"}}\n"
        ));
    }
    let out = gleaner_stdin(
        &["run", "--rules", rules, "-j", "2", "-f", "jsonl", "-"],
        &input,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let docs: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split('"').nth(3).unwrap_or_default().to_string())
        .collect();
    let expected: Vec<String> = (0..2000).map(|i| format!("d{i}")).collect();
    assert_eq!(docs, expected);

    let out = gleaner_stdin(
        &["run", "--rules", rules, "-f", "jsonl", "-"],
        "\n  Ann said so.",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"doc\":\"stdin\",\"type\":\"Said\",\"rule\":\"said.rules:said\",\"start\":3,\"end\":11,\"text\":\"Ann said\",\"fields\":{\"who\":{\"text\":\"Ann\",\"start\":3,\"end\":6}}}\n"
    );
}

#[test]
fn bad_inputs_are_reported_and_the_rest_runs() {
    let input = "{\"id\": \"a\", \"text\": \"US President Barack Obama spoke.\"}\nnot json\n{\"id\": \"c\"}\n";
    let out = gleaner_stdin(&["run", "-f", "jsonl", "-"], input);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.contains("\"type\":\"PersonRole\""))
            .count(),
        1
    );
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: -:2: not JSON: expected ident at line 1 column 2\nerror: -:3: no `text` field\n"
        ),
        "{err}"
    );
    assert!(err.ends_with("error: 2 of 3 input documents could not be read (see above); the other 1 were processed\n"), "{err}");
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    let out = gleaner(&["run", SEED, "-f", "jsonl", "-o", path.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(&path).unwrap();
    let direct = stdout(&gleaner(&["run", SEED, "-f", "jsonl"]));
    assert_eq!(written, direct);
    assert!(written.lines().count() >= 4);
    // Nothing else is left in the folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn check_bundled_rules() {
    let out = gleaner(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("ok: the bundled rules: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_rules_folder_on_disk() {
    let out = gleaner(&["check", "rules/"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A file with five different mistakes: five diagnostics in one run, exit 1.
#[test]
fn five_mistakes_five_diagnostics() {
    let out = gleaner(&["check", "tests/rule_inputs/errors/five_mistakes.rules"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let codes: Vec<&str> = err.lines().filter(|l| l.starts_with("gleaner::")).collect();
    assert_eq!(
        codes,
        vec![
            "gleaner::unknown-name",
            "gleaner::unknown-field",
            "gleaner::unbound-capture",
            "gleaner::empty-match",
            "gleaner::unknown-record",
        ]
    );
    assert_eq!(err.matches("help:").count(), 5);
    assert!(err.ends_with("error: 5 problems in the rules; nothing was run\n"));
}

#[test]
fn failing_example_is_reported_with_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(
        &dir,
        "r.rules",
        "record R(x)\nrule r {\n  match <x:\"said\">\n  emit R { x }\n  example \"he told me\"\n  counterexample \"she said\"\n}\n",
    );
    let out = gleaner(&["check", &rules]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("gleaner::example-missing"), "{err}");
    assert!(err.contains("gleaner::counterexample-matched"), "{err}");
    assert!(err.contains("r.rules:5:11"), "{err}");
    assert!(
        err.contains("0 of 2 examples and counterexamples hold"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(gleaner(&["run"]).status.code(), Some(2));
    assert_eq!(gleaner(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        gleaner(&["run", "--format", "xml", SEED]).status.code(),
        Some(2)
    );
}

#[test]
fn debug_tokens_shows_tokens_and_sentences() {
    let out = gleaner(&[
        "debug",
        "tokens",
        "Mr. Lavrov said. Russia’s 1,200 U.S. troops",
    ]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "\
9 tokens, 2 sentences, 1 paragraphs
paragraph 1
  sentence 1
        0          0..3  Cap Word              Mr.
        1         4..10  Cap Word              Lavrov
        2        11..15  Lower Word            said
        3        15..16  Glued Punct           .
  sentence 2
        4        17..23  Cap Word              Russia
        5        23..27  Lower Word Glued      ’s  (matches as \"'s\")
        6        28..33  Num                   1,200
        7        34..38  Cap Upper Word        U.S.
        8        39..45  Lower Word            troops
"
    );
}

#[test]
fn debug_program_names_unknown_rules() {
    let out = gleaner(&["debug", "program", "--rule", "role_apositive"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: no rule named `role_apositive` (did you mean `role_appositive`?)\n"
    );
}

#[test]
fn help_teaches_by_example() {
    let out = gleaner(&["run", "--help"]);
    assert!(
        stdout(&out).contains("gleaner run --format jsonl --output records.jsonl tests/fixtures/")
    );
}

/// Output does not depend on the number of threads.
#[test]
fn same_output_for_any_number_of_jobs() {
    let one = gleaner(&["run", "-j", "1", "-f", "jsonl", "tests/fixtures/"]);
    let two = gleaner(&["run", "-j", "2", "-f", "jsonl", "tests/fixtures/"]);
    let four = gleaner(&["run", "-j", "4", "-f", "jsonl", "tests/fixtures/"]);
    assert!(one.status.success());
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, four.stdout);
}

/// `--profile` prints what each rule cost, slowest first, then what each
/// prefilter automaton cost and the time by phase, and changes nothing else.
#[test]
fn profile_lists_rules_by_cost() {
    let plain = gleaner(&["run", "-f", "jsonl", SEED]);
    let profiled = gleaner(&["run", "--profile", "-f", "jsonl", SEED]);
    assert!(profiled.status.success());
    assert_eq!(plain.stdout, profiled.stdout);
    let all = stderr(&profiled);
    let (err, rest) = all.split_once("\n\n").expect("three parts");
    let (automata, phases) = rest.split_once("\n\n").expect("three parts");
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some("        ms   share    windows   matches  rule")
    );
    let mut rows: Vec<&str> = lines.collect();
    // The last line sums every rule up.
    let total = rows.pop().unwrap_or_default();
    assert!(
        total.trim_start().starts_with(|c: char| c.is_ascii_digit()),
        "{err}"
    );
    assert!(total.ends_with(" rules"), "{err}");
    assert!(total.contains("  100.0%  "), "{err}");
    if rows.last().is_some_and(|r| r.contains("more rules)")) {
        rows.pop();
    }
    assert!(!rows.is_empty() && rows.len() <= 20, "{err}");
    assert!(rows.iter().all(|r| r.contains(".rules:")), "{err}");

    // The automata: time, of which building states; tokens scanned,
    // transitions worked out, caches emptied; the last line adds them up.
    let mut lines = automata.lines();
    assert_eq!(
        lines.next(),
        Some(
            "        ms   share  building      tokens  transitions  emptied  prefilter automaton: windows, stratum, rules"
        )
    );
    let mut rows: Vec<&str> = lines.collect();
    let total = rows.pop().unwrap_or_default();
    assert!(
        total.ends_with(&format!("  all {} automata", rows.len())),
        "{automata}"
    );
    let counts = |line: &str| -> Vec<u64> {
        let cols: Vec<&str> = line.split_whitespace().collect();
        cols[3..6].iter().map(|c| c.parse().unwrap()).collect()
    };
    // Building states is part of the time; none without transitions.
    let ms = |line: &str, col: usize| -> f64 {
        line.split_whitespace().nth(col).unwrap().parse().unwrap()
    };
    for r in rows.iter().chain([&total]) {
        assert!(ms(r, 2) <= ms(r, 0), "{automata}");
        if counts(r)[1] == 0 {
            assert_eq!(ms(r, 2), 0.0, "{automata}");
        }
    }
    assert!(ms(total, 2) > 0.0, "{automata}");
    let mut sums = vec![0; 3];
    for r in &rows {
        for (s, c) in sums.iter_mut().zip(counts(r)) {
            *s += c;
        }
    }
    assert_eq!(counts(total), sums, "{automata}");
    // The first stratum's sentence rules (42 of them, in one automaton)
    // are tried in every sentence of this article: it scans all its tokens.
    let text = std::fs::read_to_string(SEED).unwrap();
    let tokens = gleaner::text::debug_tokens(&text);
    let ntokens: u64 = tokens.split_whitespace().next().unwrap().parse().unwrap();
    let first = rows
        .iter()
        .find(|r| r.ends_with("sentences, stratum 1: news/dates.rules:date_calendar and 41 more"))
        .unwrap_or_else(|| panic!("{automata}"));
    assert_eq!(counts(first)[0], ntokens, "{automata}");
    assert!(counts(first)[1] > 0, "{automata}");
    assert!(
        phases.starts_with("ms by phase: tokens, sentences and classes "),
        "{phases}"
    );
    assert!(
        phases.contains("; rules ") && phases.ends_with("\n"),
        "{phases}"
    );
}

/// Input is read while the rules compile; when they do not build, `run`
/// reports them and exits without waiting for the input to end (here a
/// standard input that stays open).
#[test]
fn bad_rules_do_not_wait_for_input() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(
        &dir,
        "bad.rules",
        "record R(x)\nrule r {\n    match nowhere\n    emit R { x: \"a\" }\n}\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["run", "--rules", &rules, "-"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kept open (and never written) until the child has ended.
    let stdin = child.stdin.take();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("gleaner waited for its input");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr(&out).contains("gleaner::unknown-name"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

/// A document whose records run to megabytes of JSON Lines is written out in
/// parts as it runs; with documents on either side of it, every record still
/// comes out once, in order, with one thread or several.
#[test]
fn long_documents_stream_their_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(&dir, "said.rules", SAID_RULES);
    let rules = rules.as_str();
    // 30,000 records of about 130 bytes: about 4 MB, several parts.
    let long = "Ann said so. ".repeat(30_000);
    let mut input = String::new();
    for (id, text) in [
        ("a", "Bob said no."),
        ("long", long.as_str()),
        ("c", "Cy said yes."),
    ] {
        input.push_str(&serde_json::json!({ "id": id, "text": text }).to_string());
        input.push('\n');
    }
    let record = |doc: &str, who: &str, at: usize| {
        format!(
            "{{\"doc\":\"{doc}\",\"type\":\"Said\",\"rule\":\"said.rules:said\",\"start\":{at},\"end\":{},\"text\":\"{who} said\",\"fields\":{{\"who\":{{\"text\":\"{who}\",\"start\":{at},\"end\":{}}}}}}}\n",
            at + who.len() + 5,
            at + who.len()
        )
    };
    let mut want = record("a", "Bob", 0);
    for i in 0..30_000 {
        want.push_str(&record("long", "Ann", 13 * i));
    }
    want.push_str(&record("c", "Cy", 0));
    for jobs in ["1", "2"] {
        let out = gleaner_stdin(
            &["run", "--rules", rules, "-j", jobs, "-f", "jsonl", "-"],
            &input,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out) == want, "-j {jobs}: records differ");
    }
}
