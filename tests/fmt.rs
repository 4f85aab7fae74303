//! `gleaner fmt` end to end: exact output, exit codes, files rewritten or not.

mod common;

use common::{gleaner, gleaner_stdin, stderr, stdout};
use std::path::Path;

const MESSY: &str = "\
# Who said it.
record Said(who)
pattern Who=<who:Cap+>
rule said{match Who \"said\"
emit Said{who}
    example \"Baqeri said so.\"->Said{who:\"Baqeri\"}}
";

const TIDY: &str = "\
# Who said it.
record Said(who)
pattern Who = <who:Cap+>

rule said {
    match Who \"said\"
    emit  Said { who }
    example \"Baqeri said so.\" -> Said { who: \"Baqeri\" }
}
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn check_prints_a_diff_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "said.rules", MESSY);
    let out = gleaner(&["fmt", "--check", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "\
--- {path}
+++ {path} (formatted)
@@ -1,6 +1,9 @@
 # Who said it.
 record Said(who)
-pattern Who=<who:Cap+>
-rule said{{match Who \"said\"
-emit Said{{who}}
-    example \"Baqeri said so.\"->Said{{who:\"Baqeri\"}}}}
+pattern Who = <who:Cap+>
+
+rule said {{
+    match Who \"said\"
+    emit  Said {{ who }}
+    example \"Baqeri said so.\" -> Said {{ who: \"Baqeri\" }}
+}}
"
        )
    );
    assert_eq!(
        stderr(&out),
        "error: 1 of 1 file not formatted; `gleaner fmt PATH` rewrites them\n"
    );
    assert_eq!(read(&path), MESSY, "--check changes no file");
}

#[test]
fn check_on_formatted_files_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rules", TIDY);
    write(dir.path(), "b.rules", "record T(x)\n");
    let out = gleaner(&["fmt", "--check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "ok: 2 files formatted\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn rewrites_changed_files_in_place_and_only_those() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "a.rules", MESSY);
    let tidy = write(dir.path(), "b.rules", TIDY);
    let other = write(dir.path(), "notes.txt", "rule  x");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&messy, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let before = std::fs::metadata(&tidy).unwrap().modified().unwrap();
    let root = dir.path().to_str().unwrap();

    let out = gleaner(&["fmt", root]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("formatted {messy}\nok: 2 files, 1 reformatted\n")
    );
    assert_eq!(read(&messy), TIDY);
    assert_eq!(read(&other), "rule  x", "only .rules files are formatted");
    assert_eq!(
        std::fs::metadata(&tidy).unwrap().modified().unwrap(),
        before
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&messy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "the file keeps its permissions");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        3,
        "no temporary file is left behind: {names:?}"
    );

    let again = gleaner(&["fmt", root]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout(&again), "ok: 2 files, all already formatted\n");
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let bad_text = "pattern P = (Cap\nrule  r { match P emit T { } }\n";
    let bad = write(dir.path(), "bad.rules", bad_text);
    let messy = write(dir.path(), "good.rules", MESSY);
    let out = gleaner(&["fmt", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("gleaner::syntax\n\n  × expected `)`, or more pattern, found `rule`\n"),
        "{err}"
    );
    assert!(err.contains(&format!("╭─[{bad}:2:1]")), "{err}");
    assert!(err.ends_with(&format!(
        "error: {bad}: 1 problem; not formatted\n\
         error: 1 file could not be formatted (see above); they are left as they are\n"
    )));
    assert_eq!(read(&bad), bad_text);
    // The other files are still formatted.
    assert_eq!(stdout(&out), format!("formatted {messy}\n"));
    assert_eq!(read(&messy), TIDY);
}

#[test]
fn standard_input_to_standard_output() {
    let out = gleaner_stdin(&["fmt", "-"], MESSY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), TIDY);
    assert_eq!(stderr(&out), "");

    let check = gleaner_stdin(&["fmt", "--check", "-"], TIDY);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(stdout(&check), "");

    let check = gleaner_stdin(&["fmt", "--check", "-"], "record  T(x)\n");
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        stdout(&check),
        "--- <stdin>\n+++ <stdin> (formatted)\n@@ -1 +1 @@\n-record  T(x)\n+record T(x)\n"
    );

    let bad = gleaner_stdin(&["fmt", "-"], "record T(\n");
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(stdout(&bad), "");
    let err = stderr(&bad);
    assert!(err.contains("[<stdin>:2:1]"), "{err}");
    assert!(
        err.ends_with("error: <stdin>: 1 problem; not formatted\n"),
        "{err}"
    );
}

#[test]
fn unreadable_paths_and_mixed_stdin_exit_2() {
    let out = gleaner(&["fmt", "no/such/rules"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: no/such/rules: No such file or directory (os error 2)\n\
         error: 1 file could not be formatted (see above); they are left as they are\n"
    );

    let empty = tempfile::tempdir().unwrap();
    let out = gleaner(&["fmt", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!(
            "error: {}: no .rules file in this folder\n",
            empty.path().display()
        )),
        "{}",
        stderr(&out)
    );

    let out = gleaner(&["fmt", "-", "rules/"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: `-` (standard input) cannot be mixed with other paths\n"
    );

    let out = gleaner(&["fmt"]);
    assert_eq!(out.status.code(), Some(2), "a path is required");
}

#[test]
fn help_teaches_by_example() {
    let out = gleaner(&["fmt", "--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for line in [
        "Usage: gleaner fmt [OPTIONS] <PATH>...",
        "  gleaner fmt --check rules/",
        "  gleaner fmt - < my.rules",
        "Exit status: 0 every file is (now) formatted, 1 --check found files to",
    ] {
        assert!(help.contains(line), "missing {line:?} in:\n{help}");
    }
}

/// What CI runs: the bundled library is in the layout.
#[test]
fn the_bundled_rules_are_formatted() {
    let out = gleaner(&["fmt", "--check", "rules/"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("ok: "), "{}", stdout(&out));
    assert!(
        stdout(&out).ends_with(" files formatted\n"),
        "{}",
        stdout(&out)
    );
}
