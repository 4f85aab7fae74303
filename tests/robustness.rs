//! Adversarial rules, bad input and interrupted runs, through the binary: each
//! gets a clear message or runs in bounded time; nothing panics, nothing is
//! left half-written. (docs/limits.md lists the limits these tests touch.)

mod common;

use common::{gleaner, gleaner_stdin, stderr, stdout};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn no_panic(o: &std::process::Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
}

// ---- adversarial rules ----------------------------------------------------

#[test]
fn ten_thousand_parentheses_name_the_nesting_limit_on_a_short_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "deep.rules",
        format!(
            "record R(x)\nrule r {{ match <x:{}\"a\"{}> emit R {{ x }} }}\n",
            "(".repeat(10_000),
            ")".repeat(10_000)
        ),
    );
    let o = gleaner(&["check", &rules]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("gleaner::nesting-limit"), "{err}");
    assert!(
        err.contains("patterns nest more than 128 levels deep"),
        "{err}"
    );
    // The 20,000-character line is shown as a window around the spot.
    assert!(err.lines().all(|l| l.chars().count() < 400), "{err}");
}

#[test]
fn huge_repetitions_and_exploding_regexes_are_refused_with_their_limit() {
    let dir = tempfile::tempdir().unwrap();
    let rep = write(
        dir.path(),
        "rep.rules",
        "record R(x)\nrule r { match <x:_{1,100000}> emit R { x } }\n",
    );
    let o = gleaner(&["check", &rep]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("a counted repetition may repeat at most 1000 times"));
    let re = write(
        dir.path(),
        "re.rules",
        "record R(x)\nrule r { match <x:/(a|aa)*b{100000}/> emit R { x } }\n",
    );
    let o = gleaner(&["check", &re]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("this regex compiles to more than the limit of 1048576 bytes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nested_quantifiers_run_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "nested.rules",
        "record R(x)\nrule a { match <x:(_*)* \"zzz\"> emit R { x } }\nrule b { match <x:(_ | _ _)* \"zzz\"> emit R { x } }\n",
    );
    // 20,000 tokens in one sentence, and the word the rules need last.
    let text = format!("{}zzz", "word ".repeat(20_000));
    let t = Instant::now();
    let o = gleaner_stdin(&["run", "--rules", &rules, "--format", "jsonl", "-"], &text);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn ten_thousand_errors_in_one_file_are_reported_in_linear_time() {
    // Each diagnostic's excerpt was read from the start of the file, and
    // repeated diagnostics were found by comparing each with all before it:
    // 20,000 errors took two minutes.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("record R(x)\n");
    for i in 0..10_000 {
        text.push_str(&format!("rule r{i} {{ match <x:Nmae> emit R {{ x }} }}\n"));
    }
    let rules = write(dir.path(), "many.rules", text);
    let t = Instant::now();
    let o = gleaner(&["check", &rules]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.matches("gleaner::unknown-name").count(), 10_000);
    assert!(err.contains("many.rules:10001:23]"), "{err}");
    assert!(
        err.contains("10001 │ rule r9999 { match <x:Nmae> emit R { x } }"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn import_cycles_load_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r/a.rules", "import \"b.rules\"\nrecord A(x)\n");
    write(
        dir.path(),
        "r/b.rules",
        "import \"a.rules\"\nrule b { match <x:\"b\"> emit A { x } }\n",
    );
    let o = gleaner(&["check", dir.path().join("r").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 rules in 2 files"), "{}", stdout(&o));
}

#[test]
fn rule_files_cannot_read_outside_their_folder_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret.tsv", "password\tx\n");
    write(dir.path(), "other.rules", "record Q(y)\n");
    let rules = dir.path().join("r");
    write(
        dir.path(),
        "r/a.rules",
        "import \"../other.rules\"\nlexicon L from \"../secret.tsv\"\nrecord R(x)\nrule r { match <x:L> emit R { x } }\n",
    );
    let o = gleaner(&["check", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("gleaner::outside-root"), "{err}");
    assert!(err.contains("is outside the rules folder"), "{err}");
    assert!(err.contains("--allow-outside-root"), "{err}");
    assert_eq!(err.matches("gleaner::outside-root").count(), 2, "{err}");
    let o = gleaner(&["check", "--allow-outside-root", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A link inside the folder that points outside it is outside too.
    #[cfg(unix)]
    {
        let linked = dir.path().join("l");
        write(
            dir.path(),
            "l/a.rules",
            "lexicon L from \"pw.tsv\"\nrecord R(x)\nrule r { match <x:L> emit R { x } }\n",
        );
        std::os::unix::fs::symlink(dir.path().join("secret.tsv"), linked.join("pw.tsv")).unwrap();
        let o = gleaner(&["check", linked.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("is outside the rules folder"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn a_large_lexicon_builds_and_matches() {
    let dir = tempfile::tempdir().unwrap();
    let mut tsv = String::new();
    for i in 0..100_000 {
        tsv.push_str(&format!("w{i} x{}\tC{i}\n", i % 977));
    }
    write(dir.path(), "r/big.tsv", tsv);
    let rules = write(
        dir.path(),
        "r/big.rules",
        "record R(x)\nlexicon Big from \"big.tsv\"\nrule r { match <x:Big> emit R { x: canon(x) } }\n",
    );
    let o = gleaner_stdin(
        &["run", "--rules", &rules, "--format", "jsonl", "-"],
        "They said w99999 x345 twice.",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\"value\":\"C99999\""),
        "{}",
        stdout(&o)
    );
}

// ---- bad input text -------------------------------------------------------

#[test]
fn invalid_utf8_is_an_error_with_its_byte_or_replaced_with_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.txt",
        b"Ali Baqeri said \xff\xfe so.".as_slice(),
    );
    let o = gleaner(&["run", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "error: {bad}: not valid UTF-8 at byte 16\nerror: 1 of 1 input documents could not be read (see above)\n"
        )
    );
    let o = gleaner(&["run", "--lossy", "--format", "jsonl", &bad]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stderr(&o),
        "warning: document `bad`: invalid UTF-8 from byte 16 on replaced with U+FFFD (--lossy)\n"
    );
    assert!(
        stdout(&o).contains("\"text\":\"Ali Baqeri\""),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_json_lines_are_reported_by_line_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "mixed.jsonl",
        b"{\"id\":\"a\",\"text\":\"Ali Baqeri said so.\"}\nnot json\n{\"id\":\"c\"}\n{\"id\":\"d\",\"text\":7}\n{\"id\":\"e\",\"text\":\"caf\xe9\"}\n\n{\"id\":\"f\",\"text\":\"Sergei Lavrov said so.\"}\n"
            .as_slice(),
    );
    let o = gleaner(&["run", "--format", "jsonl", &f]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "error: {f}:2: not JSON: expected ident at line 1 column 2\n\
             error: {f}:3: no `text` field\n\
             error: {f}:4: field `text` is not a string\n\
             error: {f}:5: not valid UTF-8 at byte 21 of the line\n\
             error: 4 of 6 input documents could not be read (see above); the other 2 were processed\n"
        )
    );
    let out = stdout(&o);
    assert!(out.contains("\"doc\":\"a\""), "{out}");
    assert!(out.contains("\"doc\":\"f\""), "{out}");
}

#[test]
fn empty_files_nul_bytes_and_other_scripts_keep_spans_on_char_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.txt", "");
    let o = gleaner(&["run", &empty]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "no records in 1 document\n");
    let text = "a\0b Ali Baqeri, the deputy secretary, said \u{200f}שלום עולם 中文新闻 e\u{301}te\u{301} 😀👍🏽 “Quoted words here and there,” he said. \0";
    let weird = write(dir.path(), "weird.txt", text);
    for offsets in ["bytes", "chars"] {
        let o = gleaner(&["run", "--format", "jsonl", "--offsets", offsets, &weird]);
        no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let chars: Vec<char> = text.chars().collect();
        for line in stdout(&o).lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            let (s, e) = (
                r["start"].as_u64().unwrap() as usize,
                r["end"].as_u64().unwrap() as usize,
            );
            let got = if offsets == "bytes" {
                assert!(
                    text.is_char_boundary(s) && text.is_char_boundary(e),
                    "{line}"
                );
                text[s..e].to_string()
            } else {
                chars[s..e].iter().collect()
            };
            assert_eq!(got, r["text"].as_str().unwrap(), "{line}");
        }
    }
}

/// One long article full of names and pronouns: resolving each speaker to
/// the fullest earlier name (`Baqeri` → `Ali Baqeri`, `he` → the last subject)
/// takes time linear in the article, not quadratic in its records.
#[test]
fn a_long_article_of_names_resolves_in_linear_time() {
    let sentence =
        "Ali Baqeri met officials in Moscow. Baqeri said the talks went well. He said it again. ";
    let text = sentence.repeat(5_000);
    let t = Instant::now();
    let o = gleaner_stdin(&["run", "--format", "jsonl", "-"], &text);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let resolved = out
        .lines()
        .filter(|l| l.contains("\"type\":\"Statement\"") && l.contains("\"value\":\"Ali Baqeri\""))
        .count();
    assert_eq!(
        resolved,
        10_000,
        "{}",
        out.lines().take(8).collect::<Vec<_>>().join("\n")
    );
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

#[test]
fn a_long_single_line_runs() {
    let words = [
        "the", "minister", "said", "Ali", "Baqeri", "of", "Iran", "and", "talks", "\"",
    ];
    let text: String = (0..40_000)
        .map(|i| words[(i * 7 + i / 3) % words.len()])
        .collect::<Vec<_>>()
        .join(" ");
    let t = Instant::now();
    let o = gleaner_stdin(&["run", "--format", "jsonl", "-"], &text);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).lines().count() > 100);
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

// ---- nothing lost ---------------------------------------------------------

/// A JSON Lines corpus that takes a while (seconds, even in a release build):
/// the fixture articles, many times.
fn slow_corpus(dir: &Path) -> String {
    let mut out = String::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut texts = Vec::new();
    for e in std::fs::read_dir(fixtures).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            texts.push(std::fs::read_to_string(p).unwrap());
        }
    }
    for i in 0..600 {
        for (j, t) in texts.iter().enumerate() {
            out.push_str(&serde_json::json!({"id": format!("{i}-{j}"), "text": t}).to_string());
            out.push('\n');
        }
    }
    write(dir, "slow.jsonl", out)
}

fn interrupted_run_leaves_nothing(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = slow_corpus(dir.path());
    let target = dir.path().join("out.jsonl");
    std::fs::write(&target, "the old file\n").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["run", "--format", "jsonl", "-j", "1", "--output"])
        .arg(&target)
        .arg(&corpus)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!(
            "documents; {} was not written (an older file there is kept)",
            target.display()
        )),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the old file\n");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".gleaner-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn sigint_leaves_the_output_file_as_it_was() {
    interrupted_run_leaves_nothing("-INT");
}

#[test]
fn sigterm_leaves_the_output_file_as_it_was() {
    interrupted_run_leaves_nothing("-TERM");
}

#[test]
fn unwritable_outputs_say_what_was_not_written() {
    let o = gleaner(&[
        "run",
        "--output",
        "/nonexistent-folder/out.jsonl",
        "tests/fixtures/000_tehran_moscow_security_agreement.txt",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: /nonexistent-folder/out.jsonl: "),
        "{}",
        stderr(&o)
    );
    // A full disk on standard output.
    if Path::new("/dev/full").exists() {
        let o = Command::new(env!("CARGO_BIN_EXE_gleaner"))
            .args(["run", "--format", "jsonl", "tests/fixtures/"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("No space left on device"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gleaner"))
        .args(["run", "--format", "jsonl", "tests/fixtures/"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe.
    let mut first = [0u8; 64];
    use std::io::Read;
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}
