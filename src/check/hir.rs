//! The rule set as checked: every name resolved, every pattern inlined.

use crate::span::{FileId, Loc, Sources};
use crate::syntax::ast::{Class, Scope};
use std::sync::Arc;

/// A checked rule set, ready to compile.
#[derive(Debug)]
pub struct RuleSet {
    /// Every file the rules were read from.
    pub sources: Sources,
    /// The record types, in declaration order.
    pub records: Vec<RecordType>,
    /// The lexicons, in declaration order.
    pub lexicons: Vec<Lexicon>,
    /// The rules, in load order (files in path order, rules in file order).
    pub rules: Vec<Rule>,
}

/// A declared record type.
#[derive(Clone, Debug)]
pub struct RecordType {
    /// Its name.
    pub name: String,
    /// Its fields, in declaration order.
    pub fields: Vec<String>,
    /// Keep overlapping records of this type.
    pub keep_all: bool,
    /// Where it is declared.
    pub loc: Loc,
}

/// A lexicon with its entries as written.
#[derive(Clone, Debug)]
pub struct Lexicon {
    /// Its name.
    pub name: String,
    /// Entries: text, and canonical value if any.
    pub entries: Vec<(String, Option<String>)>,
    /// Each entry's matching forms ([`crate::text::literal_forms`]), worked
    /// out once, when checking that it has any.
    pub forms: Vec<Vec<String>>,
    /// Where it is declared.
    pub loc: Loc,
}

/// A checked rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// The file it is in.
    pub file: FileId,
    /// The whole rule.
    pub loc: Loc,
    /// Higher wins overlaps.
    pub priority: i32,
    /// How far a match may reach.
    pub scope: Scope,
    /// What it matches.
    pub pattern: Hir,
    /// The capture names; a capture's index is its slot.
    pub captures: Vec<String>,
    /// `emit T at x`: the capture whose span is the record's span.
    pub span_capture: Option<usize>,
    /// The record type it emits (index into [`RuleSet::records`]).
    pub record: usize,
    /// The fields it fills: index into the record's fields, and the value.
    pub fields: Vec<(usize, FieldExpr)>,
    /// Its examples.
    pub examples: Vec<Example>,
    /// Its counterexamples.
    pub counterexamples: Vec<(String, Loc)>,
    /// Its stratum: rules run in increasing stratum, after every rule that emits a type they match with `@T`.
    pub stratum: usize,
    /// Where the parts of its pattern are written ([`Hir::Source`] points here);
    /// empty unless checked with `check_with_origins`.
    pub origins: Vec<Origin>,
}

/// Where a part of a rule's pattern is written, for `gleaner explain`: a node of
/// the pattern as written, with its enclosing node. Named patterns are written
/// out for each use, so a part inside one has the use as an ancestor.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The part's text in its rule file.
    pub loc: Loc,
    /// The enclosing part, if any (an index into the same table).
    pub parent: Option<u32>,
    /// What kind of part.
    pub kind: OriginKind,
}

/// The kinds of [`Origin`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginKind {
    /// A part that tests tokens itself: a literal, regex, class, lexicon, `_`,
    /// `@T`, `^`, `$`, or a `!` / `&` of such parts.
    Element,
    /// The use of a named pattern (its body's parts have it as ancestor).
    Pattern {
        /// The pattern's name.
        name: String,
        /// Where its body is written.
        body: Loc,
    },
    /// A capture `<name:…>`.
    Capture(String),
    /// A quantifier and what it repeats.
    Repeat {
        /// At least.
        min: u32,
        /// At most.
        max: Option<u32>,
    },
}

/// An example: a text and what the rule must find in it.
#[derive(Clone, Debug)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Where it is written.
    pub loc: Loc,
    /// Expected field texts (or values), by field name.
    pub expect: Vec<(String, String)>,
}

/// A field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldExpr {
    /// A capture's text and span.
    Capture(usize),
    /// A constant.
    Const(String),
    /// The capture, with its text lower-cased as the value.
    Lower(usize),
    /// The capture, with the canonical value of the lexicon entry it matched.
    Canon(usize, Vec<usize>),
    /// The capture, with its TimeML date value, resolved against the document's reference date.
    Date(usize),
    /// The capture, with its ISO 8601 duration value.
    Duration(usize),
    /// The capture, with the fullest record of a type that names the same thing
    /// (a surname or pronoun resolved to the full name the document used).
    Resolve(usize, usize),
}

/// A token test's regex: its pattern, anchored at both ends with its flags
/// inline, and an automaton that says whether a whole token text matches.
///
/// Only `is_match` is asked of it, so it is built without the engines the
/// `regex` crate adds to find where a match starts and ends in a longer
/// text (lazy DFAs, forwards and backwards, and a one-pass DFA): that
/// halves the cost of building one. At run time the program asks all of
/// them at once through a [`regex::RegexSet`] instead. A pattern used in
/// many places is one regex: cloning shares it.
#[derive(Clone, Debug)]
pub struct TokenRegex {
    pattern: Arc<str>,
    re: Arc<regex_automata::meta::Regex>,
}

impl TokenRegex {
    /// Builds `pattern`, as written (already anchored), with at most
    /// `size_limit` bytes of automaton.
    pub fn new(pattern: String, size_limit: usize) -> Result<TokenRegex, regex::Error> {
        use regex_automata::meta::{Builder, Config};
        use regex_automata::nfa::thompson::WhichCaptures;
        let config = Config::new()
            .nfa_size_limit(Some(size_limit))
            .which_captures(WhichCaptures::None)
            .hybrid(false)
            .onepass(false);
        match Builder::new().configure(config).build(&pattern) {
            Ok(re) => Ok(TokenRegex {
                pattern: pattern.into(),
                re: Arc::new(re),
            }),
            // As the `regex` crate words it.
            Err(e) => Err(match (e.size_limit(), e.syntax_error()) {
                (Some(n), _) => regex::Error::CompiledTooBig(n),
                (None, Some(syntax)) => regex::Error::Syntax(syntax.to_string()),
                (None, None) => regex::Error::Syntax(e.to_string()),
            }),
        }
    }

    /// The pattern, as built.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// True if `text` matches (the pattern is anchored: all of it).
    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

/// A test on one token.
#[derive(Clone, Debug)]
pub enum TokenTest {
    /// Any token.
    Any,
    /// A built-in class.
    Class(Class),
    /// One token's matching form (see `text::tokenize::normalize`).
    Word(String),
    /// A regex over the whole token text (already anchored).
    Regex(TokenRegex),
    /// A one-token entry of a lexicon.
    Lexicon(usize),
    /// Any of these.
    Or(Arc<[TokenTest]>),
    /// All of these.
    And(Arc<[TokenTest]>),
    /// Not this.
    Not(Arc<TokenTest>),
}

/// A pattern with every name resolved.
#[derive(Clone, Debug)]
pub enum Hir {
    /// In a row.
    Seq(Arc<[Hir]>),
    /// First that matches, in order.
    Alt(Arc<[Hir]>),
    /// Repeated.
    Repeat {
        /// What.
        inner: Arc<Hir>,
        /// At least.
        min: u32,
        /// At most.
        max: Option<u32>,
        /// Prefer fewer.
        lazy: bool,
    },
    /// A capture into a slot.
    Capture(usize, Arc<Hir>),
    /// One token.
    Token(TokenTest),
    /// Tokens in a row, each a matching form (a literal string).
    Literal(Arc<[String]>),
    /// One entry of a lexicon (longest first).
    Lexicon(usize),
    /// The span of a record of this type.
    TypeRef(usize),
    /// Sentence start.
    Start,
    /// Sentence end.
    End,
    /// A part written at an [`Origin`] (index into [`Rule::origins`]); matches what it wraps.
    Source(u32, Arc<Hir>),
}

impl Hir {
    /// True if the pattern can match zero tokens.
    pub fn nullable(&self) -> bool {
        match self {
            Hir::Seq(items) => items.iter().all(Hir::nullable),
            Hir::Alt(items) => items.iter().any(Hir::nullable),
            Hir::Repeat { inner, min, .. } => *min == 0 || inner.nullable(),
            Hir::Capture(_, inner) => inner.nullable(),
            Hir::Token(_) | Hir::Lexicon(_) | Hir::TypeRef(_) => false,
            Hir::Literal(words) => words.is_empty(),
            Hir::Start | Hir::End => true,
            Hir::Source(_, inner) => inner.nullable(),
        }
    }
}
