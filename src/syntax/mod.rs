//! Rule text → AST. The pest grammar is `grammar/rules.pest`.
//!
//! [`parse`] reads a file one item at a time, so that a syntax error in one
//! declaration is reported and the declarations after it are still read.

pub mod ast;

use crate::diag::Diagnostic;
use crate::span::{FileId, Loc, Span};
use ast::*;
use pest::Parser as _;
use pest::iterators::Pair;

mod grammar {
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/rules.pest"]
    pub struct RuleParser;
}
use grammar::{Rule, RuleParser};

/// The deepest nesting of `( … )` and `< … >` a pattern may have.
pub const MAX_NESTING: usize = 128;

/// Parses one rule file. Returns what could be read and every syntax error found.
pub fn parse(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    let mut pos = 0;
    if let Some(d) = check_nesting(file, text) {
        return (File::default(), vec![d]);
    }
    loop {
        pos = skip_blank(text, pos);
        if pos >= text.len() {
            break;
        }
        match RuleParser::parse(Rule::item_only, &text[pos..]) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pos + pair.as_span().end();
                let mut b = Builder {
                    file,
                    offset: pos,
                    diags: &mut diags,
                };
                if let Some(item) = b.item(pair) {
                    items.push(item);
                }
                if end <= pos {
                    break;
                }
                pos = end;
            }
            Err(e) => {
                let mut d = syntax_error(file, text, pos, &e);
                if let Some(open) =
                    unclosed_bracket(text, pos, d.loc.map_or(pos, |l| l.span.start as usize))
                {
                    let close = if &text[open..open + 1] == "(" {
                        ')'
                    } else {
                        '>'
                    };
                    d.message = format!(
                        "expected `{close}`, or more pattern, {}",
                        d.message
                            .split(", found ")
                            .nth(1)
                            .map(|f| format!("found {f}"))
                            .unwrap_or_default()
                    );
                    d = d
                        .with_related(
                            Loc {
                                file,
                                span: Span::new(open, open + 1),
                            },
                            "opened here",
                        )
                        .with_help(format!(
                            "this `{}` is never closed: add `{close}` where the group ends",
                            &text[open..open + 1]
                        ));
                }
                diags.push(d);
                match next_item_start(text, pos) {
                    Some(p) => pos = p,
                    None => break,
                }
            }
        }
    }
    (File { items }, diags)
}

/// Skips white space and comments.
fn skip_blank(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let rest = &text[pos..];
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() || c == '\u{FEFF}' {
            pos += c.len_utf8();
        } else if c == '#' {
            pos += rest.find('\n').unwrap_or(rest.len());
        } else {
            break;
        }
    }
    pos
}

const ITEM_KEYWORDS: [&str; 5] = ["import", "record", "lexicon", "pattern", "rule"];

/// The keywords of the language; no pattern or lexicon may be named like one.
pub const KEYWORDS: [&str; 13] = [
    "import",
    "record",
    "lexicon",
    "pattern",
    "rule",
    "priority",
    "within",
    "match",
    "emit",
    "example",
    "counterexample",
    "keep",
    "from",
];

/// The start of the first line after `pos` that begins with a declaration keyword.
fn next_item_start(text: &str, pos: usize) -> Option<usize> {
    let mut line_start = pos + text[pos..].find('\n')? + 1;
    loop {
        let line = &text[line_start..];
        let trimmed = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - trimmed.len();
        for kw in ITEM_KEYWORDS {
            if let Some(after) = trimmed.strip_prefix(kw)
                && after.starts_with([' ', '\t'])
            {
                return Some(line_start + indent);
            }
        }
        line_start += line.find('\n')? + 1;
    }
}

/// The grouping brackets of a rule text, `(` `)` `<` `>`, with their byte
/// offsets, leaving out those inside comments, strings and regexes and the `>`
/// of `->` and `=>`.
fn brackets(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut chars = text.char_indices();
    let mut prev = ' ';
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            let before = std::mem::replace(&mut prev, c);
            match c {
                '#' => {
                    for (_, d) in chars.by_ref() {
                        if d == '\n' {
                            break;
                        }
                    }
                }
                '"' | '/' => {
                    let mut escaped = false;
                    for (_, d) in chars.by_ref() {
                        if escaped {
                            escaped = false;
                        } else if d == '\\' {
                            escaped = true;
                        } else if d == c || d == '\n' {
                            break;
                        }
                    }
                }
                '>' if matches!(before, '-' | '=') => {}
                '(' | '<' | ')' | '>' => return Some((i, c)),
                _ => {}
            }
        }
        None
    })
}

/// The last `(` or `<` opened between `from` and `to` and not closed by then.
fn unclosed_bracket(text: &str, from: usize, to: usize) -> Option<usize> {
    let mut stack = Vec::new();
    for (i, c) in brackets(text.get(from..to)?) {
        if matches!(c, '(' | '<') {
            stack.push(from + i);
        } else {
            stack.pop();
        }
    }
    stack.pop()
}

/// Refuses patterns nested deeper than [`MAX_NESTING`] before pest recurses into them.
fn check_nesting(file: FileId, text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for (i, c) in brackets(text) {
        if matches!(c, ')' | '>') {
            depth = depth.saturating_sub(1);
            continue;
        }
        depth += 1;
        if depth > MAX_NESTING {
            return Some(
                Diagnostic::error(
                    "gleaner::nesting-limit",
                    format!("patterns nest more than {MAX_NESTING} levels deep"),
                    Loc {
                        file,
                        span: Span::new(i, i + 1),
                    },
                    "this bracket is too deep",
                )
                .with_help("split the pattern into named patterns (`pattern Name = …`)"),
            );
        }
    }
    None
}

fn syntax_error(
    file: FileId,
    text: &str,
    offset: usize,
    e: &pest::error::Error<Rule>,
) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let at = match e.location {
        InputLocation::Pos(p) => offset + p,
        InputLocation::Span((s, _)) => offset + s,
    };
    let at = at.min(text.len());
    // Point at the offending token: up to the next white space, at most 24
    // bytes cut back to a char boundary, and at least one char.
    let rest = &text[at..];
    let mut len = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .unwrap_or(rest.len())
        .min(24);
    while !rest.is_char_boundary(len) {
        len -= 1;
    }
    let len = len.max(rest.chars().next().map_or(0, char::len_utf8));
    let found = if rest.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{}`", &rest[..len])
    };
    let (message, label, help) = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| human_name(*r)).collect();
            names.dedup();
            let mut seen = Vec::new();
            names.retain(|n| {
                if seen.contains(n) {
                    false
                } else {
                    seen.push(*n);
                    true
                }
            });
            let expected = match names.len() {
                0 => "something else".to_string(),
                1 => names[0].to_string(),
                _ => {
                    let last = names.pop().unwrap_or_default();
                    format!("{} or {}", names.join(", "), last)
                }
            };
            (
                format!("expected {expected}, found {found}"),
                format!("expected {expected} here"),
                help_for(&seen, rest),
            )
        }
        ErrorVariant::CustomError { message } => (message.clone(), "here".to_string(), None),
    };
    let mut d = Diagnostic::error(
        "gleaner::syntax",
        message,
        Loc {
            file,
            span: Span::new(at, at + len),
        },
        label,
    );
    if let Some(h) = help {
        d = d.with_help(h);
    }
    d
}

fn help_for(expected: &[&str], rest: &str) -> Option<String> {
    let has = |n: &str| expected.contains(&n);
    if rest.starts_with('\'') {
        return Some("strings are written in double quotes: \"…\"".into());
    }
    if has("a declaration") {
        return Some(
            "a rule file holds `import`, `record`, `lexicon`, `pattern` and `rule` declarations"
                .into(),
        );
    }
    if has("`emit`") {
        return Some("a rule reads `rule name { match <pattern> emit Type { fields } }`".into());
    }
    if has("`match`") {
        return Some("a rule's body starts with `match`, then `emit`".into());
    }
    if has("a pattern") {
        return Some(
            "a pattern is made of \"literals\", /regexes/, classes (Cap, Num, …), names, @Types, _ and <captures>"
                .into(),
        );
    }
    None
}

/// The name a user sees for each grammar rule, or `None` for rules that never appear in errors.
fn human_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::WHITESPACE | Rule::COMMENT | Rule::EOI => return None,
        Rule::item_only | Rule::blank | Rule::item => "a declaration",
        Rule::import | Rule::record | Rule::lexicon | Rule::pattern_def | Rule::rule_def => {
            "a declaration"
        }
        Rule::keyword => "a keyword",
        Rule::ident | Rule::name_ref => "a name",
        Rule::int => "a whole number",
        Rule::string | Rule::str_inner => "a string in double quotes",
        Rule::field_list => "a field name",
        Rule::keep_all => "`keep all`",
        Rule::lex_from => "`from`",
        Rule::lex_entries | Rule::lex_entry | Rule::lex_text | Rule::bare_word => "a lexicon entry",
        Rule::priority => "`priority`",
        Rule::within => "`within`",
        Rule::scope => "`sentence`, `paragraph` or `document`",
        Rule::match_cl => "`match`",
        Rule::emit_cl => "`emit`",
        Rule::emit_at | Rule::at_kw => "`at` and a capture",
        Rule::emit_field => "a field",
        Rule::expr => "a capture, a string or a function call",
        Rule::call => "a function call",
        Rule::example => "`example`",
        Rule::expect_field => "`field: \"text\"`",
        Rule::counterexample => "`counterexample`",
        Rule::alt | Rule::seq | Rule::conj | Rule::quantified | Rule::group | Rule::capture => {
            "a pattern"
        }
        Rule::negation => "`!`",
        Rule::quantifier | Rule::star | Rule::plus | Rule::opt | Rule::range | Rule::lazy => {
            "a quantifier"
        }
        Rule::range_comma => "`,`",
        Rule::regex | Rule::regex_body | Rule::regex_flags => "a /regex/",
        Rule::type_ref => "an @Type",
        Rule::any => "`_`",
        Rule::sent_start => "`^`",
        Rule::sent_end => "`$`",
        Rule::ident_char | Rule::str_escape | Rule::primary => "a pattern",
    })
}

/// Turns pest pairs into AST nodes, collecting the few errors the grammar cannot express.
struct Builder<'d> {
    file: FileId,
    offset: usize,
    diags: &'d mut Vec<Diagnostic>,
}

impl Builder<'_> {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn string(&self, pair: Pair<Rule>) -> Str {
        let span = self.span(&pair);
        let inner = pair.into_inner().next().map_or("", |p| p.as_str());
        Str {
            value: unescape(inner),
            span,
        }
    }

    fn error(&mut self, span: Span, message: String, label: &str, help: &str) {
        self.diags.push(
            Diagnostic::error(
                "gleaner::syntax",
                message,
                Loc {
                    file: self.file,
                    span,
                },
                label,
            )
            .with_help(help),
        );
    }

    fn int(&mut self, pair: Pair<Rule>) -> Option<i64> {
        let span = self.span(&pair);
        match pair.as_str().parse::<i64>() {
            Ok(n) if n.unsigned_abs() <= u32::MAX as u64 => Some(n),
            _ => {
                self.error(
                    span,
                    "this number is too large".into(),
                    "too large",
                    "numbers here must fit in 32 bits",
                );
                None
            }
        }
    }

    fn item(&mut self, pair: Pair<Rule>) -> Option<Item> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::import => {
                let s = pair.into_inner().next()?;
                Some(Item::Import(self.string(s)))
            }
            Rule::record => {
                let mut inner = pair.into_inner();
                let name = self.ident(inner.next()?);
                let mut fields = Vec::new();
                let mut keep_all = false;
                for p in inner {
                    match p.as_rule() {
                        Rule::ident => fields.push(self.ident(p)),
                        Rule::keep_all => keep_all = true,
                        _ => {}
                    }
                }
                Some(Item::Record(Record {
                    name,
                    fields,
                    keep_all,
                    span,
                }))
            }
            Rule::lexicon => {
                let mut inner = pair.into_inner();
                let name = self.ident(inner.next()?);
                let body = inner.next()?;
                let body = match body.as_rule() {
                    Rule::lex_from => LexiconBody::File(self.string(body.into_inner().next()?)),
                    _ => LexiconBody::Inline(
                        body.into_inner()
                            .filter_map(|e| {
                                let span = self.span(&e);
                                let mut parts = e.into_inner().map(|p| self.lex_text(p));
                                let text = parts.next()?;
                                Some(LexEntry {
                                    text,
                                    canon: parts.next(),
                                    span,
                                })
                            })
                            .collect(),
                    ),
                };
                Some(Item::Lexicon(Lexicon { name, body, span }))
            }
            Rule::pattern_def => {
                let mut inner = pair.into_inner();
                let name = self.ident(inner.next()?);
                let body = self.pat(inner.next()?)?;
                Some(Item::Pattern(PatternDef { name, body, span }))
            }
            Rule::rule_def => self.rule(pair).map(Item::Rule),
            _ => None,
        }
    }

    fn lex_text(&self, pair: Pair<Rule>) -> String {
        match pair.as_rule() {
            Rule::string => self.string(pair).value,
            _ => pair.as_str().to_string(),
        }
    }

    fn rule(&mut self, pair: Pair<Rule>) -> Option<Rule_> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next()?);
        let mut priority = 0;
        let mut scope = Scope::Sentence;
        let mut pattern = None;
        let mut emit = None;
        let mut examples = Vec::new();
        let mut counterexamples = Vec::new();
        for p in inner {
            match p.as_rule() {
                Rule::priority => {
                    let n = p.into_inner().next()?;
                    let span = self.span(&n);
                    let value = self.int(n).unwrap_or(0);
                    priority = match i32::try_from(value) {
                        Ok(v) => v,
                        Err(_) => {
                            self.error(
                                span,
                                "this priority is out of range".into(),
                                "too large",
                                "priorities are whole numbers from -2147483648 to 2147483647",
                            );
                            0
                        }
                    };
                }
                Rule::within => {
                    let s = p.into_inner().next()?;
                    scope = match s.as_str() {
                        "paragraph" => Scope::Paragraph,
                        "document" => Scope::Document,
                        _ => Scope::Sentence,
                    };
                }
                Rule::match_cl => pattern = self.pat(p.into_inner().next()?),
                Rule::emit_cl => emit = Some(self.emit(p)?),
                Rule::example => {
                    let mut it = p.into_inner();
                    let text = self.string(it.next()?);
                    let expect = match it.next() {
                        Some(t) => {
                            let record = self.ident(t);
                            let fields = it
                                .filter_map(|f| {
                                    let mut fi = f.into_inner();
                                    let n = self.ident(fi.next()?);
                                    let v = self.string(fi.next()?);
                                    Some((n, v))
                                })
                                .collect();
                            Some(Expect { record, fields })
                        }
                        None => None,
                    };
                    examples.push(Example { text, expect });
                }
                Rule::counterexample => {
                    counterexamples.push(self.string(p.into_inner().next()?));
                }
                _ => {}
            }
        }
        Some(Rule_ {
            name,
            priority,
            scope,
            pattern: pattern?,
            emit: emit?,
            examples,
            counterexamples,
            span,
        })
    }

    fn emit(&mut self, pair: Pair<Rule>) -> Option<Emit> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let record = self.ident(inner.next()?);
        let mut fields = Vec::new();
        let mut at = None;
        for f in inner {
            if f.as_rule() == Rule::emit_at {
                at = Some(self.ident(f.into_inner().find(|p| p.as_rule() == Rule::ident)?));
                continue;
            }
            let mut fi = f.into_inner();
            let name = self.ident(fi.next()?);
            let value = match fi.next() {
                None => Expr::Capture(name.clone()),
                Some(expr) => {
                    let e = expr.into_inner().next()?;
                    match e.as_rule() {
                        Rule::string => Expr::Const(self.string(e)),
                        Rule::call => {
                            let mut ci = e.into_inner();
                            let func = self.ident(ci.next()?);
                            let args = ci.map(|a| self.ident(a)).collect();
                            Expr::Call { func, args }
                        }
                        _ => Expr::Capture(self.ident(e)),
                    }
                }
            };
            fields.push(EmitField { name, value });
        }
        Some(Emit {
            record,
            at,
            fields,
            span,
        })
    }

    fn pat(&mut self, pair: Pair<Rule>) -> Option<Pat> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::alt => {
                let mut alts: Vec<Pat> = pair.into_inner().filter_map(|p| self.pat(p)).collect();
                if alts.len() == 1 {
                    return alts.pop();
                }
                PatKind::Alt(alts)
            }
            Rule::seq => {
                let mut items: Vec<Pat> = pair.into_inner().filter_map(|p| self.pat(p)).collect();
                if items.len() == 1 {
                    return items.pop();
                }
                PatKind::Seq(items)
            }
            Rule::conj => {
                let mut items: Vec<Pat> = pair.into_inner().filter_map(|p| self.pat(p)).collect();
                if items.len() == 1 {
                    return items.pop();
                }
                PatKind::And(items)
            }
            Rule::quantified => {
                let mut negated = false;
                let mut atom = None;
                let mut quant = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::negation => negated = true,
                        Rule::quantifier => quant = self.quantifier(p),
                        _ => atom = self.pat(p),
                    }
                }
                let mut atom = atom?;
                if negated {
                    let end = atom.span.end as usize;
                    atom = Pat {
                        kind: PatKind::Not(Box::new(atom)),
                        span: Span::new(span.start as usize, end),
                    };
                }
                match quant {
                    Some(q) => PatKind::Repeat(Box::new(atom), q),
                    None => return Some(atom),
                }
            }
            Rule::group => return self.pat(pair.into_inner().next()?),
            Rule::capture => {
                let mut inner = pair.into_inner();
                let name = self.ident(inner.next()?);
                let body = match inner.next() {
                    Some(p) => Some(Box::new(self.pat(p)?)),
                    None => None,
                };
                PatKind::Capture(name, body)
            }
            Rule::string => PatKind::Literal(self.string(pair).value),
            Rule::regex => {
                let mut inner = pair.into_inner();
                let source = inner.next()?.as_str().replace("\\/", "/");
                let flags = inner
                    .next()
                    .map_or(String::new(), |f| f.as_str().to_string());
                PatKind::Regex { source, flags }
            }
            Rule::type_ref => PatKind::TypeRef(self.ident(pair.into_inner().next()?)),
            Rule::any => PatKind::Any,
            Rule::sent_start => PatKind::Start,
            Rule::sent_end => PatKind::End,
            Rule::name_ref => PatKind::Ref(self.ident(pair)),
            _ => return None,
        };
        Some(Pat { kind, span })
    }

    fn quantifier(&mut self, pair: Pair<Rule>) -> Option<Repeat> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let q = inner.next()?;
        let lazy = inner.next().is_some();
        let (min, max) = match q.as_rule() {
            Rule::star => (0, None),
            Rule::plus => (1, None),
            Rule::opt => (0, Some(1)),
            _ => {
                let mut min = None;
                let mut max = None;
                let mut comma = false;
                for p in q.into_inner() {
                    match p.as_rule() {
                        Rule::range_comma => comma = true,
                        _ => {
                            let n = self.int(p)?;
                            if comma { max = Some(n) } else { min = Some(n) }
                        }
                    }
                }
                let min = min?;
                let max = if comma { max } else { Some(min) };
                if min < 0 || max.is_some_and(|m| m < min) {
                    self.error(
                        span,
                        "this repetition has impossible bounds".into(),
                        "bounds out of order",
                        "write `{n}`, `{n,}` or `{n,m}` with 0 ≤ n ≤ m",
                    );
                    return None;
                }
                (min as u32, max.map(|m| m as u32))
            }
        };
        Some(Repeat { min, max, lazy })
    }
}

/// `ast::Rule` under another name, since pest's `Rule` is the grammar's.
type Rule_ = ast::Rule;

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_bad_token_is_cut_on_a_char_boundary() {
        // 1 + 12 × 2 bytes: byte 24 falls inside the twelfth `é`.
        let text = format!("\0{}", "é".repeat(12));
        let (_, diags) = parse(FileId(0), &text);
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            format!("expected a declaration, found `\0{}`", "é".repeat(11))
        );
        assert_eq!(diags[0].loc.unwrap().span, Span::new(0, 23));
    }
}
