//! `gleaner fmt`: rule files in the canonical layout ([`crate::fmt`]).

use crate::fmt::format_source;
use clap::Args;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) const EXAMPLES: &str = "\
Examples:
  # Rewrite every .rules file under rules/ that is not in the layout
  gleaner fmt rules/

  # For CI: print what would change as a diff, exit 1 if anything would
  gleaner fmt --check rules/

  # As a filter (for an editor): rules on standard input, formatted on standard output
  gleaner fmt - < my.rules

The layout: declarations in column 0, a blank line around each rule; in a rule,
`match ` and `emit  ` line up at column 4, then the examples, then `}`. Line
breaks inside a pattern or a lexicon are kept, and continuation lines are
indented 4 more than the declaration plus 4 per bracket still open; `|` and `&`
start lines. Every comment is kept, strings and regexes are untouched, and the
result is checked to mean the same as the original. docs/language.md,
\"Formatting\", has every rule.

Files are rewritten only when they change, each through a temporary file in its
folder. A file with syntax errors is reported as `gleaner check` would and left
as it is.

Exit status: 0 every file is (now) formatted, 1 --check found files to
reformat, 2 a file has syntax errors or could not be read or written.";

/// `gleaner fmt` arguments.
#[derive(Args, Debug)]
pub(super) struct FmtArgs {
    /// Change no file: print a diff of what would change, and exit 1 if anything would.
    #[arg(long)]
    check: bool,
    /// Rule files, folders (every `.rules` file under them), or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// What became of the files.
#[derive(Default)]
struct Tally {
    files: usize,
    changed: usize,
    failed: usize,
}

pub(super) fn fmt(args: FmtArgs) -> std::io::Result<ExitCode> {
    let stdin = Path::new("-");
    if args.paths.iter().any(|p| p == stdin) {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be mixed with other paths");
            return Ok(ExitCode::from(2));
        }
        return filter(args.check);
    }
    let mut tally = Tally::default();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for path in &args.paths {
        let files = match rule_files(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                tally.failed += 1;
                continue;
            }
        };
        for file in files {
            tally.files += 1;
            if let Err(e) = one_file(&file, args.check, &mut tally, &mut out) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Err(e);
                }
                eprintln!("error: {}: {e}", file.display());
                tally.failed += 1;
            }
        }
    }
    let Tally {
        files,
        changed,
        failed,
    } = tally;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if failed > 0 {
        out.flush()?;
        eprintln!(
            "error: {failed} file{} could not be formatted (see above); they are left as they are",
            plural(failed)
        );
        return Ok(ExitCode::from(2));
    }
    if args.check && changed > 0 {
        out.flush()?;
        eprintln!(
            "error: {changed} of {files} file{} not formatted; `gleaner fmt PATH` rewrites them",
            plural(files)
        );
        return Ok(ExitCode::from(1));
    }
    match (args.check, changed) {
        (true, _) => writeln!(out, "ok: {files} file{} formatted", plural(files))?,
        (false, 0) => writeln!(
            out,
            "ok: {files} file{}, all already formatted",
            plural(files)
        )?,
        (false, n) => writeln!(out, "ok: {files} file{}, {n} reformatted", plural(files))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Formats one file: a diff with `--check`, else a rewrite when it changes.
fn one_file(
    path: &Path,
    check: bool,
    tally: &mut Tally,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)?;
    let formatted = match format_source(&name, &text) {
        Ok(f) => f,
        Err(d) => {
            out.flush()?;
            eprint!("{}", d.render(super::color()));
            let n = d.error_count();
            eprintln!(
                "error: {name}: {n} problem{}; not formatted",
                if n == 1 { "" } else { "s" }
            );
            tally.failed += 1;
            return Ok(());
        }
    };
    if formatted == text {
        return Ok(());
    }
    tally.changed += 1;
    if check {
        write!(out, "{}", diff(&name, &text, &formatted))?;
    } else {
        replace(path, &formatted)?;
        writeln!(out, "formatted {name}")?;
    }
    Ok(())
}

/// `gleaner fmt -`: standard input to standard output (or a diff with `--check`).
fn filter(check: bool) -> std::io::Result<ExitCode> {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: standard input: {e}");
        return Ok(ExitCode::from(2));
    }
    let name = "<stdin>";
    let formatted = match format_source(name, &text) {
        Ok(f) => f,
        Err(d) => {
            eprint!("{}", d.render(super::color()));
            let n = d.error_count();
            eprintln!(
                "error: {name}: {n} problem{}; not formatted",
                if n == 1 { "" } else { "s" }
            );
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = std::io::stdout().lock();
    if !check {
        out.write_all(formatted.as_bytes())?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if formatted == text {
        return Ok(ExitCode::SUCCESS);
    }
    out.write_all(diff(name, &text, &formatted).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::from(1))
}

/// A unified diff from `old` to `new`, three lines of context.
fn diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}

/// Writes `text` over `path` through a temporary file in the same folder, so
/// that the file is either the old text or the new, never half of each. The
/// file keeps its permissions.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".gleaner-fmt-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), permissions)?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

/// A file as given, or every `.rules` file under a folder, sorted by path.
fn rule_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "rules") {
                out.push(path);
            }
        }
        Ok(())
    }
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    if out.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no .rules file in this folder",
        ));
    }
    out.sort();
    Ok(out)
}
