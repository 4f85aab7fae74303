//! `gleaner test` and `gleaner init`: snapshot tests for rule projects.

use crate::Program;
use crate::diff::{Change, Style, Tally, diff_records, write_change};
use crate::engine::{Record, Runner};
use crate::output::snapshot::{self, DocRecords};
use crate::project::{Article, Project, init, remove_if_present, write_atomic};
use crate::text::{Document, read_input};
use crate::verify::{Outcome, verify};
use clap::Args;
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) const TEST_EXAMPLES: &str = "\
Examples:
  # Make a project, then test it: every example, every article against its snapshot
  gleaner init my_rules && cd my_rules && gleaner test

  # After changing a rule: see what changed, then accept or reject it article by article
  gleaner test --review

  # Accept every difference (write the new snapshots)
  gleaner test --accept

  # Only one rule's examples and records, only the articles whose path has \"asylum\"
  gleaner test --filter rule:role_apposition --filter article:asylum

A project is a folder with rules/, articles/ (.txt, .jsonl) and snapshots/, or
what its gleaner.toml says. A snapshot that differs is written next to the old one
as .snap.new, pending until accepted or rejected. Exit status: 0 when every example
and snapshot holds, 1 when something differs or fails, 2 when the project cannot be read.";

pub(super) const INIT_EXAMPLES: &str = "\
Examples:
  # A new project in ./my_rules, with its snapshots already accepted
  gleaner init my_rules
  cd my_rules && gleaner test";

#[derive(Args, Debug)]
pub(super) struct TestArgs {
    /// The project folder.
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Write the new snapshots of every article that differs (and remove stale ones).
    #[arg(long, conflicts_with = "review")]
    accept: bool,
    /// Walk through the differences one article file at a time: accept, reject, skip or quit.
    #[arg(long)]
    review: bool,
    /// Test a subset: `rule:TEXT` keeps the rules whose name (or `file:name`) contains
    /// TEXT, `article:TEXT` the articles whose path contains it (repeatable; filters of
    /// one kind add up).
    #[arg(long, value_name = "rule:TEXT|article:TEXT", value_parser = parse_filter)]
    filter: Vec<Filter>,
    /// Threads to run on (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub(super) jobs: Option<usize>,
}

#[derive(Args, Debug)]
pub(super) struct InitArgs {
    /// The folder to make (it must not exist or be empty).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
}

#[derive(Clone, Debug)]
pub(super) enum Filter {
    Rule(String),
    Article(String),
}

fn parse_filter(s: &str) -> Result<Filter, String> {
    match s.split_once(':') {
        Some(("rule", t)) if !t.is_empty() => Ok(Filter::Rule(t.to_string())),
        Some(("article", t)) if !t.is_empty() => Ok(Filter::Article(t.to_string())),
        _ => Err(format!(
            "`{s}`: write `rule:TEXT` (rules whose name contains TEXT) or `article:TEXT` (articles whose path contains TEXT)"
        )),
    }
}

/// What the filters select.
struct Selection {
    rules: Vec<String>,
    articles: Vec<String>,
}

impl Selection {
    fn new(filters: &[Filter]) -> Selection {
        let mut s = Selection {
            rules: Vec::new(),
            articles: Vec::new(),
        };
        for f in filters {
            match f {
                Filter::Rule(t) => s.rules.push(t.clone()),
                Filter::Article(t) => s.articles.push(t.clone()),
            }
        }
        s
    }

    fn rule(&self, id: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|t| id.contains(t.as_str()))
    }

    fn article(&self, a: &Article) -> bool {
        self.articles.is_empty()
            || self.articles.iter().any(|t| {
                a.name.contains(t.as_str()) || a.path.to_string_lossy().contains(t.as_str())
            })
    }
}

pub(super) fn init_cmd(args: InitArgs) -> std::io::Result<ExitCode> {
    let written = match init(&args.dir) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let project = match Project::open(&args.dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let program = match super::program_from(&project.rules) {
        Ok(p) => p,
        Err(d) => {
            eprint!("{}", d.render(false));
            return Ok(ExitCode::from(1));
        }
    };
    let mut runner = Runner::new();
    let mut snapshots = Vec::new();
    let articles = project
        .article_files()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    for a in &articles {
        let (docs, errors) = read_docs(&a.path, &project.text_field);
        if let Some(e) = errors.first() {
            return Err(std::io::Error::other(e.clone()));
        }
        let docs: Vec<DocRecords> = docs
            .iter()
            .map(|d| DocRecords {
                id: d.id.clone(),
                records: runner.run(&program, d),
            })
            .collect();
        write_atomic(&a.snapshot, snapshot::write_file(&a.name, &docs).as_bytes())?;
        snapshots.push(project.show(&a.snapshot));
    }
    println!("made a rule project in {}:", args.dir.display());
    for w in written {
        println!("  {}", w.display());
    }
    for s in snapshots {
        println!("  {s}");
    }
    println!(
        "next: cd {} && gleaner test   (then change a rule in rules/ and run it again)",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The documents of one article file, and the errors met reading it.
fn read_docs(path: &Path, text_field: &str) -> (Vec<Document>, Vec<String>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    read_input(&[path.to_path_buf()], text_field, &mut |d| match d {
        Ok(d) => docs.push(d),
        Err(e) => errors.push(e.to_string()),
    });
    (docs, errors)
}

/// How one article file compares with its snapshot.
enum Status {
    /// Same records.
    Same,
    /// No snapshot yet.
    New,
    /// Records differ.
    Changed,
    /// The snapshot could not be read (it is replaced when accepted).
    Unreadable(String),
    /// The article could not be read.
    Failed(Vec<String>),
}

/// One article file's result.
struct ArticleResult {
    article: Article,
    status: Status,
    /// Per document: its id, text, and changes (only documents with changes).
    changes: Vec<(String, String, Vec<Change>)>,
    /// The snapshot to write when accepted.
    accepted: String,
    tally: Tally,
}

pub(super) fn test(args: TestArgs) -> std::io::Result<ExitCode> {
    let project = match Project::open(&args.dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let style = Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let program = match super::program_from(&project.rules) {
        Ok(p) => p,
        Err(d) => {
            super::print_diagnostics(&d);
            return Ok(ExitCode::from(1));
        }
    };
    let select = Selection::new(&args.filter);
    let mut failed = false;

    // Examples and counterexamples.
    let reports = verify(&program);
    let mut shown = 0;
    let mut counts = [0usize; 4];
    let mut failing = String::new();
    let mut diagnostics = Vec::new();
    for report in &reports {
        let rule = &program.rules[report.rule];
        if !select.rule(&rule.id) {
            continue;
        }
        shown += 1;
        let status = [Outcome::Wrong, Outcome::Noisy, Outcome::Missing]
            .into_iter()
            .find(|o| report.outcomes.contains(o))
            .unwrap_or(Outcome::Validated);
        counts[status as usize] += 1;
        if status != Outcome::Validated {
            failed = true;
            let file = program.sources.get(rule.loc.file);
            let line = file.text[..rule.loc.span.start as usize]
                .matches('\n')
                .count()
                + 1;
            let _ = writeln!(
                failing,
                "  {:9}  {}:{line}  {}",
                outcome_label(status),
                file.name,
                rule.name
            );
            diagnostics.extend(report.failures.iter().cloned());
        }
    }
    println!(
        "rules: {shown} tested: {} validated, {} missing, {} noisy, {} wrong",
        counts[Outcome::Validated as usize],
        counts[Outcome::Missing as usize],
        counts[Outcome::Noisy as usize],
        counts[Outcome::Wrong as usize],
    );
    print!("{failing}");
    if !diagnostics.is_empty() {
        print!(
            "{}",
            crate::diag::render(&program.sources, &diagnostics, style.color)
        );
    }

    // Articles against their snapshots.
    let articles: Vec<Article> = match project.article_files() {
        Ok(a) => a.into_iter().filter(|a| select.article(a)).collect(),
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let pool = super::thread_pool(args.jobs)?;
    let results: Vec<ArticleResult> = {
        use rayon::prelude::*;
        pool.install(|| {
            articles
                .into_par_iter()
                .map(|a| {
                    crate::engine::with_runner(&program, |runner| {
                        compare(&program, runner, &project, a, &select)
                    })
                })
                .collect()
        })
    };
    let stale = if select.articles.is_empty() {
        stale_snapshots(&project, &results)
    } else {
        Vec::new()
    };

    let mut same = 0;
    let mut differ = 0;
    for r in &results {
        match &r.status {
            Status::Same => same += 1,
            _ => differ += 1,
        }
    }
    println!(
        "articles: {} file{}: {same} as {} snapshot{}, {differ} not",
        results.len(),
        plural(results.len()),
        if same == 1 { "its" } else { "their" },
        plural(same)
    );
    let stdin = std::io::stdin();
    let mut answers = stdin.lock().lines();
    let mut quit = false;
    let (mut accepted, mut pending, mut rejected) = (0, 0, 0);
    for r in &results {
        if matches!(r.status, Status::Same) {
            // Nothing pending for an article that holds.
            remove_if_present(&r.article.pending())?;
            continue;
        }
        let mut block = String::new();
        describe(r, &project, style, &mut block);
        print!("{block}");
        if matches!(r.status, Status::Failed(_)) {
            failed = true;
            continue;
        }
        let decision = if args.accept {
            Decision::Accept
        } else if args.review && !quit {
            ask(&mut answers, &r.article.name)?
        } else {
            Decision::Skip
        };
        match decision {
            Decision::Accept => {
                write_atomic(&r.article.snapshot, r.accepted.as_bytes())?;
                remove_if_present(&r.article.pending())?;
                println!("  accepted: {}", project.show(&r.article.snapshot));
                accepted += 1;
            }
            Decision::Reject => {
                remove_if_present(&r.article.pending())?;
                println!("  rejected: the snapshot stays as it was");
                rejected += 1;
                failed = true;
            }
            Decision::Skip | Decision::Quit => {
                write_atomic(&r.article.pending(), r.accepted.as_bytes())?;
                pending += 1;
                failed = true;
                if decision == Decision::Quit {
                    quit = true;
                }
            }
        }
    }
    for s in &stale {
        if args.accept {
            remove_if_present(s)?;
            println!("removed stale snapshot {}", project.show(s));
        } else {
            println!(
                "stale    {}: its article is gone (`gleaner test --accept` removes it)",
                project.show(s)
            );
            failed = true;
        }
    }
    let mut summary = Vec::new();
    let failing_rules = counts[1] + counts[2] + counts[3];
    if failing_rules > 0 {
        summary.push(format!(
            "{failing_rules} rule{} with failing examples",
            plural(failing_rules)
        ));
    }
    let unreadable = results
        .iter()
        .filter(|r| matches!(r.status, Status::Failed(_)))
        .count();
    if unreadable > 0 {
        summary.push(format!(
            "{unreadable} unreadable article file{}",
            plural(unreadable)
        ));
    }
    if accepted > 0 {
        summary.push(format!("{accepted} snapshot{} accepted", plural(accepted)));
    }
    if rejected > 0 {
        summary.push(format!("{rejected} rejected"));
    }
    if pending > 0 {
        summary.push(format!(
            "{pending} pending (written as .snap.new; review with `gleaner test --review`, or `--accept` all)"
        ));
    }
    if !stale.is_empty() && !args.accept {
        summary.push(format!(
            "{} stale snapshot{}",
            stale.len(),
            plural(stale.len())
        ));
    }
    let verdict = if failed { "test failed" } else { "test ok" };
    if summary.is_empty() {
        println!("{verdict}");
    } else {
        println!("{verdict}: {}", summary.join(", "));
    }
    Ok(ExitCode::from(u8::from(failed)))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Validated => "validated",
        Outcome::Missing => "missing",
        Outcome::Noisy => "noisy",
        Outcome::Wrong => "wrong",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    Accept,
    Reject,
    Skip,
    Quit,
}

fn ask(
    answers: &mut impl Iterator<Item = std::io::Result<String>>,
    name: &str,
) -> std::io::Result<Decision> {
    loop {
        print!("{name}: [a]ccept, [r]eject, [s]kip, [q]uit? ");
        std::io::stdout().flush()?;
        let Some(line) = answers.next().transpose()? else {
            println!();
            return Ok(Decision::Quit);
        };
        match line.trim().to_lowercase().as_str() {
            "a" | "accept" => return Ok(Decision::Accept),
            "r" | "reject" => return Ok(Decision::Reject),
            "s" | "skip" => return Ok(Decision::Skip),
            "q" | "quit" => return Ok(Decision::Quit),
            other => println!("`{other}`: answer a, r, s or q"),
        }
    }
}

/// Runs the rules over one article file and compares with its snapshot.
fn compare(
    program: &Program,
    runner: &mut Runner,
    project: &Project,
    article: Article,
    select: &Selection,
) -> ArticleResult {
    let (docs, errors) = read_docs(&article.path, &project.text_field);
    let mut result = ArticleResult {
        article,
        status: Status::Same,
        changes: Vec::new(),
        accepted: String::new(),
        tally: Tally::default(),
    };
    if !errors.is_empty() {
        result.status = Status::Failed(errors);
        return result;
    }
    let new: Vec<DocRecords> = docs
        .iter()
        .map(|d| DocRecords {
            id: d.id.clone(),
            records: runner.run(program, d),
        })
        .collect();
    let old: Option<Vec<DocRecords>> = match std::fs::read_to_string(&result.article.snapshot) {
        Ok(text) => match snapshot::parse(&text) {
            Ok(docs) => Some(docs),
            Err(e) => {
                result.status = Status::Unreadable(e.to_string());
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            result.status = Status::New;
            None
        }
        Err(e) => {
            result.status = Status::Unreadable(e.to_string());
            None
        }
    };
    let empty = Vec::new();
    let mut accepted_docs = Vec::new();
    for (d, n) in docs.iter().zip(&new) {
        let o = old
            .as_ref()
            .and_then(|old| old.iter().find(|o| o.id == n.id))
            .map_or(&empty, |o| &o.records);
        let keep = |r: &&Record| select.rule(&r.rule);
        let old_sel: Vec<Record> = o.iter().filter(keep).cloned().collect();
        let new_sel: Vec<Record> = n.records.iter().filter(keep).cloned().collect();
        let changes = diff_records(&old_sel, &new_sel);
        for c in &changes {
            result.tally.add(c.kind);
        }
        if !changes.is_empty() {
            result.changes.push((n.id.clone(), d.text.clone(), changes));
        }
        // What the snapshot becomes: with a rule filter, only the selected
        // rules' records change.
        let mut records: Vec<Record> = o.iter().filter(|r| !keep(r)).cloned().collect();
        records.extend(new_sel);
        records.sort_by(|a, b| {
            (a.start, std::cmp::Reverse(a.end), &a.kind, &a.rule).cmp(&(
                b.start,
                std::cmp::Reverse(b.end),
                &b.kind,
                &b.rule,
            ))
        });
        if select.rules.is_empty() {
            records = n.records.clone();
        }
        accepted_docs.push(DocRecords {
            id: n.id.clone(),
            records,
        });
    }
    // Documents the snapshot has and the article no longer does.
    if let Some(old) = &old {
        for o in old {
            if !new.iter().any(|n| n.id == o.id) {
                let changes = diff_records(&o.records, &[]);
                for c in &changes {
                    result.tally.add(c.kind);
                }
                result.changes.push((o.id.clone(), String::new(), changes));
            }
        }
        let same_docs = old.len() == new.len() && old.iter().zip(&new).all(|(o, n)| o.id == n.id);
        if result.changes.is_empty() && same_docs {
            result.status = Status::Same;
        } else if matches!(result.status, Status::Same) {
            result.status = Status::Changed;
        }
    }
    result.accepted = snapshot::write_file(&result.article.name, &accepted_docs);
    result
}

/// Prints what differs for one article file.
fn describe(r: &ArticleResult, project: &Project, style: Style, out: &mut String) {
    let name = &r.article.name;
    let counts = format!(
        "{} added, {} removed, {} changed",
        r.tally.added, r.tally.removed, r.tally.changed
    );
    let _ = match &r.status {
        Status::Same => return,
        Status::New => writeln!(
            out,
            "\n{} {name}: no snapshot yet ({} records)",
            style.bold("new     "),
            r.tally.added
        ),
        Status::Changed => writeln!(out, "\n{} {name}: {counts}", style.bold("changed ")),
        Status::Unreadable(e) => writeln!(
            out,
            "\n{} {name}: {} cannot be read ({e}); accepting replaces it",
            style.bold("broken  "),
            project.show(&r.article.snapshot)
        ),
        Status::Failed(errors) => {
            let _ = writeln!(
                out,
                "\n{} {name}: the article cannot be read",
                style.bold("error   ")
            );
            for e in errors {
                let _ = writeln!(out, "  {e}");
            }
            return;
        }
    };
    if matches!(r.status, Status::New) {
        return;
    }
    for (id, text, changes) in &r.changes {
        let _ = writeln!(out, "  ## {id}");
        for c in changes {
            let mut block = String::new();
            write_change(
                c,
                (!text.is_empty()).then_some(text.as_str()),
                style,
                &mut block,
            );
            for line in block.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
}

/// Snapshots in the snapshot folder that no article has (and stale `.snap.new` files).
fn stale_snapshots(project: &Project, results: &[ArticleResult]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    collect_snaps(&project.snapshots, &mut found);
    found.sort();
    found
        .into_iter()
        .filter(|p| {
            !results
                .iter()
                .any(|r| r.article.snapshot == *p || r.article.pending() == *p)
        })
        .collect()
}

fn collect_snaps(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_snaps(&p, out);
        } else {
            let name = p.to_string_lossy();
            if name.ends_with(".snap") || name.ends_with(".snap.new") {
                out.push(p);
            }
        }
    }
}
