//! Rule projects through the binary: `gleaner init`, `gleaner test` (examples,
//! snapshots, review, accept, filters) and `gleaner diff`.

mod common;

use common::{gleaner, gleaner_stdin, stderr, stdout};
use std::path::Path;

/// A fresh project from `gleaner init`, in a temporary folder.
fn new_project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let o = gleaner(&["init", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    tmp
}

fn dir(tmp: &tempfile::TempDir) -> String {
    tmp.path().join("p").to_string_lossy().into_owned()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

const SNAP: &str = "snapshots/asylum_seekers_rescued.txt.snap";

#[test]
fn init_writes_a_project_whose_test_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    let o = gleaner(&["init", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!(
            "made a rule project in {0}:\n  articles/SOURCES.md\n  articles/asylum_seekers_rescued.txt\n  gleaner.toml\n  rules/people.rules\n  {SNAP}\nnext: cd {0} && gleaner test   (then change a rule in rules/ and run it again)\n",
            p.display()
        )
    );
    let o = gleaner(&["test", p.to_str().unwrap()]);
    assert_eq!(
        stdout(&o),
        "rules: 2 tested: 2 validated, 0 missing, 0 noisy, 0 wrong\n\
         articles: 1 file: 1 as its snapshot, 0 not\n\
         test ok\n"
    );
    assert_eq!(o.status.code(), Some(0));
    // A second init into the same folder refuses.
    let o = gleaner(&["init", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
}

#[test]
fn a_rule_change_shows_as_a_record_diff_and_stays_pending() {
    let tmp = new_project();
    let p = dir(&tmp);
    let rules = Path::new(&p).join("rules/people.rules");
    // At most one capitalised word before the office: "State Department
    // Spokesperson" no longer fits.
    edit(&rules, "<role:Cap* Office", "<role:Cap? Office");
    let o = gleaner(&["test", &p]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "rules: 2 tested: 2 validated, 0 missing, 0 noisy, 0 wrong\n\
         articles: 1 file: 0 as their snapshots, 1 not\n\
         \n\
         changed  asylum_seekers_rescued.txt: 0 added, 1 removed, 0 changed\n  \
         ## asylum_seekers_rescued\n  \
         - PersonRole 1633..1680 people.rules:role_apposition\n      \
         …ry housing for the Rohingya out at sea. [Jeff Rathke, the State Department Spokesperson,] said, \"We urge the governments of the r…\n      \
         person  1633..1644  \"Jeff Rathke\"\n      \
         role    1650..1679  \"State Department Spokesperson\"\n\
         test failed: 1 pending (written as .snap.new; review with `gleaner test --review`, or `--accept` all)\n"
    );
    let snap = Path::new(&p).join(SNAP);
    let pending = Path::new(&p).join(format!("{SNAP}.new"));
    assert!(pending.exists());
    let old = std::fs::read_to_string(&snap).unwrap();
    assert!(old.contains("Jeff Rathke"));
    assert!(
        !std::fs::read_to_string(&pending)
            .unwrap()
            .contains("Jeff Rathke")
    );

    // Review: skip keeps it pending, reject drops the pending file, accept writes it.
    let o = gleaner_stdin(&["test", "--review", &p], "s\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(pending.exists());
    let o = gleaner_stdin(&["test", "--review", &p], "what\nr\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("`what`: answer a, r, s or q\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).ends_with("  rejected: the snapshot stays as it was\ntest failed: 1 rejected\n")
    );
    assert!(!pending.exists());
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), old);
    let o = gleaner_stdin(&["test", "--review", &p], "a\n");
    assert!(
        stdout(&o).ends_with(&format!(
            "  accepted: {SNAP}\ntest ok: 1 snapshot accepted\n"
        )),
        "{}",
        stdout(&o)
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !std::fs::read_to_string(&snap)
            .unwrap()
            .contains("Jeff Rathke")
    );
    assert_eq!(gleaner(&["test", &p]).status.code(), Some(0));
}

#[test]
fn quitting_a_review_or_closing_its_input_leaves_everything_pending() {
    let tmp = new_project();
    let p = dir(&tmp);
    edit(
        &Path::new(&p).join("rules/people.rules"),
        "<role:Cap* Office",
        "<role:Cap? Office",
    );
    for answers in ["q\n", ""] {
        let o = gleaner_stdin(&["test", "--review", &p], answers);
        assert_eq!(o.status.code(), Some(1));
        assert!(Path::new(&p).join(format!("{SNAP}.new")).exists());
        assert!(
            std::fs::read_to_string(Path::new(&p).join(SNAP))
                .unwrap()
                .contains("Jeff Rathke")
        );
    }
}

#[test]
fn failing_examples_are_reported_with_the_rule_and_fail_the_test() {
    let tmp = new_project();
    let p = dir(&tmp);
    edit(
        &Path::new(&p).join("rules/people.rules"),
        "\"for\" | \"of\"",
        "\"of\"",
    );
    let o = gleaner(&["test", &p]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with(
        "rules: 2 tested: 1 validated, 1 missing, 0 noisy, 0 wrong\n  missing    people.rules:19  role_apposition\n"
    ), "{out}");
    assert!(
        out.contains("rule `role_apposition` finds nothing in its example"),
        "{out}"
    );
    assert!(out.ends_with("test failed: 1 rule with failing examples, 1 pending (written as .snap.new; review with `gleaner test --review`, or `--accept` all)\n"), "{out}");
    // --accept writes the snapshot, but the failing example still fails the test.
    let o = gleaner(&["test", "--accept", &p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).ends_with("test failed: 1 rule with failing examples, 1 snapshot accepted\n")
    );
}

#[test]
fn filters_select_rules_and_articles() {
    let tmp = new_project();
    let p = dir(&tmp);
    edit(
        &Path::new(&p).join("rules/people.rules"),
        "<role:Cap* Office",
        "<role:Cap? Office",
    );
    // Only the date rule: its records did not change.
    let o = gleaner(&["test", "--filter", "rule:date", &p]);
    assert_eq!(
        stdout(&o),
        "rules: 1 tested: 1 validated, 0 missing, 0 noisy, 0 wrong\n\
         articles: 1 file: 1 as its snapshot, 0 not\n\
         test ok\n"
    );
    // No article matches.
    let o = gleaner(&["test", "--filter", "article:nothing-like-this", &p]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("articles: 0 files: 0 as their snapshots, 0 not\n"));
    // Accepting one rule's changes leaves the other rules' records as they were.
    let o = gleaner(&["test", "--accept", "--filter", "rule:role", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let snap = std::fs::read_to_string(Path::new(&p).join(SNAP)).unwrap();
    assert!(!snap.contains("Jeff Rathke"));
    assert!(snap.contains("Date 1027..1033 people.rules:date"));
    // A filter needs its kind.
    let o = gleaner(&["test", "--filter", "date", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("write `rule:TEXT`"), "{}", stderr(&o));
}

#[test]
fn new_stale_and_broken_snapshots() {
    let tmp = new_project();
    let p = Path::new(&dir(&tmp)).to_path_buf();
    let ps = p.to_str().unwrap();
    // A new article: no snapshot yet.
    std::fs::write(
        p.join("articles/kerry.txt"),
        "John Kerry, the Secretary of State, spoke on Monday, May 18, 2015.",
    )
    .unwrap();
    // A snapshot whose article is gone.
    std::fs::write(
        p.join("snapshots/gone.txt.snap"),
        "## gone\n\n(no records)\n",
    )
    .unwrap();
    let o = gleaner(&["test", ps]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("\nnew      kerry.txt: no snapshot yet (2 records)\n"),
        "{out}"
    );
    assert!(
        out.contains("stale    snapshots/gone.txt.snap: its article is gone"),
        "{out}"
    );
    // A snapshot that is not in the format.
    std::fs::write(p.join(SNAP), "## asylum_seekers_rescued\n\nDate oops\n").unwrap();
    let o = gleaner(&["test", ps]);
    assert!(
        stdout(&o).contains(&format!(
            "broken   asylum_seekers_rescued.txt: {SNAP} cannot be read (line 3: expected a record line: `Type start..end file:rule`); accepting replaces it"
        )),
        "{}",
        stdout(&o)
    );
    let o = gleaner(&["test", "--accept", ps]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("removed stale snapshot snapshots/gone.txt.snap\n"));
    assert!(!p.join("snapshots/gone.txt.snap").exists());
    assert_eq!(gleaner(&["test", ps]).status.code(), Some(0));
    let kerry = std::fs::read_to_string(p.join("snapshots/kerry.txt.snap")).unwrap();
    assert!(kerry.starts_with("---\nsource: gleaner test\ninput_file: kerry.txt\n---\n## kerry\n\nPersonRole 0..35 people.rules:role_apposition\n"), "{kerry}");
}

#[test]
fn settings_and_errors() {
    let tmp = new_project();
    let p = Path::new(&dir(&tmp)).to_path_buf();
    // gleaner.toml moves the parts.
    std::fs::rename(p.join("articles"), p.join("news")).unwrap();
    std::fs::write(
        p.join("gleaner.toml"),
        "articles = [\"news\"]\nsnapshots = \"snaps\"\n",
    )
    .unwrap();
    let o = gleaner(&["test", "--accept", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(p.join("snaps/asylum_seekers_rescued.txt.snap").exists());
    // Unknown keys and missing folders are errors that say what to do.
    std::fs::write(p.join("gleaner.toml"), "article = [\"news\"]\n").unwrap();
    let o = gleaner(&["test", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown field `article`"),
        "{}",
        stderr(&o)
    );
    let empty = tempfile::tempdir().unwrap();
    let o = gleaner(&["test", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no such rules folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn diff_of_two_rule_sets_over_an_article() {
    let tmp = new_project();
    let p = Path::new(&dir(&tmp)).to_path_buf();
    let new_rules = tmp.path().join("new");
    std::fs::create_dir(&new_rules).unwrap();
    let text = std::fs::read_to_string(p.join("rules/people.rules")).unwrap();
    std::fs::write(
        new_rules.join("people.rules"),
        text.replace("<role:Cap* Office", "<role:Cap? Office")
            .replace(
                "(Weekday \",\"?)? Month Num",
                "(Weekday \",\"?)? Month Num Num?",
            ),
    )
    .unwrap();
    let article = p.join("articles/asylum_seekers_rescued.txt");
    let old_rules = p.join("rules");
    let args = [
        "diff",
        "--base",
        old_rules.to_str().unwrap(),
        "--rules",
        new_rules.to_str().unwrap(),
        article.to_str().unwrap(),
    ];
    let o = gleaner(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "1 document; old rules ({}): 6 records; new rules ({}): 5 records\n\
             \n\
             TYPE        ADDED  REMOVED  CHANGED\n\
             PersonRole      0        1        0\n\
             \n\
             RULE                          ADDED  REMOVED  CHANGED\n\
             people.rules:role_apposition      0        1        0\n\
             \n\
             == PersonRole removed (1; 1 shown)\n  \
             ## asylum_seekers_rescued\n  \
             - PersonRole 1633..1680 people.rules:role_apposition\n      \
             …ry housing for the Rohingya out at sea. [Jeff Rathke, the State Department Spokesperson,] said, \"We urge the governments of the r…\n      \
             person  1633..1644  \"Jeff Rathke\"\n      \
             role    1650..1679  \"State Department Spokesperson\"\n",
            p.join("rules").display(),
            new_rules.display()
        )
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let o = gleaner(&json_args);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["documents"], 1);
    assert_eq!(
        j["types"]["PersonRole"],
        serde_json::json!({"added": 0, "removed": 1, "changed": 0})
    );
    let ex = &j["examples"]["PersonRole"]["removed"][0];
    assert_eq!(ex["doc"], "asylum_seekers_rescued");
    assert_eq!(ex["kind"], "removed");
    assert_eq!(ex["old"]["fields"]["person"]["text"], "Jeff Rathke");
    // The same rules on both sides: nothing changed, exit 0.
    let o = gleaner(&[
        "diff",
        "--base",
        p.join("rules").to_str().unwrap(),
        "--rules",
        p.join("rules").to_str().unwrap(),
        article.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).ends_with("no records changed\n"));
}

#[test]
fn diff_against_a_git_revision() {
    let tmp = new_project();
    let p = Path::new(&dir(&tmp)).to_path_buf();
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .arg("-C")
            .arg(&p)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("git runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "rules"]);
    edit(
        &p.join("rules/people.rules"),
        "<role:Cap* Office",
        "<role:Cap? Office",
    );
    let rules = p.join("rules");
    let article = p.join("articles");
    let o = gleaner(&[
        "diff",
        "--base",
        "git:HEAD",
        "--rules",
        rules.to_str().unwrap(),
        article.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("1 document; old rules (git:HEAD): 6 records; new rules ("),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("PersonRole      0        1        0\n"));
    let o = gleaner(&[
        "diff",
        "--base",
        "git:no-such-rev",
        "--rules",
        rules.to_str().unwrap(),
        article.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: --base git:no-such-rev: git ls-tree"),
        "{}",
        stderr(&o)
    );
}
