//! AST → checked rule set: names, types, captures, cycles.
//!
//! Every problem becomes a [`Diagnostic`]; all of them are collected before
//! [`check`] gives up, so a user sees every mistake of a run at once.

pub mod hir;

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::Loaded;
use crate::span::{FileId, Loc, Span};
use crate::syntax::ast::{self, Class, Expr, Item, LexiconBody, PatKind};
use crate::text::literal_forms;
use hir::*;
use std::collections::HashMap;
use std::sync::Arc;

/// The most times a counted repetition (`{n,m}`) may repeat.
pub const MAX_REPEAT: u32 = 1000;
/// The most nodes a rule's pattern may have once named patterns are inlined.
pub const MAX_PATTERN_NODES: usize = 100_000;
/// The largest a compiled regex may be, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The functions an `emit` field may call.
pub const FUNCTIONS: [&str; 5] = ["lower", "canon", "date", "duration", "resolve"];

/// Checks a loaded rule set. Returns it resolved, or every problem found.
pub fn check(loaded: Loaded) -> Result<RuleSet, Diagnostics> {
    check_with(loaded, false)
}

/// [`check`], and each rule's pattern keeps where its parts are written
/// ([`Rule::origins`], [`Hir::Source`]) for explaining what the rule does.
/// It matches the same.
pub fn check_with_origins(loaded: Loaded) -> Result<RuleSet, Diagnostics> {
    check_with(loaded, true)
}

fn check_with(loaded: Loaded, origins: bool) -> Result<RuleSet, Diagnostics> {
    let mut cx = Checker {
        origins,
        regex_cache: HashMap::new(),
        diags: loaded.diagnostics,
        records: Vec::new(),
        record_index: HashMap::new(),
        lexicons: Vec::new(),
        names: HashMap::new(),
        patterns: Vec::new(),
        rule_names: HashMap::new(),
        lexicon_files: &loaded.lexicon_files,
        sources: &loaded.sources,
        memo: HashMap::new(),
    };
    cx.regex_cache = compile_regexes(&loaded.files);
    cx.collect(&loaded.files);
    let mut rules = cx.rules(&loaded.files);
    cx.stratify(&mut rules);
    let Checker {
        mut diags,
        records,
        lexicons,
        ..
    } = cx;
    dedup(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics {
            sources: loaded.sources,
            list: diags,
        });
    }
    Ok(RuleSet {
        sources: loaded.sources,
        records,
        lexicons,
        rules,
    })
}

/// Drops repeated diagnostics, keeping the first of each (in linear time: a
/// file with tens of thousands of errors has as many diagnostics).
fn dedup(diags: &mut Vec<Diagnostic>) {
    let mut seen: rustc_hash::FxHashSet<Diagnostic> = Default::default();
    diags.retain(|d| seen.insert(d.clone()));
}

/// What a pattern-level name stands for.
#[derive(Clone, Copy, Debug)]
enum Name {
    Lexicon(usize),
    Pattern(usize),
}

struct Checker<'a> {
    /// Compiled regexes by source and flags.
    regex_cache: HashMap<(String, String), TokenRegex>,
    diags: Vec<Diagnostic>,
    records: Vec<RecordType>,
    record_index: HashMap<String, usize>,
    lexicons: Vec<Lexicon>,
    /// Patterns and lexicons share one namespace.
    names: HashMap<String, (Name, Loc)>,
    /// Pattern definitions: (file, body).
    patterns: Vec<(FileId, &'a ast::PatternDef)>,
    rule_names: HashMap<String, Loc>,
    lexicon_files: &'a HashMap<Loc, Option<FileId>>,
    sources: &'a crate::span::Sources,
    /// Keep where each part of a pattern is written.
    origins: bool,
    /// Named patterns already written out (without captures or problems), and
    /// how many pattern nodes each counts for: a pattern used in many places
    /// is resolved once (not kept with origins, whose parts are per use).
    memo: HashMap<usize, (Hir, usize)>,
}

fn at(file: FileId, span: Span) -> Loc {
    Loc { file, span }
}

impl<'a> Checker<'a> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn duplicate(&mut self, what: &str, name: &ast::Ident, file: FileId, first: Loc) {
        self.err(
            Diagnostic::error(
                "gleaner::duplicate",
                format!("{what} `{}` is defined twice", name.name),
                at(file, name.span),
                "defined again here",
            )
            .with_related(first, "first defined here")
            .with_help("names are shared by every loaded file; rename one of the two"),
        );
    }

    /// Pass 1: every definition, with duplicate checks.
    fn collect(&mut self, files: &'a [(FileId, ast::File)]) {
        for (file, f) in files {
            let file = *file;
            for item in &f.items {
                match item {
                    Item::Import(_) => {}
                    Item::Record(r) => {
                        if let Some(&i) = self.record_index.get(&r.name.name) {
                            let first = self.records[i].loc;
                            self.duplicate("record", &r.name, file, first);
                            continue;
                        }
                        let mut fields: Vec<String> = Vec::new();
                        for f in &r.fields {
                            if fields.contains(&f.name) {
                                self.err(Diagnostic::error(
                                    "gleaner::duplicate",
                                    format!("field `{}` is declared twice", f.name),
                                    at(file, f.span),
                                    "declared again here",
                                ));
                            } else {
                                fields.push(f.name.clone());
                            }
                        }
                        self.record_index
                            .insert(r.name.name.clone(), self.records.len());
                        self.records.push(RecordType {
                            name: r.name.name.clone(),
                            fields,
                            keep_all: r.keep_all,
                            loc: at(file, r.name.span),
                        });
                    }
                    Item::Lexicon(l) => {
                        if !self.define(&l.name, file) {
                            continue;
                        }
                        let (entries, forms) = self.lexicon_entries(file, l).into_iter().unzip();
                        let idx = self.lexicons.len();
                        self.lexicons.push(Lexicon {
                            name: l.name.name.clone(),
                            entries,
                            forms,
                            loc: at(file, l.name.span),
                        });
                        self.names.insert(
                            l.name.name.clone(),
                            (Name::Lexicon(idx), at(file, l.name.span)),
                        );
                    }
                    Item::Pattern(p) => {
                        if !self.define(&p.name, file) {
                            continue;
                        }
                        let idx = self.patterns.len();
                        self.patterns.push((file, p));
                        self.names.insert(
                            p.name.name.clone(),
                            (Name::Pattern(idx), at(file, p.name.span)),
                        );
                    }
                    Item::Rule(r) => {
                        if let Some(&first) = self.rule_names.get(&r.name.name) {
                            self.duplicate("rule", &r.name, file, first);
                        } else {
                            self.rule_names
                                .insert(r.name.name.clone(), at(file, r.name.span));
                        }
                    }
                }
            }
        }
        // Check every named pattern once on its own, so that its mistakes are
        // reported once, where it is defined, whether or not a rule uses it.
        for i in 0..self.patterns.len() {
            let (file, def) = self.patterns[i];
            let mut r = Resolver::new(file, true);
            r.stack.push(i);
            let _ = self.resolve(&mut r, &def.body);
        }
    }

    /// Registers a pattern or lexicon name; false if it cannot be defined.
    fn define(&mut self, name: &ast::Ident, file: FileId) -> bool {
        if crate::syntax::KEYWORDS.contains(&name.name.as_str()) {
            self.err(
                Diagnostic::error(
                    "gleaner::reserved-name",
                    format!("`{}` is a keyword of the rule language", name.name),
                    at(file, name.span),
                    "reserved name",
                )
                .with_help("a pattern or lexicon named like a keyword could never be used; choose another name"),
            );
            return false;
        }
        if Class::from_name(&name.name).is_some() {
            self.err(
                Diagnostic::error(
                    "gleaner::reserved-name",
                    format!("`{}` is a built-in token class", name.name),
                    at(file, name.span),
                    "reserved name",
                )
                .with_help(format!(
                    "the built-in classes are {}; choose another name",
                    Class::NAMES.join(", ")
                )),
            );
            return false;
        }
        if let Some(&(_, first)) = self.names.get(&name.name) {
            self.duplicate("name", name, file, first);
            return false;
        }
        true
    }

    /// A lexicon's entries (text, canonical value) with their matching forms;
    /// an entry without any is reported, and left out.
    #[allow(clippy::type_complexity)]
    fn lexicon_entries(
        &mut self,
        file: FileId,
        l: &ast::Lexicon,
    ) -> Vec<((String, Option<String>), Vec<String>)> {
        let mut entries = Vec::new();
        let check_entry = |this: &mut Self, text: &str, loc: Loc| {
            let forms = literal_forms(text);
            if forms.is_empty() {
                this.err(
                    Diagnostic::error(
                        "gleaner::empty-entry",
                        "this lexicon entry has no tokens",
                        loc,
                        "empty entry",
                    )
                    .with_help("remove it, or write the words it should match"),
                );
                None
            } else {
                Some(forms)
            }
        };
        match &l.body {
            LexiconBody::Inline(list) => {
                for e in list {
                    if let Some(forms) = check_entry(self, &e.text, at(file, e.span)) {
                        entries.push(((e.text.clone(), e.canon.clone()), forms));
                    }
                }
            }
            LexiconBody::File(path) => {
                let Some(Some(lex_file)) = self.lexicon_files.get(&at(file, path.span)).copied()
                else {
                    return entries;
                };
                let text = self.sources.get(lex_file).text.clone();
                let mut offset = 0;
                for line in text.split_inclusive('\n') {
                    let start = offset;
                    offset += line.len();
                    let body = line.trim_end_matches(['\n', '\r']);
                    if body.trim().is_empty() || body.trim_start().starts_with('#') {
                        continue;
                    }
                    let mut cols = body.split('\t');
                    let entry = cols.next().unwrap_or("").trim();
                    let canon = cols.next().map(str::trim).filter(|c| !c.is_empty());
                    let loc = at(lex_file, Span::new(start, start + body.len()));
                    if let Some(forms) = check_entry(self, entry, loc) {
                        entries.push(((entry.to_string(), canon.map(str::to_string)), forms));
                    }
                }
            }
        }
        entries
    }

    /// Pass 2: every rule.
    fn rules(&mut self, files: &'a [(FileId, ast::File)]) -> Vec<Rule> {
        let mut out = Vec::new();
        let mut seen = HashMap::new();
        for (file, f) in files {
            for item in &f.items {
                if let Item::Rule(r) = item {
                    if seen.insert(r.name.name.clone(), ()).is_some() {
                        continue;
                    }
                    if let Some(rule) = self.rule(*file, r) {
                        out.push(rule);
                    }
                }
            }
        }
        out
    }

    fn rule(&mut self, file: FileId, r: &ast::Rule) -> Option<Rule> {
        let mut res = Resolver::new(file, true);
        let pattern = self.resolve(&mut res, &r.pattern);
        if res.too_large {
            self.err(
                Diagnostic::error(
                    "gleaner::pattern-too-large",
                    format!(
                        "rule `{}` is more than {MAX_PATTERN_NODES} pattern nodes once its named patterns are written out",
                        r.name.name
                    ),
                    at(file, r.pattern.span),
                    "this pattern",
                )
                .with_help("named patterns that use each other several times grow fast; simplify them"),
            );
        }
        if pattern.nullable() {
            self.err(
                Diagnostic::error(
                    "gleaner::empty-match",
                    format!(
                        "the pattern of rule `{}` can match no tokens at all",
                        r.name.name
                    ),
                    at(file, r.pattern.span),
                    "this can match an empty sequence",
                )
                .with_help(
                    "make at least one part required: drop a `?` or `*`, or use `+` or `{1,…}`",
                ),
            );
        }
        let captures = std::mem::take(&mut res.captures);
        let record = match self.record_index.get(&r.emit.record.name) {
            Some(&i) => Some(i),
            None => {
                let fallback = format!("declare it: `record {}(field, …)`", r.emit.record.name);
                let d = self.unknown_record(
                    &r.emit.record.name,
                    at(file, r.emit.record.span),
                    "",
                    fallback,
                );
                self.err(d);
                None
            }
        };
        let span_capture = r
            .emit
            .at
            .as_ref()
            .and_then(|x| self.capture_slot(file, x, &captures));
        let mut fields = Vec::new();
        let mut done: Vec<&str> = Vec::new();
        for f in &r.emit.fields {
            let field_index = record.and_then(|ri| {
                let rec = &self.records[ri];
                match rec.fields.iter().position(|x| *x == f.name.name) {
                    Some(i) => Some(i),
                    None => {
                        let d = unknown_field(rec, &f.name, file)
                            .with_related(rec.loc, "declared here");
                        self.err(d);
                        None
                    }
                }
            });
            if done.contains(&f.name.name.as_str()) {
                self.err(Diagnostic::error(
                    "gleaner::duplicate",
                    format!("field `{}` is emitted twice", f.name.name),
                    at(file, f.name.span),
                    "emitted again here",
                ));
                continue;
            }
            done.push(&f.name.name);
            let value = self.field_expr(file, &f.value, &captures, &pattern);
            if let (Some(i), Some(v)) = (field_index, value) {
                fields.push((i, v));
            }
        }
        let mut examples = Vec::new();
        for ex in &r.examples {
            let mut expect = Vec::new();
            if let Some(e) = &ex.expect {
                if e.record.name != r.emit.record.name {
                    self.err(
                        Diagnostic::error(
                            "gleaner::example-type",
                            format!(
                                "this rule emits `{}`, not `{}`",
                                r.emit.record.name, e.record.name
                            ),
                            at(file, e.record.span),
                            "another record type",
                        )
                        .with_help(format!("write `-> {} {{ … }}`", r.emit.record.name)),
                    );
                }
                for (name, value) in &e.fields {
                    if let Some(ri) = record
                        && !self.records[ri].fields.contains(&name.name)
                    {
                        let d = unknown_field(&self.records[ri], name, file);
                        self.err(d);
                    }
                    expect.push((name.name.clone(), value.value.clone()));
                }
            }
            examples.push(Example {
                text: ex.text.value.clone(),
                loc: at(file, ex.text.span),
                expect,
            });
        }
        Some(Rule {
            name: r.name.name.clone(),
            file,
            loc: at(file, r.name.span),
            priority: r.priority,
            scope: r.scope,
            pattern,
            captures,
            span_capture,
            record: record?,
            fields,
            examples,
            counterexamples: r
                .counterexamples
                .iter()
                .map(|s| (s.value.clone(), at(file, s.span)))
                .collect(),
            stratum: 0,
            origins: res.origins,
        })
    }

    /// `no record type T is declared`, suggesting a close name (written with
    /// `prefix`, e.g. `@`) or else saying `fallback`.
    fn unknown_record(&self, name: &str, loc: Loc, prefix: &str, fallback: String) -> Diagnostic {
        let help = match did_you_mean(name, self.records.iter().map(|r| r.name.as_str())) {
            Some(s) => format!("did you mean `{prefix}{s}`?"),
            None => fallback,
        };
        Diagnostic::error(
            "gleaner::unknown-record",
            format!("no record type `{name}` is declared"),
            loc,
            "unknown record type",
        )
        .with_help(help)
    }

    fn capture_slot(
        &mut self,
        file: FileId,
        name: &ast::Ident,
        captures: &[String],
    ) -> Option<usize> {
        match captures.iter().position(|c| *c == name.name) {
            Some(i) => Some(i),
            None => {
                let help = match did_you_mean(&name.name, captures.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if captures.is_empty() => {
                        format!("bind it in the pattern: `<{}:…>`", name.name)
                    }
                    None => format!(
                        "the pattern binds: {}; bind this one with `<{}:…>`",
                        captures.join(", "),
                        name.name
                    ),
                };
                self.err(
                    Diagnostic::error(
                        "gleaner::unbound-capture",
                        format!("capture `{}` is never bound by the pattern", name.name),
                        at(file, name.span),
                        "not captured",
                    )
                    .with_help(help),
                );
                None
            }
        }
    }

    fn field_expr(
        &mut self,
        file: FileId,
        e: &Expr,
        captures: &[String],
        pattern: &Hir,
    ) -> Option<FieldExpr> {
        match e {
            Expr::Capture(name) => self
                .capture_slot(file, name, captures)
                .map(FieldExpr::Capture),
            Expr::Const(s) => Some(FieldExpr::Const(s.value.clone())),
            Expr::Call { func, args } => {
                let arg = &args[0];
                let arity = if func.name == "resolve" { 2 } else { 1 };
                if FUNCTIONS.contains(&func.name.as_str()) && args.len() != arity {
                    let usage = if arity == 2 {
                        format!("`{}(capture, RecordType)`", func.name)
                    } else {
                        format!("`{}(capture)`", func.name)
                    };
                    self.err(
                        Diagnostic::error(
                            "gleaner::arity",
                            format!(
                                "`{}` takes {arity} argument{}, not {}",
                                func.name,
                                if arity == 1 { "" } else { "s" },
                                args.len()
                            ),
                            at(file, func.span),
                            "wrong number of arguments",
                        )
                        .with_help(format!("write {usage}")),
                    );
                    return None;
                }
                let slot = self.capture_slot(file, arg, captures);
                match func.name.as_str() {
                    "lower" => slot.map(FieldExpr::Lower),
                    "date" => slot.map(FieldExpr::Date),
                    "duration" => slot.map(FieldExpr::Duration),
                    "resolve" => {
                        let ty = &args[1];
                        let Some(&t) = self.record_index.get(&ty.name) else {
                            let fallback = "the second argument names the record type whose records hold the full names, e.g. `resolve(speaker, Person)`".into();
                            let d = self.unknown_record(&ty.name, at(file, ty.span), "", fallback);
                            self.err(d);
                            return None;
                        };
                        slot.map(|s| FieldExpr::Resolve(s, t))
                    }
                    "canon" => {
                        let slot = slot?;
                        let mut lexicons = Vec::new();
                        lexicons_in_capture(pattern, slot, false, &mut lexicons);
                        lexicons.dedup();
                        if lexicons.is_empty() {
                            self.err(
                                Diagnostic::error(
                                    "gleaner::canon-without-lexicon",
                                    format!("`canon({})` needs a capture that matches a lexicon", arg.name),
                                    at(file, arg.span),
                                    "this capture matches no lexicon",
                                )
                                .with_help("canonical values come from lexicon entries (`Russian => Russia`); capture a lexicon here"),
                            );
                            return None;
                        }
                        Some(FieldExpr::Canon(slot, lexicons))
                    }
                    other => {
                        let help = match did_you_mean(other, FUNCTIONS) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("the functions are: {}", FUNCTIONS.join(", ")),
                        };
                        self.err(
                            Diagnostic::error(
                                "gleaner::unknown-function",
                                format!("there is no function `{other}`"),
                                at(file, func.span),
                                "unknown function",
                            )
                            .with_help(help),
                        );
                        None
                    }
                }
            }
        }
    }

    /// Resolves a pattern; when keeping origins, wrapped in [`Hir::Source`]
    /// with where it is written (sequences and alternations are not wrapped:
    /// their parts are).
    fn resolve(&mut self, r: &mut Resolver, p: &ast::Pat) -> Hir {
        if !self.origins {
            return self.resolve_kind(r, p);
        }
        let kind = match &p.kind {
            PatKind::Seq(_) | PatKind::Alt(_) => return self.resolve_kind(r, p),
            PatKind::Repeat(_, q) => OriginKind::Repeat {
                min: q.min,
                max: q.max,
            },
            PatKind::Capture(name, _) => OriginKind::Capture(name.name.clone()),
            PatKind::Ref(name) => match self.names.get(&name.name) {
                Some(&(Name::Pattern(i), _)) => OriginKind::Pattern {
                    name: name.name.clone(),
                    body: at(self.patterns[i].0, self.patterns[i].1.body.span),
                },
                _ => OriginKind::Element,
            },
            _ => OriginKind::Element,
        };
        let id = r.origins.len() as u32;
        r.origins.push(Origin {
            loc: at(r.file, p.span),
            parent: r.within.last().copied(),
            kind,
        });
        r.within.push(id);
        let h = self.resolve_kind(r, p);
        r.within.pop();
        Hir::Source(id, Arc::new(h))
    }

    fn resolve_kind(&mut self, r: &mut Resolver, p: &ast::Pat) -> Hir {
        r.nodes += 1;
        if r.nodes > MAX_PATTERN_NODES {
            r.too_large = true;
            return Hir::Token(TokenTest::Any);
        }
        let file = r.file;
        match &p.kind {
            PatKind::Seq(items) => Hir::Seq(items.iter().map(|i| self.resolve(r, i)).collect()),
            PatKind::Alt(items) => Hir::Alt(items.iter().map(|i| self.resolve(r, i)).collect()),
            PatKind::Repeat(inner, q) => {
                let inner = Arc::new(self.resolve(r, inner));
                let too_big = q.min > MAX_REPEAT || q.max.is_some_and(|m| m > MAX_REPEAT);
                if too_big && r.report {
                    self.err(
                        Diagnostic::error(
                            "gleaner::repeat-limit",
                            format!("a counted repetition may repeat at most {MAX_REPEAT} times"),
                            at(file, p.span),
                            "too many repetitions",
                        )
                        .with_help("use `*` or `+` for an unbounded repetition (a match never crosses its sentence anyway)"),
                    );
                }
                Hir::Repeat {
                    inner,
                    min: q.min.min(MAX_REPEAT),
                    max: q.max.map(|m| m.min(MAX_REPEAT)),
                    lazy: q.lazy,
                }
            }
            PatKind::And(items) => {
                let mut tests = Vec::new();
                for item in items {
                    let resolved = self.resolve(r, item);
                    match self.single_token(&resolved) {
                        Some(t) => tests.push(t),
                        None => {
                            if r.report {
                                self.err(
                                    Diagnostic::error(
                                        "gleaner::not-single-token",
                                        "`&` joins patterns of exactly one token",
                                        at(file, item.span),
                                        "this can match more (or fewer) than one token",
                                    )
                                    .with_help("use `&` between one-word literals, /regexes/, classes, lexicons, `!` atoms, or alternations of those: `Cap & !Month`"),
                                );
                            }
                        }
                    }
                }
                Hir::Token(TokenTest::And(tests.into()))
            }
            PatKind::Not(inner) => {
                let resolved = self.resolve(r, inner);
                match self.single_token(&resolved) {
                    Some(TokenTest::Any) => {
                        if r.report {
                            self.err(
                                Diagnostic::error(
                                    "gleaner::matches-nothing",
                                    "`!_` matches no token",
                                    at(file, p.span),
                                    "never matches",
                                )
                                .with_help("`_` matches every token, so `!_` matches none"),
                            );
                        }
                        Hir::Token(TokenTest::Not(Arc::new(TokenTest::Any)))
                    }
                    Some(t) => Hir::Token(TokenTest::Not(Arc::new(t))),
                    None if has_capture(&resolved) => {
                        if r.report {
                            self.err(
                                Diagnostic::error(
                                    "gleaner::capture-in-negation",
                                    "a capture inside `!` never binds",
                                    at(file, inner.span),
                                    "this capture",
                                )
                                .with_help("`!x` matches a token that `x` does not match, so there is nothing to capture; put the capture around it: `<name:!Cap>`"),
                            );
                        }
                        Hir::Token(TokenTest::Any)
                    }
                    None => {
                        if r.report {
                            self.err(
                                Diagnostic::error(
                                    "gleaner::not-single-token",
                                    "`!` applies to a pattern of exactly one token",
                                    at(file, inner.span),
                                    "this can match more (or fewer) than one token",
                                )
                                .with_help("use `!` on a one-word literal, a /regex/, a class, a lexicon, or an alternation of those"),
                            );
                        }
                        Hir::Token(TokenTest::Any)
                    }
                }
            }
            PatKind::Capture(name, body) => {
                let slot = match r.captures.iter().position(|c| *c == name.name) {
                    Some(i) => i,
                    None => {
                        r.captures.push(name.name.clone());
                        r.captures.len() - 1
                    }
                };
                let inner = match body {
                    Some(b) => self.resolve(r, b),
                    None => Hir::Repeat {
                        inner: Arc::new(Hir::Token(TokenTest::Any)),
                        min: 1,
                        max: Some(8),
                        lazy: true,
                    },
                };
                Hir::Capture(slot, Arc::new(inner))
            }
            PatKind::Literal(text) => {
                let words = literal_forms(text);
                if words.is_empty() && r.report {
                    self.err(
                        Diagnostic::error(
                            "gleaner::empty-literal",
                            "this literal has no tokens",
                            at(file, p.span),
                            "empty literal",
                        )
                        .with_help("a literal must contain at least one word or punctuation mark"),
                    );
                }
                Hir::Literal(words.into())
            }
            PatKind::Regex { source, flags } => self.regex(r, p.span, source, flags),
            PatKind::Any => Hir::Token(TokenTest::Any),
            PatKind::Start => Hir::Start,
            PatKind::End => Hir::End,
            PatKind::TypeRef(name) => match self.record_index.get(&name.name) {
                Some(&i) => Hir::TypeRef(i),
                None => {
                    if r.report {
                        let fallback = "`@T` matches a record an earlier rule emitted; declare `record T(…)` and a rule that emits it".to_string();
                        let d = self.unknown_record(&name.name, at(file, p.span), "@", fallback);
                        self.err(d);
                    }
                    Hir::Token(TokenTest::Any)
                }
            },
            PatKind::Ref(name) => {
                if let Some(c) = Class::from_name(&name.name) {
                    return Hir::Token(TokenTest::Class(c));
                }
                match self.names.get(&name.name).copied() {
                    Some((Name::Lexicon(i), _)) => Hir::Lexicon(i),
                    Some((Name::Pattern(i), _)) => {
                        if let Some(pos) = r.stack.iter().position(|&j| j == i) {
                            r.cycles += 1;
                            // A cycle through other patterns is found while they are
                            // written out silently (`report` off); report it once, when
                            // checking its lowest-numbered pattern on its own.
                            let owner = pos == 0 && r.stack.iter().all(|&j| j >= i);
                            if r.report || owner {
                                let chain: Vec<&str> = r.stack[pos..]
                                    .iter()
                                    .map(|&j| self.patterns[j].1.name.name.as_str())
                                    .chain([name.name.as_str()])
                                    .collect();
                                self.err(
                                    Diagnostic::error(
                                        "gleaner::pattern-cycle",
                                        format!("pattern `{}` refers to itself: {}", name.name, chain.join(" → ")),
                                        at(file, name.span),
                                        "refers back here",
                                    )
                                    .with_help("named patterns are written out where they are used, so they cannot refer to themselves; use a quantifier instead"),
                                );
                            }
                            return Hir::Token(TokenTest::Any);
                        }
                        if !self.origins
                            && let Some((h, nodes)) = self.memo.get(&i)
                        {
                            r.nodes += nodes;
                            if r.nodes > MAX_PATTERN_NODES {
                                r.too_large = true;
                                return Hir::Token(TokenTest::Any);
                            }
                            return h.clone();
                        }
                        let (pfile, def) = self.patterns[i];
                        let saved = (r.file, r.report);
                        let (nodes, diags, cycles) = (r.nodes, self.diags.len(), r.cycles);
                        r.file = pfile;
                        r.report = false;
                        r.stack.push(i);
                        let h = self.resolve(r, &def.body);
                        r.stack.pop();
                        (r.file, r.report) = saved;
                        if !self.origins
                            && !r.too_large
                            && self.diags.len() == diags
                            && r.cycles == cycles
                            && !has_capture(&h)
                        {
                            self.memo.insert(i, (h.clone(), r.nodes - nodes));
                        }
                        h
                    }
                    None => {
                        if r.report {
                            self.unknown_name(file, name);
                        }
                        Hir::Token(TokenTest::Any)
                    }
                }
            }
        }
    }

    fn unknown_name(&mut self, file: FileId, name: &ast::Ident) {
        let mut d = Diagnostic::error(
            "gleaner::unknown-name",
            format!("no pattern, lexicon or class is named `{}`", name.name),
            at(file, name.span),
            "unknown name",
        );
        let candidates = self.names.keys().map(String::as_str).chain(Class::NAMES);
        let mut sorted: Vec<&str> = candidates.collect();
        sorted.sort();
        if let Some(s) = did_you_mean(&name.name, sorted) {
            d = d.with_help(format!("did you mean `{s}`?"));
        } else if self.record_index.contains_key(&name.name) {
            d = d.with_help(format!(
                "`{0}` is a record type; to match a `{0}` record, write `@{0}`",
                name.name
            ));
        } else {
            d = d.with_help(format!(
                "define it with `pattern {0} = …` or `lexicon {0} = …`, or write a literal in quotes: \"{0}\"",
                name.name
            ));
        }
        self.err(d);
    }

    fn regex(&mut self, r: &mut Resolver, span: Span, source: &str, flags: &str) -> Hir {
        // A regex is met once per use of its named pattern, and again when
        // that pattern is checked on its own: compile it once. Only a regex
        // with nothing to say about it is remembered, so that every use that
        // reports still says what is wrong with a bad one.
        let key = (source.to_string(), flags.to_string());
        if let Some(re) = self.regex_cache.get(&key) {
            return Hir::Token(TokenTest::Regex(re.clone()));
        }
        let hir = self.compile_regex(r, span, source, flags);
        if let Hir::Token(TokenTest::Regex(re)) = &hir
            && flags.chars().all(is_regex_flag)
        {
            self.regex_cache.insert(key, re.clone());
        }
        hir
    }

    fn compile_regex(&mut self, r: &mut Resolver, span: Span, source: &str, flags: &str) -> Hir {
        if r.report {
            for other in flags.chars().filter(|&f| !is_regex_flag(f)) {
                self.err(
                    Diagnostic::error(
                        "gleaner::regex-flag",
                        format!("unknown regex flag `{other}`"),
                        at(r.file, span),
                        "in this regex",
                    )
                    .with_help("the flags are `i` (ignore case) and `x` (ignore white space)"),
                );
            }
        }
        match build_regex(source, flags) {
            Ok(re) => Hir::Token(TokenTest::Regex(re)),
            Err(e) => {
                if r.report {
                    let msg = match e {
                        regex::Error::CompiledTooBig(n) => {
                            format!("this regex compiles to more than the limit of {n} bytes")
                        }
                        other => other.to_string(),
                    };
                    self.err(
                        Diagnostic::error(
                            "gleaner::regex",
                            "this regex is not valid",
                            at(r.file, span),
                            "invalid regex",
                        )
                        .with_help(msg),
                    );
                }
                Hir::Token(TokenTest::Any)
            }
        }
    }

    /// The one-token test a pattern amounts to, if it always matches exactly one token.
    /// Captures inside are not allowed (`!<x:Cap>` would never bind `x`).
    fn single_token(&self, h: &Hir) -> Option<TokenTest> {
        match h {
            Hir::Capture(..) => None,
            Hir::Token(t) => Some(t.clone()),
            Hir::Literal(words) if words.len() == 1 => Some(TokenTest::Word(words[0].clone())),
            Hir::Lexicon(i) => Some(TokenTest::Lexicon(*i)),
            Hir::Seq(items) if items.len() == 1 => self.single_token(&items[0]),
            Hir::Source(_, inner) => self.single_token(inner),
            Hir::Alt(items) => items
                .iter()
                .map(|i| self.single_token(i))
                .collect::<Option<Arc<[_]>>>()
                .map(TokenTest::Or),
            _ => None,
        }
    }

    /// Orders the rules so that each runs after every rule whose records it matches with `@T`.
    fn stratify(&mut self, rules: &mut [Rule]) {
        let mut emitters: Vec<Vec<usize>> = vec![Vec::new(); self.records.len()];
        for (i, r) in rules.iter().enumerate() {
            emitters[r.record].push(i);
        }
        // deps[i]: rules that rule i must run after.
        let mut deps: Vec<Vec<usize>> = Vec::with_capacity(rules.len());
        for r in rules.iter() {
            let mut types = Vec::new();
            type_refs(&r.pattern, &mut types);
            for (_, f) in &r.fields {
                if let FieldExpr::Resolve(_, t) = f {
                    types.push(*t);
                }
            }
            types.sort_unstable();
            types.dedup();
            let mut d = Vec::new();
            for t in types {
                if emitters[t].is_empty() {
                    let rec = &self.records[t];
                    self.diags.push(
                        Diagnostic::error(
                            "gleaner::never-emitted",
                            format!(
                                "rule `{}` matches `@{}`, but no rule emits `{}`",
                                r.name, rec.name, rec.name
                            ),
                            r.loc,
                            "in this rule",
                        )
                        .with_related(rec.loc, "declared here")
                        .with_help(format!(
                            "add a rule with `emit {} {{ … }}`, or remove the `@{}`",
                            rec.name, rec.name
                        )),
                    );
                }
                d.extend(emitters[t].iter().copied());
            }
            deps.push(d);
        }
        // Depth-first search for the longest chain, reporting cycles.
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            New,
            Active,
            Done,
        }
        let mut state = vec![State::New; rules.len()];
        let mut level = vec![0usize; rules.len()];
        let mut reported = false;
        for start in 0..rules.len() {
            if state[start] != State::New {
                continue;
            }
            // Iterative DFS: (node, next dep index).
            let mut stack = vec![(start, 0usize)];
            state[start] = State::Active;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if *next < deps[node].len() {
                    let dep = deps[node][*next];
                    *next += 1;
                    match state[dep] {
                        State::New => {
                            state[dep] = State::Active;
                            stack.push((dep, 0));
                        }
                        State::Active => {
                            if !reported {
                                reported = true;
                                let pos = stack.iter().position(|&(n, _)| n == dep).unwrap_or(0);
                                let mut names: Vec<&str> = stack[pos..]
                                    .iter()
                                    .map(|&(n, _)| rules[n].name.as_str())
                                    .collect();
                                names.push(&rules[dep].name);
                                let mut d = Diagnostic::error(
                                    "gleaner::rule-cycle",
                                    format!("rules depend on each other in a cycle: {}", names.join(" → ")),
                                    rules[dep].loc,
                                    "this rule",
                                )
                                .with_help("a rule that matches `@T` runs after every rule that emits `T`; break the cycle by emitting another record type");
                                for &(n, _) in &stack[pos..] {
                                    if n != dep {
                                        d = d.with_related(rules[n].loc, "part of the cycle");
                                    }
                                }
                                self.diags.push(d);
                            }
                        }
                        State::Done => {
                            level[node] = level[node].max(level[dep] + 1);
                        }
                    }
                } else {
                    state[node] = State::Done;
                    stack.pop();
                    if let Some(&(parent, _)) = stack.last() {
                        level[parent] = level[parent].max(level[node] + 1);
                    }
                }
            }
        }
        for (r, l) in rules.iter_mut().zip(level) {
            r.stratum = l;
        }
    }
}

/// Per-rule state while resolving a pattern.
struct Resolver {
    file: FileId,
    report: bool,
    captures: Vec<String>,
    stack: Vec<usize>,
    nodes: usize,
    too_large: bool,
    /// Cycles met so far (a pattern resolved around one is not memoized).
    cycles: usize,
    /// Where the parts of the pattern are written.
    origins: Vec<Origin>,
    /// The origins of the parts being resolved, innermost last.
    within: Vec<u32>,
}

impl Resolver {
    fn new(file: FileId, report: bool) -> Resolver {
        Resolver {
            file,
            report,
            captures: Vec::new(),
            stack: Vec::new(),
            nodes: 0,
            too_large: false,
            cycles: 0,
            origins: Vec::new(),
            within: Vec::new(),
        }
    }
}

/// `record R has no field f`, with a close name or the list of fields.
fn unknown_field(rec: &RecordType, name: &ast::Ident, file: FileId) -> Diagnostic {
    let help = match did_you_mean(&name.name, rec.fields.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("`{}` has the fields: {}", rec.name, rec.fields.join(", ")),
    };
    Diagnostic::error(
        "gleaner::unknown-field",
        format!("record `{}` has no field `{}`", rec.name, name.name),
        at(file, name.span),
        "not a field of this record",
    )
    .with_help(help)
}

fn has_capture(h: &Hir) -> bool {
    match h {
        Hir::Capture(..) => true,
        Hir::Seq(items) | Hir::Alt(items) => items.iter().any(has_capture),
        Hir::Repeat { inner, .. } | Hir::Source(_, inner) => has_capture(inner),
        _ => false,
    }
}

fn type_refs(h: &Hir, out: &mut Vec<usize>) {
    match h {
        Hir::TypeRef(t) => out.push(*t),
        Hir::Seq(items) | Hir::Alt(items) => items.iter().for_each(|i| type_refs(i, out)),
        Hir::Repeat { inner, .. } | Hir::Capture(_, inner) | Hir::Source(_, inner) => {
            type_refs(inner, out)
        }
        _ => {}
    }
}

/// The lexicons used inside capture `slot`.
fn lexicons_in_test(t: &TokenTest, out: &mut Vec<usize>) {
    match t {
        TokenTest::Lexicon(i) => out.push(*i),
        TokenTest::And(ts) | TokenTest::Or(ts) => ts.iter().for_each(|t| lexicons_in_test(t, out)),
        _ => {}
    }
}

fn lexicons_in_capture(h: &Hir, slot: usize, inside: bool, out: &mut Vec<usize>) {
    match h {
        Hir::Lexicon(i) if inside => out.push(*i),
        Hir::Token(t) if inside => lexicons_in_test(t, out),
        Hir::Capture(s, inner) => lexicons_in_capture(inner, slot, inside || *s == slot, out),
        Hir::Seq(items) | Hir::Alt(items) => items
            .iter()
            .for_each(|i| lexicons_in_capture(i, slot, inside, out)),
        Hir::Repeat { inner, .. } | Hir::Source(_, inner) => {
            lexicons_in_capture(inner, slot, inside, out)
        }
        _ => {}
    }
}

/// A token regex: anchored at both ends, its known flags inline (each once,
/// so that the regex's text says everything about it; an unknown flag is
/// reported where the regex is checked).
fn build_regex(source: &str, flags: &str) -> Result<TokenRegex, regex::Error> {
    let mut inline = String::new();
    for f in flags.chars().filter(|&f| is_regex_flag(f)) {
        if !inline.contains(f) {
            inline.push(f);
        }
    }
    TokenRegex::new(format!("^(?{inline}:{source})$"), REGEX_SIZE_LIMIT)
}

/// Every regex of the rule files whose flags are all known, compiled at
/// once on the threads rayon has, if more than one (compiling them is a
/// fifth of checking the bundled library), by (source, flags) as
/// [`Checker::regex`] keeps them; with one thread, none (each is compiled
/// when met). One that does not compile is left out: met while checking,
/// it is compiled again there, and its problem said where it is written.
fn compile_regexes(files: &[(FileId, ast::File)]) -> HashMap<(String, String), TokenRegex> {
    use rayon::prelude::*;
    if !crate::build_in_parallel() {
        return HashMap::new();
    }
    fn walk<'a>(p: &'a ast::Pat, out: &mut Vec<(&'a str, &'a str)>) {
        match &p.kind {
            PatKind::Seq(ps) | PatKind::Alt(ps) | PatKind::And(ps) => {
                ps.iter().for_each(|p| walk(p, out))
            }
            PatKind::Repeat(p, _) | PatKind::Not(p) | PatKind::Capture(_, Some(p)) => walk(p, out),
            PatKind::Regex { source, flags } if flags.chars().all(is_regex_flag) => {
                out.push((source, flags))
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (_, file) in files {
        for item in &file.items {
            match item {
                ast::Item::Pattern(def) => walk(&def.body, &mut found),
                ast::Item::Rule(rule) => walk(&rule.pattern, &mut found),
                _ => {}
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
        .par_iter()
        .with_max_len(1)
        .filter_map(|&(source, flags)| {
            let re = build_regex(source, flags).ok()?;
            Some(((source.to_string(), flags.to_string()), re))
        })
        .collect()
}

/// The regex flags rules may use: `i` (ignore case) and `x` (ignore white space).
fn is_regex_flag(f: char) -> bool {
    matches!(f, 'i' | 'x')
}
