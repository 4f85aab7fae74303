//! The `gleaner` command line. `main.rs` only calls [`main`].

mod diff;
mod explain;
mod fmt;
mod interrupt;
mod pipeline;
mod progress;
mod shell;
mod test;

use crate::diag::Diagnostics;
use crate::engine::{Record, Runner};
use crate::output::{self, Format};
use crate::verify::{Outcome, verify};
use crate::{Program, load};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const RUN_EXAMPLES: &str = "\
Examples:
  # The bundled rules over one article, as a table
  gleaner run tests/fixtures/000_tehran_moscow_security_agreement.txt

  # Every .txt and .jsonl file of a folder, as JSON Lines, into a file
  gleaner run --format jsonl --output records.jsonl tests/fixtures/

  # Your own rules (a file or a folder of .rules files) over JSON Lines from stdin
  cat articles.jsonl | gleaner run --rules my_rules/ -

  # Offsets in Unicode code points (as Python counts) instead of bytes
  gleaner run --offsets chars --format jsonl articles.jsonl

  # One web page: each article with its records highlighted, a table of records each
  gleaner run --format html --output records.html tests/fixtures/

Input: a .txt file is one article (its id is the file name without .txt); a .jsonl
file holds one article a line, {\"id\": …, \"text\": …, \"date\": …}, other fields are
kept; a folder is searched for both; `-` reads standard input.";

const CHECK_EXAMPLES: &str = "\
Examples:
  # The bundled rule library
  gleaner check

  # A rules folder, then one file
  gleaner check rules/
  gleaner check rules/news/roles.rules

Every problem is reported with the file, the line and a hint, all at once.
Each rule's `example` must be found by the rule and each `counterexample` not;
the exit status is 0 only when everything holds.";

const EVAL_EXAMPLES: &str = "\
Examples:
  # The bundled rules against the dev gold, person-role appositions paired by person and role
  gleaner eval --gold tests/gold/gum_dev.jsonl --pair PersonRole:person,role

  # Your own rules, dates only, with every miss and false alarm in context
  gleaner eval --gold tests/gold/gum_dev.jsonl --rules my_rules/ --types Date --errors

  # The numbers as JSON
  gleaner eval --gold tests/gold/gum_dev.jsonl --format json

Gold: one document a line, {\"id\", \"text\", \"date\", \"records\": [{\"type\", \"start\",
\"end\", \"fields\": {NAME: {\"start\", \"end\"} or {\"value\"}}}]}, offsets in
Unicode code points. Per type of the gold: strict (equal spans) and relaxed
(overlapping) precision, recall and F1, pairing one to one; per field: span
accuracy over relaxed pairs, and for values accuracy and value P/R/F1.";

const DEBUG_EXAMPLES: &str = "\
Examples:
  gleaner debug tokens \"Mr. Lavrov, Russia’s foreign minister, said on Nov. 11 ...\"
  gleaner debug tokens --file tests/fixtures/000_tehran_moscow_security_agreement.txt
  gleaner debug ast --rules rules/news/roles.rules
  gleaner debug program --rule role_appositive";

/// gleaner: extraction rules that read like the text they find.
#[derive(Parser, Debug)]
#[command(name = "gleaner", version, about, long_about = None, after_help = "\
Examples:
  gleaner run tests/fixtures/000_tehran_moscow_security_agreement.txt
  gleaner run --rules my_rules/ --format jsonl articles.jsonl > records.jsonl
  gleaner check my_rules/
  gleaner eval --gold tests/gold/gum_dev.jsonl --rules my_rules/ --errors
  gleaner explain --rule role_appositive --file tests/fixtures/000_tehran_moscow_security_agreement.txt
  gleaner init my_project && cd my_project && gleaner test --review
  gleaner diff --base git:HEAD --rules rules/ tests/fixtures/

Exit status: 0 success, 1 rule or input errors (or, for test and diff, differences), 2 usage errors.
Run `gleaner help <command>` for each command's options and examples.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Let rule files import and read files outside the rules folder given (off:
    /// `import` and `lexicon … from` paths must stay under it).
    #[arg(long, global = true)]
    allow_outside_root: bool,
}

/// `--allow-outside-root`, for every command that reads rule files.
static ALLOW_OUTSIDE_ROOT: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// How rule files are read, as the command line says.
fn load_options() -> load::Options {
    load::Options {
        allow_outside_root: ALLOW_OUTSIDE_ROOT.load(std::sync::atomic::Ordering::Relaxed),
    }
}

/// Builds a program from rule files or folders, as the command line says.
fn program_from(paths: &[PathBuf]) -> Result<Program, Diagnostics> {
    Program::from_paths_with(paths, load_options())
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run rules over articles and print the records they find.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Parse and check rule files, and test every rule's examples.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Score rules against gold annotations: precision, recall and F1 per record type.
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
    /// Compare two rule sets over articles: which records a rule change adds, removes, changes.
    #[command(after_help = diff::DIFF_EXAMPLES)]
    Diff(diff::DiffArgs),
    /// Test a rule project: every rule's examples, every article against its snapshot.
    #[command(after_help = test::TEST_EXAMPLES)]
    Test(test::TestArgs),
    /// Make a new rule project (rules, an article, its snapshot) to start from.
    #[command(after_help = test::INIT_EXAMPLES)]
    Init(test::InitArgs),
    /// Print a shell completion script (bash, elvish, fish, powershell, zsh).
    #[command(after_help = shell::COMPLETIONS_EXAMPLES)]
    Completions(shell::CompletionsArgs),
    /// Print the manual page (roff), or write a page per command into a folder.
    #[command(after_help = shell::MAN_EXAMPLES)]
    Man(shell::ManArgs),
    /// Why a rule matched a text, or how far it got and where and why it stopped.
    #[command(after_help = explain::EXAMPLES)]
    Explain(explain::ExplainArgs),
    /// Lay rule files out in the canonical layout, keeping every comment (--check for CI).
    #[command(after_help = fmt::EXAMPLES)]
    Fmt(fmt::FmtArgs),
    /// Show what gleaner sees: tokens and sentences, parsed rules, compiled rules.
    #[command(after_help = DEBUG_EXAMPLES)]
    Debug {
        #[command(subcommand)]
        what: DebugCommand,
    },
}

#[derive(Args, Debug)]
struct RulesArg {
    /// A rule file or a folder of `.rules` files (repeatable). Default: the bundled library.
    #[arg(long = "rules", short = 'r', value_name = "PATH")]
    rules: Vec<PathBuf>,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    rules: RulesArg,
    /// How to print records.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,
    /// Write to this file instead of standard output (replaced only when the run finishes).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Offsets in the output: bytes into the text, or chars (Unicode code points, as Python counts).
    #[arg(long, value_enum, default_value_t = OffsetsArg::Bytes)]
    offsets: OffsetsArg,
    /// The JSON field that holds an article's text in .jsonl input.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// Threads to run on (default: one per core). Output is the same for any number.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// No progress bar (there is one on stderr only when it is a terminal).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Read text that is not valid UTF-8 anyway, replacing bad bytes with U+FFFD
    /// (with a warning naming the document and byte); without it such a document
    /// is an error.
    #[arg(long)]
    lossy: bool,
    /// Print to stderr the time each rule took (the slowest first), what each
    /// prefilter automaton cost (time, of which building its states; tokens
    /// scanned, transitions worked out, times its cache was emptied) and the
    /// time by phase; runs on one thread.
    #[arg(long)]
    profile: bool,
    /// Articles: .txt or .jsonl files, folders of them, or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OffsetsArg {
    /// Byte offsets (UTF-8).
    Bytes,
    /// Unicode code point offsets.
    Chars,
}

#[derive(Args, Debug)]
struct EvalArgs {
    /// The gold file: JSON Lines, one annotated document a line (`-` for standard input).
    #[arg(long, value_name = "GOLD.jsonl")]
    gold: PathBuf,
    #[command(flatten)]
    rules: RulesArg,
    /// How to print the scores.
    #[arg(long, short = 'f', value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
    /// Also list, per document, misses, false alarms, boundary and value mismatches, in context.
    #[arg(long)]
    errors: bool,
    /// Pair records of TYPE by these fields' spans instead of the record's span (repeatable).
    #[arg(long, value_name = "TYPE:FIELD[,FIELD…]", value_parser = crate::eval::parse_pair)]
    pair: Vec<(String, Vec<String>)>,
    /// Score only these record types (comma-separated). Default: every type of the gold.
    #[arg(long, value_name = "TYPE,…", value_delimiter = ',')]
    types: Vec<String>,
    /// Threads to run on (default: one per core). The scores are the same for any number.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    /// Aligned columns, for reading.
    Table,
    /// One JSON object.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    /// Aligned columns, for reading.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A block per record, fields aligned (the format of the test snapshots).
    Snapshot,
    /// One self-contained web page: the articles, their records highlighted, a table each.
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Snapshot => Format::Snapshot,
            FormatArg::Html => Format::Html,
        }
    }
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Rule files or folders. Default: the bundled library.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum DebugCommand {
    /// The tokens of a text, with their classes, sentences and paragraphs.
    Tokens {
        /// The text (or use --file).
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        text: Option<String>,
        /// Read the text from a file.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// The rule files as parsed.
    Ast {
        #[command(flatten)]
        rules: RulesArg,
    },
    /// A rule's compiled automaton and prefilter.
    Program {
        #[command(flatten)]
        rules: RulesArg,
        /// The rule's name (default: every rule).
        #[arg(long, value_name = "NAME")]
        rule: Option<String>,
    },
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ALLOW_OUTSIDE_ROOT.store(cli.allow_outside_root, std::sync::atomic::Ordering::Relaxed);
    // Building the rules uses rayon's threads: no more than `--jobs` says.
    let jobs = match &cli.command {
        Command::Run(args) => args.jobs,
        Command::Eval(args) => args.jobs,
        Command::Diff(args) => args.jobs,
        Command::Test(args) => args.jobs,
        _ => None,
    };
    if let Some(n) = jobs {
        let threads = rayon::ThreadPoolBuilder::new().num_threads(n.max(1));
        // Fails only if the pool was built already: then it stays as it is.
        let _ = threads.build_global();
    }
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Eval(args) => eval(args),
        Command::Diff(args) => diff::diff(args),
        Command::Test(args) => test::test(args),
        Command::Init(args) => test::init_cmd(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Explain(args) => explain::explain(args),
        Command::Fmt(args) => fmt::fmt(args),
        Command::Debug { what } => debug(what),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// With `--lossy`: says where a document's invalid UTF-8 was replaced.
fn warn_lossy(d: &crate::text::Document) {
    if let Some(at) = d.lossy_at {
        eprintln!(
            "warning: document `{}`: invalid UTF-8 from byte {at} on replaced with U+FFFD (--lossy)",
            d.id
        );
    }
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn print_diagnostics(d: &Diagnostics) {
    eprint!("{}", d.render(color()));
    let n = d.error_count();
    eprintln!(
        "error: {n} problem{} in the rules; nothing was run",
        if n == 1 { "" } else { "s" }
    );
}

fn build(rules: &RulesArg) -> Result<Program, Diagnostics> {
    if rules.rules.is_empty() {
        Program::bundled()
    } else {
        program_from(&rules.rules)
    }
}

/// Starts reading (and parsing JSON) on a thread of its own, a bounded way
/// ahead of what is run: the first documents are read while the rules
/// compile. The thread is not joined: when the rules do not build, the
/// process ends without waiting for a read (of a terminal, say) to finish.
fn read_in_background(
    inputs: &[PathBuf],
    text_field: &str,
    lossy: bool,
) -> pipeline::Queue<Result<crate::text::Document, crate::text::DocError>> {
    let (feed, queue) = pipeline::channel_of(READ_AHEAD);
    let (inputs, text_field) = (inputs.to_vec(), text_field.to_string());
    std::thread::spawn(move || {
        let how = crate::text::Reading {
            text_field: &text_field,
            lossy,
        };
        let mut stopped = false;
        crate::text::read_input_with(&inputs, &how, &mut |doc| {
            if stopped || interrupt::interrupted() {
                return;
            }
            let bytes = doc.as_ref().map_or(0, |d| d.text.len());
            stopped = !feed.push(doc, bytes);
        });
    });
    queue
}

fn run(args: RunArgs) -> std::io::Result<ExitCode> {
    interrupt::install();
    let queue = read_in_background(&args.inputs, &args.text_field, args.lossy);
    let program = match build(&args.rules) {
        Ok(p) => p,
        Err(d) => {
            print_diagnostics(&d);
            return Ok(ExitCode::from(1));
        }
    };
    let format = Format::from(args.format);
    let mut out = RunOutput {
        format,
        chars: args.offsets == OffsetsArg::Chars,
        sink: Sink::open(args.output.as_deref())?,
        all: Vec::new(),
        page: (format == Format::Html).then(|| output::html::Page::new(html_offsets(args.offsets))),
        failed: 0,
        docs: 0,
        io_error: None,
        partial: false,
    };
    let progress = progress::Progress::new(&args.inputs, args.quiet);
    let mut done = 0;
    let (chars, jsonl) = (out.chars, format == Format::Jsonl);
    // With `--profile`, one thread, whose runner adds up what each rule cost.
    let jobs = if args.profile { 1 } else { jobs(args.jobs) };
    let mut runners = queue.run_ordered(
        jobs,
        || {
            let mut runner = Runner::new();
            runner.profile = args.profile.then(Vec::new);
            runner
        },
        |runner, doc, part| {
            Piece::Doc(doc.map(|doc| run_doc(&program, runner, doc, chars, jsonl, part)))
        },
        |piece| {
            if out.io_error.is_some() || interrupt::interrupted() {
                return false;
            }
            match piece {
                Piece::Part(text) => out.write_part(&text),
                Piece::Doc(result) => {
                    done += 1;
                    let bytes = result.as_ref().map_or(0, |d| d.doc.text.len());
                    out.take(result);
                    progress.advance(done, bytes);
                }
            }
            true
        },
    );
    progress.finish();
    if interrupt::interrupted() {
        let what = match &args.output {
            Some(p) => format!(
                "{} was not written (an older file there is kept)",
                p.display()
            ),
            None if format == Format::Jsonl && out.partial => {
                "the records above are complete up to that document (those of the next one were cut short)".to_string()
            }
            None if format == Format::Jsonl => {
                "the records above are complete up to that document".to_string()
            }
            None => "no records were printed".to_string(),
        };
        interrupt::set_temp(None);
        eprintln!("error: interrupted after {} documents; {what}", out.docs);
        return Ok(ExitCode::from(130));
    }
    if let Some(runner) = runners.first_mut()
        && let Some(profile) = runner.profile.take()
    {
        eprint!("{}", profile_table(&program, &profile));
        let automata = runner.automata_profile(&program);
        eprint!("\n{}", automata_table(&program, &automata));
        let phases = runner.phase_profile();
        let ms = |n: u64| n as f64 / 1e6;
        eprintln!(
            "\nms by phase: tokens, sentences and classes {:.1}; prefilter {:.1} (the automata above, and what they need); rules {:.1} (the first table); records {:.1}",
            ms(phases.analyze),
            ms(phases.prefilter),
            ms(profile.iter().map(|p| p.nanos).sum()),
            ms(phases.records),
        );
    }
    // Like the program below: the runners' caches are many allocations,
    // and the process ends soon.
    std::mem::forget(runners);
    if let Some(e) = out.io_error {
        return Err(e);
    }
    let RunOutput {
        mut sink,
        all,
        page,
        failed,
        docs,
        ..
    } = out;
    if let Some(page) = page {
        sink.write(page.render().as_bytes())?;
    } else if format != Format::Jsonl {
        let mut buf = String::new();
        if format == Format::Table && all.is_empty() {
            buf.push_str(&format!(
                "no records in {docs} document{}\n",
                if docs == 1 { "" } else { "s" }
            ));
        } else {
            output::write(format, &all, &mut buf);
        }
        sink.write(buf.as_bytes())?;
    }
    sink.finish()?;
    // The process ends here: freeing the compiled rules one allocation at a
    // time would cost more than all the rest of a one-article run's matching.
    std::mem::forget(program);
    if failed > 0 {
        let rest = if docs > 0 {
            format!("; the other {docs} were processed")
        } else {
            String::new()
        };
        eprintln!(
            "error: {failed} of {} input documents could not be read (see above){rest}",
            failed + docs
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--profile` table: rules by time spent, slowest first.
fn profile_table(program: &Program, profile: &[crate::engine::RuleProfile]) -> String {
    let mut rows: Vec<(usize, &crate::engine::RuleProfile)> = profile.iter().enumerate().collect();
    rows.sort_by(|a, b| b.1.nanos.cmp(&a.1.nanos).then(a.0.cmp(&b.0)));
    let total: u64 = profile.iter().map(|p| p.nanos).sum::<u64>().max(1);
    let mut out = format!(
        "{:>10}  {:>6}  {:>9}  {:>8}  rule\n",
        "ms", "share", "windows", "matches"
    );
    for (i, p) in rows.iter().take(20) {
        out.push_str(&format!(
            "{:>10.1}  {:>5.1}%  {:>9}  {:>8}  {}\n",
            p.nanos as f64 / 1e6,
            100.0 * p.nanos as f64 / total as f64,
            p.windows,
            p.matches,
            program.rules[*i].id
        ));
    }
    if rows.len() > 20 {
        out.push_str(&format!("{:>36}  ({} more rules)\n", "", rows.len() - 20));
    }
    out.push_str(&format!(
        "{:>10.1}  {:>5.1}%  {:>9}  {:>8}  all {} rules\n",
        total as f64 / 1e6,
        100.0,
        profile.iter().map(|p| p.windows).sum::<u64>(),
        profile.iter().map(|p| p.matches).sum::<u64>(),
        rows.len()
    ));
    out
}

/// The second `--profile` table: the prefilter automata by time spent,
/// slowest first (each scans the windows of its rules' scope for up to 64
/// rules of one stratum at once, building its states as the text needs
/// them).
fn automata_table(program: &Program, automata: &[crate::engine::AutomatonProfile]) -> String {
    let mut rows: Vec<&crate::engine::AutomatonProfile> = automata.iter().collect();
    rows.sort_by_key(|a| std::cmp::Reverse(a.stats.nanos));
    let total: u64 = automata.iter().map(|a| a.stats.nanos).sum::<u64>().max(1);
    let mut out = format!(
        "{:>10}  {:>6}  {:>8}  {:>10}  {:>11}  {:>7}  prefilter automaton: windows, stratum, rules\n",
        "ms", "share", "building", "tokens", "transitions", "emptied"
    );
    let sum = |f: fn(&crate::engine::AutomatonProfile) -> u64| automata.iter().map(f).sum::<u64>();
    for a in &rows {
        let first = &program.rules[a.rules[0]].id;
        let rules = match a.rules.len() {
            1 => first.clone(),
            2 => format!("{first}, {}", program.rules[a.rules[1]].id),
            n => format!("{first} and {} more", n - 1),
        };
        out.push_str(&format!(
            "{:>10.1}  {:>5.1}%  {:>8.1}  {:>10}  {:>11}  {:>7}  {}s, stratum {}: {rules}\n",
            a.stats.nanos as f64 / 1e6,
            100.0 * a.stats.nanos as f64 / total as f64,
            a.stats.building_nanos as f64 / 1e6,
            a.stats.tokens,
            a.stats.transitions,
            a.stats.emptied,
            a.scope.name(),
            a.stratum + 1,
        ));
    }
    out.push_str(&format!(
        "{:>10.1}  {:>5.1}%  {:>8.1}  {:>10}  {:>11}  {:>7}  all {} automata\n",
        total as f64 / 1e6,
        100.0,
        sum(|a| a.stats.building_nanos) as f64 / 1e6,
        sum(|a| a.stats.tokens),
        sum(|a| a.stats.transitions),
        sum(|a| a.stats.emptied),
        rows.len()
    ));
    out
}

fn html_offsets(offsets: OffsetsArg) -> output::html::Offsets {
    match offsets {
        OffsetsArg::Bytes => output::html::Offsets::Bytes,
        OffsetsArg::Chars => output::html::Offsets::Chars,
    }
}

/// How many threads: `jobs`, or one per core.
fn jobs(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// A thread pool of `jobs` threads (default: one per core).
fn thread_pool(jobs: Option<usize>) -> std::io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(self::jobs(jobs))
        .build()
        .map_err(std::io::Error::other)
}

/// How far (in bytes of text) reading may run ahead of writing out.
const READ_AHEAD: usize = 8 << 20;

/// JSON Lines of one document are handed on in parts of about this size, so
/// that a long document's records are not all held at once.
const PART_BYTES: usize = 1 << 20;

/// Runs one document. With `jsonl`, its records are written as JSON Lines as
/// they are built and handed to `part` as [`Piece::Part`]s every
/// [`PART_BYTES`] or so (the rest comes in [`Done::text`]), and its list of
/// records is left empty.
fn run_doc(
    program: &Program,
    runner: &mut Runner,
    doc: crate::text::Document,
    chars: bool,
    jsonl: bool,
    part: &mut dyn FnMut(Piece),
) -> Done {
    let offsets = chars.then(|| output::CharOffsets::new(&doc.text));
    // JSON Lines take about as many bytes as the text: room for that, up to
    // a part, so that the buffer seldom grows by copying.
    let room = (doc.text.len() + 4096).min(PART_BYTES + 65536);
    let mut records = Vec::new();
    let mut text = if jsonl {
        Vec::with_capacity(room)
    } else {
        Vec::new()
    };
    runner.run_each_ref(program, &doc, &mut |mut r| {
        if let Some(offsets) = &offsets {
            offsets.record_ref_to_chars(&mut r);
        }
        if jsonl {
            output::json::record_jsonl(&r, &mut text);
            if text.len() >= PART_BYTES {
                part(Piece::Part(std::mem::replace(
                    &mut text,
                    Vec::with_capacity(room),
                )));
            }
        } else {
            records.push(r.to_record());
        }
    });
    Done { doc, records, text }
}

/// What running a document hands on, in order: parts of its JSON Lines, then
/// the document done (or why it could not be read).
enum Piece {
    Part(Vec<u8>),
    Doc(Result<Done, crate::text::DocError>),
}

/// One document run: its records, or (for JSON Lines) them written out.
struct Done {
    doc: crate::text::Document,
    records: Vec<Record>,
    /// JSON Lines not yet handed on as parts.
    text: Vec<u8>,
}

/// Where `run` puts what it finds.
struct RunOutput {
    format: Format,
    chars: bool,
    sink: Sink,
    all: Vec<Record>,
    /// With `--format html`: the page, which needs the articles' texts too.
    page: Option<output::html::Page>,
    failed: usize,
    docs: usize,
    io_error: Option<std::io::Error>,
    /// Some JSON Lines of a document not yet done were written.
    partial: bool,
}

impl RunOutput {
    /// Writes JSON Lines of a document still running.
    fn write_part(&mut self, text: &[u8]) {
        self.partial = true;
        self.write(text);
    }

    /// Writes JSON Lines, unless writing failed before (the first error is kept).
    fn write(&mut self, text: &[u8]) {
        if self.io_error.is_none()
            && let Err(e) = self.sink.write(text)
        {
            self.io_error = Some(e);
        }
    }

    fn take(&mut self, result: Result<Done, crate::text::DocError>) {
        match result {
            Ok(Done { doc, records, text }) => {
                self.docs += 1;
                self.partial = false;
                warn_lossy(&doc);
                if let Some(page) = &mut self.page {
                    page.add(&doc, records);
                } else if self.format == Format::Jsonl {
                    self.write(&text);
                } else {
                    self.all.extend(records);
                }
            }
            Err(e) => {
                self.failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
}

fn eval(args: EvalArgs) -> std::io::Result<ExitCode> {
    use crate::eval::{Evaluator, Options, gold::read_gold};
    let mut pair = std::collections::BTreeMap::new();
    for (kind, fields) in args.pair {
        if pair.insert(kind.clone(), fields).is_some() {
            eprintln!("error: --pair {kind}: given twice");
            return Ok(ExitCode::from(2));
        }
    }
    let program = match build(&args.rules) {
        Ok(p) => p,
        Err(d) => {
            print_diagnostics(&d);
            return Ok(ExitCode::from(1));
        }
    };
    let (gold, bad) = match read_gold(&args.gold) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    for e in &bad {
        eprintln!("error: {e}");
    }
    let options = Options {
        types: args.types.clone(),
        pair,
        errors: args.errors,
    };
    let mut evaluator = Evaluator::new(&gold, &options);
    {
        let known: Vec<&str> = evaluator.types().collect();
        let mut all: Vec<&str> = gold
            .iter()
            .flat_map(|g| g.records.iter().map(|r| r.kind.as_str()))
            .collect();
        all.sort_unstable();
        all.dedup();
        let wanted = options.types.iter().chain(options.pair.keys());
        for kind in wanted {
            if !known.contains(&kind.as_str()) {
                let hint = if all.contains(&kind.as_str()) {
                    " (left out by --types)".to_string()
                } else {
                    crate::diag::did_you_mean(kind, all.iter().copied())
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default()
                };
                eprintln!(
                    "warning: type `{kind}` is not scored: no gold record has it{hint}",
                    hint = hint
                );
            }
        }
    }
    // Run in parallel, score in gold order: the scores are the same for any --jobs.
    let pool = thread_pool(args.jobs)?;
    let runs: Vec<Vec<Record>> = pool.install(|| {
        use rayon::prelude::*;
        gold.par_iter()
            .map(|g| crate::engine::with_runner(&program, |runner| runner.run(&program, &g.doc)))
            .collect()
    });
    for (g, records) in gold.iter().zip(runs) {
        evaluator.add(g, records);
    }
    let evaluation = evaluator.finish();
    let text = match args.format {
        EvalFormat::Json => evaluation.to_json(args.errors),
        EvalFormat::Table => {
            let mut t = evaluation.to_table();
            if args.errors {
                t.push('\n');
                t.push_str(&evaluation.errors_text());
            }
            t
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout());
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if !bad.is_empty() {
        eprintln!(
            "error: {} line{} of {} could not be read (see above); the other {} documents were scored",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            args.gold.display(),
            gold.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Standard output, or a temporary file renamed into place when the run finishes.
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File {
        tmp: tempfile::NamedTempFile,
        path: PathBuf,
    },
}

impl Sink {
    fn open(path: Option<&Path>) -> std::io::Result<Sink> {
        match path {
            None => Ok(Sink::Stdout(std::io::BufWriter::new(std::io::stdout()))),
            Some(p) => {
                let dir = p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let tmp = tempfile::Builder::new()
                    .prefix(".gleaner-")
                    .tempfile_in(dir)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
                interrupt::set_temp(Some(tmp.path().to_path_buf()));
                Ok(Sink::File {
                    tmp,
                    path: p.to_path_buf(),
                })
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.write_all(bytes),
            Sink::File { tmp, path } => tmp.write_all(bytes).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "{}: {e}; it was not written (an older file there is kept)",
                        path.display()
                    ),
                )
            }),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(mut w) => w.flush(),
            Sink::File { tmp, path } => {
                interrupt::set_temp(None);
                tmp.as_file().sync_all()?;
                tmp.persist(&path).map(|_| ()).map_err(|e| {
                    std::io::Error::new(e.error.kind(), format!("{}: {}", path.display(), e.error))
                })
            }
        }
    }
}

fn check(args: CheckArgs) -> std::io::Result<ExitCode> {
    let (program, what) = if args.paths.is_empty() {
        (Program::bundled(), "the bundled rules".to_string())
    } else {
        let names: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        (program_from(&args.paths), names.join(", "))
    };
    let program = match program {
        Ok(p) => p,
        Err(d) => {
            print_diagnostics(&d);
            return Ok(ExitCode::from(1));
        }
    };
    let reports = verify(&program);
    let mut failures = Vec::new();
    let (mut held, mut total) = (0, 0);
    for r in &reports {
        total += r.outcomes.len();
        held += r
            .outcomes
            .iter()
            .filter(|o| **o == Outcome::Validated)
            .count();
        failures.extend(r.failures.iter().cloned());
    }
    let files = program
        .sources
        .iter()
        .filter(|(_, f)| f.name.ends_with(".rules"))
        .count();
    let summary = format!(
        "{} rules in {files} files, {held} of {total} examples and counterexamples hold",
        program.rules.len()
    );
    if failures.is_empty() {
        println!("ok: {what}: {summary}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprint!(
            "{}",
            crate::diag::render(&program.sources, &failures, color())
        );
        eprintln!("error: {what}: {summary}");
        Ok(ExitCode::from(1))
    }
}

fn debug(what: DebugCommand) -> std::io::Result<ExitCode> {
    let mut out = std::io::BufWriter::new(std::io::stdout());
    match what {
        DebugCommand::Tokens { text, file } => {
            let text = match (text, file) {
                (Some(t), _) => t,
                (None, Some(f)) => std::fs::read_to_string(&f)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", f.display())))?,
                (None, None) => String::new(),
            };
            write!(out, "{}", crate::text::debug_tokens(&text))?;
        }
        DebugCommand::Ast { rules } => {
            let loaded = if rules.rules.is_empty() {
                load::load_bundled()
            } else {
                load::load_paths_with(&rules.rules, load_options())
            };
            for (id, file) in &loaded.files {
                writeln!(out, "== {}", loaded.sources.get(*id).name)?;
                writeln!(out, "{file:#?}")?;
            }
            if !loaded.diagnostics.is_empty() {
                eprint!(
                    "{}",
                    crate::diag::render(&loaded.sources, &loaded.diagnostics, color())
                );
                return Ok(ExitCode::from(1));
            }
        }
        DebugCommand::Program { rules, rule } => {
            let program = match build(&rules) {
                Ok(p) => p,
                Err(d) => {
                    print_diagnostics(&d);
                    return Ok(ExitCode::from(1));
                }
            };
            let mut shown = 0;
            for r in &program.rules {
                if rule.as_ref().is_some_and(|n| *n != r.name) {
                    continue;
                }
                shown += 1;
                write!(out, "{}", crate::compile::describe(&program, r))?;
            }
            if shown == 0 {
                let names: Vec<&str> = program.rules.iter().map(|r| r.name.as_str()).collect();
                let hint = rule
                    .as_deref()
                    .and_then(|n| crate::diag::did_you_mean(n, names.iter().copied()))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                eprintln!("error: no rule named `{}`{hint}", rule.unwrap_or_default());
                return Ok(ExitCode::from(1));
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
