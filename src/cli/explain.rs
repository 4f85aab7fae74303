//! `gleaner explain`: why a rule matched a text, or how far it got and why it
//! stopped, shown against the rule's source and the text.
//!
//! The whole program runs over the text first (as `run` does, noting what
//! overlap resolution drops), so that `@T` sees the final records and a match
//! can be told kept or lost. Then [`Tracer`] runs the one rule from every start
//! token of the range asked for.

use super::{RulesArg, color, print_diagnostics};
use crate::check::hir::OriginKind;
use crate::compile::{Program, Rule, Test};
use crate::diag::{Diagnostic, did_you_mean};
use crate::engine::trace::{Attempt, Failure, Loss, Miss, Reason, Step, Tracer};
use crate::engine::vm::{DocView, NONE, can_start};
use crate::engine::{Analysis, Candidate, Record, RecordContext, Runner};
use crate::span::Loc;
use crate::syntax::ast::Scope;
use crate::text::Document;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
use std::ops::Range;
use std::path::PathBuf;
use std::process::ExitCode;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The examples shown by `gleaner help explain`.
pub(super) const EXAMPLES: &str = "\
Examples:
  # Why role_premodifier finds (or misses) something in one sentence of an article
  gleaner explain --rule role_premodifier --at 1990 \\
      --file tests/fixtures/000_tehran_moscow_security_agreement.txt

  # A text on the command line, your own rules, every start position
  gleaner explain --rule role_appositive --rules my_rules/ --all \"Ali Baqeri, the deputy secretary, said\"

  # The same trace as data
  gleaner explain --rule role_premodifier --format json \"He met Russian Foreign Minister Sergei Lavrov.\"

For each token where the rule could start: the tokens it took and which part of
the pattern took each; without a match, the token where it stopped and why each
way through the pattern failed there; with a match, its captures, and whether
its record was kept or lost to another rule's. By default only the matches, the
attempt at the --at token, and the attempts that got furthest are shown.";

/// The arguments of `gleaner explain`.
#[derive(Args, Debug)]
pub(super) struct ExplainArgs {
    /// The rule to explain, by name.
    #[arg(long, value_name = "NAME")]
    rule: String,
    #[command(flatten)]
    rules: RulesArg,
    /// The text (or use --file).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    text: Option<String>,
    /// Read the text from a file (one article, as a .txt file is to `run`).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Only the sentence holding this byte offset; the attempt from the token
    /// there is always shown.
    #[arg(long, value_name = "OFFSET")]
    at: Option<usize>,
    /// Show the attempt from every start token, not only matches and the furthest.
    #[arg(long)]
    all: bool,
    /// How to print the trace.
    #[arg(long, short = 'f', value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    /// For reading: the rule and the text, with carets.
    Text,
    /// One JSON object.
    Json,
}

/// What the default selection shows.
#[derive(Default)]
struct Counts {
    /// Matches `run` looked for (kept or lost).
    matches: usize,
    /// The attempt from the `--at` token, when nothing else shows it.
    at_token: bool,
    /// Attempts without a match that got furthest.
    near: usize,
    /// Those not shown because of [`NEAR_MISSES`].
    hidden: usize,
}

/// Attempts without a match shown by default, at most.
const NEAR_MISSES: usize = 5;

/// Runs `gleaner explain`.
pub(super) fn explain(args: ExplainArgs) -> std::io::Result<ExitCode> {
    let loaded = if args.rules.rules.is_empty() {
        crate::load::load_bundled()
    } else {
        crate::load::load_paths_with(&args.rules.rules, super::load_options())
    };
    let program = match Program::build_with_origins(loaded) {
        Ok(p) => p,
        Err(d) => {
            print_diagnostics(&d);
            return Ok(ExitCode::from(1));
        }
    };
    let Some(ri) = program.rules.iter().position(|r| r.name == args.rule) else {
        let names = program.rules.iter().map(|r| r.name.as_str());
        let mut d = Diagnostic::global(
            "gleaner::unknown-rule",
            format!("no rule named `{}`", args.rule),
        );
        d = match did_you_mean(&args.rule, names) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help("`gleaner debug program` lists every rule"),
        };
        eprint!("{}", crate::diag::render(&program.sources, &[d], color()));
        return Ok(ExitCode::from(2));
    };
    let doc = match (&args.text, &args.file) {
        (Some(t), _) => Document::new("text", t.clone()),
        (None, Some(f)) => {
            let bytes = std::fs::read(f)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", f.display())))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                std::io::Error::other(format!(
                    "{}: not valid UTF-8 at byte {}",
                    f.display(),
                    e.utf8_error().valid_up_to()
                ))
            })?;
            let id = f
                .file_stem()
                .map_or_else(|| "text".to_string(), |s| s.to_string_lossy().into_owned());
            Document::new(id, text)
        }
        (None, None) => Document::new("text", String::new()),
    };
    if let Some(at) = args.at
        && at >= doc.text.len()
    {
        if doc.text.is_empty() {
            eprintln!("error: --at {at}: the text is empty");
        } else {
            eprintln!(
                "error: --at {at}: the text is {} bytes long; give an offset from 0 to {}",
                doc.text.len(),
                doc.text.len() - 1
            );
        }
        return Ok(ExitCode::from(2));
    }
    let mut runner = Runner::new();
    runner.losses = Some(Vec::new());
    let analysis = runner.analyze(&program, &doc.text);
    let finals = runner.run_analysis(&program, &doc.text, &analysis);
    let losses = runner.losses.take().unwrap_or_default();
    let explanation = Explanation::new(&program, ri, &doc, &analysis, &finals, &losses, &args);
    let out = match args.format {
        ExplainFormat::Text => explanation.text(),
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&explanation.json()).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let mut stdout = std::io::BufWriter::new(std::io::stdout());
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// What became of a match.
enum Status<'a> {
    /// Its record was kept.
    Kept(&'a Candidate),
    /// Overlap resolution dropped it for another rule's record.
    Lost(&'a Loss),
    /// It starts inside an earlier match of the same rule, so the engine never
    /// looked for it (a rule's matches do not overlap).
    Inside(&'a Candidate),
    /// The engine did not find it (this would be a bug).
    NotFound,
}

/// One attempt and, for a match, what became of it.
struct Shown<'a> {
    attempt: Attempt,
    status: Option<Status<'a>>,
}

struct Explanation<'a> {
    program: &'a Program,
    rule: &'a Rule,
    doc: &'a Document,
    a: &'a Analysis,
    finals: &'a [Candidate],
    /// The sentence `--at` chose (token range), and the offset.
    at: Option<(usize, Range<u32>)>,
    shown: Vec<Shown<'a>>,
    /// Start tokens tried, matches among them, and how they ended.
    tried: usize,
    kept: usize,
    lost: usize,
    inside: usize,
    /// What is shown.
    count: Counts,
    /// The furthest any attempt without a match got, in tokens.
    best: u32,
    words: Vec<&'a str>,
    all: bool,
}

impl<'a> Explanation<'a> {
    fn new(
        program: &'a Program,
        ri: usize,
        doc: &'a Document,
        a: &'a Analysis,
        finals: &'a [Candidate],
        losses: &'a [Loss],
        args: &ExplainArgs,
    ) -> Explanation<'a> {
        let rule = &program.rules[ri];
        let n = a.tokens.len() as u32;
        let at = args.at.and_then(|off| {
            let s = sentence_at(a, off)?;
            Some((off, s))
        });
        let range = at.as_ref().map_or(0..n, |(_, s)| s.clone());
        let mut spans: Vec<Vec<(u32, u32)>> = vec![Vec::new(); program.records.len()];
        for c in finals {
            spans[program.rules[c.rule].record].push((c.start, c.end));
        }
        spans.iter_mut().for_each(|s| s.sort_unstable());
        let view = DocView {
            text: &doc.text,
            tokens: &a.tokens,
            words: &a.words,
            boundary: &a.boundary,
            spans: &spans,
            classes: None,
        };
        let mut tracer = Tracer::new();
        let mine: Vec<&Candidate> = finals.iter().filter(|c| c.rule == ri).collect();
        let lost: Vec<&Loss> = losses.iter().filter(|l| l.loser.rule == ri).collect();
        let (mut kept, mut nlost, mut inside) = (0, 0, 0);
        let at_token = args.at.and_then(|off| {
            a.tokens
                .iter()
                .position(|t| (t.start as usize..t.end() as usize).contains(&off))
                .map(|i| i as u32)
        });
        // A match that starts before the --at sentence and reaches into it
        // (a rule within a paragraph or the document) is shown too.
        let earlier: Vec<u32> = mine
            .iter()
            .copied()
            .chain(lost.iter().map(|l| &l.loser))
            .filter(|c| c.slots[0] < range.start && c.slots[1] > range.start)
            .map(|c| c.slots[0])
            .collect();
        let tried = earlier.len() + range.len();
        let mut items = Vec::new();
        for s in earlier.into_iter().chain(range.clone()) {
            let w = window(a, rule.scope, s);
            // A start no first element of the pattern can take takes no token:
            // trace it only if it is to be shown.
            let hopeless = rule
                .first
                .as_ref()
                .is_some_and(|first| !can_start(program, rule, &view, first, s));
            if hopeless && !args.all && Some(s) != at_token {
                continue;
            }
            let attempt = tracer.trace(program, rule, &view, w, s);
            let status = attempt.matched.as_ref().map(|_| {
                if let Some(c) = mine.iter().find(|c| c.slots[0] == s) {
                    Status::Kept(c)
                } else if let Some(l) = lost.iter().find(|l| l.loser.slots[0] == s) {
                    Status::Lost(l)
                } else if let Some(c) = mine
                    .iter()
                    .copied()
                    .chain(lost.iter().map(|l| &l.loser))
                    .find(|c| c.slots[0] < s && s < c.slots[1])
                {
                    Status::Inside(c)
                } else {
                    Status::NotFound
                }
            });
            match status {
                Some(Status::Kept(_)) => kept += 1,
                Some(Status::Lost(_)) => nlost += 1,
                Some(Status::Inside(_)) => inside += 1,
                _ => {}
            }
            items.push(Shown { attempt, status });
        }
        // Near misses: attempts without a match, outside the rule's own matches,
        // that got furthest.
        let covered = |s: u32| {
            mine.iter()
                .map(|c| (c.slots[0], c.slots[1]))
                .chain(lost.iter().map(|l| (l.loser.slots[0], l.loser.slots[1])))
                .any(|(a, b)| a <= s && s < b)
        };
        let near = |i: &Shown| i.status.is_none() && !covered(i.attempt.start);
        let best = items
            .iter()
            .filter(|i| near(i))
            .map(|i| i.attempt.furthest - i.attempt.start)
            .max()
            .unwrap_or(0);
        let mut count = Counts::default();
        let mut shown = Vec::new();
        for item in items {
            let taken = item.attempt.furthest - item.attempt.start;
            let found = matches!(
                item.status,
                Some(Status::Kept(_) | Status::Lost(_) | Status::NotFound)
            );
            let is_near = best > 0 && taken == best && near(&item);
            let show = if args.all {
                true
            } else if found {
                count.matches += 1;
                true
            } else if Some(item.attempt.start) == at_token {
                count.at_token = true;
                true
            } else if is_near && count.near < NEAR_MISSES {
                count.near += 1;
                true
            } else {
                if is_near {
                    count.hidden += 1;
                }
                false
            };
            if show {
                shown.push(item);
            }
        }
        let mut words = vec![""; program.vocab.len()];
        for (w, id) in program.vocab.iter() {
            words[id as usize] = w;
        }
        Explanation {
            program,
            rule,
            doc,
            a,
            finals,
            at,
            tried,
            shown,
            kept,
            lost: nlost,
            inside,
            count,
            best,
            words,
            all: args.all,
        }
    }

    // ---- shared helpers ---------------------------------------------------------

    fn token_text(&self, i: u32) -> &'a str {
        self.a.tokens[i as usize].text(&self.doc.text)
    }

    /// Byte span of tokens `s..e` (e > s).
    fn bytes(&self, s: u32, e: u32) -> (usize, usize) {
        (
            self.a.tokens[s as usize].start as usize,
            self.a.tokens[e as usize - 1].end() as usize,
        )
    }

    fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).copied().unwrap_or("?")
    }

    fn scope_name(&self) -> &'static str {
        self.rule.scope.name()
    }

    /// What the window ending at token `end` is the end of.
    fn end_of(&self, end: u32) -> &'static str {
        if end as usize == self.a.tokens.len() {
            "text"
        } else {
            self.scope_name()
        }
    }

    /// The part of the pattern an instruction comes from (an origin, or `NONE`).
    fn origin(&self, pc: u32) -> u32 {
        self.rule
            .inst_origins
            .get(pc as usize)
            .copied()
            .unwrap_or(NONE)
    }

    /// The part of the pattern a failure is about: the repetition for a
    /// quantifier bound, else the instruction's element.
    fn failed_origin(&self, f: &Failure) -> u32 {
        match f.reason {
            Reason::QuantifierBound { origin, .. } => origin,
            _ => self.origin(f.pc),
        }
    }

    /// An origin and the parts around it, outermost first.
    fn chain(&self, origin: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut o = Some(origin);
        while let Some(id) = o.filter(|&id| id != NONE) {
            out.push(id);
            o = self.rule.origins[id as usize].parent;
        }
        out.reverse();
        out
    }

    fn source(&self, loc: Loc) -> &str {
        self.program.sources.slice(loc)
    }

    /// A short one-line form of a piece of rule text, without comments.
    fn short(&self, loc: Loc) -> String {
        let flat: String = self
            .source(loc)
            .lines()
            .map(strip_comment)
            .flat_map(str::split_whitespace)
            .collect::<Vec<_>>()
            .join(" ");
        if flat.chars().count() > 40 {
            let cut: String = flat.chars().take(39).collect();
            format!("{cut}…")
        } else {
            flat
        }
    }

    /// The path to a part of the pattern: captures as `<name>`, named
    /// patterns by name, then the part itself.
    fn path(&self, origin: u32) -> Vec<String> {
        let chain = self.chain(origin);
        let mut out = Vec::new();
        for (i, &id) in chain.iter().enumerate() {
            let o = &self.rule.origins[id as usize];
            match &o.kind {
                OriginKind::Capture(name) => out.push(format!("<{name}>")),
                OriginKind::Pattern { name, .. } => out.push(name.clone()),
                OriginKind::Repeat { .. } if i + 1 == chain.len() => {
                    out.push(self.short(self.origin_loc(id)))
                }
                OriginKind::Repeat { .. } => {}
                OriginKind::Element => {
                    // A named pattern that is one element is named enough.
                    let whole_body = o.parent.is_some_and(|p| {
                        matches!(&self.rule.origins[p as usize].kind,
                            OriginKind::Pattern { body, .. } if *body == o.loc)
                    });
                    if !whole_body {
                        out.push(self.short(self.origin_loc(id)));
                    }
                }
            }
        }
        if out.is_empty() {
            out.push("(the rule)".into());
        }
        out
    }

    /// The innermost part of the rule's own pattern around a part: the part
    /// itself, or the use of the named pattern it is in.
    fn rule_part(&self, origin: u32) -> Option<Loc> {
        let chain = self.chain(origin);
        let end = chain
            .iter()
            .position(|&id| {
                matches!(
                    self.rule.origins[id as usize].kind,
                    OriginKind::Pattern { .. }
                )
            })
            .map_or(chain.len(), |p| p + 1);
        chain[..end].last().map(|&id| self.origin_loc(id))
    }

    /// Where a part is written, if it is.
    fn element_loc(&self, origin: u32) -> Option<Loc> {
        (origin != NONE).then(|| self.origin_loc(origin))
    }

    /// Where a part of the pattern is written, without the white space and
    /// comments that follow it.
    fn origin_loc(&self, id: u32) -> Loc {
        let loc = self.rule.origins[id as usize].loc;
        let text = self.source(loc);
        let mut t = text;
        loop {
            let trimmed = t.trim_end();
            let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
            let code = strip_comment(&trimmed[line_start..]);
            let cut = &trimmed[..line_start + code.len()];
            if cut.len() == t.len() {
                break;
            }
            t = cut;
        }
        let len = if t.trim().is_empty() {
            text.len()
        } else {
            t.len()
        };
        let mut out = loc;
        out.span.end = loc.span.start + len as u32;
        out
    }

    /// `file:line:column` of a location.
    fn place(&self, loc: Loc) -> String {
        let (line, col) = line_col(&self.program.sources.get(loc.file).text, loc.span.start);
        format!("{}:{line}:{col}", self.program.sources.get(loc.file).name)
    }

    fn test_src(&self, t: &Test) -> String {
        match t {
            Test::Any => "_".into(),
            Test::Class(c) => format!("{c:?}"),
            Test::Word(w) => quote(self.word(*w)),
            Test::Regex(i) => regex_src(self.program.regexes[*i as usize].as_str()),
            Test::Lexicon(l) => self.program.lexicon_names[*l as usize].clone(),
            Test::Or(ts) => {
                let parts: Vec<String> = ts.iter().map(|t| self.test_src(t)).collect();
                format!("({})", parts.join(" | "))
            }
            Test::And(ts) => {
                let parts: Vec<String> = ts.iter().map(|t| self.test_src(t)).collect();
                format!("({})", parts.join(" & "))
            }
            Test::Not(t) => format!("!{}", self.test_src(t)),
        }
    }

    /// What a failed test wanted, as a pattern.
    fn wanted(&self, m: &Miss) -> String {
        match m {
            Miss::Word(w) => quote(self.word(*w)),
            Miss::Class(c) => format!("{c:?}"),
            Miss::Regex(i) => regex_src(self.program.regexes[*i as usize].as_str()),
            Miss::Lexicon(l) => self.program.lexicon_names[*l as usize].clone(),
            Miss::AnyOf(ms) => {
                let parts: Vec<String> = ms.iter().map(|m| self.wanted(m)).collect();
                format!("({})", parts.join(" | "))
            }
            Miss::Excluded(t) => format!("!{}", self.test_src(t)),
        }
    }

    /// Why a way stopped at token `at` (or at the window end `end`), as a
    /// kind, a sentence, and the details.
    fn reason(&self, f: &Failure, at: u32, end: u32) -> ReasonJson {
        let found = || quote(if at < end { self.token_text(at) } else { "" });
        let mut r = ReasonJson::default();
        match &f.reason {
            Reason::WindowEnd => {
                let what = self.end_of(end);
                r.kind = "window-end";
                r.window = Some(what);
                r.message = if what == "text" {
                    "the text ends here".into()
                } else {
                    format!("the {what} ends here, and the rule matches within one {what}",)
                };
            }
            Reason::Test(m) => {
                r.message = self.miss_message(m, &found());
                match m {
                    Miss::Word(w) => {
                        r.kind = "literal";
                        r.expected = Some(self.word(*w).to_string());
                    }
                    Miss::Class(c) => {
                        r.kind = "class";
                        r.expected = Some(format!("{c:?}"));
                    }
                    Miss::Regex(_) => {
                        r.kind = "regex";
                        r.expected = Some(self.wanted(m));
                    }
                    Miss::Lexicon(l) => {
                        r.kind = "one-word-lexicon";
                        r.lexicon = Some(self.program.lexicon_names[*l as usize].clone());
                    }
                    Miss::AnyOf(_) => {
                        r.kind = "none-of";
                        r.expected = Some(self.wanted(m));
                    }
                    Miss::Excluded(t) => {
                        r.kind = "excluded";
                        r.expected = Some(format!("!{}", self.test_src(t)));
                    }
                }
            }
            Reason::LexiconMiss(l) => {
                let name = &self.program.lexicon_names[*l as usize];
                r.kind = "lexicon";
                r.lexicon = Some(name.clone());
                r.message = format!("{} starts no entry of {name}", found());
            }
            Reason::LexiconIncomplete { lexicon, from } => {
                let name = &self.program.lexicon_names[*lexicon as usize];
                let (s, e) = self.bytes(*from, at);
                let so_far = &self.doc.text[s..e];
                r.kind = "lexicon-incomplete";
                r.lexicon = Some(name.clone());
                r.entry_so_far = Some(so_far.to_string());
                r.message = if at < end {
                    format!(
                        "no entry of {name} goes on from {} with {}",
                        quote(so_far),
                        found()
                    )
                } else {
                    format!(
                        "{} is only the start of entries of {name}, and the {} ends",
                        quote(so_far),
                        self.end_of(end)
                    )
                };
            }
            Reason::NoRecord(ty) => {
                let name = &self.program.records[*ty as usize].name;
                r.kind = "record";
                r.record = Some(name.clone());
                let window = window(self.a, self.rule.scope, at.min(end.saturating_sub(1)));
                let here: Vec<String> = self
                    .finals
                    .iter()
                    .filter(|c| {
                        self.program.rules[c.rule].record == *ty as usize
                            && c.start >= window.start
                            && c.end <= window.end
                    })
                    .take(3)
                    .map(|c| {
                        let (s, e) = self.bytes(c.start, c.end);
                        format!("{} at {s}..{e}", quote(&self.doc.text[s..e]))
                    })
                    .collect();
                let there = if here.is_empty() {
                    format!("there is no {name} record in this {}", self.scope_name())
                } else {
                    format!("{name} records here: {}", here.join(", "))
                };
                r.message = if at < end {
                    format!("no {name} record starts at {} ({there})", found())
                } else {
                    format!("no {name} record starts here ({there})")
                };
            }
            Reason::NotSentenceStart => {
                r.kind = "sentence-start";
                r.message = format!(
                    "`^` wants a sentence start, but {} is inside a sentence",
                    found()
                );
            }
            Reason::NotSentenceEnd => {
                r.kind = "sentence-end";
                r.message = format!(
                    "`$` wants a sentence end, but the sentence goes on with {}",
                    found()
                );
            }
            Reason::QuantifierBound { max, .. } => {
                r.kind = "quantifier-bound";
                r.max = Some(*max);
                r.message = format!("takes at most {max}, and {} would be one more", found());
            }
        }
        r
    }

    fn miss_message(&self, m: &Miss, found: &str) -> String {
        match m {
            Miss::Word(w) => format!("expected {}, found {found}", quote(self.word(*w))),
            Miss::Class(c) => format!("{found} is not {c:?}"),
            Miss::Regex(_) => format!("{found} does not match {}", self.wanted(m)),
            Miss::Lexicon(l) => format!(
                "{found} is not a one-word entry of {}",
                self.program.lexicon_names[*l as usize]
            ),
            Miss::AnyOf(ms) => {
                let parts: Vec<String> = ms.iter().map(|m| self.wanted(m)).collect();
                format!("{found} is none of {}", parts.join(", "))
            }
            Miss::Excluded(t) => {
                let not = self.test_src(t);
                match t {
                    Test::Lexicon(l) => format!(
                        "{found} is an entry of {}, ruled out by !{not}",
                        self.program.lexicon_names[*l as usize]
                    ),
                    Test::Class(c) => format!("{found} is {c:?}, ruled out by !{not}"),
                    Test::Regex(_) => format!("{found} matches {not}, ruled out by !{not}"),
                    _ => format!("{found} is ruled out by !{not}"),
                }
            }
        }
    }

    /// Whether window `w` holds one of `words` as `run` looks them up: a
    /// word stands for the others of its group (see `Program::triggers`).
    fn holds_one_of(&self, w: &Range<u32>, words: &[u32]) -> bool {
        let group = &self.program.word_group;
        let groups: std::collections::HashSet<u32> =
            words.iter().map(|&r| group[r as usize]).collect();
        self.a.words[w.start as usize..w.end as usize]
            .iter()
            .filter_map(|&x| group.get(x as usize))
            .any(|g| groups.contains(g))
    }

    fn prefilter_passes(&self, w: &Range<u32>) -> bool {
        let word_ok = self
            .rule
            .required_words
            .as_ref()
            .is_none_or(|req| self.holds_one_of(w, req));
        let also_ok = self
            .rule
            .also_required
            .as_ref()
            .is_none_or(|(_, also)| self.holds_one_of(w, also));
        let type_ok = self.rule.required_types.as_ref().is_none_or(|types| {
            self.finals.iter().any(|c| {
                types.contains(&self.program.rules[c.rule].record)
                    && c.start >= w.start
                    && c.start < w.end
            })
        });
        word_ok && also_ok && type_ok
    }

    fn prefilter_json(&self) -> PrefilterJson {
        let words = |ws: &[u32]| -> Vec<String> {
            ws.iter()
                .take(8)
                .map(|&w| self.word(w).to_string())
                .collect()
        };
        let also = self.rule.also_required.as_ref().map(|(_, ws)| AlsoJson {
            requires: words(ws),
            count: ws.len(),
        });
        match (&self.rule.required_words, &self.rule.required_types) {
            (Some(ws), _) => PrefilterJson {
                kind: "words",
                count: ws.len(),
                requires: words(ws),
                also,
            },
            (None, Some(ts)) => PrefilterJson {
                kind: "records",
                count: ts.len(),
                requires: ts
                    .iter()
                    .map(|&t| self.program.records[t].name.clone())
                    .collect(),
                also: None,
            },
            (None, None) => PrefilterJson {
                kind: "none",
                count: 0,
                requires: Vec::new(),
                also: None,
            },
        }
    }

    /// Why window `w`, which the prefilter rules out, is skipped.
    fn prefilter_message(&self, w: &Range<u32>) -> String {
        let p = self.prefilter_json();
        let listed = |requires: &[String], count: usize| {
            let list: Vec<String> = requires.iter().map(|w| quote(w)).collect();
            let more = if count > requires.len() {
                format!(", … ({count} in all)")
            } else {
                String::new()
            };
            format!("{}{more}", list.join(", "))
        };
        let scope = self.scope_name();
        if let (Some(also), Some(ws)) = (&p.also, &self.rule.required_words)
            && self.holds_one_of(w, ws)
        {
            return format!(
                "prefilter: this {scope} holds one of the words the rule needs, but none of the words it also needs ({}), so `run` skips the rule here",
                listed(&also.requires, also.count)
            );
        }
        match p.kind {
            "words" => format!(
                "prefilter: this {scope} holds none of the words the rule needs ({}), so `run` skips the rule here",
                listed(&p.requires, p.count)
            ),
            _ => format!(
                "prefilter: this {scope} holds no record of {}, so `run` skips the rule here",
                p.requires.join(", ")
            ),
        }
    }

    // ---- text -------------------------------------------------------------------

    fn text(&self) -> String {
        let mut out = String::new();
        let rule = self.rule;
        let _ = writeln!(
            out,
            "rule {} ({}), priority {}, within {}, emits {}",
            rule.name,
            self.place(rule.loc),
            rule.priority,
            self.scope_name(),
            self.program.records[rule.record].name
        );
        if self.a.tokens.is_empty() {
            let _ = writeln!(out, "the text has no tokens: there is nothing to match");
            return out;
        }
        let where_ = match &self.at {
            Some((off, s)) => {
                let (bs, be) = self.bytes(s.start, s.end);
                let n = self
                    .a
                    .segments
                    .sentences
                    .iter()
                    .position(|x| x.start == s.start)
                    .unwrap_or(0);
                format!(
                    "{}, sentence {} of {} (bytes {bs}..{be}), chosen by --at {off}",
                    self.doc.id,
                    n + 1,
                    self.a.segments.sentences.len()
                )
            }
            None => format!(
                "{}, all {} sentence{} ({} bytes)",
                self.doc.id,
                self.a.segments.sentences.len(),
                plural(self.a.segments.sentences.len()),
                self.doc.text.len()
            ),
        };
        let _ = writeln!(out, "text {where_}");
        let _ = writeln!(out, "{}", self.summary());
        let mut window = None;
        for s in &self.shown {
            out.push('\n');
            if window != Some(&s.attempt.window) {
                window = Some(&s.attempt.window);
                if !self.prefilter_passes(&s.attempt.window) {
                    let _ = writeln!(out, "{}", self.prefilter_message(&s.attempt.window));
                }
            }
            self.attempt_text(s, &mut out);
        }
        out
    }

    fn summary(&self) -> String {
        let matches = self.kept + self.lost + self.inside;
        let mut parts = vec![format!(
            "{} start token{} tried",
            self.tried,
            plural(self.tried)
        )];
        if matches == 0 {
            parts.push("no match".into());
        } else {
            let mut m = vec![format!("{} kept", self.kept)];
            if self.lost > 0 {
                m.push(format!("{} lost to other rules", self.lost));
            }
            if self.inside > 0 {
                m.push(format!("{} inside the rule's own matches", self.inside));
            }
            parts.push(format!(
                "{matches} match{} ({})",
                if matches == 1 { "" } else { "es" },
                m.join(", ")
            ));
        }
        if self.all {
            parts.push("shown: every start (--all)".into());
        } else {
            let c = &self.count;
            let mut what = Vec::new();
            if c.matches > 0 {
                what.push(format!(
                    "the match{} `run` looked for",
                    if c.matches == 1 { "" } else { "es" }
                ));
            }
            if c.at_token {
                what.push("the attempt from the --at token".to_string());
            }
            if c.near > 0 {
                let more = if c.hidden > 0 {
                    format!(", {} more as far not shown", c.hidden)
                } else {
                    String::new()
                };
                what.push(format!(
                    "the attempt{} without a match that got furthest ({} token{}{more})",
                    plural(c.near),
                    self.best,
                    plural(self.best as usize)
                ));
            }
            if what.is_empty() {
                what.push("nothing".into());
            }
            parts.push(format!("shown: {}", what.join(", ")));
            if self.best == 0 {
                parts.push("no attempt outside the matches took a token".into());
            }
            parts.push("--all shows every start".into());
        }
        parts.join("; ")
    }

    fn attempt_text(&self, s: &Shown, out: &mut String) {
        let at = &s.attempt;
        let (bs, be) = self.bytes(at.start, at.start + 1);
        let first = format!(
            "{} (token {}, {bs}..{be})",
            quote(self.token_text(at.start)),
            at.start
        );
        match (&at.matched, &s.status) {
            (Some(slots), Some(status)) => {
                let (ms, me) = self.bytes(slots[0], slots[1]);
                let _ = writeln!(
                    out,
                    "match from {first}: {} at {ms}..{me}",
                    quote(&self.doc.text[ms..me]),
                );
                let _ = writeln!(out, "  {}", self.status_text(status));
                if let Status::Kept(c) = status {
                    self.record_text(c, out);
                }
                self.took_text(&at.took, out);
                self.captures_text(slots, out);
                self.text_view(slots[0], slots[1], None, &at.window, out);
            }
            _ => {
                let taken = at.furthest - at.start;
                let stop = if at.furthest < at.window.end {
                    let (ss, se) = self.bytes(at.furthest, at.furthest + 1);
                    format!(
                        "stopped at {} ({ss}..{se})",
                        quote(self.token_text(at.furthest))
                    )
                } else {
                    format!("stopped at the end of the {}", self.end_of(at.window.end))
                };
                let _ = writeln!(
                    out,
                    "no match from {first}: took {taken} token{}, {stop}",
                    plural(taken as usize)
                );
                self.took_text(&at.took, out);
                let _ = writeln!(out, "  why each way through the pattern stopped there:");
                let mut rows: Vec<[String; 3]> = Vec::new();
                for f in &at.failures {
                    let r = self.reason(f, at.furthest, at.window.end);
                    let origin = self.failed_origin(f);
                    let place = self
                        .element_loc(origin)
                        .map(|l| self.place(l))
                        .unwrap_or_default();
                    let row = [self.path(origin).join(" › "), r.message, place];
                    if !rows.contains(&row) {
                        rows.push(row);
                    }
                }
                table(&rows, "    ", out);
                self.text_view(at.start, at.furthest, Some(at.window.end), &at.window, out);
                self.rule_view(&at.failures, out);
            }
        }
    }

    /// What became of a match: kept, lost (to which rule, why), or never looked for.
    fn status_text(&self, status: &Status) -> String {
        match status {
            Status::Kept(c) => {
                let (s, e) = self.bytes(c.start, c.end);
                if (c.start, c.end) == (c.slots[0], c.slots[1]) {
                    "kept, as the record".into()
                } else {
                    format!("kept, as the record at {s}..{e} (`emit … at`)")
                }
            }
            Status::Lost(l) => {
                let w = &l.winner;
                let wr = &self.program.rules[w.rule];
                let (s, e) = self.bytes(w.start, w.end);
                format!(
                    "lost: rule {} (priority {}) has the {} {} at {s}..{e}, which overlaps it and wins on {}",
                    wr.name,
                    wr.priority,
                    self.program.records[wr.record].name,
                    quote(&self.doc.text[s..e]),
                    self.because(l).1
                )
            }
            Status::Inside(c) => {
                let (s, e) = self.bytes(c.slots[0], c.slots[1]);
                format!(
                    "not looked for: it starts inside this rule's match {} at {s}..{e}, and one rule's matches never overlap",
                    quote(&self.doc.text[s..e])
                )
            }
            Status::NotFound => "`run` did not find this match (a bug: please report it)".into(),
        }
    }

    /// Which tie-break decided a loss: a code and a sentence.
    fn because(&self, l: &Loss) -> (&'static str, String) {
        let (w, c) = (&l.winner, &l.loser);
        let (wr, cr) = (&self.program.rules[w.rule], &self.program.rules[c.rule]);
        let (wl, cl) = (w.end - w.start, c.end - c.start);
        if wr.priority != cr.priority {
            let why = format!("priority ({} > {})", wr.priority, cr.priority);
            ("priority", why)
        } else if wl != cl {
            let why = format!("length ({wl} tokens > {cl}, at equal priority)");
            ("length", why)
        } else if w.start != c.start {
            let why = "start (earlier, at equal priority and length)".to_string();
            ("start", why)
        } else {
            let why = "rule order (first in load order, at equal priority, length and start)";
            ("rule-order", why.to_string())
        }
    }

    /// The tokens taken and the part of the pattern that took each; tokens in a
    /// row taken by the same part share a row.
    fn took_text(&self, took: &[Step], out: &mut String) {
        if took.is_empty() {
            return;
        }
        let _ = writeln!(out, "  took:");
        let mut groups: Vec<(u32, u32, String, String)> = Vec::new();
        for st in took {
            let path = self.path(self.origin(st.pc)).join(" › ");
            let place = self
                .element_loc(self.origin(st.pc))
                .map(|l| self.place(l))
                .unwrap_or_default();
            match groups.last_mut() {
                Some(g) if g.1 == st.token && g.2 == path && g.3 == place => g.1 += 1,
                _ => groups.push((st.token, st.token + 1, path, place)),
            }
        }
        let rows: Vec<[String; 3]> = groups
            .into_iter()
            .map(|(s, e, path, place)| {
                let (bs, be) = self.bytes(s, e);
                let mut text: String = self.doc.text[bs..be]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if text.chars().count() > 40 {
                    text = text.chars().take(39).collect::<String>() + "…";
                }
                let count = if e - s > 1 {
                    format!(" ({} tokens)", e - s)
                } else {
                    String::new()
                };
                [format!("{} {bs}..{be}{count}", quote(&text)), path, place]
            })
            .collect();
        table(&rows, "    ", out);
    }

    fn captures_text(&self, slots: &[u32], out: &mut String) {
        let caps = self.captures(slots);
        if caps.is_empty() {
            return;
        }
        let _ = writeln!(out, "  captures:");
        let rows: Vec<[String; 3]> = caps
            .iter()
            .map(|c| match (&c.text, c.start, c.end) {
                (Some(t), Some(s), Some(e)) => [c.name.clone(), format!("{s}..{e}"), quote(t)],
                _ => [c.name.clone(), "-".into(), "(not in the match)".into()],
            })
            .collect();
        table(&rows, "    ", out);
    }

    fn record_text(&self, c: &Candidate, out: &mut String) {
        let r = self.record(c);
        let _ = writeln!(
            out,
            "    {} {}..{} {}",
            r.kind,
            r.start,
            r.end,
            quote(&r.text)
        );
        let rows: Vec<[String; 3]> = r
            .fields
            .iter()
            .map(|(name, f)| {
                let span = match (f.start, f.end) {
                    (Some(s), Some(e)) => format!("{s}..{e}"),
                    _ => String::new(),
                };
                let mut v = f.text.as_deref().map(quote).unwrap_or_default();
                if let Some(val) = &f.value {
                    if !v.is_empty() {
                        v.push_str(" => ");
                    }
                    v.push_str(&quote(val));
                }
                [name.clone(), span, v]
            })
            .collect();
        table(&rows, "      ", out);
    }

    fn record(&self, c: &Candidate) -> Record {
        RecordContext::new(self.program, self.doc, self.a, self.finals).build(c)
    }

    /// The text around tokens `s..e`: `^` under the tokens taken (the match),
    /// and, when `stop` is the window's end, `!` under the token where it stopped.
    fn text_view(
        &self,
        s: u32,
        e: u32,
        window_end: Option<u32>,
        window: &Range<u32>,
        out: &mut String,
    ) {
        let text = &self.doc.text;
        let tokens = &self.a.tokens;
        let first = tokens[s as usize].start as usize;
        let stop = window_end.map(|we| (e, we));
        let last_tok = match stop {
            Some((f, we)) if f < we => f,
            _ => e.saturating_sub(1).max(s),
        };
        let last = tokens[last_tok as usize].end() as usize;
        // Context: about 30 characters each side, inside the window and the line,
        // cut at white space.
        let (ws, we) = self.bytes(window.start, window.end);
        let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1).max(ws);
        let line_end = text[last..]
            .find('\n')
            .map_or(text.len(), |i| last + i)
            .min(we);
        let mut from = back_chars(text, first, 30).max(line_start);
        if from > line_start
            && let Some(i) = text[from..first].find(char::is_whitespace)
        {
            from += i + 1;
        }
        let mut to = forward_chars(text, last, 30).min(line_end);
        if to < line_end
            && let Some(i) = text[last..to].rfind(char::is_whitespace)
        {
            to = last + i;
        }
        let mut line = String::new();
        let mut marks = String::new();
        if from > line_start {
            line.push('…');
            marks.push(' ');
        }
        let mut pos = from;
        for (i, ch) in text[from..to].char_indices() {
            let b = from + i;
            pos = b + ch.len_utf8();
            if ch == '\r' && text[pos..].starts_with('\n') {
                continue;
            }
            let mark = self.mark_at(b, s, e, stop);
            line.push(if ch.is_whitespace() { ' ' } else { ch });
            marks.extend(std::iter::repeat_n(mark, cell_width(ch)));
        }
        let mut trailing = String::new();
        if let Some((f, we)) = stop
            && f >= we
        {
            // Stopped at the window's end: mark just after it.
            line.push(' ');
            marks.push('!');
            trailing = format!(" the {} ends", self.end_of(we));
        }
        if pos < line_end {
            line.push('…');
        }
        let legend = if window_end.is_some() {
            "^ taken, ! where it stopped"
        } else {
            "^ the match"
        };
        let _ = writeln!(out, "  in the text ({legend}):");
        let _ = writeln!(out, "    {}", line.trim_end());
        let _ = writeln!(out, "    {}{trailing}", marks.trim_end());
    }

    fn mark_at(&self, b: usize, s: u32, e: u32, stop: Option<(u32, u32)>) -> char {
        let tokens = &self.a.tokens;
        let inside = |i: u32| {
            let t = tokens[i as usize];
            (t.start as usize..t.end() as usize).contains(&b)
        };
        if (s..e).any(inside) {
            return '^';
        }
        if let Some((f, we)) = stop
            && f < we
            && inside(f)
        {
            return '!';
        }
        ' '
    }

    /// The rule's source lines with `^` under the parts of the rule where the
    /// ways through the pattern stopped.
    fn rule_view(&self, failures: &[Failure], out: &mut String) {
        let mut parts: Vec<Loc> = failures
            .iter()
            .filter_map(|f| self.rule_part(self.failed_origin(f)))
            .collect();
        parts.sort();
        parts.dedup();
        if parts.is_empty() {
            return;
        }
        let file = parts[0].file;
        let _ = writeln!(
            out,
            "  in the rule ({}, ^ where the ways stopped):",
            self.program.sources.get(file).name
        );
        let text = &self.program.sources.get(file).text;
        // Lines touched, in order, each with its marks.
        let mut lines: Vec<(usize, usize)> = Vec::new(); // (line start byte, line number)
        for p in parts.iter().filter(|p| p.file == file) {
            let start = text[..p.span.start as usize]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let (n, _) = line_col(text, p.span.start);
            if !lines.iter().any(|&(s, _)| s == start) {
                lines.push((start, n));
            }
        }
        lines.sort();
        let width = lines
            .iter()
            .map(|&(_, n)| n.to_string().len())
            .max()
            .unwrap_or(1);
        for (start, n) in lines {
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let mut line = String::new();
            let mut marks = String::new();
            for (i, ch) in text[start..end].char_indices() {
                let b = (start + i) as u32;
                let on = parts
                    .iter()
                    .any(|p| p.file == file && p.span.start <= b && b < p.span.end);
                line.push(if ch.is_whitespace() { ' ' } else { ch });
                marks.extend(std::iter::repeat_n(
                    if on { '^' } else { ' ' },
                    cell_width(ch),
                ));
            }
            let _ = writeln!(out, "    {n:>width$} | {}", line.trim_end());
            let _ = writeln!(out, "    {:>width$} | {}", "", marks.trim_end());
        }
    }

    fn captures(&self, slots: &[u32]) -> Vec<CaptureJson> {
        self.rule
            .captures
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let (s, e) = (slots[2 + 2 * k], slots[3 + 2 * k]);
                if s != NONE && e != NONE && e > s {
                    let (bs, be) = self.bytes(s, e);
                    CaptureJson {
                        name: name.clone(),
                        text: Some(self.doc.text[bs..be].to_string()),
                        start: Some(bs),
                        end: Some(be),
                    }
                } else {
                    CaptureJson {
                        name: name.clone(),
                        text: None,
                        start: None,
                        end: None,
                    }
                }
            })
            .collect()
    }

    // ---- JSON -------------------------------------------------------------------

    fn json(&self) -> ExplainJson {
        let rule = self.rule;
        let (line, column) = line_col(
            &self.program.sources.get(rule.loc.file).text,
            rule.loc.span.start,
        );
        ExplainJson {
            rule: RuleJson {
                name: rule.name.clone(),
                id: rule.id.clone(),
                file: self.program.sources.get(rule.loc.file).name.clone(),
                line,
                column,
                priority: rule.priority,
                within: self.scope_name(),
                emits: self.program.records[rule.record].name.clone(),
                prefilter: self.prefilter_json(),
            },
            doc: self.doc.id.clone(),
            at: self.at.as_ref().map(|(off, s)| AtJson {
                offset: *off,
                sentence: self.span_json(s.start, s.end),
            }),
            starts: self.tried,
            matches: self.kept + self.lost + self.inside,
            kept: self.kept,
            lost: self.lost,
            inside_own_match: self.inside,
            furthest_without_match: self.best,
            not_shown: self.count.hidden,
            attempts: self.shown.iter().map(|s| self.attempt_json(s)).collect(),
        }
    }

    fn token_json(&self, i: u32) -> TokenJson {
        let t = self.a.tokens[i as usize];
        TokenJson {
            token: i,
            text: self.token_text(i).to_string(),
            start: t.start as usize,
            end: t.end() as usize,
        }
    }

    fn span_json(&self, s: u32, e: u32) -> SpanJson {
        let (bs, be) = self.bytes(s, e);
        SpanJson {
            text: self.doc.text[bs..be].to_string(),
            start: bs,
            end: be,
        }
    }

    fn element_json(&self, origin: u32) -> ElementJson {
        let loc = self.element_loc(origin);
        let (file, line, column, start, end, source) = match loc {
            Some(l) => {
                let f = self.program.sources.get(l.file);
                let (line, col) = line_col(&f.text, l.span.start);
                (
                    f.name.clone(),
                    line,
                    col,
                    l.span.start as usize,
                    l.span.end as usize,
                    self.source(l).to_string(),
                )
            }
            None => (String::new(), 0, 0, 0, 0, String::new()),
        };
        let rule_part = self.rule_part(origin).map(|l| {
            let f = self.program.sources.get(l.file);
            let (line, column) = line_col(&f.text, l.span.start);
            RulePartJson {
                source: self.source(l).to_string(),
                line,
                column,
                start: l.span.start as usize,
                end: l.span.end as usize,
            }
        });
        ElementJson {
            path: self.path(origin),
            source,
            file,
            line,
            column,
            start,
            end,
            in_rule: rule_part,
        }
    }

    fn attempt_json(&self, s: &Shown) -> AttemptJson {
        let at = &s.attempt;
        let took = at
            .took
            .iter()
            .map(|st| TookJson {
                token: self.token_json(st.token),
                element: self.element_json(self.origin(st.pc)),
            })
            .collect();
        let w = &at.window;
        let window = WindowJson {
            kind: self.scope_name(),
            start: self.a.tokens[w.start as usize].start as usize,
            end: self.a.tokens[w.end as usize - 1].end() as usize,
            prefilter_passes: self.prefilter_passes(w),
        };
        let (outcome, stopped_at, failures, matched) = match (&at.matched, &s.status) {
            (Some(slots), Some(status)) => {
                let (state, record, lost_to, inside) = match status {
                    Status::Kept(c) => ("kept", Some(self.record(c)), None, None),
                    Status::Lost(l) => {
                        let wr = &self.program.rules[l.winner.rule];
                        let (code, message) = self.because(l);
                        (
                            "lost",
                            None,
                            Some(LostJson {
                                rule: wr.id.clone(),
                                priority: wr.priority,
                                record: self.span_json(l.winner.start, l.winner.end),
                                because: code,
                                message,
                            }),
                            None,
                        )
                    }
                    Status::Inside(c) => (
                        "inside-own-match",
                        None,
                        None,
                        Some(self.span_json(c.slots[0], c.slots[1])),
                    ),
                    Status::NotFound => ("not-found", None, None, None),
                };
                (
                    "match",
                    None,
                    Vec::new(),
                    Some(MatchJson {
                        span: self.span_json(slots[0], slots[1]),
                        captures: self.captures(slots),
                        status: state,
                        record,
                        lost_to,
                        inside,
                    }),
                )
            }
            _ => {
                let stop = StopJson {
                    token: (at.furthest < w.end).then(|| self.token_json(at.furthest)),
                    end_of: (at.furthest >= w.end).then(|| self.end_of(w.end)),
                };
                let failures = at
                    .failures
                    .iter()
                    .map(|f| FailureJson {
                        element: self.element_json(self.failed_origin(f)),
                        reason: self.reason(f, at.furthest, w.end),
                    })
                    .collect();
                ("no-match", Some(stop), failures, None)
            }
        };
        AttemptJson {
            start: self.token_json(at.start),
            window,
            outcome,
            taken: at.furthest - at.start,
            took,
            stopped_at,
            failures,
            matched,
        }
    }
}

// ---- JSON shapes (documented in the README: keep the names stable) ----------------

#[derive(Serialize)]
struct ExplainJson {
    rule: RuleJson,
    doc: String,
    at: Option<AtJson>,
    starts: usize,
    matches: usize,
    kept: usize,
    lost: usize,
    inside_own_match: usize,
    furthest_without_match: u32,
    not_shown: usize,
    attempts: Vec<AttemptJson>,
}

#[derive(Serialize)]
struct RuleJson {
    name: String,
    id: String,
    file: String,
    line: usize,
    column: usize,
    priority: i32,
    within: &'static str,
    emits: String,
    prefilter: PrefilterJson,
}

#[derive(Serialize)]
struct PrefilterJson {
    kind: &'static str,
    requires: Vec<String>,
    count: usize,
    /// With `words`: one of these is needed too.
    #[serde(skip_serializing_if = "Option::is_none")]
    also: Option<AlsoJson>,
}

#[derive(Serialize)]
struct AlsoJson {
    requires: Vec<String>,
    count: usize,
}

#[derive(Serialize)]
struct AtJson {
    offset: usize,
    sentence: SpanJson,
}

#[derive(Serialize)]
struct SpanJson {
    text: String,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct TokenJson {
    token: u32,
    text: String,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct WindowJson {
    kind: &'static str,
    start: usize,
    end: usize,
    prefilter_passes: bool,
}

#[derive(Serialize)]
struct AttemptJson {
    start: TokenJson,
    window: WindowJson,
    outcome: &'static str,
    taken: u32,
    took: Vec<TookJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_at: Option<StopJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failures: Vec<FailureJson>,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matched: Option<MatchJson>,
}

#[derive(Serialize)]
struct TookJson {
    token: TokenJson,
    element: ElementJson,
}

#[derive(Serialize)]
struct ElementJson {
    path: Vec<String>,
    source: String,
    file: String,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    in_rule: Option<RulePartJson>,
}

#[derive(Serialize)]
struct RulePartJson {
    source: String,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct StopJson {
    token: Option<TokenJson>,
    end_of: Option<&'static str>,
}

#[derive(Serialize)]
struct FailureJson {
    element: ElementJson,
    reason: ReasonJson,
}

#[derive(Serialize, Default)]
struct ReasonJson {
    kind: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lexicon: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_so_far: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<u32>,
}

#[derive(Serialize)]
struct MatchJson {
    span: SpanJson,
    captures: Vec<CaptureJson>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<Record>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lost_to: Option<LostJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inside: Option<SpanJson>,
}

#[derive(Serialize)]
struct CaptureJson {
    name: String,
    text: Option<String>,
    start: Option<usize>,
    end: Option<usize>,
}

#[derive(Serialize)]
struct LostJson {
    rule: String,
    priority: i32,
    record: SpanJson,
    because: &'static str,
    message: String,
}

// ---- small helpers ------------------------------------------------------------------

/// The window of a scope that holds token `i`.
fn window(a: &Analysis, scope: Scope, i: u32) -> Range<u32> {
    let find = |ranges: &[Range<u32>]| {
        let k = ranges.partition_point(|r| r.end <= i);
        ranges.get(k).cloned().unwrap_or(0..a.tokens.len() as u32)
    };
    match scope {
        Scope::Sentence => find(&a.segments.sentences),
        Scope::Paragraph => find(&a.segments.paragraphs),
        Scope::Document => 0..a.tokens.len() as u32,
    }
}

/// The sentence holding byte `off`; in white space between sentences, the next
/// one; after the last token, the last.
fn sentence_at(a: &Analysis, off: usize) -> Option<Range<u32>> {
    let sentences = &a.segments.sentences;
    let k = sentences.partition_point(|s| (a.tokens[s.end as usize - 1].end() as usize) <= off);
    sentences.get(k).or(sentences.last()).cloned()
}

/// Line and column (from 1, in characters) of a byte offset.
fn line_col(text: &str, byte: u32) -> (usize, usize) {
    let before = &text[..(byte as usize).min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    (line, col)
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A compiled regex as written: `^(?flags:source)$` → `/source/flags`.
fn regex_src(full: &str) -> String {
    let (flags, inner) = full
        .strip_prefix("^(?")
        .and_then(|s| s.strip_suffix(")$"))
        .and_then(|s| s.split_once(':'))
        .unwrap_or(("", full));
    format!("/{inner}/{flags}")
}

/// A line of rule text without its `#` comment (a `#` outside strings and regexes).
fn strip_comment(line: &str) -> &str {
    let (mut quote, mut slash) = (false, false);
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' if !slash => quote = !quote,
            '/' if !quote => slash = !slash,
            '#' if !quote && !slash => return &line[..i],
            _ => {}
        }
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// How many terminal columns a character takes where the views put it (white
/// space and controls are shown as one space).
fn cell_width(ch: char) -> usize {
    if ch.is_whitespace() || ch.is_control() {
        1
    } else {
        ch.width().unwrap_or(0)
    }
}

/// Rows of three columns, the first two padded to the widest cell.
fn table(rows: &[[String; 3]], indent: &str, out: &mut String) {
    let w0 = rows.iter().map(|r| r[0].width()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r[1].width()).max().unwrap_or(0);
    for r in rows {
        let line = format!(
            "{indent}{}{}  {}{}  {}",
            r[0],
            " ".repeat(w0 - r[0].width()),
            r[1],
            " ".repeat(w1 - r[1].width()),
            r[2]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
