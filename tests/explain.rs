//! `gleaner explain`, end to end: exact output on real text with the bundled
//! rules, the JSON trace, every kind of reason on small rules, usage errors; and
//! the tracer agreeing with the engine on what each rule finds.

mod common;

use common::{gleaner, stderr, stdout};
use std::path::Path;

const SEED: &str = "tests/fixtures/000_tehran_moscow_security_agreement.txt";
const NEW_ZEALAND: &str =
    "tests/fixtures/008_wikinews_new_zealand_begins_process_to_consider_ch.txt";

/// Runs `gleaner explain ARGS…`; expects success and returns standard output.
fn explain(args: &[&str]) -> String {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let out = gleaner(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    stdout(&out)
}

/// Small rules that give every kind of reason.
const RULES: &str = r#"record P(x)
record Q(x)
lexicon Title = "prime minister", president
rule name { match <x:Cap Cap> emit P { x } }
rule said_name { match "said" <x:@P> $ emit Q { x } }
rule titled { match <x:Title> Cap{1,2} "said" emit Q { x } }
rule code { match /^[A-Z]+$/ (Num & !"2011") emit Q { x: "code" } }
"#;

fn small_rules(dir: &Path) -> String {
    let path = dir.join("t.rules");
    std::fs::write(&path, RULES).unwrap();
    path.to_str().unwrap().to_string()
}

/// Two matches in one sentence of the seed, each token with the part of the
/// pattern that took it, the captures, and the record kept.
#[test]
fn seed_matches_show_their_tokens_captures_and_records() {
    let out = explain(&["--rule", "role_premodifier", "--file", SEED, "--at", "1990"]);
    assert_eq!(
        out,
        r#"rule role_premodifier (news/roles.rules:229:6), priority 1, within sentence, emits PersonRole
text 000_tehran_moscow_security_agreement, sentence 14 of 15 (bytes 1976..2087), chosen by --at 1990
17 start tokens tried; 6 matches (2 kept, 4 inside the rule's own matches); shown: the matches `run` looked for; no attempt outside the matches took a token; --all shows every start

match from "Russian" (token 342, 1988..1995): "Russian Foreign Minister Sergei Lavrov" at 1988..2026
  kept, as the record
    PersonRole 1988..2026 "Russian Foreign Minister Sergei Lavrov"
      person  2013..2026  "Sergei Lavrov"
      role    1996..2012  "Foreign Minister"
      org     1988..1995  "Russian" => "Russia"
  took:
    "Russian" 1988..1995   <org> › TitleOrg › Nationality                         news/roles.rules:213:20
    "Foreign" 1996..2003   <role> › Title › Role › RoleMod                        news/names.rules:181:16
    "Minister" 2004..2012  <role> › Title › Role › RoleHead                       news/names.rules:181:29
    "Sergei" 2013..2019    <person> › FullName › PersonName › Given               news/names.rules:76:17
    "Lavrov" 2020..2026    <person> › FullName › PersonName › Surname › NameWord  news/names.rules:59:20
  captures:
    org     1988..1995  "Russian"
    role    1996..2012  "Foreign Minister"
    person  2013..2026  "Sergei Lavrov"
  in the text (^ the match):
    He met with Russian Foreign Minister Sergei Lavrov and Russia’s Security…
                ^^^^^^^ ^^^^^^^ ^^^^^^^^ ^^^^^^ ^^^^^^

match from "Russia" (token 348, 2031..2037): "Russia’s Security Council Secretary Nikolai Patrushev" at 2031..2086
  kept, as the record
    PersonRole 2031..2086 "Russia’s Security Council Secretary Nikolai Patrushev"
      person  2069..2086  "Nikolai Patrushev"
      role    2059..2068  "Secretary"
      org     2031..2058  "Russia’s Security Council"
  took:
    "Russia" 2031..2037     <org> › TitleOrg › CountryName › Country                  news/names.rules:171:23
    "’s" 2037..2041         <org> › TitleOrg › "’s"                                   news/roles.rules:213:99
    "Security" 2042..2050   <org> › TitleOrg › OrgName › OrgHeadWord & !NotOrgBefore  news/names.rules:129:71
    "Council" 2051..2058    <org> › TitleOrg › OrgName › OrgNounTail › OrgNounHead    news/names.rules:136:60
    "Secretary" 2059..2068  <role> › Title › Role › RoleHead                          news/names.rules:181:29
    "Nikolai" 2069..2076    <person> › FullName › PersonName › Given                  news/names.rules:76:17
    "Patrushev" 2077..2086  <person> › FullName › PersonName › Surname › NameWord     news/names.rules:59:20
  captures:
    org     2031..2058  "Russia’s Security Council"
    role    2059..2068  "Secretary"
    person  2069..2086  "Nikolai Patrushev"
  in the text (^ the match):
    …Minister Sergei Lavrov and Russia’s Security Council Secretary Nikolai Patrushev.
                                ^^^^^^^^ ^^^^^^^^ ^^^^^^^ ^^^^^^^^^ ^^^^^^^ ^^^^^^^^^
"#
    );
}

/// A near miss in the seed: where it stopped, and why each way through the
/// pattern failed there (here a repetition at its bound), marked in the text
/// and in the rule; and the prefilter that skips the sentence.
#[test]
fn seed_near_miss_shows_the_failing_parts_and_why() {
    let out = explain(&["--rule", "role_premodifier", "--file", SEED, "--at", "1370"]);
    assert_eq!(
        out,
        r#"rule role_premodifier (news/roles.rules:229:6), priority 1, within sentence, emits PersonRole
text 000_tehran_moscow_security_agreement, sentence 9 of 15 (bytes 1305..1403), chosen by --at 1370
19 start tokens tried; no match; shown: the attempt from the --at token, the attempt without a match that got furthest (3 tokens); --all shows every start

prefilter: this sentence holds none of the words the rule needs ("second", "president", "vice", "president-elect", "prime", "minister", "premier", "chancellor", … (354 in all)), so `run` skips the rule here
no match from "the" (token 226, 1370..1373): took 3 tokens, stopped at "proposal" (1385..1393)
  took:
    "the" 1370..1373                  "the"                              news/roles.rules:231:11
    "Russia’s" 1374..1384 (2 tokens)  <role> › RolePre & !/^\p{Ll}+ed$/  news/roles.rules:231:24
  why each way through the pattern stopped there:
    <role> › (RolePre & !/^\p{Ll}+ed$/){0,2}  takes at most 2, and "proposal" would be one more  news/roles.rules:231:23
    <role> › Title › Role › RoleMod           "proposal" starts no entry of RoleMod              news/names.rules:181:16
    <role> › Title › Role › RoleHead          "proposal" starts no entry of RoleHead             news/names.rules:181:29
    <role> › PersonNoun                       "proposal" starts no entry of PersonNoun           news/roles.rules:231:64
  in the text (^ taken, ! where it stopped):
    …various dimensions of the Russia’s proposal, he said.
                           ^^^ ^^^^^^^^ !!!!!!!!
  in the rule (news/roles.rules, ^ where the ways stopped):
    231 |         | "the" <role:(RolePre & !/^\p{Ll}+ed$/){0,2} (Title | PersonNoun)> <person:FullName>
        |                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^  ^^^^^   ^^^^^^^^^^

no match from "Russia" (token 227, 1374..1380): took 3 tokens, stopped at "," (1393..1394)
  took:
    "Russia" 1374..1380                  <org> › TitleOrg › CountryName › Country  news/names.rules:171:23
    "’s proposal" 1380..1393 (2 tokens)  <role> › RolePre                          news/roles.rules:36:19
  why each way through the pattern stopped there:
    <role> › PersonNoun  "," starts no entry of PersonNoun  news/roles.rules:230:60
  in the text (^ taken, ! where it stopped):
    …various dimensions of the Russia’s proposal, he said.
                               ^^^^^^^^ ^^^^^^^^!
  in the rule (news/roles.rules, ^ where the ways stopped):
    230 |     match <org:TitleOrg> "the"? <role:Title | RolePre{0,2} PersonNoun ("and" (RoleHeadWord | RolePre PersonNoun))?> <person:FullName>
        |                                                            ^^^^^^^^^^
"#
    );
}

/// A match whose record another rule's record beats in overlap resolution.
#[test]
fn overlap_loss_names_the_winner_and_the_tie_break() {
    let out = explain(&[
        "--rule",
        "role_premodifier",
        "--file",
        NEW_ZEALAND,
        "--at",
        "1347",
    ]);
    assert_eq!(
        out,
        r#"rule role_premodifier (news/roles.rules:229:6), priority 1, within sentence, emits PersonRole
text 008_wikinews_new_zealand_begins_process_to_consider_ch, sentence 10 of 16 (bytes 1347..1452), chosen by --at 1347
21 start tokens tried; 4 matches (0 kept, 1 lost to other rules, 3 inside the rule's own matches); shown: the match `run` looked for, the attempt without a match that got furthest (2 tokens); --all shows every start

match from "New" (token 258, 1347..1350): "New Zealand's Prime Minister John Key" at 1347..1384
  lost: rule role_possessive (priority 2) has the PersonRole "New Zealand's Prime Minister John Key" at 1347..1384, which overlaps it and wins on priority (2 > 1)
  took:
    "New Zealand" 1347..1358 (2 tokens)  <org> › TitleOrg › CountryName › Country               news/names.rules:171:23
    "'s" 1358..1360                      <org> › TitleOrg › "’s"                                news/roles.rules:213:99
    "Prime" 1361..1366                   <org> › TitleOrg › OrgWord                             news/names.rules:101:19
    "Minister" 1367..1375                <role> › Title › Role › RoleHead                       news/names.rules:181:29
    "John" 1376..1380                    <person> › FullName › PersonName › Given               news/names.rules:76:17
    "Key" 1381..1384                     <person> › FullName › PersonName › Surname › NameWord  news/names.rules:59:20
  captures:
    org     1347..1366  "New Zealand's Prime"
    role    1367..1375  "Minister"
    person  1376..1384  "John Key"
  in the text (^ the match):
    New Zealand's Prime Minister John Key said he believes redesigning…
    ^^^ ^^^^^^^^^ ^^^^^ ^^^^^^^^ ^^^^ ^^^

no match from "the" (token 269, 1414..1417): took 2 tokens, stopped at "now" (1423..1426)
  took:
    "the" 1414..1417   "the"                              news/roles.rules:231:11
    "flag" 1418..1422  <role> › RolePre & !/^\p{Ll}+ed$/  news/roles.rules:231:24
  why each way through the pattern stopped there:
    <role> › RolePre & !/^\p{Ll}+ed$/  "now" is an entry of RoleStop, ruled out by !RoleStop  news/roles.rules:231:24
    <role> › Title › Role › RoleMod    "now" starts no entry of RoleMod                       news/names.rules:181:16
    <role> › Title › Role › RoleHead   "now" starts no entry of RoleHead                      news/names.rules:181:29
    <role> › PersonNoun                "now" starts no entry of PersonNoun                    news/roles.rules:231:64
  in the text (^ taken, ! where it stopped):
    …said he believes redesigning the flag now has a "strong rationale".
                                  ^^^ ^^^^ !!!
  in the rule (news/roles.rules, ^ where the ways stopped):
    231 |         | "the" <role:(RolePre & !/^\p{Ll}+ed$/){0,2} (Title | PersonNoun)> <person:FullName>
        |                        ^^^^^^^^^^^^^^^^^^^^^^^^        ^^^^^   ^^^^^^^^^^
"#
    );
}

/// The same trace as data: the match, its captures and record, each token with
/// the part of the pattern that took it.
#[test]
fn json_trace_of_a_match() {
    let out = explain(&[
        "--rule",
        "role_premodifier",
        "--file",
        SEED,
        "--at",
        "1990",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["rule"],
        serde_json::json!({
            "name": "role_premodifier",
            "id": "news/roles.rules:role_premodifier",
            "file": "news/roles.rules",
            "line": 229,
            "column": 6,
            "priority": 1,
            "within": "sentence",
            "emits": "PersonRole",
            "prefilter": {
                "kind": "words",
                "requires": ["second", "president", "vice", "president-elect", "prime", "minister", "premier", "chancellor"],
                "count": 354
            }
        })
    );
    assert_eq!(v["doc"], "000_tehran_moscow_security_agreement");
    assert_eq!(v["at"]["offset"], 1990);
    assert_eq!(v["at"]["sentence"]["start"], 1976);
    assert_eq!(v["at"]["sentence"]["end"], 2087);
    let counts: Vec<&serde_json::Value> = [
        "starts",
        "matches",
        "kept",
        "lost",
        "inside_own_match",
        "furthest_without_match",
        "not_shown",
    ]
    .iter()
    .map(|k| &v[*k])
    .collect();
    assert_eq!(counts, [17, 6, 2, 0, 4, 0, 0]);
    let attempts = v["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    let a = &attempts[0];
    assert_eq!(
        a["start"],
        serde_json::json!({"token": 342, "text": "Russian", "start": 1988, "end": 1995})
    );
    assert_eq!(
        a["window"],
        serde_json::json!({"kind": "sentence", "start": 1976, "end": 2087, "prefilter_passes": true})
    );
    assert_eq!(a["outcome"], "match");
    assert_eq!(a["taken"], 5);
    let took: Vec<(String, String, String)> = a["took"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let e = &t["element"];
            let path: Vec<&str> = e["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            (
                t["token"]["text"].as_str().unwrap().to_string(),
                path.join(" › "),
                format!(
                    "{}:{}:{} in rule {}",
                    e["file"].as_str().unwrap(),
                    e["line"],
                    e["column"],
                    e["in_rule"]["source"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let want = |t: &str, p: &str, at: &str| (t.to_string(), p.to_string(), at.to_string());
    assert_eq!(
        took,
        [
            want(
                "Russian",
                "<org> › TitleOrg › Nationality",
                "news/roles.rules:213:20 in rule TitleOrg"
            ),
            want(
                "Foreign",
                "<role> › Title › Role › RoleMod",
                "news/names.rules:181:16 in rule Title"
            ),
            want(
                "Minister",
                "<role> › Title › Role › RoleHead",
                "news/names.rules:181:29 in rule Title"
            ),
            want(
                "Sergei",
                "<person> › FullName › PersonName › Given",
                "news/names.rules:76:17 in rule FullName"
            ),
            want(
                "Lavrov",
                "<person> › FullName › PersonName › Surname › NameWord",
                "news/names.rules:59:20 in rule FullName"
            ),
        ]
    );
    let m = &a["match"];
    assert_eq!(
        m["span"],
        serde_json::json!({"text": "Russian Foreign Minister Sergei Lavrov", "start": 1988, "end": 2026})
    );
    assert_eq!(
        m["captures"],
        serde_json::json!([
            {"name": "org", "text": "Russian", "start": 1988, "end": 1995},
            {"name": "role", "text": "Foreign Minister", "start": 1996, "end": 2012},
            {"name": "person", "text": "Sergei Lavrov", "start": 2013, "end": 2026}
        ])
    );
    assert_eq!(m["status"], "kept");
    assert_eq!(m["record"]["rule"], "news/roles.rules:role_premodifier");
    assert_eq!(m["record"]["fields"]["org"]["value"], "Russia");
    assert!(m.get("lost_to").is_none() && a.get("failures").is_none());
}

/// A near miss as data: where it stopped and each reason, with its kind.
#[test]
fn json_trace_of_a_near_miss() {
    let out = explain(&[
        "--rule",
        "role_premodifier",
        "--file",
        SEED,
        "--at",
        "1370",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let a = &v["attempts"][0];
    assert_eq!(a["outcome"], "no-match");
    assert_eq!(a["window"]["prefilter_passes"], false);
    assert_eq!(a["taken"], 3);
    assert_eq!(
        a["stopped_at"],
        serde_json::json!({"token": {"token": 229, "text": "proposal", "start": 1385, "end": 1393}, "end_of": null})
    );
    let failures: Vec<(String, serde_json::Value, String)> = a["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path: Vec<&str> = f["element"]["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            (
                path.join(" › "),
                f["reason"].clone(),
                f["element"]["in_rule"]["source"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let want = |p: &str, r: serde_json::Value, part: &str| (p.to_string(), r, part.to_string());
    assert_eq!(
        failures,
        [
            want(
                r"<role> › (RolePre & !/^\p{Ll}+ed$/){0,2}",
                serde_json::json!({"kind": "quantifier-bound", "message": "takes at most 2, and \"proposal\" would be one more", "max": 2}),
                r"(RolePre & !/^\p{Ll}+ed$/){0,2}",
            ),
            want(
                "<role> › Title › Role › RoleMod",
                serde_json::json!({"kind": "lexicon", "message": "\"proposal\" starts no entry of RoleMod", "lexicon": "RoleMod"}),
                "Title",
            ),
            want(
                "<role> › Title › Role › RoleHead",
                serde_json::json!({"kind": "lexicon", "message": "\"proposal\" starts no entry of RoleHead", "lexicon": "RoleHead"}),
                "Title",
            ),
            want(
                "<role> › PersonNoun",
                serde_json::json!({"kind": "lexicon", "message": "\"proposal\" starts no entry of PersonNoun", "lexicon": "PersonNoun"}),
                "PersonNoun",
            ),
        ]
    );
}

/// A `$` that fails, and a `@T` with no record where the pattern needs one.
#[test]
fn sentence_end_and_missing_record() {
    let dir = tempfile::tempdir().unwrap();
    let rules = small_rules(dir.path());
    let text = "Then said Ali Baqeri and left. He said bob.";
    let out = explain(&["--rules", &rules, "--rule", "said_name", text]);
    assert_eq!(
        out,
        r#"rule said_name (t.rules:5:6), priority 0, within sentence, emits Q
text text, all 2 sentences (43 bytes)
11 start tokens tried; no match; shown: the attempt without a match that got furthest (3 tokens); --all shows every start

no match from "said" (token 1, 5..9): took 3 tokens, stopped at "and" (21..24)
  took:
    "said" 5..9                     "said"    t.rules:5:24
    "Ali Baqeri" 10..20 (2 tokens)  <x> › @P  t.rules:5:34
  why each way through the pattern stopped there:
    $  `$` wants a sentence end, but the sentence goes on with "and"  t.rules:5:38
  in the text (^ taken, ! where it stopped):
    Then said Ali Baqeri and left.
         ^^^^ ^^^ ^^^^^^ !!!
  in the rule (t.rules, ^ where the ways stopped):
    5 | rule said_name { match "said" <x:@P> $ emit Q { x } }
      |                                      ^
"#
    );
    let out = explain(&["--rules", &rules, "--rule", "said_name", "--at", "35", text]);
    assert_eq!(
        out,
        r#"rule said_name (t.rules:5:6), priority 0, within sentence, emits Q
text text, sentence 2 of 2 (bytes 31..43), chosen by --at 35
4 start tokens tried; no match; shown: the attempt from the --at token; --all shows every start

no match from "said" (token 8, 34..38): took 1 token, stopped at "bob" (39..42)
  took:
    "said" 34..38  "said"  t.rules:5:24
  why each way through the pattern stopped there:
    <x> › @P  no P record starts at "bob" (there is no P record in this sentence)  t.rules:5:34
  in the text (^ taken, ! where it stopped):
    He said bob.
       ^^^^ !!!
  in the rule (t.rules, ^ where the ways stopped):
    5 | rule said_name { match "said" <x:@P> $ emit Q { x } }
      |                                  ^^
"#
    );
}

/// The end of a sentence (a line ends it) and of the text, a lexicon entry
/// begun but not finished, a repetition at its bound.
#[test]
fn window_end_unfinished_entry_and_quantifier_bound() {
    let dir = tempfile::tempdir().unwrap();
    let rules = small_rules(dir.path());
    let text = "The prime minister Ali\nThen the prime";
    let out = explain(&["--rules", &rules, "--rule", "titled", text]);
    assert_eq!(
        out,
        r#"rule titled (t.rules:6:6), priority 0, within sentence, emits Q
text text, all 2 sentences (37 bytes)
7 start tokens tried; no match; shown: the attempt without a match that got furthest (3 tokens); --all shows every start

prefilter: this sentence holds none of the words the rule needs ("said"), so `run` skips the rule here
no match from "prime" (token 1, 4..9): took 3 tokens, stopped at the end of the sentence
  took:
    "prime minister" 4..18 (2 tokens)  <x> › Title  t.rules:6:24
    "Ali" 19..22                       Cap          t.rules:6:31
  why each way through the pattern stopped there:
    Cap     the sentence ends here, and the rule matches within one sentence  t.rules:6:31
    "said"  the sentence ends here, and the rule matches within one sentence  t.rules:6:40
  in the text (^ taken, ! where it stopped):
    The prime minister Ali
        ^^^^^ ^^^^^^^^ ^^^! the sentence ends
  in the rule (t.rules, ^ where the ways stopped):
    6 | rule titled { match <x:Title> Cap{1,2} "said" emit Q { x } }
      |                               ^^^      ^^^^^^
"#
    );
    let out = explain(&["--rules", &rules, "--rule", "titled", "--at", "33", text]);
    assert_eq!(
        out,
        r#"rule titled (t.rules:6:6), priority 0, within sentence, emits Q
text text, sentence 2 of 2 (bytes 23..37), chosen by --at 33
3 start tokens tried; no match; shown: the attempt from the --at token; --all shows every start

prefilter: this sentence holds none of the words the rule needs ("said"), so `run` skips the rule here
no match from "prime" (token 6, 32..37): took 1 token, stopped at the end of the text
  took:
    "prime" 32..37  <x> › Title  t.rules:6:24
  why each way through the pattern stopped there:
    <x> › Title  "prime" is only the start of entries of Title, and the text ends  t.rules:6:24
  in the text (^ taken, ! where it stopped):
    Then the prime
             ^^^^^! the text ends
  in the rule (t.rules, ^ where the ways stopped):
    6 | rule titled { match <x:Title> Cap{1,2} "said" emit Q { x } }
      |                        ^^^^^
"#
    );
    let out = explain(&[
        "--rules",
        &rules,
        "--rule",
        "titled",
        "The prime minister Ali Reza Baqeri said so.",
    ]);
    assert_eq!(
        out,
        r#"rule titled (t.rules:6:6), priority 0, within sentence, emits Q
text text, all 1 sentence (43 bytes)
9 start tokens tried; no match; shown: the attempt without a match that got furthest (4 tokens); --all shows every start

no match from "prime" (token 1, 4..9): took 4 tokens, stopped at "Baqeri" (28..34)
  took:
    "prime minister" 4..18 (2 tokens)  <x> › Title  t.rules:6:24
    "Ali Reza" 19..27 (2 tokens)       Cap          t.rules:6:31
  why each way through the pattern stopped there:
    Cap{1,2}  takes at most 2, and "Baqeri" would be one more  t.rules:6:31
    "said"    expected "said", found "Baqeri"                  t.rules:6:40
  in the text (^ taken, ! where it stopped):
    The prime minister Ali Reza Baqeri said so.
        ^^^^^ ^^^^^^^^ ^^^ ^^^^ !!!!!!
  in the rule (t.rules, ^ where the ways stopped):
    6 | rule titled { match <x:Title> Cap{1,2} "said" emit Q { x } }
      |                               ^^^^^^^^ ^^^^^^
"#
    );
}

/// A regex, a class, a word a `!` rules out; a match with a constant field.
#[test]
fn regex_class_and_excluded_word() {
    let dir = tempfile::tempdir().unwrap();
    let rules = small_rules(dir.path());
    let out = explain(&[
        "--rules",
        &rules,
        "--rule",
        "code",
        "NATO 2011 and UN 2012 and EU x.",
    ]);
    assert_eq!(
        out,
        r#"rule code (t.rules:7:6), priority 0, within sentence, emits Q
text text, all 1 sentence (31 bytes)
9 start tokens tried; 1 match (1 kept); shown: the match `run` looked for, the attempts without a match that got furthest (1 token); --all shows every start

no match from "NATO" (token 0, 0..4): took 1 token, stopped at "2011" (5..9)
  took:
    "NATO" 0..4  /^[A-Z]+$/  t.rules:7:19
  why each way through the pattern stopped there:
    Num & !"2011"  "2011" is ruled out by !"2011"  t.rules:7:31
  in the text (^ taken, ! where it stopped):
    NATO 2011 and UN 2012 and EU x.
    ^^^^ !!!!
  in the rule (t.rules, ^ where the ways stopped):
    7 | rule code { match /^[A-Z]+$/ (Num & !"2011") emit Q { x: "code" } }
      |                               ^^^^^^^^^^^^^

match from "UN" (token 3, 14..16): "UN 2012" at 14..21
  kept, as the record
    Q 14..21 "UN 2012"
      x    "code"
  took:
    "UN" 14..16    /^[A-Z]+$/     t.rules:7:19
    "2012" 17..21  Num & !"2011"  t.rules:7:31
  in the text (^ the match):
    NATO 2011 and UN 2012 and EU x.
                  ^^ ^^^^

no match from "EU" (token 6, 26..28): took 1 token, stopped at "x" (29..30)
  took:
    "EU" 26..28  /^[A-Z]+$/  t.rules:7:19
  why each way through the pattern stopped there:
    Num & !"2011"  "x" is not Num  t.rules:7:31
  in the text (^ taken, ! where it stopped):
    NATO 2011 and UN 2012 and EU x.
                              ^^ !
  in the rule (t.rules, ^ where the ways stopped):
    7 | rule code { match /^[A-Z]+$/ (Num & !"2011") emit Q { x: "code" } }
      |                               ^^^^^^^^^^^^^
"#
    );
}

/// `--all` shows the attempt from every token of the range.
#[test]
fn all_shows_every_start() {
    let dir = tempfile::tempdir().unwrap();
    let rules = small_rules(dir.path());
    let text = "Ali Baqeri Khan said that Bob left.";
    let out = explain(&["--rules", &rules, "--rule", "name", "--all", text]);
    let starts: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("match from") || l.starts_with("no match from"))
        .map(|l| l.split(" (token").next().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "match from \"Ali\"",
            "match from \"Baqeri\"",
            "no match from \"Khan\"",
            "no match from \"said\"",
            "no match from \"that\"",
            "no match from \"Bob\"",
            "no match from \"left\"",
            "no match from \".\"",
        ]
    );
    assert!(out.contains("\n  not looked for: it starts inside this rule's match \"Ali Baqeri\" at 0..10, and one rule's matches never overlap\n"));
    let v: serde_json::Value = serde_json::from_str(&explain(&[
        "--rules", &rules, "--rule", "name", "--all", "--format", "json", text,
    ]))
    .unwrap();
    assert_eq!(v["attempts"].as_array().unwrap().len(), 8);
    assert_eq!(v["attempts"][1]["match"]["status"], "inside-own-match");
}

/// `--at` in the white space between two sentences takes the next one.
#[test]
fn at_between_sentences_takes_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let rules = small_rules(dir.path());
    let out = explain(&[
        "--rules",
        &rules,
        "--rule",
        "name",
        "--at",
        "12",
        "Ali Baqeri.   Bob Smith said",
    ]);
    assert!(out.starts_with("rule name (t.rules:4:6), priority 0, within sentence, emits P\ntext text, sentence 2 of 2 (bytes 14..28), chosen by --at 12\n"), "{out}");
    assert!(
        out.contains("\nmatch from \"Bob\" (token 3, 14..17): \"Bob Smith\" at 14..23\n"),
        "{out}"
    );
}

/// An unknown rule is a diagnostic with the closest name, and exit status 2.
#[test]
fn unknown_rule_suggests_a_close_name() {
    let out = gleaner(&["explain", "--rule", "role_premodifer", "--file", SEED]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "gleaner::unknown-rule\n\n  × no rule named `role_premodifer`\n  help: did you mean `role_premodifier`?\n\n"
    );
    let out = gleaner(&["explain", "--rule", "nothing_like_it", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "gleaner::unknown-rule\n\n  × no rule named `nothing_like_it`\n  help: `gleaner debug program` lists every rule\n\n"
    );
}

/// An offset outside the text is a usage error, said with the text's length.
#[test]
fn bad_offset_is_a_usage_error() {
    let out = gleaner(&[
        "explain",
        "--rule",
        "role_premodifier",
        "--file",
        SEED,
        "--at",
        "5000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "error: --at 5000: the text is 2201 bytes long; give an offset from 0 to 2200\n"
    );
    let out = gleaner(&["explain", "--rule", "role_premodifier", "--at", "0", ""]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "error: --at 0: the text is empty\n");
    let out = gleaner(&["explain", "--rule", "role_premodifier", "--at", "-1", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Text without tokens: nothing to match, said plainly.
#[test]
fn text_without_tokens() {
    let out = explain(&["--rule", "role_premodifier", "  \n "]);
    assert_eq!(
        out,
        "rule role_premodifier (news/roles.rules:229:6), priority 1, within sentence, emits PersonRole\nthe text has no tokens: there is nothing to match\n"
    );
}

/// The tracer finds what the engine finds: for every bundled rule, searching
/// each window as the engine does (leftmost match from each position, the next
/// search after it) with the tracer's matches gives exactly the engine's
/// candidates, kept and dropped, in the seed and another article.
#[test]
fn tracer_agrees_with_the_engine() {
    use gleaner::engine::trace::Tracer;
    use gleaner::engine::vm::DocView;
    use gleaner::syntax::ast::Scope;
    use gleaner::{Program, Runner};
    let program = Program::build_with_origins(gleaner::load::load_bundled()).unwrap();
    let mut tracer = Tracer::new();
    for file in [SEED, NEW_ZEALAND] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let mut runner = Runner::new();
        runner.losses = Some(Vec::new());
        let a = runner.analyze(&program, &text);
        let finals = runner.run_analysis(&program, &text, &a);
        let losses = runner.losses.take().unwrap();
        assert!(!losses.is_empty());
        let mut spans = vec![Vec::new(); program.records.len()];
        for c in &finals {
            spans[program.rules[c.rule].record].push((c.start, c.end));
        }
        spans
            .iter_mut()
            .for_each(|s: &mut Vec<(u32, u32)>| s.sort_unstable());
        let view = DocView {
            text: &text,
            tokens: &a.tokens,
            words: &a.words,
            boundary: &a.boundary,
            spans: &spans,
            classes: None,
        };
        for (ri, rule) in program.rules.iter().enumerate() {
            let mut engine: Vec<(u32, u32)> = finals
                .iter()
                .filter(|c| c.rule == ri)
                .chain(losses.iter().map(|l| &l.loser).filter(|c| c.rule == ri))
                .map(|c| (c.slots[0], c.slots[1]))
                .collect();
            engine.sort_unstable();
            let windows = match rule.scope {
                Scope::Sentence => a.segments.sentences.clone(),
                Scope::Paragraph => a.segments.paragraphs.clone(),
                Scope::Document => std::iter::once(0..a.tokens.len() as u32).collect(),
            };
            let mut traced = Vec::new();
            for w in windows {
                let mut at = w.start;
                while at < w.end {
                    let attempt = tracer.trace(&program, rule, &view, w.clone(), at);
                    match attempt.matched {
                        Some(slots) => {
                            traced.push((slots[0], slots[1]));
                            at = slots[1].max(at + 1);
                        }
                        None => at += 1,
                    }
                }
            }
            assert_eq!(traced, engine, "{file}: rule {}", rule.name);
        }
    }
}

/// Keeping origins changes nothing that runs: every bundled rule compiles to
/// the same program, prefilter included, with or without them.
#[test]
fn origins_change_no_program() {
    use gleaner::Program;
    use gleaner::compile::describe;
    let plain = Program::bundled().unwrap();
    let with = Program::build_with_origins(gleaner::load::load_bundled()).unwrap();
    assert_eq!(plain.rules.len(), with.rules.len());
    for (a, b) in plain.rules.iter().zip(&with.rules) {
        assert_eq!(describe(&plain, a), describe(&with, b));
        assert!(a.origins.is_empty() && a.inst_origins.is_empty());
        assert_eq!(b.inst_origins.len(), b.insts.len());
        assert!(!b.origins.is_empty());
    }
}

/// With `--at`, a match of a paragraph rule that starts in an earlier sentence
/// and reaches into the chosen one is shown; a CR LF shows as one space.
#[test]
fn at_shows_a_match_reaching_in_from_an_earlier_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("p.rules");
    std::fs::write(
        &rules,
        "record R(x)\nrule q within paragraph { match <x:\"“\" (!\"”\")+ \"”\"> \"said\" emit R at x { x } }\n",
    )
    .unwrap();
    let out = explain(&[
        "--rules",
        rules.to_str().unwrap(),
        "--rule",
        "q",
        "--at",
        "20",
        "Intro.\r\n“Alpha beta. Gamma” said the man.",
    ]);
    assert_eq!(
        out,
        r#"rule q (p.rules:2:6), priority 0, within paragraph, emits R
text text, sentence 2 of 3 (bytes 8..22), chosen by --at 20
4 start tokens tried; 1 match (1 kept); shown: the match `run` looked for, the attempt from the --at token; no attempt outside the matches took a token; --all shows every start

match from "“" (token 2, 8..11): "“Alpha beta. Gamma” said" at 8..36
  kept, as the record at 8..31 (`emit … at`)
    R 8..31 "“Alpha beta. Gamma”"
      x  8..31  "“Alpha beta. Gamma”"
  took:
    "“" 8..11                              <x> › "“"   p.rules:2:36
    "Alpha beta. Gamma" 11..28 (4 tokens)  <x> › !"”"  p.rules:2:41
    "”" 28..31                             <x> › "”"   p.rules:2:48
    "said" 32..36                          "said"      p.rules:2:53
  captures:
    x  8..31  "“Alpha beta. Gamma”"
  in the text (^ the match):
    “Alpha beta. Gamma” said the man.
    ^^^^^^ ^^^^^ ^^^^^^ ^^^^

no match from "beta" (token 4, 17..21): took 0 tokens, stopped at "beta" (17..21)
  why each way through the pattern stopped there:
    <x> › "“"  expected "\"", found "beta"  p.rules:2:36
  in the text (^ taken, ! where it stopped):
    “Alpha beta. Gamma” said the man.
           !!!!
  in the rule (p.rules, ^ where the ways stopped):
    2 | rule q within paragraph { match <x:"“" (!"”")+ "”"> "said" emit R at x { x } }
      |                                    ^^^
"#
    );
}

/// Marks stay under their tokens after characters two columns wide.
#[test]
fn marks_under_wide_characters() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("p.rules");
    std::fs::write(
        &rules,
        "record R(x)\nrule w { match \"北京\" <x:Cap> \"said\" emit R { x } }\n",
    )
    .unwrap();
    let out = explain(&[
        "--rules",
        rules.to_str().unwrap(),
        "--rule",
        "w",
        "在北京 北京 Bob 😀 said",
    ]);
    assert!(
        out.ends_with(
            r#"  in the text (^ taken, ! where it stopped):
    在北京 北京 Bob 😀 said
           ^^^^ ^^^ !!
  in the rule (p.rules, ^ where the ways stopped):
    2 | rule w { match "北京" <x:Cap> "said" emit R { x } }
      |                               ^^^^^^
"#
        ),
        "{out}"
    );
}

/// A rule that needs a word of each of two sets (`titled`: "said", and a
/// word of an entry of `Title`): a sentence with only the first is skipped,
/// and the reason names the second; the JSON lists both.
#[test]
fn prefilter_that_needs_a_second_word() {
    let dir = tempfile::tempdir().unwrap();
    let rules = small_rules(dir.path());
    let text = "Bob said yes.";
    let out = explain(&["--rules", &rules, "--rule", "titled", "--at", "0", text]);
    assert_eq!(
        out,
        r#"rule titled (t.rules:6:6), priority 0, within sentence, emits Q
text text, sentence 1 of 1 (bytes 0..13), chosen by --at 0
4 start tokens tried; no match; shown: the attempt from the --at token; no attempt outside the matches took a token; --all shows every start

prefilter: this sentence holds one of the words the rule needs, but none of the words it also needs ("prime", "president"), so `run` skips the rule here
no match from "Bob" (token 0, 0..3): took 0 tokens, stopped at "Bob" (0..3)
  why each way through the pattern stopped there:
    <x> › Title  "Bob" starts no entry of Title  t.rules:6:24
  in the text (^ taken, ! where it stopped):
    Bob said yes.
    !!!
  in the rule (t.rules, ^ where the ways stopped):
    6 | rule titled { match <x:Title> Cap{1,2} "said" emit Q { x } }
      |                        ^^^^^
"#
    );
    let out = explain(&[
        "--rules", &rules, "--rule", "titled", "--at", "0", "--format", "json", text,
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["rule"]["prefilter"],
        serde_json::json!({
            "kind": "words",
            "requires": ["said"],
            "count": 1,
            "also": {"requires": ["prime", "president"], "count": 2}
        })
    );
    assert_eq!(v["attempts"][0]["window"]["prefilter_passes"], false);
    let out = explain(&[
        "--rules",
        &rules,
        "--rule",
        "titled",
        "--at",
        "0",
        "--format",
        "json",
        "The president Ali said yes.",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["attempts"][0]["window"]["prefilter_passes"], true);
}
