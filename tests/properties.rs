//! Property tests (proptest).
//!
//! - **Engine against references.** Random patterns over a tiny vocabulary, run
//!   on random texts of one sentence (and, in a second property, of several),
//!   must find exactly what two references find:
//!   a backtracking matcher written here (slow, simple), and the `regex` crate
//!   on a text with one character per token (the language promises
//!   leftmost-first matching "as in the Rust `regex` crate"). Spans and capture
//!   spans are compared token by token, and the records' byte spans too.
//!   Patterns that can match nothing must be rejected (`gleaner::empty-match`).
//! - **Threads.** `gleaner run` prints the same for `-j 1` and `-j 2`–`4`, in
//!   JSON Lines and snapshot format, over random selections and orders of the
//!   fixture articles.
//!
//! (No format round-trip: the crate has no printer of rule files yet.)
//!
//! More cases: `PROPTEST_CASES=100000 cargo test --release --test properties`.

mod common;

use common::gleaner;
use gleaner::engine::Runner;
use gleaner::text::{segment, tokenize};
use gleaner::{Document, Program};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;
use std::cell::Cell;

// ---- the vocabulary ----------------------------------------------------------

/// The tokens of generated texts. Each is one token when written between
/// spaces. The last, `.`, is only in texts of several sentences.
const TOKENS: &[&str] = &[
    "a", "b", "c", "A", "B", "C", "Ab", "ab", "1", "22", ",", ";", ":", ".",
];
/// The tokens of one-sentence texts.
const ONE_SENTENCE: &[&str] = TOKENS.split_at(TOKENS.len() - 1).0;
/// One-token literals of generated patterns (literals ignore case).
const LITERALS: &[&str] = &["a", "b", "c", "A", "ab", "1", ","];
/// Two-token literals.
const LITERALS2: &[&str] = &["a b", "b a", ", a"];
/// Capture names a pattern may use (a name may occur more than once).
const NAMES: usize = 2;
/// No capture or match position.
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Cap,
    Upper,
    Lower,
    Num,
    Punct,
    Word,
}

const CLASSES: &[Class] = &[
    Class::Cap,
    Class::Upper,
    Class::Lower,
    Class::Num,
    Class::Punct,
    Class::Word,
];

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Cap => "Cap",
            Class::Upper => "Upper",
            Class::Lower => "Lower",
            Class::Num => "Num",
            Class::Punct => "Punct",
            Class::Word => "Word",
        }
    }

    /// The class as docs/language.md §4.1 defines it, for the ASCII tokens used here.
    fn test(self, tok: &str) -> bool {
        let letters = tok.chars().any(|c| c.is_alphabetic());
        match self {
            Class::Cap => tok.chars().next().is_some_and(|c| c.is_uppercase()),
            Class::Upper => letters && !tok.chars().any(|c| c.is_lowercase()),
            Class::Lower => letters && !tok.chars().any(|c| c.is_uppercase()),
            Class::Num => tok.chars().all(|c| c.is_ascii_digit()),
            Class::Punct => tok.chars().all(|c| c.is_ascii_punctuation()),
            Class::Word => letters,
        }
    }
}

// ---- patterns ------------------------------------------------------------------

/// A test on one token.
#[derive(Clone, Debug)]
enum Tok {
    Any,
    Lit(&'static str),
    Class(Class),
    Not(Box<Tok>),
    And(Vec<Tok>),
    Or(Vec<Tok>),
}

impl Tok {
    fn matches(&self, tok: &str) -> bool {
        match self {
            Tok::Any => true,
            Tok::Lit(w) => w.to_lowercase() == tok.to_lowercase(),
            Tok::Class(c) => c.test(tok),
            Tok::Not(t) => !t.matches(tok),
            Tok::And(ts) => ts.iter().all(|t| t.matches(tok)),
            Tok::Or(ts) => ts.iter().any(|t| t.matches(tok)),
        }
    }

    /// As an operand of `&` or `!`, or a quantified atom.
    fn primary(&self) -> String {
        match self {
            Tok::Any => "_".into(),
            Tok::Lit(w) => format!("{w:?}"),
            Tok::Class(c) => c.name().into(),
            Tok::Not(t) => format!("!{}", t.primary()),
            Tok::And(_) | Tok::Or(_) => format!("({})", self.source()),
        }
    }

    fn source(&self) -> String {
        match self {
            Tok::And(ts) => join(ts.iter().map(Tok::primary), " & "),
            Tok::Or(ts) => join(ts.iter().map(Tok::source), " | "),
            _ => self.primary(),
        }
    }
}

/// A pattern of the rule language.
#[derive(Clone, Debug)]
enum Pat {
    Tok(Tok),
    /// A literal of several tokens.
    Lit(&'static str),
    Seq(Vec<Pat>),
    Alt(Vec<Pat>),
    Repeat {
        inner: Box<Pat>,
        min: u32,
        max: Option<u32>,
        lazy: bool,
    },
    /// `<xN: …>`
    Capture(usize, Box<Pat>),
    Start,
    End,
}

fn join(parts: impl Iterator<Item = String>, sep: &str) -> String {
    parts.collect::<Vec<_>>().join(sep)
}

impl Pat {
    /// Can match zero tokens (as the checker's `gleaner::empty-match` sees it).
    fn nullable(&self) -> bool {
        match self {
            Pat::Tok(_) | Pat::Lit(_) => false,
            Pat::Seq(ps) => ps.iter().all(Pat::nullable),
            Pat::Alt(ps) => ps.iter().any(Pat::nullable),
            Pat::Repeat { inner, min, .. } => *min == 0 || inner.nullable(),
            Pat::Capture(_, p) => p.nullable(),
            Pat::Start | Pat::End => true,
        }
    }

    /// Rule-language source (docs/language.md §14).
    fn source(&self) -> String {
        match self {
            Pat::Alt(ps) => join(ps.iter().map(Pat::seq), " | "),
            _ => self.seq(),
        }
    }

    fn seq(&self) -> String {
        match self {
            Pat::Seq(ps) => join(ps.iter().map(Pat::quantified), " "),
            _ => self.quantified(),
        }
    }

    fn quantified(&self) -> String {
        match self {
            Pat::Tok(t @ (Tok::And(_) | Tok::Not(_))) => t.source(),
            Pat::Repeat {
                inner,
                min,
                max,
                lazy,
            } => {
                let q = match (min, max) {
                    (0, Some(1)) => "?".to_string(),
                    (0, None) => "*".to_string(),
                    (1, None) => "+".to_string(),
                    (n, None) => format!("{{{n},}}"),
                    (n, Some(m)) if n == m => format!("{{{n}}}"),
                    (n, Some(m)) => format!("{{{n},{m}}}"),
                };
                let lazy = if *lazy { "?" } else { "" };
                format!("{}{q}{lazy}", inner.primary())
            }
            _ => self.primary(),
        }
    }

    fn primary(&self) -> String {
        match self {
            Pat::Tok(t @ Tok::Not(_)) => format!("({})", t.source()),
            Pat::Tok(t) => t.primary(),
            Pat::Lit(w) => format!("{w:?}"),
            Pat::Capture(n, p) => format!("<x{n}: {}>", p.source()),
            Pat::Start => "^".into(),
            Pat::End => "$".into(),
            _ => format!("({})", self.source()),
        }
    }

    /// How many times each capture name occurs.
    fn count_names(&self, out: &mut [usize; NAMES]) {
        match self {
            Pat::Seq(ps) | Pat::Alt(ps) => ps.iter().for_each(|p| p.count_names(out)),
            Pat::Repeat { inner, .. } => inner.count_names(out),
            Pat::Capture(n, p) => {
                out[*n] += 1;
                p.count_names(out);
            }
            _ => {}
        }
    }

    /// Capture names in order of first appearance.
    fn names(&self, out: &mut Vec<usize>) {
        match self {
            Pat::Seq(ps) | Pat::Alt(ps) => ps.iter().for_each(|p| p.names(out)),
            Pat::Repeat { inner, .. } => inner.names(out),
            Pat::Capture(n, p) => {
                if !out.contains(n) {
                    out.push(*n);
                }
                p.names(out);
            }
            _ => {}
        }
    }
}

// ---- the reference matcher -------------------------------------------------------
//
// A backtracking matcher: it tries the ways to match in the order the pattern
// prefers them (alternatives in written order, greedy repetitions more first,
// lazy fewer first), and the first way that reaches the end of the pattern is
// the match. Repetitions are first written out as the `regex` crate's compiler
// writes them (its `c_bounded` and `c_at_least`):
//
// - `e{n,m}` is n copies of `e`, then `(e(e(e)?)?)?` up to m;
// - `e{n,}` with n ≥ 1 is n − 1 copies, then `e+`: one body, and after each
//   pass through it, another pass or out;
// - `e*` is a plain loop when `e` cannot match empty, else `(e+)?`.
//
// One rule settles repetitions that can match empty: a way that comes back to
// the same point of the pattern without having consumed a token in between
// is abandoned (it would loop for ever). "Points" are the entry and exit of
// each pattern node, so copies of a repeated body are different points.

#[derive(Debug)]
enum Node {
    Test(Tok),
    Seq(Vec<Ref>),
    Alt(Vec<Ref>),
    /// `e?`
    Opt(Box<Ref>, bool),
    /// `e*` where `e` cannot match empty.
    Star(Box<Ref>, bool),
    /// `e e*`, one body: after each pass, again or out.
    Plus(Box<Ref>, bool),
    Capture(usize, Box<Ref>),
    Start,
    End,
}

#[derive(Debug)]
struct Ref {
    id: u32,
    node: Node,
}

struct Expander<'a> {
    next: u32,
    /// Capture slot of each name.
    slot: &'a [usize],
}

impl Expander<'_> {
    fn node(&mut self, node: Node) -> Ref {
        self.next += 1;
        Ref {
            id: self.next,
            node,
        }
    }

    fn expand(&mut self, p: &Pat) -> Ref {
        let node = match p {
            Pat::Tok(t) => Node::Test(t.clone()),
            Pat::Lit(words) => Node::Seq(
                words
                    .split(' ')
                    .map(|w| {
                        let t = Tok::Lit(TOKENS.iter().find(|t| **t == w).unwrap());
                        self.node(Node::Test(t))
                    })
                    .collect(),
            ),
            Pat::Seq(ps) => Node::Seq(ps.iter().map(|p| self.expand(p)).collect()),
            Pat::Alt(ps) => Node::Alt(ps.iter().map(|p| self.expand(p)).collect()),
            Pat::Capture(n, p) => Node::Capture(self.slot[*n], Box::new(self.expand(p))),
            Pat::Start => Node::Start,
            Pat::End => Node::End,
            Pat::Repeat {
                inner,
                min,
                max,
                lazy,
            } => {
                let lazy = *lazy;
                let mut items = Vec::new();
                match max {
                    Some(max) => {
                        for _ in 0..*min {
                            items.push(self.expand(inner));
                        }
                        let mut tail: Option<Ref> = None;
                        for _ in *min..*max {
                            let body = self.expand(inner);
                            let body = match tail.take() {
                                None => body,
                                Some(t) => self.node(Node::Seq(vec![body, t])),
                            };
                            tail = Some(self.node(Node::Opt(Box::new(body), lazy)));
                        }
                        items.extend(tail);
                    }
                    None if *min == 0 => {
                        let body = Box::new(self.expand(inner));
                        if inner.nullable() {
                            let plus = self.node(Node::Plus(body, lazy));
                            items.push(self.node(Node::Opt(Box::new(plus), lazy)));
                        } else {
                            items.push(self.node(Node::Star(body, lazy)));
                        }
                    }
                    None => {
                        for _ in 1..*min {
                            items.push(self.expand(inner));
                        }
                        let body = Box::new(self.expand(inner));
                        items.push(self.node(Node::Plus(body, lazy)));
                    }
                }
                Node::Seq(items)
            }
        };
        self.node(node)
    }
}

/// A way through the pattern so far: capture slots, and the points passed at
/// the current token position since the last token was consumed.
#[derive(Clone, Debug)]
struct Way {
    slots: Vec<u32>,
    points: Vec<u32>,
}

impl Way {
    /// Passes a point; `None` if this way passed it already at this position.
    fn pass(&self, point: u32) -> Option<Way> {
        if self.points.contains(&point) {
            return None;
        }
        let mut w = self.clone();
        w.points.push(point);
        Some(w)
    }
}

type Cont<'k> = &'k mut dyn FnMut(usize, Way) -> bool;

/// Gave up: too many steps (the reference is exponential on some patterns).
struct TooSlow;

struct Matcher<'a> {
    tokens: &'a [&'a str],
    /// The window: sentence start and end (token indices).
    lo: usize,
    hi: usize,
    /// The sentences of the whole text, for `^` and `$`.
    sentences: &'a [(usize, usize)],
    steps: Cell<u64>,
}

const MAX_STEPS: u64 = 200_000;

impl Matcher<'_> {
    /// Tries the ways to match `r` at `pos` in order of preference; calls `k`
    /// after each, and stops at the first for which `k` says yes.
    fn run(&self, r: &Ref, pos: usize, way: Way, k: Cont) -> bool {
        self.steps.set(self.steps.get() + 1);
        if self.steps.get() > MAX_STEPS {
            return false;
        }
        let Some(way) = way.pass(3 * r.id) else {
            return false;
        };
        let exit = 3 * r.id + 1;
        let mut out = |p: usize, w: Way| match w.pass(exit) {
            Some(w) => k(p, w),
            None => false,
        };
        match &r.node {
            Node::Test(t) => {
                if pos < self.hi && t.matches(self.tokens[pos]) {
                    let mut w = way;
                    w.points.clear();
                    out(pos + 1, w)
                } else {
                    false
                }
            }
            Node::Seq(items) => self.seq(items, pos, way, &mut out),
            Node::Alt(items) => items
                .iter()
                .any(|item| self.run(item, pos, way.clone(), &mut out)),
            Node::Opt(body, lazy) => {
                if *lazy {
                    out(pos, way.clone()) || self.run(body, pos, way, &mut out)
                } else {
                    self.run(body, pos, way.clone(), &mut out) || out(pos, way)
                }
            }
            Node::Star(body, lazy) => self.star(r.id, body, *lazy, pos, way, &mut out),
            Node::Plus(body, lazy) => self.plus(body, *lazy, pos, way, &mut out),
            Node::Capture(slot, body) => self.run(body, pos, way, &mut |p, mut w: Way| {
                // The span is written when the capture ends, so of nested
                // captures of one name the outer one, which ends last, counts.
                w.slots[2 + 2 * slot] = pos as u32;
                w.slots[3 + 2 * slot] = p as u32;
                out(p, w)
            }),
            // Between two sentences, both `^` and `$` hold, even at the edges of
            // the window (docs/language.md §4.1).
            Node::Start => self.sentences.iter().any(|s| s.0 == pos) && out(pos, way),
            Node::End => self.sentences.iter().any(|s| s.1 == pos) && out(pos, way),
        }
    }

    fn seq(&self, items: &[Ref], pos: usize, way: Way, k: Cont) -> bool {
        match items.split_first() {
            None => k(pos, way),
            Some((first, rest)) => self.run(first, pos, way, &mut |p, w| self.seq(rest, p, w, k)),
        }
    }

    /// A plain loop: its head is a point, passed before each pass and on the way out.
    fn star(&self, id: u32, body: &Ref, lazy: bool, pos: usize, way: Way, k: Cont) -> bool {
        let Some(way) = way.pass(3 * id + 2) else {
            return false;
        };
        if lazy {
            k(pos, way.clone())
                || self.run(body, pos, way, &mut |p, w| {
                    self.star(id, body, lazy, p, w, k)
                })
        } else {
            self.run(body, pos, way.clone(), &mut |p, w| {
                self.star(id, body, lazy, p, w, k)
            }) || k(pos, way)
        }
    }

    /// `S: body; P: split(S, out)`: a pass of the body, then again or out.
    fn plus(&self, body: &Ref, lazy: bool, pos: usize, way: Way, k: Cont) -> bool {
        self.run(body, pos, way, &mut |p, w: Way| {
            if lazy {
                k(p, w.clone()) || self.plus(body, lazy, p, w, k)
            } else {
                self.plus(body, lazy, p, w.clone(), k) || k(p, w)
            }
        })
    }

    /// The first match starting at or after `from`, as capture slots.
    fn find(&self, root: &Ref, from: usize, nslots: usize) -> Result<Option<Vec<u32>>, TooSlow> {
        for start in from..self.hi {
            let mut slots = vec![NONE; nslots];
            slots[0] = start as u32;
            let mut found = None;
            let way = Way {
                slots,
                points: Vec::new(),
            };
            let hit = self.run(root, start, way, &mut |p, w| {
                let mut s = w.slots;
                s[1] = p as u32;
                found = Some(s);
                true
            });
            if self.steps.get() > MAX_STEPS {
                return Err(TooSlow);
            }
            if hit {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Every match, left to right, each search starting where the last match ended.
    fn find_all(&self, root: &Ref, nslots: usize) -> Result<Vec<Vec<u32>>, TooSlow> {
        let mut out = Vec::new();
        let mut at = self.lo;
        while at < self.hi {
            match self.find(root, at, nslots)? {
                Some(s) => {
                    at = (s[1] as usize).max(at + 1);
                    out.push(s);
                }
                None => break,
            }
        }
        Ok(out)
    }
}

// ---- the `regex` crate as a second reference ------------------------------------

/// The character that stands for `TOKENS[i]` in the text given to `regex`.
fn token_char(i: usize) -> char {
    (b'a' + i as u8) as char
}

/// A one-token test as a character class of `regex`.
fn regex_class(t: &Tok) -> String {
    let chars: String = (0..TOKENS.len())
        .filter(|&i| t.matches(TOKENS[i]))
        .map(token_char)
        .collect();
    if chars.is_empty() {
        "[a&&b]".into() // the empty class
    } else {
        format!("[{chars}]")
    }
}

/// The pattern as a `regex`, for one sentence given alone; `anchors` are what
/// `^` and `$` become; `groups` gets the capture name of each group.
fn regex_source(p: &Pat, anchors: [&str; 2], groups: &mut Vec<usize>) -> String {
    match p {
        Pat::Tok(t) => regex_class(t),
        Pat::Lit(words) => join(
            words
                .split(' ')
                .map(|w| regex_class(&Tok::Lit(TOKENS.iter().find(|t| **t == w).unwrap()))),
            "",
        ),
        Pat::Seq(ps) => format!(
            "(?:{})",
            join(ps.iter().map(|p| regex_source(p, anchors, groups)), "")
        ),
        Pat::Alt(ps) => format!(
            "(?:{})",
            join(ps.iter().map(|p| regex_source(p, anchors, groups)), "|")
        ),
        Pat::Repeat {
            inner,
            min,
            max,
            lazy,
        } => {
            let max = max.map(|m| m.to_string()).unwrap_or_default();
            let lazy = if *lazy { "?" } else { "" };
            format!(
                "(?:{}){{{min},{max}}}{lazy}",
                regex_source(inner, anchors, groups)
            )
        }
        Pat::Capture(n, p) => {
            groups.push(*n);
            format!("({})", regex_source(p, anchors, groups))
        }
        Pat::Start => anchors[0].into(),
        Pat::End => anchors[1].into(),
    }
}

/// What `regex` finds, as capture slots (only for patterns whose capture names
/// occur once each: `regex` gives each group its own span).
fn regex_slots(
    p: &Pat,
    tokens: &[&str],
    (lo, hi): (usize, usize),
    slot: &[usize],
    nslots: usize,
) -> Vec<Vec<u32>> {
    // `^` holds at the start of the sentence, and at its end when another
    // follows; `$` at its end, and at its start when another precedes.
    let both = r"(?:\A|\z)";
    let start = if hi < tokens.len() { both } else { r"\A" };
    let end = if lo > 0 { both } else { r"\z" };
    let mut groups = Vec::new();
    let source = regex_source(p, [start, end], &mut groups);
    let re = regex::Regex::new(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let hay: String = tokens[lo..hi]
        .iter()
        .map(|t| token_char(TOKENS.iter().position(|x| x == t).unwrap()))
        .collect();
    let at = |i: usize| (lo + i) as u32;
    re.captures_iter(&hay)
        .map(|c| {
            let mut s = vec![NONE; nslots];
            let m = c.get(0).unwrap();
            (s[0], s[1]) = (at(m.start()), at(m.end()));
            for (g, &name) in groups.iter().enumerate() {
                if let Some(m) = c.get(g + 1) {
                    let k = slot[name];
                    (s[2 + 2 * k], s[3 + 2 * k]) = (at(m.start()), at(m.end()));
                }
            }
            s
        })
        .collect()
}

// ---- the engine -------------------------------------------------------------------

/// The engine's matches as capture slots (token positions), by start.
fn engine_slots(program: &Program, text: &str) -> Vec<Vec<u32>> {
    let mut runner = Runner::new();
    let analysis = runner.analyze(program, text);
    let mut out: Vec<Vec<u32>> = runner
        .run_analysis(program, text, &analysis)
        .into_iter()
        .map(|c| c.slots.to_vec())
        .collect();
    out.sort();
    out
}

// ---- generators ---------------------------------------------------------------------

fn tok_atom() -> BoxedStrategy<Tok> {
    prop_oneof![
        1 => Just(Tok::Any),
        4 => select(LITERALS).prop_map(Tok::Lit),
        3 => select(CLASSES).prop_map(Tok::Class),
    ]
    .boxed()
}

/// A literal or a class (`!_` is an error, so no `_` under `!`).
fn tok_positive() -> BoxedStrategy<Tok> {
    prop_oneof![
        4 => select(LITERALS).prop_map(Tok::Lit),
        3 => select(CLASSES).prop_map(Tok::Class),
    ]
    .boxed()
}

fn tok_negated() -> BoxedStrategy<Tok> {
    prop_oneof![
        3 => tok_positive(),
        1 => prop::collection::vec(tok_positive(), 2..=3).prop_map(Tok::Or),
    ]
    .prop_map(|t| Tok::Not(Box::new(t)))
    .boxed()
}

fn tok() -> BoxedStrategy<Tok> {
    let operand = prop_oneof![
        2 => tok_atom(),
        1 => tok_negated(),
        1 => prop::collection::vec(tok_positive(), 2..=3).prop_map(Tok::Or),
    ];
    prop_oneof![
        10 => tok_atom(),
        2 => tok_negated(),
        2 => prop::collection::vec(operand, 2..=3).prop_map(Tok::And),
    ]
    .boxed()
}

fn quantifier() -> impl Strategy<Value = (u32, Option<u32>, bool)> {
    let counts = prop_oneof![
        3 => Just((0, Some(1))),
        3 => Just((0, None)),
        3 => Just((1, None)),
        2 => (0..=2u32, 0..=2u32).prop_map(|(n, k)| (n, Some(n + k))),
        1 => (0..=2u32).prop_map(|n| (n, None)),
    ];
    (counts, any::<bool>()).prop_map(|((min, max), lazy)| (min, max, lazy))
}

fn pattern() -> impl Strategy<Value = Pat> {
    let leaf = prop_oneof![
        12 => tok().prop_map(Pat::Tok),
        3 => (0..NAMES, tok()).prop_map(|(n, t)| Pat::Capture(n, Box::new(Pat::Tok(t)))),
        1 => select(LITERALS2).prop_map(Pat::Lit),
        1 => Just(Pat::Start),
        1 => Just(Pat::End),
    ];
    leaf.prop_recursive(5, 24, 4, |inner| {
        prop_oneof![
            3 => prop::collection::vec(inner.clone(), 2..=3).prop_map(Pat::Seq),
            2 => prop::collection::vec(inner.clone(), 2..=3).prop_map(Pat::Alt),
            4 => (inner.clone(), quantifier()).prop_map(|(p, (min, max, lazy))| Pat::Repeat {
                inner: Box::new(p),
                min,
                max,
                lazy,
            }),
            4 => (0..NAMES, inner).prop_map(|(n, p)| Pat::Capture(n, Box::new(p))),
        ]
    })
}

#[derive(Clone, Debug)]
struct Case {
    pattern: Pat,
    tokens: Vec<&'static str>,
}

/// A pattern, mostly one that cannot match empty (the checker rejects those),
/// and a text of these tokens.
fn case(vocabulary: &'static [&'static str], len: usize) -> impl Strategy<Value = Case> {
    let tokens = prop_oneof![
        1 => Just(Vec::new()),
        15 => prop::collection::vec(select(vocabulary), 1..=len),
    ];
    (pattern(), tok(), 0..6u8, tokens).prop_map(|(p, t, how, tokens)| {
        let pattern = match how {
            _ if !p.nullable() => p,
            0 => p,
            1 | 2 => Pat::Seq(vec![Pat::Tok(t), p]),
            _ => Pat::Seq(vec![p, Pat::Tok(t)]),
        };
        Case { pattern, tokens }
    })
}

// ---- the property ---------------------------------------------------------------------

/// The sentences of a text of [`TOKENS`], as token ranges: one ends after a `.`
/// followed by a token that starts with a capital or a digit
/// (docs/language.md §5.2).
fn sentences(tokens: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..tokens.len() {
        let next = tokens[i].chars().next().unwrap();
        if tokens[i - 1] == "." && (next.is_uppercase() || next.is_ascii_digit()) {
            out.push((start, i));
            start = i;
        }
    }
    if !tokens.is_empty() {
        out.push((start, tokens.len()));
    }
    out
}

fn show(slots: &[Vec<u32>]) -> String {
    let pos = |p: u32| {
        if p == NONE {
            "-".to_string()
        } else {
            p.to_string()
        }
    };
    join(
        slots.iter().map(|s| {
            join(
                s.chunks(2).map(|c| format!("{}..{}", pos(c[0]), pos(c[1]))),
                " ",
            )
        }),
        " | ",
    )
}

fn check_case(case: &Case) -> Result<(), TestCaseError> {
    let tokens = &case.tokens;
    let text = tokens.join(" ");
    // Byte spans of the tokens, if splitting on spaces is the tokenization.
    let mut spans = Vec::new();
    let mut at = 0;
    for t in tokens {
        spans.push((at, at + t.len()));
        at += t.len() + 1;
    }
    let mut cut = Vec::new();
    tokenize(&text, &mut cut);
    let cut_spans: Vec<(usize, usize)> = cut
        .iter()
        .map(|t| (t.start as usize, t.end() as usize))
        .collect();
    prop_assert_eq!(&cut_spans, &spans, "tokens of {:?}", text);
    let windows = sentences(tokens);
    let cut_sentences: Vec<(usize, usize)> = segment(&text, &cut)
        .sentences
        .iter()
        .map(|s| (s.start as usize, s.end as usize))
        .collect();
    prop_assert_eq!(&cut_sentences, &windows, "sentences of {:?}", text);

    let mut names = Vec::new();
    case.pattern.names(&mut names);
    let fields = join(names.iter().map(|n| format!("x{n}")), ", ");
    let source = case.pattern.source();
    let rules = format!("record R({fields})\nrule r {{ match {source} emit R {{ {fields} }} }}\n");
    // `gleaner fmt` lays the rule out; it checks itself that the result parses
    // to the same AST with the same comments, and formatting again changes nothing.
    let formatted = gleaner::fmt::format_source("p.rules", &rules)
        .map_err(|d| TestCaseError::fail(format!("{}\n{rules}", d.render(false))))?;
    let again = gleaner::fmt::format_source("p.rules", &formatted)
        .map_err(|d| TestCaseError::fail(d.render(false)))?;
    prop_assert_eq!(&again, &formatted, "not idempotent on {}", rules);
    let program = Program::from_source("p.rules", &rules);
    if case.pattern.nullable() {
        let codes: Vec<&str> = match &program {
            Ok(_) => vec![],
            Err(d) => d.list.iter().map(|d| d.code).collect(),
        };
        prop_assert_eq!(codes, vec!["gleaner::empty-match"], "{}", rules);
        return Ok(());
    }
    let program = match program {
        Ok(p) => p,
        Err(d) => return Err(TestCaseError::fail(d.render(false))),
    };
    let captures = &program.rules[0].captures;
    let slot: Vec<usize> = (0..NAMES)
        .map(|n| {
            let name = format!("x{n}");
            captures
                .iter()
                .position(|c| *c == name)
                .unwrap_or(usize::MAX)
        })
        .collect();
    let nslots = 2 + 2 * captures.len();

    let root = Expander {
        next: 0,
        slot: &slot,
    }
    .expand(&case.pattern);
    // Each sentence is a window of its own (the rule is `within sentence`).
    let mut expected = Vec::new();
    for &(lo, hi) in &windows {
        let matcher = Matcher {
            tokens,
            lo,
            hi,
            sentences: &windows,
            steps: Cell::new(0),
        };
        let Ok(found) = matcher.find_all(&root, nslots) else {
            return Err(TestCaseError::reject("the reference gave up"));
        };
        expected.extend(found);
    }
    let mut counts = [0; NAMES];
    case.pattern.count_names(&mut counts);
    if counts.iter().all(|&c| c <= 1) {
        let rx: Vec<Vec<u32>> = windows
            .iter()
            .flat_map(|&w| regex_slots(&case.pattern, tokens, w, &slot, nslots))
            .collect();
        prop_assert!(
            rx == expected,
            "pattern {}\ntext    {:?}\nregex     {}\nreference {}",
            source,
            text,
            show(&rx),
            show(&expected)
        );
    }

    let got = engine_slots(&program, &text);
    prop_assert!(
        got == expected,
        "pattern {}\ntext    {:?}\nengine    {}\nreference {}",
        source,
        text,
        show(&got),
        show(&expected)
    );

    // The records: byte spans, and a field for each capture of one token or more.
    let records = program.run(&Document::new("d", &text));
    prop_assert_eq!(records.len(), expected.len());
    for (r, s) in records.iter().zip(&expected) {
        let (start, end) = (spans[s[0] as usize].0, spans[s[1] as usize - 1].1);
        prop_assert_eq!((r.start, r.end), (start, end));
        prop_assert_eq!(&r.text, &text[start..end]);
        for &n in &names {
            let k = slot[n];
            let (a, b) = (s[2 + 2 * k], s[3 + 2 * k]);
            let field = r.fields.get(&format!("x{n}"));
            if a != NONE && b > a {
                let (fs, fe) = (spans[a as usize].0, spans[b as usize - 1].1);
                let f = field.cloned().unwrap_or_default();
                prop_assert_eq!((f.start, f.end), (Some(fs), Some(fe)), "x{}", n);
                prop_assert_eq!(f.text.as_deref(), Some(&text[fs..fe]));
            } else {
                prop_assert!(field.is_none(), "x{} took no token: {:?}", n, field);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4000,
        max_global_rejects: 100_000,
        ..ProptestConfig::default()
    })]

    /// Texts of one sentence.
    #[test]
    fn engine_matches_the_references(case in case(ONE_SENTENCE, 10)) {
        check_case(&case)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        max_global_rejects: 100_000,
        ..ProptestConfig::default()
    })]

    /// Texts of several sentences: a match never leaves its sentence, and `^`
    /// and `$` hold at each sentence's edges.
    #[test]
    fn engine_matches_the_references_in_each_sentence(case in case(TOKENS, 14)) {
        check_case(&case)?;
    }
}

// ---- threads ------------------------------------------------------------------------

/// The fixture articles, by path from the repository root.
fn fixtures() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/fixtures")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .into_string()
                .unwrap()
        })
        .filter(|name| name.ends_with(".txt"))
        .map(|name| format!("tests/fixtures/{name}"))
        .collect();
    files.sort();
    files
}

/// `gleaner run -j JOBS -f FORMAT FILES…` with the bundled rules: its output.
fn run_with_jobs(jobs: usize, format: &str, files: &[String]) -> String {
    let jobs = jobs.to_string();
    let mut args = vec!["run", "-j", &jobs, "-f", format];
    args.extend(files.iter().map(String::as_str));
    let out = gleaner(&args);
    assert!(
        out.status.success(),
        "gleaner {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Some fixture articles, in some order (each at most once).
fn selection() -> impl Strategy<Value = Vec<String>> {
    let all = fixtures();
    let n = all.len();
    (Just(all).prop_shuffle(), 1..=n.min(8)).prop_map(|(files, k)| files[..k].to_vec())
}

/// One thread or several: the same output, byte for byte, for random
/// selections and orders of the fixture articles. Each case runs the binary
/// twice, so the number of cases is fixed here: `PROPTEST_CASES` is for the
/// engine property.
#[test]
fn output_is_the_same_for_one_and_several_threads() {
    let config = ProptestConfig {
        cases: 4,
        ..ProptestConfig::default()
    };
    let cases = (selection(), 2..=4usize, select(&["jsonl", "snapshot"][..]));
    let result = TestRunner::new(config).run(&cases, |(files, jobs, format)| {
        let one = run_with_jobs(1, format, &files);
        let several = run_with_jobs(jobs, format, &files);
        prop_assert!(!one.is_empty());
        let differ = one
            .lines()
            .zip(several.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        if let Some((i, (a, b))) = differ {
            let line = i + 1;
            return Err(TestCaseError::fail(format!(
                "line {line}: -j 1 gives\n{a}\n-j {jobs} gives\n{b}"
            )));
        }
        prop_assert_eq!(one.len(), several.len());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Every fixture article at once, in the snapshot format (`tests/cli.rs` checks
/// JSON Lines the same way).
#[test]
fn snapshot_output_is_the_same_for_one_and_two_threads() {
    let files = fixtures();
    let one = run_with_jobs(1, "snapshot", &files);
    assert!(one.lines().count() > 1000, "the fixtures give records");
    assert!(one == run_with_jobs(2, "snapshot", &files));
}
