//! A structured input for the `engine` target: a small rule set drawn from a
//! grammar of the rule language (docs/language.md §14), printed as rule text,
//! and a document made of the same words plus punctuation and line breaks.
//!
//! The generator mostly makes rule sets that build: captures are never put
//! under `!`, `emit` fills only fields whose capture the pattern binds, and a
//! pattern that could match zero tokens gets one token appended. Sizes are
//! bounded so one input stays small.

use arbitrary::Arbitrary;
use std::fmt::{self, Write as _};

/// Words of rules and documents: names, roles, dates, clitics, abbreviations.
pub const VOCAB: &[&str] = &[
    "the", "of", "said", "Ali", "Baqeri", "minister", "prime", "deputy", "U.S.", "Mr.", "Russia",
    "’s", "n't", "2011", "1,200", "Nov.", "11", "today", "last", "week", "three", "months", "ago",
    "Tuesday", "he", "she", "Tehran", "council", "and", "a", "b", "é", "İ", "东京", "“", "”", "\"",
    "'", "—", "-", ".", ",", "...", "!", "?", "(", ")", "17:30", "1990s", "O'Brien",
];

const CLASSES: &[&str] = &["Cap", "Upper", "Lower", "Num", "Punct", "Word", "Glued"];
const REGEXES: &[&str] = &["/[A-Z].*/", r"/\d+/", "/the|of/i", "/./", "/(?x) a | b /"];
const FUNCTIONS: &[&str] = &["lower", "canon", "date", "duration"];
const CAPTURES: &[&str] = &["x", "y"];
const TYPES: &[&str] = &["A", "B"];
const MAX_DEPTH: u32 = 5;

fn word(i: u8) -> &'static str {
    VOCAB[i as usize % VOCAB.len()]
}

/// A string literal of the rule language for `s`.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One token test: what `!` and `&` may take.
#[derive(Arbitrary, Debug, Clone)]
pub enum Single {
    /// A one-word literal.
    Lit(u8),
    /// A built-in class.
    Class(u8),
    /// `_` (not under `!`).
    Any,
    /// The lexicon `L`.
    Lex,
    /// A regex from a fixed set.
    Regex(u8),
    /// An alternation of single-token tests.
    Alt(Box<Single>, Box<Single>),
}

/// A pattern.
#[derive(Arbitrary, Debug, Clone)]
pub enum Pat {
    /// A one-token test.
    Single(Single),
    /// A literal of two words.
    Lit2(u8, u8),
    /// The named pattern `P`.
    Named,
    /// `@A` or `@B`.
    At(bool),
    /// `^`.
    Start,
    /// `$`.
    End,
    /// `!t`.
    Not(Single),
    /// `a & b`.
    And(Single, Single),
    /// `<x:p>` or `<y:p>`.
    Capture(bool, Box<Pat>),
    /// `<x>`, a bare capture.
    Bare(bool),
    /// A sequence.
    Seq(Vec<Pat>),
    /// An alternation.
    Alt(Vec<Pat>),
    /// A quantified pattern.
    Repeat(Box<Pat>, Quant, bool),
}

/// A quantifier; counts are kept small.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Quant {
    /// `?`
    Opt,
    /// `*`
    Star,
    /// `+`
    Plus,
    /// `{n}`
    Exactly(u8),
    /// `{n,}`
    AtLeast(u8),
    /// `{n,m}`
    Between(u8, u8),
}

/// How an `emit` fills one field.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum FieldSource {
    /// Left out.
    Skip,
    /// The capture of the same name (shorthand).
    Same,
    /// The other capture.
    Other,
    /// A function of the capture of the same name.
    Func(u8),
    /// `resolve(x, A)`.
    Resolve(bool),
    /// A constant.
    Const(u8),
}

/// A rule.
#[derive(Arbitrary, Debug, Clone)]
pub struct Rule {
    pattern: Pat,
    emits_b: bool,
    at: Option<bool>,
    fields: [FieldSource; 2],
    priority: Option<i8>,
    scope: u8,
    example: Option<Vec<u8>>,
}

/// A rule set and a document.
#[derive(Arbitrary, Clone)]
pub struct Input {
    keep_all: [bool; 2],
    lexicon: Vec<(u8, Option<u8>)>,
    named: Pat,
    rules: Vec<Rule>,
    text: Vec<Piece>,
}

/// A piece of the document.
#[derive(Arbitrary, Debug, Clone)]
pub enum Piece {
    /// A word of the vocabulary and a space.
    Word(u8),
    /// A word glued to the one before.
    Glued(u8),
    /// A line break.
    Line,
    /// A blank line.
    Para,
    /// `\r\n`.
    Crlf,
    /// Free text.
    Raw(String),
}

struct Printer {
    out: String,
    /// Captures bound by the pattern printed so far, and whether each holds a
    /// lexicon (for `canon`).
    bound: [bool; 2],
    lexicon_in: [bool; 2],
}

impl Printer {
    fn single(&mut self, s: &Single, negated: bool, depth: u32) -> bool {
        // Returns whether it mentions the lexicon.
        match s {
            Single::Lit(i) => {
                let w = word(*i);
                // Punctuation that the tokenizer might glue differently stays a
                // one-token literal; all VOCAB entries are one token alone.
                let _ = write!(self.out, "{}", quoted(w));
                false
            }
            Single::Class(i) => {
                self.out.push_str(CLASSES[*i as usize % CLASSES.len()]);
                false
            }
            Single::Any if negated => {
                self.out.push_str("Cap");
                false
            }
            Single::Any => {
                self.out.push('_');
                false
            }
            Single::Lex => {
                self.out.push('L');
                true
            }
            Single::Regex(i) => {
                self.out.push_str(REGEXES[*i as usize % REGEXES.len()]);
                self.out.push(' ');
                false
            }
            Single::Alt(a, b) if depth < MAX_DEPTH => {
                self.out.push('(');
                let la = self.single(a, negated, depth + 1);
                self.out.push_str(" | ");
                let lb = self.single(b, negated, depth + 1);
                self.out.push(')');
                la || lb
            }
            Single::Alt(a, _) => self.single(a, negated, depth + 1),
        }
    }

    /// Prints a pattern; returns (whether it can match zero tokens, whether it
    /// mentions the lexicon).
    fn pat(&mut self, p: &Pat, depth: u32, in_named: bool) -> (bool, bool) {
        if depth > MAX_DEPTH {
            self.out.push('_');
            return (false, false);
        }
        match p {
            Pat::Single(s) => (false, self.single(s, false, depth)),
            Pat::Lit2(a, b) => {
                let _ = write!(
                    self.out,
                    "{}",
                    quoted(&format!("{} {}", word(*a), word(*b)))
                );
                (false, false)
            }
            Pat::Named if in_named => {
                self.out.push_str("Word");
                (false, false)
            }
            Pat::Named => {
                self.out.push('P');
                // P may be nullable; treat it as possibly empty and
                // possibly holding the lexicon.
                (true, true)
            }
            Pat::At(b) => {
                let _ = write!(self.out, "@{}", TYPES[usize::from(*b)]);
                (false, false)
            }
            Pat::Start => {
                self.out.push('^');
                (true, false)
            }
            Pat::End => {
                self.out.push('$');
                (true, false)
            }
            Pat::Not(s) => {
                self.out.push('!');
                self.single(s, true, depth);
                (false, false)
            }
            Pat::And(a, b) => {
                self.out.push('(');
                let la = self.single(a, false, depth);
                self.out.push_str(" & ");
                let lb = self.single(b, false, depth);
                self.out.push(')');
                (false, la || lb)
            }
            Pat::Capture(y, inner) => {
                let c = usize::from(*y);
                let _ = write!(self.out, "<{}:", CAPTURES[c]);
                let (nullable, lex) = self.pat(inner, depth + 1, in_named);
                self.out.push('>');
                self.bound[c] = true;
                self.lexicon_in[c] |= lex;
                (nullable, lex)
            }
            Pat::Bare(y) => {
                let c = usize::from(*y);
                let _ = write!(self.out, "<{}>", CAPTURES[c]);
                self.bound[c] = true;
                (false, false)
            }
            Pat::Seq(items) => {
                if items.is_empty() {
                    self.out.push('_');
                    return (false, false);
                }
                self.out.push('(');
                let (mut nullable, mut lex) = (true, false);
                for (i, item) in items.iter().take(6).enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    let (n, l) = self.pat(item, depth + 1, in_named);
                    nullable &= n;
                    lex |= l;
                }
                self.out.push(')');
                (nullable, lex)
            }
            Pat::Alt(items) => {
                if items.is_empty() {
                    self.out.push('_');
                    return (false, false);
                }
                self.out.push('(');
                let (mut nullable, mut lex) = (false, false);
                for (i, item) in items.iter().take(4).enumerate() {
                    if i > 0 {
                        self.out.push_str(" | ");
                    }
                    let (n, l) = self.pat(item, depth + 1, in_named);
                    nullable |= n;
                    lex |= l;
                }
                self.out.push(')');
                (nullable, lex)
            }
            Pat::Repeat(inner, q, lazy) => {
                self.out.push('(');
                let (n, lex) = self.pat(inner, depth + 1, in_named);
                self.out.push(')');
                let min_zero = match *q {
                    Quant::Opt => {
                        self.out.push('?');
                        true
                    }
                    Quant::Star => {
                        self.out.push('*');
                        true
                    }
                    Quant::Plus => {
                        self.out.push('+');
                        false
                    }
                    Quant::Exactly(n) => {
                        let n = n % 4;
                        let _ = write!(self.out, "{{{n}}}");
                        n == 0
                    }
                    Quant::AtLeast(n) => {
                        let n = n % 3;
                        let _ = write!(self.out, "{{{n},}}");
                        n == 0
                    }
                    Quant::Between(a, b) => {
                        let (a, b) = (a % 3, b % 4);
                        let (a, b) = (a.min(b), a.max(b));
                        let _ = write!(self.out, "{{{a},{b}}}");
                        a == 0
                    }
                };
                if *lazy {
                    self.out.push('?');
                }
                (n || min_zero, lex)
            }
        }
    }
}

impl Input {
    /// The rule text.
    pub fn rules(&self) -> String {
        let mut out = String::new();
        for (t, keep) in TYPES.iter().zip(self.keep_all) {
            let _ = writeln!(
                out,
                "record {t}(x, y){}",
                if keep { " keep all" } else { "" }
            );
        }
        out.push_str("lexicon L = prime, \"prime minister\", deputy => Dep, Russia => RU");
        for (w, canon) in self.lexicon.iter().take(6) {
            let _ = write!(out, ", {}", quoted(word(*w)));
            if let Some(c) = canon {
                let _ = write!(out, " => {}", quoted(word(*c)));
            }
        }
        out.push('\n');
        let mut p = Printer {
            out: String::new(),
            bound: [false; 2],
            lexicon_in: [false; 2],
        };
        p.pat(&self.named, 1, true);
        let _ = writeln!(out, "pattern P = {}", p.out);

        for (i, rule) in self.rules.iter().take(4).enumerate() {
            let mut p = Printer {
                out: String::new(),
                bound: [false; 2],
                lexicon_in: [false; 2],
            };
            let (nullable, _) = p.pat(&rule.pattern, 0, false);
            if nullable {
                p.out.push_str(" _");
            }
            let _ = write!(out, "rule r{i}");
            if let Some(n) = rule.priority {
                let _ = write!(out, " priority {n}");
            }
            match rule.scope % 4 {
                1 => out.push_str(" within paragraph"),
                2 => out.push_str(" within document"),
                3 => out.push_str(" within sentence"),
                _ => {}
            }
            let _ = writeln!(out, " {{\n  match {}", p.out);
            let _ = write!(out, "  emit {}", TYPES[usize::from(rule.emits_b)]);
            if let Some(y) = rule.at {
                let c = usize::from(y);
                if p.bound[c] {
                    let _ = write!(out, " at {}", CAPTURES[c]);
                }
            }
            out.push_str(" { ");
            for (f, (source, name)) in rule.fields.iter().zip(CAPTURES).enumerate() {
                let other = CAPTURES[1 - f];
                match *source {
                    FieldSource::Skip => continue,
                    FieldSource::Same if p.bound[f] => {
                        let _ = write!(out, "{name}, ");
                    }
                    FieldSource::Other if p.bound[1 - f] => {
                        let _ = write!(out, "{name}: {other}, ");
                    }
                    FieldSource::Func(k) if p.bound[f] => {
                        let func = FUNCTIONS[k as usize % FUNCTIONS.len()];
                        if func != "canon" || p.lexicon_in[f] {
                            let _ = write!(out, "{name}: {func}({name}), ");
                        }
                    }
                    FieldSource::Resolve(b) if p.bound[f] => {
                        let _ = write!(out, "{name}: resolve({name}, {}), ", TYPES[usize::from(b)]);
                    }
                    FieldSource::Const(k) => {
                        let _ = write!(out, "{name}: {}, ", quoted(word(k)));
                    }
                    _ => {}
                }
            }
            out.push_str("}\n");
            if let Some(ex) = &rule.example {
                let words: Vec<&str> = ex.iter().take(8).map(|&w| word(w)).collect();
                let _ = writeln!(out, "  example {}", quoted(&words.join(" ")));
            }
            out.push_str("}\n");
        }
        out
    }

    /// The document text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for piece in self.text.iter().take(200) {
            match piece {
                Piece::Word(i) => {
                    if !out.is_empty() && !out.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                    out.push_str(word(*i));
                }
                Piece::Glued(i) => out.push_str(word(*i)),
                Piece::Line => out.push('\n'),
                Piece::Para => out.push_str("\n\n"),
                Piece::Crlf => out.push_str("\r\n"),
                Piece::Raw(s) => out.extend(s.chars().take(16)),
            }
        }
        out
    }
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--- rules:\n{}--- text:\n{:?}\n",
            self.rules(),
            self.text()
        )
    }
}
