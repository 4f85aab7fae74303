//! The rule language as written: one [`File`] per rule file, spans into its text.

use crate::span::Span;

/// A name and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it stands.
    pub span: Span,
}

/// A string literal, with its escapes resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Str {
    /// The value.
    pub value: String,
    /// Where it stands, quotes included.
    pub span: Span,
}

/// A parsed rule file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// The items in file order.
    pub items: Vec<Item>,
}

/// One top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `import "common.rules"`
    Import(Str),
    /// `record PersonRole(person, role, org)`
    Record(Record),
    /// `lexicon RoleHead = secretary, minister`
    Lexicon(Lexicon),
    /// `pattern Name = Cap{1,3}`
    Pattern(PatternDef),
    /// `rule name { match … emit … }`
    Rule(Rule),
}

/// `record Name(field, …) [keep all]`
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The type name.
    pub name: Ident,
    /// The declared fields.
    pub fields: Vec<Ident>,
    /// `keep all`: overlapping records of this type are all kept.
    pub keep_all: bool,
    /// The whole declaration.
    pub span: Span,
}

/// `lexicon Name = …` or `lexicon Name from "file"`
#[derive(Clone, Debug, PartialEq)]
pub struct Lexicon {
    /// The lexicon's name.
    pub name: Ident,
    /// Where its entries come from.
    pub body: LexiconBody,
    /// The whole declaration.
    pub span: Span,
}

/// The entries of a lexicon.
#[derive(Clone, Debug, PartialEq)]
pub enum LexiconBody {
    /// Entries written inline.
    Inline(Vec<LexEntry>),
    /// A file of entries, one a line, `entry<TAB>canonical`.
    File(Str),
}

/// One lexicon entry: its text, and an optional canonical value (`Russian => Russia`).
#[derive(Clone, Debug, PartialEq)]
pub struct LexEntry {
    /// The text to find.
    pub text: String,
    /// The canonical value, if given.
    pub canon: Option<String>,
    /// Where it is written.
    pub span: Span,
}

/// `pattern Name = …`
#[derive(Clone, Debug, PartialEq)]
pub struct PatternDef {
    /// The pattern's name.
    pub name: Ident,
    /// Its body.
    pub body: Pat,
    /// The whole declaration.
    pub span: Span,
}

/// How far a rule's match may reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Inside one sentence (the default).
    #[default]
    Sentence,
    /// Inside one paragraph.
    Paragraph,
    /// Anywhere in the document.
    Document,
}

impl Scope {
    /// The word for it, as `within` takes it: `sentence`, `paragraph` or `document`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Sentence => "sentence",
            Scope::Paragraph => "paragraph",
            Scope::Document => "document",
        }
    }
}

/// `rule name [priority N] [within …] { match … emit … example … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The rule's name.
    pub name: Ident,
    /// Its priority (default 0), higher wins overlaps.
    pub priority: i32,
    /// How far a match may reach.
    pub scope: Scope,
    /// What it matches.
    pub pattern: Pat,
    /// What it emits.
    pub emit: Emit,
    /// Texts it must find something in.
    pub examples: Vec<Example>,
    /// Texts it must find nothing in.
    pub counterexamples: Vec<Str>,
    /// The whole rule.
    pub span: Span,
}

/// `emit Type { field, field: expr, … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Emit {
    /// The record type.
    pub record: Ident,
    /// `at capture`: the record's span is this capture's, not the whole match's.
    pub at: Option<Ident>,
    /// The fields, in the order written.
    pub fields: Vec<EmitField>,
    /// The whole clause.
    pub span: Span,
}

/// One field of an `emit`.
#[derive(Clone, Debug, PartialEq)]
pub struct EmitField {
    /// The field's name.
    pub name: Ident,
    /// Its value (`person` alone means the capture `person`).
    pub value: Expr,
}

/// A field value expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A capture's text and span.
    Capture(Ident),
    /// A constant.
    Const(Str),
    /// `f(capture)` or `f(capture, Type)`.
    Call {
        /// The function.
        func: Ident,
        /// Its arguments: a capture, then names the function wants.
        args: Vec<Ident>,
    },
}

/// `example "text" [-> Type { field: "text", … }]`
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// The text to run the rules over.
    pub text: Str,
    /// The record expected from this rule, if written out.
    pub expect: Option<Expect>,
}

/// The record an example expects.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// The record type.
    pub record: Ident,
    /// Field name and expected text (or value).
    pub fields: Vec<(Ident, Str)>,
}

/// A quantifier's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repeat {
    /// At least this many.
    pub min: u32,
    /// At most this many (`None`: no bound).
    pub max: Option<u32>,
    /// Prefer fewer (`*?`, `+?`, `??`, `{n,m}?`).
    pub lazy: bool,
}

/// A built-in token class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Initial capital letter.
    Cap,
    /// All capitals (at least one letter).
    Upper,
    /// All lower case (at least one letter).
    Lower,
    /// A number.
    Num,
    /// Punctuation.
    Punct,
    /// Any token with a letter in it.
    Word,
    /// A token with no white space before it (a closing quote, a comma).
    Glued,
}

impl Class {
    /// The class a name stands for, if it is a built-in one.
    pub fn from_name(name: &str) -> Option<Class> {
        Some(match name {
            "Cap" => Class::Cap,
            "Upper" => Class::Upper,
            "Lower" => Class::Lower,
            "Num" => Class::Num,
            "Punct" => Class::Punct,
            "Word" => Class::Word,
            "Glued" => Class::Glued,
            _ => return None,
        })
    }

    /// Every class name.
    pub const NAMES: [&'static str; 7] = ["Cap", "Upper", "Lower", "Num", "Punct", "Word", "Glued"];
}

/// A pattern as written, with spans.
#[derive(Clone, Debug, PartialEq)]
pub struct Pat {
    /// What kind of pattern.
    pub kind: PatKind,
    /// Where it stands.
    pub span: Span,
}

/// The kinds of pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum PatKind {
    /// `a b c`
    Seq(Vec<Pat>),
    /// `a | b`
    Alt(Vec<Pat>),
    /// `a*`, `a{2,3}?`, …
    Repeat(Box<Pat>, Repeat),
    /// `a & b`: one token that both match.
    And(Vec<Pat>),
    /// `!a`: one token that `a` does not match.
    Not(Box<Pat>),
    /// `<name:pat>`, or `<name>` alone (`None`).
    Capture(Ident, Option<Box<Pat>>),
    /// `"of the"`: one or more tokens, case-insensitive.
    Literal(String),
    /// `/re/flags`: a token whose whole text the regex matches.
    Regex {
        /// The regex.
        source: String,
        /// Its flags.
        flags: String,
    },
    /// `_`: any token.
    Any,
    /// `Name`: a pattern, lexicon or class.
    Ref(Ident),
    /// `@Type`: a span an earlier rule emitted.
    TypeRef(Ident),
    /// `^`: sentence start.
    Start,
    /// `$`: sentence end.
    End,
}
