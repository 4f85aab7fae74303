//! `gleaner diff`: what a rule change does to a corpus.

use crate::Program;
use crate::diff::{ChangeKind, Style, Tally, diff_records, write_change};
use crate::engine::Runner;
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

pub(super) const DIFF_EXAMPLES: &str = "\
Examples:
  # What your edits to rules/ did since the last commit, over the fixtures
  gleaner diff --base git:HEAD --rules rules/ tests/fixtures/

  # Two rule folders over a corpus, 5 examples of each kind of change
  gleaner diff --base old_rules/ --rules new_rules/ --examples 5 corpus.jsonl

  # The counts as JSON, for tools
  gleaner diff --base git:HEAD~1 --format json corpus.jsonl

Records pair when equal; else a record of the same type and span, or of the same
type and rule with an overlapping span, is `changed`; the rest are `added` (only
the new rules find them) or `removed`. Exit status: 0 when nothing changed, 1
when something did, 2 when the rules or inputs cannot be read.";

#[derive(Args, Debug)]
pub(super) struct DiffArgs {
    /// The old rules: a rule file or folder (repeatable), or `git:REV` for the
    /// new rules' folders as they were at a git revision (`git:HEAD`, `git:HEAD~1`).
    #[arg(long, value_name = "PATH|git:REV", required = true)]
    base: Vec<String>,
    /// The new rules: a rule file or folder (repeatable). Default: the bundled library.
    #[arg(long = "rules", short = 'r', value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Articles: .txt or .jsonl files, folders of them, or `-` for standard input.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<PathBuf>,
    /// How to print the difference.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
    /// How many examples to show of each record type's added, removed and changed records.
    #[arg(long, value_name = "N", default_value_t = 3)]
    examples: usize,
    /// The JSON field that holds an article's text in .jsonl input.
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,
    /// Threads to run on (default: one per core). Output is the same for any number.
    #[arg(long, short = 'j', value_name = "N")]
    pub(super) jobs: Option<usize>,
    /// No progress bar (there is one on stderr only when it is a terminal).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Read text that is not valid UTF-8 anyway, replacing bad bytes with U+FFFD.
    #[arg(long)]
    lossy: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Counts per type and rule, then examples in context, for reading.
    Table,
    /// One JSON object: counts and examples.
    Json,
}

/// An example of a change, kept as data and as text.
#[derive(serde::Serialize)]
struct Example {
    doc: String,
    #[serde(flatten)]
    change: crate::diff::Change,
    context: String,
    #[serde(skip)]
    shown: String,
}

#[derive(Default, serde::Serialize)]
struct Report {
    documents: usize,
    old_records: usize,
    new_records: usize,
    types: BTreeMap<String, Tally>,
    rules: BTreeMap<String, Tally>,
    /// Per record type and change kind, the first examples.
    examples: BTreeMap<String, BTreeMap<ChangeKind, Vec<Example>>>,
}

pub(super) fn diff(args: DiffArgs) -> std::io::Result<ExitCode> {
    // Documents are read meanwhile (both rule sets are built first).
    let queue = super::read_in_background(&args.inputs, &args.text_field, args.lossy);
    let new_paths = args.rules.clone();
    let mut _checkout = None;
    let base_paths: Vec<PathBuf> = if let [one] = args.base.as_slice()
        && let Some(rev) = one.strip_prefix("git:")
    {
        let folders = if new_paths.is_empty() {
            vec![PathBuf::from("rules")]
        } else {
            new_paths.clone()
        };
        match git_checkout(rev, &folders) {
            Ok((dir, paths)) => {
                _checkout = Some(dir);
                paths
            }
            Err(e) => {
                eprintln!("error: --base {one}: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    } else if let Some(g) = args.base.iter().find(|b| b.starts_with("git:")) {
        eprintln!("error: --base {g}: a git revision must be the only --base");
        return Ok(ExitCode::from(2));
    } else {
        args.base.iter().map(PathBuf::from).collect()
    };
    let build = |paths: &[PathBuf], what: &str| match if paths.is_empty() {
        Program::bundled()
    } else {
        super::program_from(paths)
    } {
        Ok(p) => Some(p),
        Err(d) => {
            eprint!("{}", d.render(super::color()));
            eprintln!("error: the {what} rules do not build");
            None
        }
    };
    let (Some(old), Some(new)) = (build(&base_paths, "old (--base)"), build(&new_paths, "new"))
    else {
        return Ok(ExitCode::from(2));
    };
    let mut report = Report::default();
    let mut failed = 0;
    let cap = args.examples;
    let style = Style {
        color: args.format == DiffFormat::Table
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
    };
    let progress = super::progress::Progress::new(&args.inputs, args.quiet);
    // Each worker runs both rule sets over a document; the documents are
    // taken back in input order.
    queue.run_ordered(
        super::jobs(args.jobs),
        || (Runner::new(), Runner::new()),
        |(old_runner, new_runner), doc, _| {
            doc.map(|doc| {
                let o = old_runner.run(&old, &doc);
                let n = new_runner.run(&new, &doc);
                (doc, o, n)
            })
        },
        |result| {
            let (doc, o, n) = match result {
                Ok(done) => done,
                Err(e) => {
                    failed += 1;
                    eprintln!("error: {e}");
                    return true;
                }
            };
            super::warn_lossy(&doc);
            report.documents += 1;
            report.old_records += o.len();
            report.new_records += n.len();
            for change in diff_records(&o, &n) {
                let r = change.record();
                report
                    .types
                    .entry(r.kind.clone())
                    .or_default()
                    .add(change.kind);
                report
                    .rules
                    .entry(r.rule.clone())
                    .or_default()
                    .add(change.kind);
                if change.kind == ChangeKind::Changed
                    && let (Some(a), Some(b)) = (&change.old, &change.new)
                    && a.rule != b.rule
                {
                    report
                        .rules
                        .entry(a.rule.clone())
                        .or_default()
                        .add(ChangeKind::Changed);
                }
                let list = report
                    .examples
                    .entry(r.kind.clone())
                    .or_default()
                    .entry(change.kind)
                    .or_default();
                if list.len() < cap {
                    let mut shown = String::new();
                    write_change(&change, Some(&doc.text), style, &mut shown);
                    let context = crate::diff::context(&doc.text, r.start, r.end);
                    list.push(Example {
                        doc: doc.id.clone(),
                        change,
                        context,
                        shown,
                    });
                }
            }
            progress.advance(report.documents, doc.text.len());
            true
        },
    );
    progress.finish();

    let describe = |paths: &[PathBuf], given: &[String]| {
        if let [one] = given
            && one.starts_with("git:")
        {
            return one.clone();
        }
        if paths.is_empty() {
            "the bundled rules".to_string()
        } else {
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let out = match args.format {
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
            s.push('\n');
            s
        }
        DiffFormat::Table => table(
            &report,
            &describe(&base_paths, &args.base),
            &describe(&new_paths, &[]),
            style,
        ),
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes())?;
    if failed > 0 {
        eprintln!("error: {failed} input documents could not be read (see above)");
        return Ok(ExitCode::from(2));
    }
    let changed = report.types.values().any(|t| t.total() > 0);
    Ok(ExitCode::from(u8::from(changed)))
}

fn table(report: &Report, old: &str, new: &str, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} document{}; old rules ({old}): {} records; new rules ({new}): {} records",
        report.documents,
        if report.documents == 1 { "" } else { "s" },
        report.old_records,
        report.new_records
    );
    let total: usize = report.types.values().map(Tally::total).sum();
    if total == 0 {
        out.push_str("no records changed\n");
        return out;
    }
    let rows = |first: &str, map: &BTreeMap<String, Tally>, out: &mut String| {
        let w = map
            .keys()
            .map(|k| k.chars().count())
            .chain([first.len()])
            .max()
            .unwrap_or(0);
        let _ = writeln!(out, "\n{first:w$}  ADDED  REMOVED  CHANGED");
        for (k, t) in map.iter().filter(|(_, t)| t.total() > 0) {
            let _ = writeln!(
                out,
                "{k:w$}  {:>5}  {:>7}  {:>7}",
                t.added, t.removed, t.changed
            );
        }
    };
    rows("TYPE", &report.types, &mut out);
    rows("RULE", &report.rules, &mut out);
    for (ty, kinds) in &report.examples {
        for (kind, list) in kinds {
            let n = report.types[ty].count(*kind);
            let _ = writeln!(
                out,
                "\n{}",
                style.bold(&format!(
                    "== {ty} {} ({n}; {} shown)",
                    kind.label(),
                    list.len()
                ))
            );
            for e in list {
                let _ = writeln!(out, "  ## {}", e.doc);
                let shown = &e.shown;
                for line in shown.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
    }
    out
}

/// Writes the rules folders as they were at a git revision into a temporary
/// folder; returns it (removed when dropped) and the folders' paths in it.
fn git_checkout(
    rev: &str,
    folders: &[PathBuf],
) -> Result<(tempfile::TempDir, Vec<PathBuf>), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut paths = Vec::new();
    for folder in folders {
        let abs =
            std::fs::canonicalize(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let top = git(&dir, &["rev-parse", "--show-toplevel"])?;
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        let top = std::fs::canonicalize(&top).unwrap_or(top);
        let rel = abs
            .strip_prefix(&top)
            .map_err(|_| {
                format!(
                    "{} is not inside the git work tree {}",
                    abs.display(),
                    top.display()
                )
            })?
            .to_path_buf();
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        let listing = git(
            &top,
            &[
                "ls-tree",
                "-r",
                "-z",
                "--name-only",
                rev,
                "--",
                if rel_s.is_empty() { "." } else { &rel_s },
            ],
        )?;
        let files: Vec<String> = listing
            .split(|b| *b == 0)
            .filter(|f| !f.is_empty())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if files.is_empty() {
            return Err(format!("{rel_s} does not exist at revision {rev}"));
        }
        for f in &files {
            let bytes = git(&top, &["show", &format!("{rev}:{f}")])?;
            let target = tmp.path().join(f);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&target, bytes).map_err(|e| e.to_string())?;
        }
        paths.push(tmp.path().join(&rel));
    }
    Ok((tmp, paths))
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
