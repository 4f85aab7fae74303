//! `gleaner fmt`: one canonical layout for rule files.
//!
//! [`format_source`] rewrites the white space of a rule file and nothing that
//! means anything: every comment is kept, strings and regexes are copied byte
//! for byte, and the formatted text parses to the same declarations as the
//! original (this is checked each time; a file the formatter would change in
//! meaning is refused, never written).
//!
//! The layout (`docs/language.md`, "Formatting", says the same for users):
//!
//! - Declarations start in column 0. A `rule` has one blank line before and
//!   after it; between other declarations a blank line is kept where the
//!   author wrote one (two or more become one), so that a group of one-line
//!   `lexicon … from` or `pattern` lines can stay together. No blank line at
//!   the start or the end of the file, none inside a declaration.
//! - A rule's header is one line, `rule name priority N within scope {`.
//!   Its clauses start at 4: `match ` and `emit  ` (two spaces) so that the
//!   pattern and the record type line up, then each `example` and
//!   `counterexample`, and `}` alone in column 0.
//! - Line breaks inside a pattern or a lexicon are the author's: fmt neither
//!   wraps long lines nor joins short ones. It sets the indentation of each
//!   continuation line: 4 past the declaration's first line (so 4 in a
//!   `pattern`/`lexicon`, 8 in a `match`), plus 4 for every bracket (`(`, `<`,
//!   `{`) still open at the start of the line. A line that starts with `|` or
//!   `&` inside brackets is moved back 2, so that the operand lines up with the
//!   first alternative. `|` and `&` begin continuation lines and `,` ends
//!   them: a break written on the other side of one is moved.
//! - An `example` keeps its expected record (`-> Type { … }`) on its line, or
//!   on the next line indented 8, as written. Record declarations, `emit`
//!   clauses and expected records are one line each.
//! - Spacing: one space between pattern items and around `|`, `&`, `=`, `=>`
//!   and `->`; none inside `( … )` and `< … >`, after `!`, around a capture's
//!   `:`, before a quantifier or inside `{n,m}`; `{ … }` of fields have a
//!   space inside; `, ` and `field: value`.
//! - A lexicon entry is written bare when it can be (a word of letters,
//!   digits, marks, `-`, `'`, `’`, `.` and `&`), else quoted.
//! - The optional `;` after a declaration and trailing commas are dropped.
//! - A comment stays where it was: a comment on its own line stays on its own
//!   line, indented like the line after it; a comment after code stays after
//!   that code, two spaces from it.

use crate::diag::{Diagnostic, Diagnostics};
use crate::span::{Sources, Span};
use crate::syntax::{self, ast};
use std::ops::Range;
use std::sync::LazyLock;

/// Formats one rule file's text. `name` is only used in diagnostics.
///
/// A file with syntax errors is not formatted: the error holds its
/// diagnostics, rendered by [`Diagnostics::render`] as `gleaner check` does.
///
/// ```
/// let messy = "pattern  Name=Cap{1,3} ;\nrule r{match <n:Name>   \"said\" emit Said{n}}\n";
/// let tidy = gleaner::fmt::format_source("said.rules", messy).unwrap();
/// assert_eq!(tidy, "pattern Name = Cap{1,3}\n\nrule r {\n    match <n:Name> \"said\"\n    emit  Said { n }\n}\n");
/// ```
pub fn format_source(name: &str, text: &str) -> Result<String, Diagnostics> {
    let mut sources = Sources::default();
    let id = sources.add(name, text);
    let (before, errors) = syntax::parse(id, text);
    if !errors.is_empty() {
        return Err(Diagnostics {
            sources,
            list: errors,
        });
    }
    let refuse = |sources: Sources, why: String| Diagnostics {
        sources,
        list: vec![
            Diagnostic::global(
                "gleaner::fmt-internal",
                format!(
                    "{name}: the formatter cannot lay this file out ({why}); it is left as it is"
                ),
            )
            .with_help("this is a bug in gleaner fmt: please report it with the file"),
        ],
    };
    let parsed = match parse(text) {
        Ok(p) => p,
        Err(why) => return Err(refuse(sources, why)),
    };
    let out = emit(&parsed);
    // The guard: the same declarations, the same comments.
    let (after, errors) = syntax::parse(id, &out);
    if !errors.is_empty() || !same_meaning(before, after) {
        return Err(refuse(
            sources,
            "the result would mean something else".into(),
        ));
    }
    match parse(&out) {
        Ok(again) if comments(&again) == comments(&parsed) => Ok(out),
        _ => Err(refuse(sources, "the result would lose a comment".into())),
    }
}

// ---- tokens -------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A name, a keyword, a number, `_`, `@Type`, or a bare lexicon entry.
    Word,
    /// A string, quotes included, as written.
    Str,
    /// A regex with its slashes and flags, as written.
    Regex,
    Punct,
    Eof,
}

/// A comment on a line of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Comment {
    text: String,
    /// A blank line comes right before it.
    blank_before: bool,
}

#[derive(Clone, Debug)]
struct Tok {
    kind: Kind,
    text: String,
    /// Comments on lines of their own right before the token.
    comments: Vec<Comment>,
    /// A comment after the token on the same line.
    trailing: Option<String>,
    /// The source has a line break between the previous token and this one.
    newline_before: bool,
    /// The source has a blank line right before this token (after its comments).
    blank_before: bool,
    /// Left out of the output (`;`, trailing commas); its comments move to neighbours.
    dropped: bool,
}

impl Tok {
    fn is(&self, punct: &str) -> bool {
        self.kind == Kind::Punct && self.text == punct
    }
    fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text == word
    }
}

/// How to read a word: as the language's names, or as a bare lexicon entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Code,
    Entry,
}

/// One token with the trivia before it, and where the scan stopped.
struct Lexed {
    tok: Tok,
    /// A comment on the previous token's line.
    trailing_of_prev: Option<String>,
    end: usize,
}

/// A bare lexicon entry (`bare_word` in the grammar).
static BARE_WORD: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[\p{L}\p{N}][\p{L}\p{N}\p{M}\-'’.&]*")
        .expect("the bare-word regex compiles")
});

const PUNCT: &str = "(){}<>,:;=|&!*+?^$";

fn lex(src: &str, mut i: usize, mode: Mode, has_prev: bool) -> Result<Lexed, String> {
    let mut trailing_of_prev = None;
    let mut comments = Vec::new();
    let mut newlines = 0;
    let mut newline_before = false;
    while let Some(c) = src[i..].chars().next() {
        match c {
            '\n' => {
                newlines += 1;
                newline_before = true;
                i += 1;
            }
            ' ' | '\t' | '\r' | '\u{A0}' | '\u{FEFF}' => i += c.len_utf8(),
            '#' => {
                let end = src[i..].find('\n').map_or(src.len(), |e| i + e);
                let text = src[i..end].trim_end().to_string();
                if has_prev && !newline_before && trailing_of_prev.is_none() {
                    trailing_of_prev = Some(text);
                } else {
                    comments.push(Comment {
                        text,
                        blank_before: newlines >= 2,
                    });
                }
                newlines = 0;
                i = end;
            }
            _ => break,
        }
    }
    let rest = &src[i..];
    let start = i;
    let (kind, len) = match rest.chars().next() {
        None => (Kind::Eof, 0),
        Some('"') => (Kind::Str, quoted_len(rest, '"', true)?),
        Some('/') if mode == Mode::Code => {
            let body = quoted_len(rest, '/', false)?;
            let flags = rest[body..]
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len() - body);
            (Kind::Regex, body + flags)
        }
        Some(_) if mode == Mode::Entry && BARE_WORD.is_match(rest) => {
            (Kind::Word, BARE_WORD.find(rest).map_or(0, |m| m.end()))
        }
        Some('@') => (Kind::Word, 1 + ident_len(&rest[1..])),
        Some('-') if rest.starts_with("->") => (Kind::Punct, 2),
        Some('=') if rest.starts_with("=>") => (Kind::Punct, 2),
        Some('-') if rest[1..].starts_with(|c: char| c.is_ascii_digit()) => {
            (Kind::Word, 1 + ident_len(&rest[1..]))
        }
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => (Kind::Word, ident_len(rest)),
        Some(c) if PUNCT.contains(c) => (Kind::Punct, 1),
        Some(c) => return Err(format!("unexpected `{c}` at byte {i}")),
    };
    let tok = Tok {
        kind,
        text: src[start..start + len].to_string(),
        comments,
        trailing: None,
        newline_before,
        blank_before: newlines >= 2,
        dropped: false,
    };
    Ok(Lexed {
        tok,
        trailing_of_prev,
        end: start + len,
    })
}

fn ident_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// The length of a string or regex body that starts at `s[0]` and ends at the
/// next unescaped `close`. A string's escape may take any character; a regex's
/// no newline.
fn quoted_len(s: &str, close: char, any_escape: bool) -> Result<usize, String> {
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, '\n')) if !any_escape => break,
                Some(_) => {}
                None => break,
            }
        } else if c == close {
            return Ok(i + c.len_utf8());
        } else if c == '\n' {
            break;
        }
    }
    Err(format!("unclosed `{close}`"))
}

// ---- structure ----------------------------------------------------------------

/// How the tokens of a run are spaced and broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// A pattern: the author's line breaks are kept.
    Pattern,
    /// Lexicon entries: the author's line breaks are kept.
    Entries,
    /// Fields of a record, an `emit` or an expected record: one line.
    Fields,
}

#[derive(Debug)]
enum Clause {
    Match(usize, Range<usize>),
    Emit(usize, Range<usize>),
    Example {
        keyword: usize,
        text: usize,
        /// `->` and the expected record.
        expect: Option<(usize, Range<usize>)>,
    },
    Counterexample(usize, usize),
}

#[derive(Debug)]
enum Item {
    /// `import "…"`, `lexicon Name from "…"`: one line.
    Line(Range<usize>),
    /// `record Name(…) keep all`
    Record {
        keyword: usize,
        fields: Range<usize>,
        tail: Range<usize>,
    },
    /// `pattern Name = …`, `lexicon Name = …`
    Def {
        keyword: usize,
        body: Range<usize>,
        style: Style,
    },
    /// `rule name … {`, its clauses, `}`.
    Rule {
        header: Range<usize>,
        clauses: Vec<Clause>,
        close: usize,
    },
}

impl Item {
    /// The first token: `import`, `record`, `lexicon`, `pattern` or `rule`.
    fn keyword(&self) -> usize {
        match self {
            Item::Line(r) | Item::Rule { header: r, .. } => r.start,
            Item::Record { keyword, .. } | Item::Def { keyword, .. } => *keyword,
        }
    }
}

struct Parsed {
    toks: Vec<Tok>,
    items: Vec<Item>,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    toks: Vec<Tok>,
}

/// Reads a file that the real parser accepted into tokens and declarations.
fn parse(src: &str) -> Result<Parsed, String> {
    let mut p = Parser {
        src,
        pos: 0,
        toks: Vec::new(),
    };
    let mut items = Vec::new();
    loop {
        let next = p.peek(Mode::Code)?;
        if next.kind == Kind::Eof {
            p.bump(Mode::Code)?;
            break;
        }
        items.push(p.item()?);
        if p.peek(Mode::Code)?.is(";") {
            let semi = p.bump(Mode::Code)?;
            p.toks[semi].dropped = true;
        }
    }
    let mut toks = p.toks;
    move_dropped_comments(&mut toks);
    Ok(Parsed { toks, items })
}

impl Parser<'_> {
    fn peek(&self, mode: Mode) -> Result<Tok, String> {
        lex(self.src, self.pos, mode, !self.toks.is_empty()).map(|l| l.tok)
    }

    fn bump(&mut self, mode: Mode) -> Result<usize, String> {
        let l = lex(self.src, self.pos, mode, !self.toks.is_empty())?;
        self.pos = l.end;
        if let Some(t) = l.trailing_of_prev
            && let Some(prev) = self.toks.last_mut()
        {
            prev.trailing = Some(t);
        }
        self.toks.push(l.tok);
        Ok(self.toks.len() - 1)
    }

    fn expect(&mut self, mode: Mode, what: &str) -> Result<usize, String> {
        let i = self.bump(mode)?;
        if self.toks[i].text == what {
            Ok(i)
        } else {
            Err(format!("expected `{what}`, found `{}`", self.toks[i].text))
        }
    }

    fn item(&mut self) -> Result<Item, String> {
        let keyword = self.bump(Mode::Code)?;
        match self.toks[keyword].text.as_str() {
            "import" => {
                self.bump(Mode::Code)?;
                Ok(Item::Line(keyword..self.toks.len()))
            }
            "record" => {
                self.bump(Mode::Code)?;
                let open = self.expect(Mode::Code, "(")?;
                self.until_close(")")?;
                let fields = open..self.toks.len();
                if self.peek(Mode::Code)?.is_word("keep") {
                    self.bump(Mode::Code)?;
                    self.bump(Mode::Code)?;
                }
                let tail = fields.end..self.toks.len();
                Ok(Item::Record {
                    keyword,
                    fields,
                    tail,
                })
            }
            "lexicon" => {
                self.bump(Mode::Code)?;
                if self.peek(Mode::Code)?.is_word("from") {
                    self.bump(Mode::Code)?;
                    self.bump(Mode::Code)?;
                    return Ok(Item::Line(keyword..self.toks.len()));
                }
                self.expect(Mode::Code, "=")?;
                let body = self.entries()?;
                Ok(Item::Def {
                    keyword,
                    body,
                    style: Style::Entries,
                })
            }
            "pattern" => {
                self.bump(Mode::Code)?;
                self.expect(Mode::Code, "=")?;
                let body = self.pattern()?;
                Ok(Item::Def {
                    keyword,
                    body,
                    style: Style::Pattern,
                })
            }
            "rule" => self.rule(keyword),
            other => Err(format!("expected a declaration, found `{other}`")),
        }
    }

    /// Lexicon entries, up to the first token that continues none.
    fn entries(&mut self) -> Result<Range<usize>, String> {
        let start = self.toks.len();
        loop {
            self.entry_text()?;
            if self.peek(Mode::Code)?.is("=>") {
                self.bump(Mode::Code)?;
                self.entry_text()?;
            }
            if !self.peek(Mode::Code)?.is(",") {
                break;
            }
            let comma = self.bump(Mode::Code)?;
            if !matches!(self.peek(Mode::Entry)?.kind, Kind::Word | Kind::Str) {
                self.toks[comma].dropped = true;
                break;
            }
        }
        Ok(start..self.toks.len())
    }

    /// One entry's text, bare when it can be.
    fn entry_text(&mut self) -> Result<(), String> {
        let i = self.bump(Mode::Entry)?;
        let tok = &mut self.toks[i];
        match tok.kind {
            Kind::Word => Ok(()),
            Kind::Str => {
                let inner = &tok.text[1..tok.text.len() - 1];
                if !inner.contains('\\')
                    && BARE_WORD
                        .find(inner)
                        .is_some_and(|m| m.end() == inner.len())
                {
                    tok.text = inner.to_string();
                    tok.kind = Kind::Word;
                }
                Ok(())
            }
            _ => Err(format!("expected a lexicon entry, found `{}`", tok.text)),
        }
    }

    /// A pattern, up to `;`, the end, or a keyword outside brackets.
    fn pattern(&mut self) -> Result<Range<usize>, String> {
        let start = self.toks.len();
        let mut depth = 0usize;
        loop {
            let next = self.peek(Mode::Code)?;
            let ends = next.kind == Kind::Eof
                || depth == 0
                    && (next.is(";")
                        || next.kind == Kind::Word
                            && syntax::KEYWORDS.contains(&next.text.as_str()));
            if ends {
                break;
            }
            if is_opener(&next) {
                depth += 1;
            } else if is_closer(&next) {
                depth = depth.saturating_sub(1);
            }
            self.bump(Mode::Code)?;
        }
        if start == self.toks.len() {
            return Err("an empty pattern".into());
        }
        Ok(start..self.toks.len())
    }

    /// Tokens up to the `close` that matches a bracket just read; a comma right
    /// before it is dropped.
    fn until_close(&mut self, close: &str) -> Result<(), String> {
        let mut depth = 1usize;
        loop {
            let i = self.bump(Mode::Code)?;
            let tok = &self.toks[i];
            if tok.kind == Kind::Eof {
                return Err(format!("no `{close}`"));
            }
            if is_opener(tok) {
                depth += 1;
            } else if is_closer(tok) {
                depth -= 1;
                if depth == 0 {
                    if self.toks[i - 1].is(",") {
                        self.toks[i - 1].dropped = true;
                    }
                    return Ok(());
                }
            }
        }
    }

    fn rule(&mut self, keyword: usize) -> Result<Item, String> {
        self.bump(Mode::Code)?;
        while !self.peek(Mode::Code)?.is("{") {
            self.bump(Mode::Code)?; // `priority` or `within`
            self.bump(Mode::Code)?; // its value
        }
        self.bump(Mode::Code)?;
        let header = keyword..self.toks.len();
        let mut clauses = Vec::new();
        let m = self.expect(Mode::Code, "match")?;
        clauses.push(Clause::Match(m, self.pattern()?));
        let e = self.expect(Mode::Code, "emit")?;
        let start = self.toks.len();
        self.bump(Mode::Code)?;
        if self.peek(Mode::Code)?.is_word("at") {
            self.bump(Mode::Code)?;
            self.bump(Mode::Code)?;
        }
        self.expect(Mode::Code, "{")?;
        self.until_close("}")?;
        clauses.push(Clause::Emit(e, start..self.toks.len()));
        loop {
            let keyword = self.bump(Mode::Code)?;
            if self.toks[keyword].is("}") {
                return Ok(Item::Rule {
                    header,
                    clauses,
                    close: keyword,
                });
            }
            let text = self.bump(Mode::Code)?;
            let tok = &self.toks[keyword];
            if tok.is_word("counterexample") {
                clauses.push(Clause::Counterexample(keyword, text));
                continue;
            }
            if !tok.is_word("example") {
                return Err(format!("expected a clause, found `{}`", tok.text));
            }
            let expect = if self.peek(Mode::Code)?.is("->") {
                let arrow = self.bump(Mode::Code)?;
                let start = self.toks.len();
                self.bump(Mode::Code)?;
                self.expect(Mode::Code, "{")?;
                self.until_close("}")?;
                Some((arrow, start..self.toks.len()))
            } else {
                None
            };
            clauses.push(Clause::Example {
                keyword,
                text,
                expect,
            });
        }
    }
}

fn is_opener(t: &Tok) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), "(" | "<" | "{")
}

fn is_closer(t: &Tok) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), ")" | ">" | "}")
}

/// Gives the comments of dropped tokens to their neighbours: a comment after a
/// dropped token on its line follows the token before it, others go before the
/// token after it.
fn move_dropped_comments(toks: &mut [Tok]) {
    for i in 0..toks.len() {
        if !toks[i].dropped {
            continue;
        }
        let mut moved = std::mem::take(&mut toks[i].comments);
        let trailing = toks[i].trailing.take();
        let prev = (0..i).rev().find(|&j| !toks[j].dropped);
        if let Some(t) = trailing {
            match prev {
                Some(p)
                    if moved.is_empty()
                        && !toks[i].newline_before
                        && toks[p].trailing.is_none() =>
                {
                    toks[p].trailing = Some(t);
                }
                _ => moved.push(Comment {
                    text: t,
                    blank_before: false,
                }),
            }
        }
        if moved.is_empty() {
            continue;
        }
        if let Some(n) = (i + 1..toks.len()).find(|&j| !toks[j].dropped) {
            toks[n].comments.splice(0..0, moved);
            toks[n].newline_before = true;
        }
    }
}

/// Every comment, in order.
fn comments(p: &Parsed) -> Vec<&str> {
    let mut out = Vec::new();
    for t in &p.toks {
        out.extend(t.comments.iter().map(|c| c.text.as_str()));
        out.extend(t.trailing.as_deref());
    }
    out
}

// ---- layout -------------------------------------------------------------------

struct Emitter<'t> {
    toks: &'t [Tok],
    lines: Vec<String>,
    /// The line being written, if one is open.
    line: Option<String>,
}

fn emit(p: &Parsed) -> String {
    let mut e = Emitter {
        toks: &p.toks,
        lines: Vec::new(),
        line: None,
    };
    let mut after_rule = false;
    for item in &p.items {
        let is_rule = matches!(item, Item::Rule { .. });
        e.lead(item.keyword(), is_rule || after_rule);
        after_rule = is_rule;
        match item {
            Item::Line(r) => {
                for i in r.start + 1..r.end {
                    e.put(i, 4, 4, " ", false);
                }
            }
            Item::Record {
                keyword,
                fields,
                tail,
            } => {
                e.put(keyword + 1, 4, 4, " ", false);
                e.run(fields.clone(), 4, Style::Fields, "");
                for i in tail.clone() {
                    e.put(i, 4, 4, " ", false);
                }
            }
            Item::Def {
                keyword,
                body,
                style,
            } => {
                e.put(keyword + 1, 4, 4, " ", false);
                e.put(keyword + 2, 4, 4, " ", false);
                e.run(body.clone(), 4, *style, " ");
            }
            Item::Rule {
                header,
                clauses,
                close,
            } => {
                for i in header.clone().skip(1) {
                    e.put(i, 4, 4, " ", false);
                }
                for clause in clauses {
                    e.clause(clause);
                }
                e.put(*close, 0, 4, "", true);
            }
        }
    }
    let eof = p.toks.len() - 1;
    e.lead(eof, after_rule);
    e.close();
    while e.lines.last().is_some_and(String::is_empty) {
        e.lines.pop();
    }
    let mut out = e.lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

impl Emitter<'_> {
    fn close(&mut self) {
        if let Some(line) = self.line.take() {
            self.lines.push(line.trim_end().to_string());
        }
    }

    fn blank(&mut self) {
        self.close();
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    fn open(&mut self, indent: usize, text: &str) {
        self.close();
        self.line = Some(format!("{}{text}", " ".repeat(indent)));
    }

    /// A declaration's first token (or the end of the file) with the comments
    /// and blank lines before it.
    fn lead(&mut self, i: usize, force_blank: bool) {
        self.close();
        let t = &self.toks[i];
        let mut first = true;
        for c in &t.comments {
            if (first && force_blank) || c.blank_before {
                self.blank();
            }
            self.lines.push(c.text.clone());
            first = false;
        }
        if t.kind == Kind::Eof {
            return;
        }
        if (first && force_blank) || t.blank_before {
            self.blank();
        }
        self.open(0, &t.text);
        if let Some(c) = &t.trailing {
            self.trail(c);
        }
    }

    fn trail(&mut self, comment: &str) {
        if let Some(line) = &mut self.line {
            line.push_str("  ");
            line.push_str(comment);
        }
        self.close();
    }

    /// Writes token `i`: on a new line at `indent` if `brk` (or if it must),
    /// else after `sep` on the current line. Its own-line comments go before it
    /// at `comment_indent`.
    fn put(&mut self, i: usize, indent: usize, comment_indent: usize, sep: &str, brk: bool) {
        let t = &self.toks[i];
        if t.dropped {
            return;
        }
        if !t.comments.is_empty() {
            self.close();
            for c in &t.comments {
                self.lines
                    .push(format!("{}{}", " ".repeat(comment_indent), c.text));
            }
            self.open(indent, &t.text);
        } else if let (Some(line), false) = (&mut self.line, brk) {
            line.push_str(sep);
            line.push_str(&t.text);
        } else {
            self.open(indent, &t.text);
        }
        if let Some(c) = &t.trailing {
            self.trail(c);
        }
    }

    fn clause(&mut self, clause: &Clause) {
        match clause {
            Clause::Match(k, body) => {
                self.put(*k, 4, 4, "", true);
                self.run(body.clone(), 8, Style::Pattern, " ");
            }
            Clause::Emit(k, body) => {
                self.put(*k, 4, 4, "", true);
                self.run(body.clone(), 8, Style::Fields, "  ");
            }
            Clause::Example {
                keyword,
                text,
                expect,
            } => {
                self.put(*keyword, 4, 4, "", true);
                self.put(*text, 8, 8, " ", false);
                if let Some((arrow, record)) = expect {
                    self.put(*arrow, 8, 8, " ", self.toks[*arrow].newline_before);
                    self.run(record.clone(), 8, Style::Fields, " ");
                }
            }
            Clause::Counterexample(k, text) => {
                self.put(*k, 4, 4, "", true);
                self.put(*text, 8, 8, " ", false);
            }
        }
    }

    /// Writes a run of tokens: a pattern, lexicon entries or fields. `first`
    /// separates the first token from what is before it on its line;
    /// continuation lines are indented from `base`.
    fn run(&mut self, range: Range<usize>, base: usize, style: Style, first: &str) {
        let toks = self.toks;
        let idx: Vec<usize> = range.filter(|&i| !toks[i].dropped).collect();
        let keep = style != Style::Fields;
        let mut nl: Vec<bool> = idx
            .iter()
            .map(|&i| keep && toks[i].newline_before)
            .collect();
        if let Some(n) = nl.first_mut() {
            *n = false;
        }
        // `|` and `&` start a line, `,` ends one.
        for k in 1..idx.len() {
            let t = &toks[idx[k]];
            let Some(next) = idx.get(k + 1).map(|&j| &toks[j]) else {
                continue;
            };
            if (t.is("|") || t.is("&"))
                && nl[k + 1]
                && !nl[k]
                && t.trailing.is_none()
                && next.comments.is_empty()
            {
                nl[k] = true;
                nl[k + 1] = false;
            }
            if t.is(",") && nl[k] && t.comments.is_empty() {
                nl[k] = false;
                nl[k + 1] = true;
            }
        }
        let mut depth = 0usize;
        for (k, &i) in idx.iter().enumerate() {
            let t = &toks[i];
            if is_closer(t) {
                depth = depth.saturating_sub(1);
            }
            let mut indent = base + 4 * depth;
            if depth > 0 && (t.is("|") || t.is("&")) {
                indent -= 2;
            }
            if k == 0 {
                self.put(i, indent, indent, first, false);
            } else {
                let prev = &toks[idx[k - 1]];
                let glue = glued(style, prev, t);
                let brk = nl[k] && (!glue || breaks_inside(style, prev, t));
                self.put(i, indent, indent, if glue { "" } else { " " }, brk);
            }
            if is_opener(t) {
                depth += 1;
            }
        }
    }
}

/// No space between `a` and `b`.
fn glued(style: Style, a: &Tok, b: &Tok) -> bool {
    fn p(t: &Tok) -> Option<&str> {
        (t.kind == Kind::Punct).then_some(t.text.as_str())
    }
    match style {
        Style::Pattern => {
            matches!(p(a), Some("(" | "<" | "!" | "{" | ":" | ","))
                || matches!(
                    p(b),
                    Some(")" | ">" | ":" | "*" | "+" | "?" | "{" | "}" | ",")
                )
        }
        Style::Entries => p(b) == Some(","),
        Style::Fields => {
            p(a) == Some("(")
                || matches!(p(b), Some(")" | "," | ":"))
                || (p(b) == Some("(") && a.kind == Kind::Word)
        }
    }
}

/// Where a pattern may break although its tokens are glued: inside brackets.
fn breaks_inside(style: Style, a: &Tok, b: &Tok) -> bool {
    style == Style::Pattern && (a.is("(") || a.is(":") || b.is(")") || b.is(">"))
}

// ---- the guard ----------------------------------------------------------------

/// The same declarations, whatever their spans.
fn same_meaning(mut a: ast::File, mut b: ast::File) -> bool {
    forget_spans(&mut a);
    forget_spans(&mut b);
    a == b
}

fn forget_spans(file: &mut ast::File) {
    use ast::{Expr, Item, LexiconBody};
    let none = Span::default();
    for item in &mut file.items {
        match item {
            Item::Import(s) => s.span = none,
            Item::Record(r) => {
                r.span = none;
                r.name.span = none;
                for f in &mut r.fields {
                    f.span = none;
                }
            }
            Item::Lexicon(l) => {
                l.span = none;
                l.name.span = none;
                match &mut l.body {
                    LexiconBody::Inline(entries) => {
                        for e in entries {
                            e.span = none;
                        }
                    }
                    LexiconBody::File(s) => s.span = none,
                }
            }
            Item::Pattern(p) => {
                p.span = none;
                p.name.span = none;
                forget_pat_spans(&mut p.body);
            }
            Item::Rule(r) => {
                r.span = none;
                r.name.span = none;
                forget_pat_spans(&mut r.pattern);
                r.emit.span = none;
                r.emit.record.span = none;
                if let Some(at) = &mut r.emit.at {
                    at.span = none;
                }
                for f in &mut r.emit.fields {
                    f.name.span = none;
                    match &mut f.value {
                        Expr::Capture(c) => c.span = none,
                        Expr::Const(s) => s.span = none,
                        Expr::Call { func, args } => {
                            func.span = none;
                            for a in args {
                                a.span = none;
                            }
                        }
                    }
                }
                for ex in &mut r.examples {
                    ex.text.span = none;
                    if let Some(expect) = &mut ex.expect {
                        expect.record.span = none;
                        for (name, value) in &mut expect.fields {
                            name.span = none;
                            value.span = none;
                        }
                    }
                }
                for c in &mut r.counterexamples {
                    c.span = none;
                }
            }
        }
    }
}

fn forget_pat_spans(p: &mut ast::Pat) {
    use ast::PatKind;
    p.span = Span::default();
    match &mut p.kind {
        PatKind::Seq(v) | PatKind::Alt(v) | PatKind::And(v) => {
            v.iter_mut().for_each(forget_pat_spans)
        }
        PatKind::Repeat(inner, _) | PatKind::Not(inner) => forget_pat_spans(inner),
        PatKind::Capture(name, inner) => {
            name.span = Span::default();
            if let Some(inner) = inner {
                forget_pat_spans(inner);
            }
        }
        PatKind::Ref(name) | PatKind::TypeRef(name) => name.span = Span::default(),
        PatKind::Literal(_)
        | PatKind::Regex { .. }
        | PatKind::Any
        | PatKind::Start
        | PatKind::End => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        match format_source("t.rules", text) {
            Ok(out) => out,
            Err(d) => panic!("not formatted:\n{}", d.render(false)),
        }
    }

    /// Every `.rules` file of the bundled library, by name.
    fn bundled() -> Vec<(String, &'static str)> {
        fn walk(dir: &include_dir::Dir<'static>, out: &mut Vec<(String, &'static str)>) {
            for f in dir.files() {
                if f.path().extension().is_some_and(|e| e == "rules") {
                    let text = f.contents_utf8().expect("rule files are UTF-8");
                    out.push((f.path().display().to_string(), text));
                }
            }
            for d in dir.dirs() {
                walk(d, out);
            }
        }
        let mut out = Vec::new();
        walk(&crate::load::BUNDLED, &mut out);
        assert!(out.len() >= 7, "the bundled library has its rule files");
        out
    }

    fn ast(text: &str) -> ast::File {
        let (file, errors) = syntax::parse(crate::span::FileId(0), text);
        assert!(errors.is_empty(), "{errors:?}");
        file
    }

    #[test]
    fn messy_input_gets_the_canonical_layout() {
        let messy = "\
# Roles.
import \"common.rules\";
record   PersonRole ( person ,role, ) keep   all ;  # after the semicolon



lexicon Role =   secretary,\"minister\" => Minister ,  \"prime minister\"
  , \"U.S.\"=>\"United States\",   # after an entry
   # before an entry
   \"St. Petersburg\"
pattern Name=Cap {1 , 3}? & ! \"x\"|( a
b ) |
   <who : Cap+>
rule r priority -1 within paragraph{
# before match
match   ^ Name
      # inside match
      @Person+? $
emit PersonRole at who{person:lower(who),role : \"x\",}  # after emit
example \"a b\" -> PersonRole{ person:\"a\" }
  example \"c\"
     -> PersonRole {}
counterexample \"z\"  # after a counterexample
  # before the end

}
pattern Q = /a\\/b/i _ # at the end
# the last line
";
        let tidy = "\
# Roles.
import \"common.rules\"
record PersonRole(person, role) keep all  # after the semicolon

lexicon Role = secretary, minister => Minister, \"prime minister\",
    U.S. => \"United States\",  # after an entry
    # before an entry
    \"St. Petersburg\"
pattern Name = Cap{1,3}? & !\"x\" | (a
        b)
    | <who:Cap+>

rule r priority -1 within paragraph {
    # before match
    match ^ Name
        # inside match
        @Person+? $
    emit  PersonRole at who { person: lower(who), role: \"x\" }  # after emit
    example \"a b\" -> PersonRole { person: \"a\" }
    example \"c\"
        -> PersonRole { }
    counterexample \"z\"  # after a counterexample
    # before the end
}

pattern Q = /a\\/b/i _  # at the end
# the last line
";
        assert_eq!(fmt(messy), tidy);
        assert_eq!(fmt(tidy), tidy);
    }

    #[test]
    fn continuation_lines_are_indented_by_open_brackets() {
        let text = "\
pattern Words = (Start & !\"x\") Gap* (
 (A Gap*){2,} Plain
            | A Plain (Gap* A)+
  )
          | Plain (Gap* A){3,}
rule r {
    match <d:A
    | \"the\" (B |
 C)>
  | D
    emit  Date { }
}
";
        let want = "\
pattern Words = (Start & !\"x\") Gap* (
        (A Gap*){2,} Plain
      | A Plain (Gap* A)+
    )
    | Plain (Gap* A){3,}

rule r {
    match <d:A
          | \"the\" (B
              | C)>
        | D
    emit  Date { }
}
";
        assert_eq!(fmt(text), want);
    }

    #[test]
    fn blank_lines_around_rules_and_as_written_elsewhere() {
        let text = "\n\n# a\nlexicon A from \"a.tsv\"\nlexicon B from \"b.tsv\"\n\n\n\n# c\n\npattern C = A\nrule r { match C emit T { } }\nrule s { match C emit T { } }\n# end\n\n\n";
        let want = "# a\nlexicon A from \"a.tsv\"\nlexicon B from \"b.tsv\"\n\n# c\n\npattern C = A\n\nrule r {\n    match C\n    emit  T { }\n}\n\nrule s {\n    match C\n    emit  T { }\n}\n\n# end\n";
        assert_eq!(fmt(text), want);
    }

    #[test]
    fn strings_and_regexes_are_kept_byte_for_byte() {
        let text = "pattern P = \"a  b\\\"\"   /x\\/ y[ ]{2}/iu  \"\\\\\"\nlexicon L = \"a\\.b\", \" x\", \"’s\"\n";
        assert_eq!(
            fmt(text),
            "pattern P = \"a  b\\\"\" /x\\/ y[ ]{2}/iu \"\\\\\"\nlexicon L = \"a\\.b\", \" x\", \"’s\"\n"
        );
    }

    #[test]
    fn lexicon_entries_are_bare_where_they_can_be() {
        assert_eq!(
            fmt(
                "lexicon L = \"Mr.\" => \"Mister\", \"AT&T\", \"O'Brien\", \"van der\", \"-x\", \"rule\"\n"
            ),
            "lexicon L = Mr. => Mister, AT&T, O'Brien, \"van der\", \"-x\", rule\n"
        );
    }

    #[test]
    fn an_empty_file_stays_empty_and_comments_alone_stay() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n \n"), "");
        assert_eq!(
            fmt("\u{FEFF}# only a comment   \r\n\r\n\r\n# another\r\n"),
            "# only a comment\n\n# another\n"
        );
    }

    #[test]
    fn syntax_errors_are_reported_not_formatted() {
        let err = format_source(
            "bad.rules",
            "pattern P = (Cap\nrule r { match P emit T { } }\n",
        )
        .unwrap_err();
        assert_eq!(err.error_count(), 1);
        let text = err.render(false);
        assert!(text.contains("bad.rules:2:1"), "{text}");
        assert!(text.contains("opened here"), "{text}");
        assert!(text.contains("gleaner::syntax"), "{text}");
    }

    #[test]
    fn every_bundled_file_keeps_its_meaning() {
        for (name, text) in bundled() {
            let once = fmt(text);
            assert!(
                same_meaning(ast(text), ast(&once)),
                "{name}: meaning changed"
            );
            assert_eq!(fmt(&once), once, "{name}: formatting twice changes it");
        }
    }

    #[test]
    fn the_bundled_rules_are_formatted() {
        for (name, text) in bundled() {
            assert!(
                fmt(text) == text,
                "rules/{name} is not formatted: run `gleaner fmt rules/`"
            );
        }
    }

    /// Every token of `text` as the formatter reads it, with `sep` between two
    /// tokens wherever the language allows white space.
    fn respaced(text: &str, sep: &dyn Fn(usize) -> String) -> String {
        let parsed = parse(text).expect("reads");
        let mut out = String::new();
        let mut prev: Option<&Tok> = None;
        for (i, t) in parsed.toks.iter().enumerate() {
            // A lazy `?` is glued to its quantifier.
            let lazy =
                t.is("?") && prev.is_some_and(|p| ["*", "+", "?", "}"].iter().any(|q| p.is(q)));
            if prev.is_some() && !lazy {
                out.push_str(&sep(i));
            }
            // Lexicon entries come out bare where they can be: still valid input.
            out.push_str(&t.text);
            prev = Some(t);
        }
        out
    }

    #[test]
    fn a_comment_between_any_two_tokens_is_kept() {
        for (name, text) in bundled() {
            let stressed = respaced(text, &|i| format!(" # c{i}\n"));
            let once = fmt(&stressed);
            assert!(
                same_meaning(ast(text), ast(&once)),
                "{name}: meaning changed"
            );
            assert_eq!(fmt(&once), once, "{name}: formatting twice changes it");
            let p = parse(&once).expect("reads");
            let n = comments(&p).len();
            assert_eq!(n, stressed.matches(" # c").count(), "{name}: comments lost");
        }
    }

    #[test]
    fn a_line_break_between_any_two_tokens_is_laid_out() {
        for (name, text) in bundled() {
            for sep in ["\n", "\n\n  ", " "] {
                let stressed = respaced(text, &|_| sep.to_string());
                let once = fmt(&stressed);
                assert!(
                    same_meaning(ast(text), ast(&once)),
                    "{name}: meaning changed"
                );
                assert_eq!(fmt(&once), once, "{name}: formatting twice changes it");
            }
        }
    }
}
