//! `gleaner eval` and `gleaner run --offsets chars`: exact scores on a tiny
//! handmade gold file, and the bundled rules on the dev gold.

use gleaner::eval::gold::parse_gold_line;
use gleaner::eval::{Options, evaluate};
use gleaner::output::CharOffsets;
use serde_json::Value;
use std::path::{Path, PathBuf};
mod common;

use common::{gleaner, stderr, stdout};
use std::process::Output;

const RULES: &str = r#"
record Date(value)
record Quote(body)
record Role(person, role)

rule year  { match <y:Num> emit Date { value: y } }
rule quote { match <q:"“" (!"”")+ "”"> emit Quote { body: q } }
rule role  { match <person:Cap+> "," <role:Lower> emit Role { person, role } }
"#;

// Byte offsets differ from char offsets in both texts: É, é, “, ’, ”, à.
const TEXT_A: &str = "Émile Zola, écrivain, publie “J’accuse” en 1898.";
const TEXT_B: &str =
    "“Né en 1840”, dit-il hier. Il vécut de 1840 à 1902. Jean Dupont, maire, salue Paul, juge.";

/// The gold, offsets in chars (as Python counts them):
///
/// - a: Role `Émile Zola, écrivain,` (with the comma the rule leaves out: a
///   relaxed pair by span, strict by person and role); Quote `“J’accuse”`
///   (strict); Date `1898` = 1898 (strict, value right).
/// - b: Quote `Né en 1840` without its marks (relaxed); Date `1840` = 1840-05
///   (strict, value wrong); Date `hier` (missed); Date `de 1840 à 1902`, no
///   value (overlapped by two system dates: one pairs, one is a false
///   alarm); Role `Jean Dupont, maire` (strict); Role `maire, salue Paul` with
///   person `Paul` and role `maire` (overlaps the system's `Paul, juge` by
///   span, but its role does not: no pair by person and role).
fn gold_lines() -> String {
    let a = serde_json::json!({
        "id": "a", "text": TEXT_A, "date": null,
        "records": [
            {"type": "Role", "start": 0, "end": 21,
             "fields": {"person": {"start": 0, "end": 10}, "role": {"start": 12, "end": 20}}},
            {"type": "Quote", "start": 29, "end": 39},
            {"type": "Date", "start": 43, "end": 47, "fields": {"value": {"value": "1898"}}},
        ]
    });
    let b = serde_json::json!({
        "id": "b", "text": TEXT_B, "date": "2015-09-02",
        "records": [
            {"type": "Quote", "start": 1, "end": 11, "fields": {}},
            {"type": "Date", "start": 7, "end": 11, "fields": {"value": {"value": "1840-05"}}},
            {"type": "Date", "start": 21, "end": 25, "fields": {"value": {"value": "2015-09-01"}}},
            {"type": "Date", "start": 36, "end": 50},
            {"type": "Role", "start": 52, "end": 70,
             "fields": {"person": {"start": 52, "end": 63}, "role": {"start": 65, "end": 70}}},
            {"type": "Role", "start": 65, "end": 82,
             "fields": {"person": {"start": 78, "end": 82}, "role": {"start": 65, "end": 70}}},
        ]
    });
    format!("{a}\n\n{b}\n")
}

struct Setup {
    _dir: tempfile::TempDir,
    gold: PathBuf,
    rules: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let gold = dir.path().join("gold.jsonl");
        let rules = dir.path().join("tiny.rules");
        std::fs::write(&gold, gold_lines()).unwrap();
        std::fs::write(&rules, RULES).unwrap();
        Setup {
            _dir: dir,
            gold,
            rules,
        }
    }

    fn eval(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "eval",
            "--gold",
            self.gold.to_str().unwrap(),
            "--rules",
            self.rules.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        gleaner(&args)
    }

    fn json(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let out = self.eval(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn prf(v: &Value) -> (f64, f64, f64) {
    (
        v["p"].as_f64().unwrap(),
        v["r"].as_f64().unwrap(),
        v["f1"].as_f64().unwrap(),
    )
}

#[test]
fn offset_converter_on_multi_byte_text() {
    let map = CharOffsets::new(TEXT_A);
    // "1898" is at chars 43..47, bytes 51..55.
    let bytes = TEXT_A.find("1898").unwrap();
    assert_eq!(bytes, 51);
    assert_eq!(map.to_char(bytes), 43);
    assert_eq!(map.to_char(bytes + 4), 47);
    assert_eq!(map.to_byte(43), 51);
    assert_eq!(map.char_len(), 48);
    assert_eq!(map.to_char(TEXT_A.len()), 48);
    for (b, _) in TEXT_B.char_indices() {
        assert_eq!(
            CharOffsets::new(TEXT_B).to_char(b),
            TEXT_B[..b].chars().count()
        );
    }
}

#[test]
fn json_scores_by_span() {
    let s = Setup::new();
    let j = s.json(&[]);
    assert_eq!(j["documents"], 2);
    let types = j["types"].as_object().unwrap();
    assert_eq!(
        types.keys().collect::<Vec<_>>(),
        ["Date", "Quote", "Role"],
        "the gold's types, sorted"
    );

    let date = &j["types"]["Date"];
    assert_eq!(
        (date["gold"].as_u64(), date["system"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(date["strict"]["matched"], 2);
    assert_eq!(
        date["relaxed"]["matched"], 3,
        "one-to-one: 1840 pairs, 1902 does not"
    );
    assert_eq!(prf(&date["strict"]), (0.5, 0.5, 0.5));
    assert_eq!(prf(&date["relaxed"]), (0.75, 0.75, 0.75));
    assert_eq!(
        date["fields"]["value"],
        serde_json::json!({"pairs": 2, "correct": 1, "accuracy": 0.5,
                           "p": 0.25, "r": 0.3333, "f1": 0.2857})
    );

    let quote = &j["types"]["Quote"];
    assert_eq!(prf(&quote["strict"]), (0.5, 0.5, 0.5));
    assert_eq!(prf(&quote["relaxed"]), (1.0, 1.0, 1.0));
    assert_eq!(quote["fields"], serde_json::json!({}));

    let role = &j["types"]["Role"];
    assert_eq!(role.get("pair"), None);
    assert_eq!(prf(&role["strict"]), (0.3333, 0.3333, 0.3333));
    assert_eq!(prf(&role["relaxed"]), (1.0, 1.0, 1.0));
    assert_eq!(
        role["fields"],
        serde_json::json!({
            "person": {"pairs": 3, "strict": 1.0, "relaxed": 1.0},
            "role": {"pairs": 3, "strict": 0.6667, "relaxed": 0.6667},
        })
    );
}

#[test]
fn json_scores_paired_by_fields() {
    let s = Setup::new();
    let j = s.json(&["--pair", "Role:person,role", "--types", "Role"]);
    assert_eq!(
        j["types"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["Role"]
    );
    let role = &j["types"]["Role"];
    assert_eq!(role["pair"], serde_json::json!(["person", "role"]));
    // Zola (the record spans differ, person and role do not) and Dupont pair
    // strictly; `maire, salue Paul` pairs with nothing: its role does not overlap.
    assert_eq!(role["strict"]["matched"], 2);
    assert_eq!(role["relaxed"]["matched"], 2);
    assert_eq!(prf(&role["strict"]), (0.6667, 0.6667, 0.6667));
    assert_eq!(prf(&role["relaxed"]), (0.6667, 0.6667, 0.6667));
    assert_eq!(
        role["fields"],
        serde_json::json!({
            "person": {"pairs": 2, "strict": 1.0, "relaxed": 1.0},
            "role": {"pairs": 2, "strict": 1.0, "relaxed": 1.0},
        })
    );
}

#[test]
fn table_output() {
    let s = Setup::new();
    let out = s.eval(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "\
TYPE   GOLD  SYSTEM  STRICT P      R     F1  RELAXED P      R     F1
Date      4       4     0.500  0.500  0.500      0.750  0.750  0.750
Quote     2       2     0.500  0.500  0.500      1.000  1.000  1.000
Role      3       3     0.333  0.333  0.333      1.000  1.000  1.000

FIELD        PAIRS  STRICT  RELAXED  ACCURACY  VALUE P      R     F1
Date.value       2       -        -     0.500    0.250  0.333  0.286
Role.person      3   1.000    1.000         -        -      -      -
Role.role        3   0.667    0.667         -        -      -      -

2 documents; pairs by span; strict: equal, relaxed: overlapping
"
    );
}

#[test]
fn errors_in_context() {
    let s = Setup::new();
    let out = s.eval(&["--errors", "--pair", "Role:person,role"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let errors = &text[text.find("errors:").unwrap()..];
    assert_eq!(
        errors,
        "\
errors: 2 misses, 2 false alarms, 2 boundary and 1 value mismatches

== b
  boundary     Quote       1..11  \"Né en 1840\"  system 0..12 \"“Né en 1840”\"  (tiny.rules:quote)
      “[Né en 1840]”, dit-il hier. Il vécut de 1840 à 1902.…
  value        Date.value  7..11  \"1840\"  gold \"1840-05\"  system \"1840\"  (tiny.rules:year)
      “Né en [1840]”, dit-il hier. Il vécut de 1840 à 1902.…
  miss         Date        21..25  \"hier\"
      “Né en 1840”, dit-il [hier]. Il vécut de 1840 à 1902. Jean Dupont, …
  boundary     Date        36..50  \"de 1840 à 1902\"  system 39..43 \"1840\"  (tiny.rules:year)
      “Né en 1840”, dit-il hier. Il vécut [de 1840 à 1902]. Jean Dupont, maire, salue Paul, juge.
  false alarm  Date        46..50  \"1902\"  (tiny.rules:year)
      … 1840”, dit-il hier. Il vécut de 1840 à [1902]. Jean Dupont, maire, salue Paul, juge.
  miss         Role        65..82  \"maire, salue Paul\"
      …. Il vécut de 1840 à 1902. Jean Dupont, [maire, salue Paul], juge.
  false alarm  Role        78..88  \"Paul, juge\"  (tiny.rules:role)
      … 1840 à 1902. Jean Dupont, maire, salue [Paul, juge].
"
    );
    // Paired by span instead, Zola's record is a boundary error (the gold
    // takes the comma) and `maire, salue Paul` pairs with `Paul, juge`.
    let out = s.eval(&["--errors", "--types", "Role"]);
    let text = stdout(&out);
    assert!(
        text.contains("\n== a\n  boundary     Role  0..21  \"Émile Zola, écrivain,\"  system 0..20 \"Émile Zola, écrivain\"  (tiny.rules:role)\n      [Émile Zola, écrivain,] publie “J’accuse” en 1898.\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  boundary     Role  65..82  \"maire, salue Paul\"  system 78..88 \"Paul, juge\"  (tiny.rules:role)\n"),
        "{text}"
    );
    assert!(
        text.contains("errors: 0 misses, 0 false alarms, 2 boundary and 0 value mismatches\n"),
        "{text}"
    );
}

#[test]
fn library_and_binary_agree() {
    let program = gleaner::Program::from_source("tiny.rules", RULES).unwrap();
    let gold: Vec<_> = gold_lines()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| parse_gold_line(l, "x").unwrap())
        .collect();
    let eval = evaluate(&program, &gold, &Options::default());
    let date = &eval.types["Date"];
    assert_eq!(
        (date.gold, date.system, date.strict, date.relaxed),
        (4, 4, 2, 3)
    );
    let s = Setup::new();
    let out = s.eval(&["--format", "json"]);
    assert_eq!(stdout(&out), eval.to_json(false));
}

#[test]
fn run_with_char_offsets() {
    let s = Setup::new();
    let input = s.gold.to_str().unwrap();
    let rules = s.rules.to_str().unwrap();
    let run = |offsets: &str| {
        let out = gleaner(&[
            "run",
            "--rules",
            rules,
            "--offsets",
            offsets,
            "-f",
            "jsonl",
            input,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let spans = |records: &[Value]| {
        records
            .iter()
            .map(|r| {
                let fields: Vec<(String, u64, u64)> = r["fields"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, f)| {
                        (
                            k.clone(),
                            f["start"].as_u64().unwrap(),
                            f["end"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                (
                    format!(
                        "{}:{}",
                        r["doc"].as_str().unwrap(),
                        r["type"].as_str().unwrap()
                    ),
                    r["start"].as_u64().unwrap(),
                    r["end"].as_u64().unwrap(),
                    fields,
                )
            })
            .collect::<Vec<_>>()
    };
    let f = |k: &str, s: u64, e: u64| (k.to_string(), s, e);
    // Python: TEXT_A.index("1898") == 43, and so on.
    assert_eq!(
        spans(&run("chars")),
        vec![
            (
                "a:Role".into(),
                0,
                20,
                vec![f("person", 0, 10), f("role", 12, 20)]
            ),
            ("a:Quote".into(), 29, 39, vec![f("body", 29, 39)]),
            ("a:Date".into(), 43, 47, vec![f("value", 43, 47)]),
            ("b:Quote".into(), 0, 12, vec![f("body", 0, 12)]),
            ("b:Date".into(), 7, 11, vec![f("value", 7, 11)]),
            ("b:Date".into(), 39, 43, vec![f("value", 39, 43)]),
            ("b:Date".into(), 46, 50, vec![f("value", 46, 50)]),
            (
                "b:Role".into(),
                52,
                70,
                vec![f("person", 52, 63), f("role", 65, 70)]
            ),
            (
                "b:Role".into(),
                78,
                88,
                vec![f("person", 78, 82), f("role", 84, 88)]
            ),
        ]
    );
    // Bytes stay the default.
    let bytes = run("bytes");
    assert_eq!(spans(&bytes)[2].1, 51);
    let default = gleaner(&["run", "--rules", rules, "-f", "jsonl", input]);
    let third: Value = serde_json::from_str(stdout(&default).lines().nth(2).unwrap()).unwrap();
    assert_eq!(third, bytes[2]);
    // The table shows char spans too.
    let out = gleaner(&["run", "--rules", rules, "--offsets", "chars", input]);
    assert!(
        stdout(&out).contains("a    Date   43..47"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_gold_is_reported_with_its_line() {
    let s = Setup::new();
    let mut text = gold_lines();
    text.push_str("{\"id\": \"c\", \"text\": \"abc\", \"records\": [{\"type\": \"Date\", \"start\": 2, \"end\": 9}]}\nnot json\n");
    std::fs::write(&s.gold, text).unwrap();
    let out = s.eval(&[]);
    assert_eq!(out.status.code(), Some(1));
    let gold = s.gold.display().to_string();
    assert_eq!(
        stderr(&out),
        format!(
            "error: {gold}:4: record 1: end 9 is past the end of the text (3 chars)\n\
             error: {gold}:5: not JSON: expected ident at line 1 column 2\n\
             error: 2 lines of {gold} could not be read (see above); the other 2 documents were scored\n"
        )
    );
    // The good documents are still scored.
    assert!(stdout(&out).starts_with("TYPE "), "{}", stdout(&out));
}

#[test]
fn unreadable_gold_and_bad_rules_exit_1() {
    let s = Setup::new();
    let out = gleaner(&["eval", "--gold", "no/such/gold.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: no/such/gold.jsonl: "),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        &s.rules,
        "record R(x)\nrule r { match <x:Nmae> emit R { x } }\n",
    )
    .unwrap();
    let out = s.eval(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("gleaner::unknown-name"),
        "{}",
        stderr(&out)
    );
    // Usage errors exit 2.
    assert_eq!(gleaner(&["eval"]).status.code(), Some(2));
    let s = Setup::new();
    assert_eq!(s.eval(&["--pair", "Role"]).status.code(), Some(2));
}

#[test]
fn unknown_types_are_warned_about() {
    let s = Setup::new();
    let out = s.eval(&["--types", "Dat,Quote", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "warning: type `Dat` is not scored: no gold record has it (did you mean `Date`?)\n"
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j["types"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["Quote"]
    );
}

// ---------------------------------------------------------------------------
// The bundled rules on the dev gold.

const DEV_GOLD: &str = "tests/gold/gum_dev.jsonl";

/// MIN_SCORES: the scores of the bundled rules on `tests/gold/gum_dev.jsonl`
/// (`gleaner eval --gold tests/gold/gum_dev.jsonl --pair PersonRole:person,role`),
/// each the value last observed minus 0.01 (not below 0). A rule change that
/// lowers one fails here; raise them as the rules improve.
///
/// (type, strict F1, relaxed F1)
const MIN_SCORES: &[(&str, f64, f64)] = &[
    ("Date", 0.87, 0.91),
    ("PersonRole", 0.18, 0.67),
    ("Quote", 0.52, 0.67),
];

/// MIN_VALUE_SCORES: value F1 (TempEval-3) of value fields, observed minus 0.01.
///
/// (type, field, value F1)
const MIN_VALUE_SCORES: &[(&str, &str, f64)] = &[("Date", "value", 0.81)];

#[test]
fn bundled_rules_on_dev_gold() {
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(DEV_GOLD)
            .exists()
    );
    let out = gleaner(&[
        "eval",
        "--gold",
        DEV_GOLD,
        "--pair",
        "PersonRole:person,role",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["documents"], 43);
    let types = j["types"].as_object().unwrap();
    assert_eq!(
        types.keys().collect::<Vec<_>>(),
        ["Date", "PersonRole", "Quote"]
    );
    assert_eq!(
        (
            types["Date"]["gold"].as_u64(),
            types["PersonRole"]["gold"].as_u64(),
            types["Quote"]["gold"].as_u64()
        ),
        (Some(291), Some(54), Some(97))
    );
    for &(kind, strict, relaxed) in MIN_SCORES {
        let t = &types[kind];
        let (s, r) = (
            t["strict"]["f1"].as_f64().unwrap(),
            t["relaxed"]["f1"].as_f64().unwrap(),
        );
        assert!(
            s >= strict && r >= relaxed,
            "{kind}: strict F1 {s} (at least {strict}), relaxed F1 {r} (at least {relaxed})"
        );
    }
    for &(kind, field, min) in MIN_VALUE_SCORES {
        let f1 = types[kind]["fields"][field]["f1"].as_f64().unwrap();
        assert!(f1 >= min, "{kind}.{field}: value F1 {f1} (at least {min})");
    }
}

/// `eval --jobs`: the documents run in parallel, the scores and errors are
/// the same for any number of threads.
#[test]
fn eval_is_the_same_on_one_and_two_threads() {
    let run = |jobs: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_gleaner"))
            .args(["eval", "-j", jobs, "--errors", "--format", "json"])
            .args(["--gold", "tests/gold/gum_dev.jsonl"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("gleaner runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    assert_eq!(run("1"), run("2"));
}
