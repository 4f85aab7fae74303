//! Checked rule set → program: one token automaton (a Thompson NFA) per rule,
//! lexicon tries, a shared vocabulary of word ids, and prefilters.

mod describe;
pub mod lexicon;

pub use describe::describe;

use crate::check::hir::{self, FieldExpr, Hir, Origin, RecordType, RuleSet, TokenRegex, TokenTest};
use crate::diag::{Diagnostic, Diagnostics};
use crate::span::{Loc, Sources};
use crate::syntax::ast::{Class, Scope};
use crate::text::tokenize::{Token, TokenKind};
pub use lexicon::Trie;
use rustc_hash::FxHashMap as HashMap;

/// The most instructions one rule's automaton may have.
pub const MAX_INSTRUCTIONS: usize = 1_000_000;

/// A word id for tokens whose matching form no rule mentions.
pub const NO_WORD: u32 = u32::MAX;

/// Matching forms of words (see [`crate::text::normalize`]) that rules mention, each with an id.
#[derive(Clone, Debug, Default)]
pub struct Vocab {
    ids: HashMap<String, u32>,
}

impl Vocab {
    /// The id of a matching form, adding it if new.
    pub fn intern(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(word.to_string(), id);
        id
    }

    /// The id of a matching form, or [`NO_WORD`].
    pub fn get(&self, word: &str) -> u32 {
        self.ids.get(word).copied().unwrap_or(NO_WORD)
    }

    /// Every word and its id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.ids.iter().map(|(w, &i)| (w.as_str(), i))
    }

    /// How many words.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no rule mentions a word.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A test on one token, as compiled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Test {
    /// Any token.
    Any,
    /// A built-in class.
    Class(Class),
    /// A word id.
    Word(u32),
    /// A regex (index into [`Program::regexes`]).
    Regex(u32),
    /// A one-token entry of a lexicon.
    Lexicon(u32),
    /// Any of these.
    Or(Vec<Test>),
    /// All of these.
    And(Vec<Test>),
    /// Not this.
    Not(Box<Test>),
}

/// What a rule's `^` and `$` test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assertion {
    /// At a sentence start.
    Start,
    /// At a sentence end.
    End,
}

/// One instruction of a rule's automaton.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inst {
    /// Consume one token that passes the test.
    Token(Test, u32),
    /// Try the first, then the second.
    Split(u32, u32),
    /// Go to.
    Jmp(u32),
    /// Record the position in a capture slot.
    Save(u32, u32),
    /// Zero-width test.
    Assert(Assertion, u32),
    /// Consume one entry of a lexicon, longest first.
    Lexicon(u32, u32),
    /// Consume the span of one record of a type.
    Span(u32, u32),
    /// The whole pattern matched.
    Match,
}

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// `file:name`, as records show it.
    pub id: String,
    /// Where it is written.
    pub loc: Loc,
    /// Higher wins overlaps.
    pub priority: i32,
    /// How far a match may reach.
    pub scope: Scope,
    /// Its automaton; execution starts at 0.
    pub insts: Vec<Inst>,
    /// For each instruction that tests a token, the test's number in the
    /// program (equal tests share one; below [`Program::ntests`]); `u32::MAX`
    /// for the others. The engine remembers test results per token class by it.
    pub test_ids: Vec<u32>,
    /// Capture names; capture `k` uses slots `2 + 2k` and `3 + 2k`.
    pub captures: Vec<String>,
    /// `emit T at x`: the capture that gives the record its span.
    pub span_capture: Option<usize>,
    /// The record type it emits.
    pub record: usize,
    /// Fields it fills.
    pub fields: Vec<(usize, FieldExpr)>,
    /// Its stratum.
    pub stratum: usize,
    /// A window must hold one of these words for the rule to match in it (`None`: no such filter).
    pub required_words: Option<Vec<u32>>,
    /// A window must hold a record of one of these types (`None`: no such filter).
    pub required_types: Option<Vec<usize>>,
    /// With [`Rule::required_words`], a window must also hold one of these
    /// words (another part of the pattern needs them), under this trigger
    /// number (see [`Program::triggers`]; rules that need the same words
    /// share it).
    pub also_required: Option<(u32, Vec<u32>)>,
    /// A looser automaton used only to rule windows out ([`crate::engine`]'s
    /// prefilter): no captures, and every repetition `x{m,n}` with `n > 1`
    /// becomes `x*` or `x+`, so it accepts all the rule accepts and its
    /// states stay few.
    pub approx: Vec<Inst>,
    /// [`Rule::test_ids`] for the instructions of [`Rule::approx`].
    pub approx_test_ids: Vec<u32>,
    /// When it has [`Rule::first`]: `ntests` plus its index, the number the
    /// engine remembers under whether its first token tests and lexicons
    /// let it start at a token (which depends on the token's class alone).
    pub start_id: Option<u32>,
    /// The record types (each once) of the `@T` among its first steps: it
    /// can also start where a record of one of them starts.
    pub start_spans: Vec<u32>,
    /// Every match starts at a sentence start (the pattern begins with `^` on
    /// every path), so the engine tries no other start.
    pub anchored: bool,
    /// The consuming instructions a match can start with (reached from 0 without
    /// consuming a token); `None` when a match could start anywhere.
    pub first: Option<Vec<u32>>,
    /// When the whole pattern is a choice between lexicons and one-token
    /// tests (`<name:City | Country>`, a gazetteer): the choices, so that a
    /// match is found by trying them at each token instead of running the
    /// automaton.
    pub entries: Option<Entries>,
    /// An earlier rule of the same stratum and scope whose matches are this
    /// rule's too: its instructions are the same but for where captures are
    /// saved, and each capture slot of this rule is saved on the same ways as
    /// one of its slots (a Quote and a Statement over one pattern, the Quote
    /// with a capture more).
    pub matches_as: Option<MatchesAs>,
    /// Examples and counterexamples, as checked.
    pub examples: Vec<hir::Example>,
    /// Texts the rule must find nothing in.
    pub counterexamples: Vec<(String, Loc)>,
    /// Where the parts of its pattern are written (see [`Origin`]); empty
    /// unless the program was built with [`Program::build_with_origins`].
    pub origins: Vec<Origin>,
    /// For each instruction, the innermost part of the pattern it comes from
    /// (an index into [`Rule::origins`]), or `u32::MAX` for none; empty
    /// without origins. Only `gleaner explain` reads it.
    pub inst_origins: Vec<u32>,
}

/// A compiled rule set: what the engine runs.
#[derive(Debug)]
pub struct Program {
    /// The source files, for diagnostics and rule names.
    pub sources: Sources,
    /// Record types.
    pub records: Vec<RecordType>,
    /// Lexicon names.
    pub lexicon_names: Vec<String>,
    /// Lexicon tries.
    pub lexicons: Vec<Trie>,
    /// Regexes used by token tests.
    pub regexes: Vec<TokenRegex>,
    /// Rules, in rule order.
    pub rules: Vec<Rule>,
    /// The word ids rules mention.
    pub vocab: Vocab,
    /// For each word id, bit `i` is set when the word alone is an entry of lexicon `i` (`i < 64`).
    pub single_masks: Vec<u64>,
    /// For each word id, the trigger numbers it satisfies: an index into
    /// [`Program::trigger_lists`] (many words share a list: the cities of a
    /// lexicon all trigger the same rules; list 0 is empty). Trigger `i`
    /// below the number of rules is rule `i`'s [`Rule::required_words`];
    /// the others are rules' [`Rule::also_required`].
    pub triggers: Vec<u32>,
    /// The distinct lists of trigger numbers that words satisfy.
    pub trigger_lists: Vec<Vec<u32>>,
    /// How many trigger numbers there are.
    pub trigger_ids: usize,
    /// For each record type, the highest stratum of the rules that emit it.
    pub type_stratum: Vec<usize>,
    /// The number of strata.
    pub strata: usize,
    /// For each stratum and scope (sentence, paragraph, document): its rules, in rule order.
    pub schedule: Vec<[Vec<u32>; 3]>,
    /// For each stratum and scope: the positions in [`Program::schedule`] of
    /// its rules that need no particular word or record (they are tried in
    /// every window)…
    pub schedule_always: Vec<[Vec<u32>; 3]>,
    /// … and of those that need a record of some type ([`Rule::required_types`]):
    /// tried in every window where one starts.
    pub schedule_typed: Vec<[Vec<u32>; 3]>,
    /// For each rule: where it is in [`Program::schedule`], and its second
    /// trigger number.
    pub scheduled: Vec<Scheduled>,
    /// For each stratum and scope: whether a rule of it needs a second set
    /// of words ([`Rule::also_required`]).
    pub schedule_needs_also: Vec<[bool; 3]>,
    /// How many distinct token tests the rules hold (see [`Rule::test_ids`]).
    pub ntests: usize,
    /// Each distinct token test, by its number.
    pub tests: Vec<Test>,
    /// A number no other program built by this process has: what run-time
    /// caches built for one program (token classes, automata) are keyed on.
    pub id: u64,
    /// Every regex of [`Program::regexes`] in one set, to test a token against
    /// all of them in one pass (`None` if the set would be too big).
    pub regex_set: Option<regex::RegexSet>,
    /// For each word id, its group: the words of a group pass exactly the
    /// same token tests (a word that a literal names has a group of its own;
    /// the others are grouped by the lexicons they are in). Group 0 holds the
    /// tokens whose form no rule mentions ([`NO_WORD`]).
    pub word_group: Vec<u32>,
    /// For each group, one of its words ([`NO_WORD`] for group 0).
    pub group_word: Vec<u32>,
}

/// A word (of a literal or a word test) or a regex of a pattern.
enum Named<'h> {
    Word(&'h str),
    Regex(&'h TokenRegex),
}

/// Calls `f` with each word and regex a pattern names, in the order met.
fn named_in<'h>(h: &'h Hir, f: &mut impl FnMut(Named<'h>)) {
    fn test<'h>(t: &'h TokenTest, f: &mut impl FnMut(Named<'h>)) {
        match t {
            TokenTest::Word(w) => f(Named::Word(w)),
            TokenTest::Regex(re) => f(Named::Regex(re)),
            TokenTest::Or(ts) | TokenTest::And(ts) => ts.iter().for_each(|t| test(t, f)),
            TokenTest::Not(t) => test(t, f),
            TokenTest::Any | TokenTest::Class(_) | TokenTest::Lexicon(_) => {}
        }
    }
    match h {
        Hir::Seq(hs) | Hir::Alt(hs) => hs.iter().for_each(|h| named_in(h, f)),
        Hir::Repeat { inner, .. } | Hir::Capture(_, inner) | Hir::Source(_, inner) => {
            named_in(inner, f)
        }
        Hir::Token(t) => test(t, f),
        Hir::Literal(words) => words.iter().for_each(|w| f(Named::Word(w))),
        Hir::Lexicon(_) | Hir::TypeRef(_) | Hir::Start | Hir::End => {}
    }
}

/// Gives every word of a pattern an id, in the order met.
fn words_in(h: &Hir, vocab: &mut Vocab) {
    named_in(h, &mut |n| {
        if let Named::Word(w) = n {
            vocab.intern(w);
        }
    });
}

/// The regexes of a pattern, each once, added to `out` in the order met.
fn regexes_in(h: &Hir, out: &mut Vec<TokenRegex>) {
    named_in(h, &mut |n| {
        if let Named::Regex(re) = n
            && !out.iter().any(|r| r.as_str() == re.as_str())
        {
            out.push(re.clone());
        }
    });
}

/// Every regex in one set, to tell at once which a token's text matches
/// (`None` if it is too big: each is then tried on its own).
fn build_regex_set(regexes: &[TokenRegex]) -> Option<regex::RegexSet> {
    regex::RegexSetBuilder::new(regexes.iter().map(|r| r.as_str()))
        .size_limit(64 << 20)
        .build()
        .ok()
}

/// Compiles a checked rule set.
///
/// With more than one of rayon's threads, the rules are compiled at once,
/// then every regex of the rules is built into one [`regex::RegexSet`]
/// while the rest is put together on another thread. The program is the
/// same however many threads built it: words and regexes are numbered in
/// rule order before any rule is compiled.
pub fn compile(set: RuleSet) -> Result<Program, Diagnostics> {
    // The regexes the rules name, each once (tests number them in this order).
    let mut regexes = Vec::new();
    for r in &set.rules {
        regexes_in(&r.pattern, &mut regexes);
    }
    let mut vocab = Vocab::default();
    let mut lexicons = Vec::with_capacity(set.lexicons.len());
    for lex in &set.lexicons {
        let mut trie = Trie::default();
        for (i, forms) in lex.forms.iter().enumerate() {
            let ids: Vec<u32> = forms.iter().map(|w| vocab.intern(w)).collect();
            trie.insert(&ids, i as u32);
        }
        trie.canon = lex
            .entries
            .iter()
            .map(|(t, c)| c.clone().unwrap_or_else(|| t.clone()))
            .collect();
        lexicons.push(trie);
    }
    // Every word a pattern names gets its id first, in rule order, so that
    // the rules can be compiled at once and number words the same way.
    for r in &set.rules {
        words_in(&r.pattern, &mut vocab);
    }
    let regex_ids: HashMap<&str, u32> = regexes
        .iter()
        .enumerate()
        .map(|(i, re)| (re.as_str(), i as u32))
        .collect();
    let common = Common::new(&vocab);
    let automata = |r: &hir::Rule| {
        let mut a = Compiler::new(&vocab, &regex_ids, true);
        a.hir(&r.pattern);
        a.push(Inst::Match);
        let mut c = Compiler::new(&vocab, &regex_ids, false);
        c.emit_save(0);
        c.hir(&r.pattern);
        c.emit_save(1);
        c.push(Inst::Match);
        // What each part of the pattern needs, the most selective first.
        let mut needs = Vec::new();
        requirements(&r.pattern, &vocab, &lexicons, &common, &mut needs);
        needs.sort_by_key(|n| n.cost(&common));
        let mut needs = needs.into_iter();
        let required = needs.next();
        // A second set of words, when a window holding one of the first
        // may hold none of it, and it holds none of the commonest words but
        // quotation marks.
        let also = needs.find_map(|n| match (n, &required) {
            (Req::Words(w), Some(Req::Words(first)))
                if !first.iter().all(|id| w.binary_search(id).is_ok())
                    && w.iter().all(|&id| common.is_quote(id) || !common.has(id)) =>
            {
                Some(w)
            }
            _ => None,
        });
        Automata {
            too_big: a.too_big || c.too_big,
            approx: a.insts,
            insts: c.insts,
            inst_origins: c.inst_origins,
            required,
            also,
        }
    };
    let parallel = crate::build_in_parallel();
    let compiled: Vec<_> = if parallel {
        use rayon::prelude::*;
        set.rules.par_iter().map(automata).collect()
    } else {
        set.rules.iter().map(automata).collect()
    };
    // What is left, but for the regex set: built beside it (it takes about
    // as long), once every thread has done its share of the rules.
    let assemble = move || assemble(set, compiled, vocab, lexicons);
    let (regex_set, program) = if parallel {
        rayon::join(|| build_regex_set(&regexes), assemble)
    } else {
        (build_regex_set(&regexes), assemble())
    };
    let mut program = program?;
    program.regex_set = regex_set;
    program.regexes = regexes;
    Ok(program)
}

/// Where a rule is scheduled, as the engine reads it for each rule that a
/// window's words trigger.
#[derive(Clone, Copy, Debug)]
pub struct Scheduled {
    /// Its stratum and scope, as `3 * stratum + scope` (0 sentence, 1
    /// paragraph, 2 document).
    pub group: u32,
    /// Its position in that list of [`Program::schedule`].
    pub pos: u32,
    /// The trigger number of its [`Rule::also_required`], or `u32::MAX`.
    pub also: u32,
}

impl Program {
    /// True if word `word` alone is an entry of lexicon `lexicon`: a bit of
    /// [`Program::single_masks`] for the first 64 lexicons, a look-up in
    /// the trie for the others.
    #[inline]
    pub fn is_single(&self, lexicon: u32, word: u32) -> bool {
        if lexicon < 64 {
            self.single_masks
                .get(word as usize)
                .is_some_and(|m| m & (1 << lexicon) != 0)
        } else {
            self.lexicons[lexicon as usize].is_single(word)
        }
    }
}

/// A pattern that is one of some choices at a token, each the longest
/// entry of a lexicon or one token, captured or not ([`Rule::entries`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entries {
    /// The choices, in the order the pattern tries them.
    pub choices: Vec<Choice>,
    /// The capture that holds the whole match, if any: slots `2 + 2k` and
    /// `3 + 2k`.
    pub capture: Option<u32>,
}

/// One choice of [`Entries`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The longest entry of this lexicon.
    Lexicon(u32),
    /// One token that passes the test of the rule's instruction at this pc.
    Token(u32),
}

/// [`Entries`] of `pattern`, if it is one entry of one of some lexicons
/// or one token: `L`, `"US" & Upper`, `L1 | Cap & Word | "US" | …`,
/// perhaps in one capture (`capture` is one already met around it). Token
/// choices get their instructions from [`with_token_pcs`].
fn entries_of(pattern: &Hir, capture: Option<u32>) -> Option<Entries> {
    fn choice(h: &Hir) -> Option<Choice> {
        if one_token(h).is_some() {
            return Some(Choice::Token(u32::MAX));
        }
        match h {
            Hir::Source(_, inner) => choice(inner),
            Hir::Lexicon(l) => Some(Choice::Lexicon(*l as u32)),
            _ => None,
        }
    }
    match pattern {
        Hir::Source(_, inner) => entries_of(inner, capture),
        Hir::Capture(slot, inner) if capture.is_none() => entries_of(inner, Some(*slot as u32)),
        Hir::Alt(items) => {
            let mut choices: Vec<Choice> = items.iter().map(choice).collect::<Option<_>>()?;
            // Token choices in a row compile to one test (see `Compiler::hir`).
            choices.dedup_by(|b, a| matches!((a, b), (Choice::Token(_), Choice::Token(_))));
            Some(Entries { choices, capture })
        }
        _ => Some(Entries {
            choices: vec![choice(pattern)?],
            capture,
        }),
    }
}

/// `entries` with its token choices given their instructions: each one
/// token test of `insts`, in order (a choice compiles to one `Token`
/// instruction, and choices compile in the order they are tried).
fn with_token_pcs(mut entries: Entries, insts: &[Inst]) -> Option<Entries> {
    let mut pcs =
        (0..insts.len() as u32).filter(|&pc| matches!(insts[pc as usize], Inst::Token(..)));
    for c in &mut entries.choices {
        if let Choice::Token(pc) = c {
            *pc = pcs.next()?;
        }
    }
    pcs.next().is_none().then_some(entries)
}

/// A rule compiled: its looser automaton (for the prefilter), its exact one.
struct Automata {
    /// One of them has more than [`MAX_INSTRUCTIONS`] instructions.
    too_big: bool,
    approx: Vec<Inst>,
    insts: Vec<Inst>,
    inst_origins: Vec<u32>,
    required: Option<Req>,
    also: Option<Vec<u32>>,
}

/// The program from its rules' automata: tests numbered, triggers and
/// schedules worked out (all but its regexes).
fn assemble(
    set: RuleSet,
    compiled: Vec<Automata>,
    vocab: Vocab,
    lexicons: Vec<Trie>,
) -> Result<Program, Diagnostics> {
    let mut rules = Vec::with_capacity(set.rules.len());
    let mut test_numbers: HashMap<Test, u32> = HashMap::default();
    let mut tests: Vec<Test> = Vec::new();
    let mut diags = Vec::new();
    for (r, a) in set.rules.into_iter().zip(compiled) {
        if a.too_big {
            diags.push(
                Diagnostic::error(
                    "gleaner::program-too-large",
                    format!(
                        "rule `{}` compiles to more than {MAX_INSTRUCTIONS} instructions",
                        r.name
                    ),
                    r.loc,
                    "this rule",
                )
                .with_help("counted repetitions multiply: `(a{100}){100}` is 10,000 copies of `a`; use `*` or `+`, or smaller counts"),
            );
            continue;
        }
        let (approx, insts) = (a.approx, a.insts);
        let test_ids = number_tests(&insts, &mut test_numbers, &mut tests);
        let approx_test_ids = number_tests(&approx, &mut test_numbers, &mut tests);
        let inst_origins = if r.origins.is_empty() {
            Vec::new()
        } else {
            a.inst_origins
        };
        let first = first_insts(&insts);
        let anchored = anchored_start(&insts);
        let entries = entries_of(&r.pattern, None).and_then(|e| with_token_pcs(e, &insts));
        let (required_words, required_types) = match a.required {
            Some(Req::Words(w)) => (Some(w), None),
            Some(Req::Types(t)) => (None, Some(t)),
            None => (None, None),
        };
        let file = set.sources.get(r.file).name.clone();
        rules.push(Rule {
            id: format!("{file}:{}", r.name),
            name: r.name,
            loc: r.loc,
            priority: r.priority,
            scope: r.scope,
            insts,
            test_ids,
            approx,
            approx_test_ids,
            captures: r.captures,
            span_capture: r.span_capture,
            record: r.record,
            fields: r.fields,
            stratum: r.stratum,
            required_words,
            required_types,
            also_required: a.also.map(|w| (0, w)),
            first,
            entries,
            matches_as: None,
            start_id: None,
            start_spans: Vec::new(),
            anchored,
            examples: r.examples,
            counterexamples: r.counterexamples,
            origins: r.origins,
            inst_origins,
        });
    }
    if !diags.is_empty() {
        return Err(Diagnostics {
            sources: set.sources,
            list: diags,
        });
    }
    let ntests = tests.len();
    for (i, r) in rules.iter_mut().enumerate() {
        let Some(first) = &r.first else { continue };
        r.start_id = Some((ntests + i) as u32);
        let mut spans: Vec<u32> = first
            .iter()
            .filter_map(|&pc| match r.insts[pc as usize] {
                Inst::Span(ty, _) => Some(ty),
                _ => None,
            })
            .collect();
        spans.sort_unstable();
        spans.dedup();
        r.start_spans = spans;
    }
    set_matches_as(&mut rules);
    // Trigger numbers: a rule's own index for its required words, then one
    // for each distinct second set of words (rules that need the same one,
    // `"said"` say, share its number, so that a window holding it marks
    // one number, not one per rule).
    let mut trigger_ids = rules.len() as u32;
    let mut also_ids: HashMap<Vec<u32>, u32> = HashMap::default();
    for r in &mut rules {
        if let Some((id, words)) = &mut r.also_required {
            *id = *also_ids.entry(words.clone()).or_insert_with(|| {
                trigger_ids += 1;
                trigger_ids - 1
            });
        }
    }
    // The engine looks triggers up by a word's group (through its token
    // class), so a word triggers what any word of its group does: a rule
    // may require one word of a lexicon's entry, and a token of another
    // word of its group is looked up as either.
    let (word_group, group_word) = word_groups(&rules, &lexicons, vocab.len());
    let mut by_group = vec![Vec::new(); group_word.len()];
    let mut listed_also = vec![false; trigger_ids as usize];
    for (i, r) in rules.iter().enumerate() {
        // A second set shared by several rules is listed once.
        let also = r
            .also_required
            .as_ref()
            .filter(|(id, _)| !std::mem::replace(&mut listed_also[*id as usize], true))
            .map(|(id, w)| (*id, w));
        for (id, words) in r
            .required_words
            .as_ref()
            .map(|w| (i as u32, w))
            .into_iter()
            .chain(also)
        {
            for &w in words {
                let list = &mut by_group[word_group[w as usize] as usize];
                if list.last() != Some(&id) {
                    list.push(id);
                }
            }
        }
    }
    let mut trigger_lists: Vec<Vec<u32>> = vec![Vec::new()];
    let mut list_ids: HashMap<Vec<u32>, u32> = HashMap::default();
    list_ids.insert(Vec::new(), 0);
    let group_lists: Vec<u32> = by_group
        .into_iter()
        .map(|list| {
            *list_ids.entry(list).or_insert_with_key(|list| {
                trigger_lists.push(list.clone());
                trigger_lists.len() as u32 - 1
            })
        })
        .collect();
    let triggers: Vec<u32> = word_group
        .iter()
        .map(|&g| group_lists[g as usize])
        .collect();
    let mut single_masks = vec![0u64; vocab.len()];
    for (i, trie) in lexicons.iter().enumerate().take(64) {
        for w in trie.single_words() {
            single_masks[*w as usize] |= 1 << i;
        }
    }
    let mut type_stratum = vec![0; set.records.len()];
    let mut strata = 0;
    for r in &rules {
        type_stratum[r.record] = type_stratum[r.record].max(r.stratum);
        strata = strata.max(r.stratum + 1);
    }
    let mut schedule = vec![[Vec::new(), Vec::new(), Vec::new()]; strata];
    let mut schedule_always = vec![[Vec::new(), Vec::new(), Vec::new()]; strata];
    let mut schedule_typed = vec![[Vec::new(), Vec::new(), Vec::new()]; strata];
    let mut scheduled = Vec::with_capacity(rules.len());
    let mut schedule_needs_also = vec![[false; 3]; strata];
    for (i, r) in rules.iter().enumerate() {
        schedule_needs_also[r.stratum][scope_index(r.scope)] |= r.also_required.is_some();
        let list = &mut schedule[r.stratum][scope_index(r.scope)];
        scheduled.push(Scheduled {
            group: (3 * r.stratum + scope_index(r.scope)) as u32,
            pos: list.len() as u32,
            also: r.also_required.as_ref().map_or(u32::MAX, |(id, _)| *id),
        });
        match (&r.required_words, &r.required_types) {
            (Some(_), _) => {}
            (None, Some(_)) => {
                schedule_typed[r.stratum][scope_index(r.scope)].push(list.len() as u32)
            }
            (None, None) => {
                schedule_always[r.stratum][scope_index(r.scope)].push(list.len() as u32)
            }
        }
        list.push(i as u32);
    }

    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    Ok(Program {
        id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        ntests,
        tests,
        regex_set: None,
        word_group,
        group_word,
        sources: set.sources,
        records: set.records,
        lexicon_names: set.lexicons.into_iter().map(|l| l.name).collect(),
        lexicons,
        regexes: Vec::new(),
        rules,
        vocab,
        single_masks,
        triggers,
        trigger_lists,
        trigger_ids: trigger_ids as usize,
        type_stratum,
        strata,
        schedule,
        schedule_always,
        schedule_typed,
        scheduled,
        schedule_needs_also,
    })
}

/// Where a rule's matches come from another's ([`Rule::matches_as`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchesAs {
    /// The earlier rule.
    pub rule: u32,
    /// For each capture slot of this rule, the slot of that rule that holds
    /// the same token position.
    pub slots: Vec<u32>,
}

/// Sets [`Rule::matches_as`]: each rule points to the first rule before it
/// of the same stratum and scope whose matches give all of its own. Saving
/// a position consumes nothing and chooses nothing, so two automata that
/// differ only in their `Save`s find the same matches, thread for thread, and
/// slots saved on the same ways (see [`shape`]) hold the same position.
fn set_matches_as(rules: &mut [Rule]) {
    // Only rules with the same token tests in the same order and as many
    // instructions besides saves can be alike: most rules have no such other.
    let mut alike: HashMap<(usize, Scope, usize, Vec<u32>), Vec<usize>> = HashMap::default();
    for (i, r) in rules.iter().enumerate() {
        let saves = r
            .insts
            .iter()
            .filter(|i| matches!(i, Inst::Save(..)))
            .count();
        let tests = r
            .test_ids
            .iter()
            .copied()
            .filter(|&t| t != u32::MAX)
            .collect();
        alike
            .entry((r.stratum, r.scope, r.insts.len() - saves, tests))
            .or_default()
            .push(i);
    }
    let mut found = vec![None; rules.len()];
    for group in alike.values().filter(|g| g.len() > 1) {
        let shapes: Vec<_> = group.iter().map(|&i| shape(&rules[i])).collect();
        for (k, (insts, saved)) in shapes.iter().enumerate() {
            found[group[k]] = shapes[..k]
                .iter()
                .zip(group)
                .find_map(|((theirs, ways), &j)| {
                    if theirs != insts {
                        return None;
                    }
                    let slots = saved
                        .iter()
                        .map(|at| ways.iter().position(|w| w == at).map(|s| s as u32))
                        .collect::<Option<Vec<u32>>>()?;
                    Some(MatchesAs {
                        rule: j as u32,
                        slots,
                    })
                });
        }
    }
    for (r, m) in rules.iter_mut().zip(found) {
        r.matches_as = m;
    }
}

/// A rule's instructions without their `Save`s (a target renumbered to the
/// instruction its saves lead to; a token test by its number; the entry
/// first), and for each capture slot, the ways between those instructions
/// (instruction and operand; `u32::MAX` for the entry) on which it is saved.
/// A slot holds where the last way that saves it was taken, so two slots
/// saved on the same ways hold the same.
fn shape(rule: &Rule) -> (Vec<[u32; 3]>, Vec<Vec<[u32; 2]>>) {
    let insts = &rule.insts;
    let mut number = Vec::with_capacity(insts.len());
    let mut kept = 0u32;
    for inst in insts {
        number.push(kept);
        if !matches!(inst, Inst::Save(..)) {
            kept += 1;
        }
    }
    let mut saved: Vec<Vec<[u32; 2]>> = vec![Vec::new(); 2 + 2 * rule.captures.len()];
    // Follows way `way` through the saves from `pc` to where they lead.
    let mut follow = |mut pc: u32, way: [u32; 2]| {
        for _ in 0..insts.len() {
            let Some(&Inst::Save(slot, next)) = insts.get(pc as usize) else {
                break;
            };
            if let Some(ways) = saved.get_mut(slot as usize) {
                ways.push(way);
            }
            pc = next;
        }
        number.get(pc as usize).copied().unwrap_or(kept)
    };
    let mut out = Vec::with_capacity(kept as usize + 1);
    out.push([7, follow(0, [u32::MAX, 0]), 0]);
    for (pc, (inst, &test)) in insts.iter().zip(&rule.test_ids).enumerate() {
        let at = number[pc];
        let mut to = |op: u32, t: u32| follow(t, [at, op]);
        out.push(match inst {
            Inst::Save(..) => continue,
            Inst::Token(_, n) => [0, test, to(0, *n)],
            Inst::Split(a, b) => [1, to(0, *a), to(1, *b)],
            Inst::Jmp(t) => [2, to(0, *t), 0],
            Inst::Assert(Assertion::Start, n) => [3, 0, to(0, *n)],
            Inst::Assert(Assertion::End, n) => [3, 1, to(0, *n)],
            Inst::Lexicon(l, n) => [4, *l, to(0, *n)],
            Inst::Span(ty, n) => [5, *ty, to(0, *n)],
            Inst::Match => [6, 0, 0],
        });
    }
    (out, saved)
}

/// The index of a scope in [`Program::schedule`]: sentence 0, paragraph 1, document 2.
pub fn scope_index(scope: Scope) -> usize {
    match scope {
        Scope::Sentence => 0,
        Scope::Paragraph => 1,
        Scope::Document => 2,
    }
}

/// Groups the word ids so that the words of a group pass the same token
/// tests: each word a rule's token test names has a group of its own; every
/// other word is grouped by which lexicons' entries it starts, ends, is, or occurs in.
/// Returns the group of each word and a word of each group (group 0: no word).
fn word_groups(rules: &[Rule], lexicons: &[Trie], nwords: usize) -> (Vec<u32>, Vec<u32>) {
    fn named(t: &Test, out: &mut Vec<bool>) {
        match t {
            Test::Word(w) => out[*w as usize] = true,
            Test::Or(ts) | Test::And(ts) => ts.iter().for_each(|t| named(t, out)),
            Test::Not(t) => named(t, out),
            _ => {}
        }
    }
    let mut is_named = vec![false; nwords];
    for r in rules {
        for inst in &r.insts {
            if let Inst::Token(t, _) = inst {
                named(t, &mut is_named);
            }
        }
    }
    // A word's signature: (lexicon, what) pairs, in lexicon order.
    let mut signature: Vec<Vec<u32>> = vec![Vec::new(); nwords];
    for (i, trie) in lexicons.iter().enumerate() {
        let i = i as u32;
        for w in trie.words() {
            let sig = &mut signature[w as usize];
            sig.push(4 * i);
            if trie.starts_with(w) {
                sig.push(4 * i + 1);
            }
            if trie.is_single(w) {
                sig.push(4 * i + 2);
            }
            if trie.ends_long(w) {
                sig.push(4 * i + 3);
            }
        }
    }
    let mut word_group = vec![0u32; nwords];
    let mut group_word = vec![NO_WORD];
    let mut by_signature: HashMap<Vec<u32>, u32> = HashMap::default();
    for w in 0..nwords {
        let g = if is_named[w] {
            None
        } else {
            by_signature.get(&signature[w]).copied()
        };
        word_group[w] = match g {
            Some(g) => g,
            None => {
                let g = group_word.len() as u32;
                group_word.push(w as u32);
                if !is_named[w] {
                    by_signature.insert(std::mem::take(&mut signature[w]), g);
                }
                g
            }
        };
    }
    (word_group, group_word)
}

/// True if every way from instruction 0 to a token or to `Match` passes a `^`.
fn anchored_start(insts: &[Inst]) -> bool {
    epsilon_reach(insts, false).is_some_and(|first| first.is_empty())
}

/// For each instruction that tests a token, the test's number (equal tests
/// share one, numbered as first met); `u32::MAX` for the others.
fn number_tests(
    insts: &[Inst],
    numbers: &mut HashMap<Test, u32>,
    tests: &mut Vec<Test>,
) -> Vec<u32> {
    insts
        .iter()
        .map(|inst| match inst {
            Inst::Token(t, _) => match numbers.get(t) {
                Some(&n) => n,
                None => {
                    tests.push(t.clone());
                    numbers.insert(t.clone(), tests.len() as u32 - 1);
                    tests.len() as u32 - 1
                }
            },
            _ => u32::MAX,
        })
        .collect()
}

/// The consuming instructions reachable from instruction 0 without consuming a
/// token, or `None` if `Match` is reachable that way.
fn first_insts(insts: &[Inst]) -> Option<Vec<u32>> {
    epsilon_reach(insts, true)
}

/// The consuming instructions reachable from instruction 0 without consuming
/// a token (through `^` only if `through_start`), or `None` if `Match` is.
fn epsilon_reach(insts: &[Inst], through_start: bool) -> Option<Vec<u32>> {
    let mut seen = vec![false; insts.len()];
    let mut stack = vec![0u32];
    let mut out = Vec::new();
    while let Some(pc) = stack.pop() {
        if std::mem::replace(&mut seen[pc as usize], true) {
            continue;
        }
        match &insts[pc as usize] {
            Inst::Jmp(t) => stack.push(*t),
            Inst::Split(a, b) => {
                stack.push(*b);
                stack.push(*a);
            }
            Inst::Assert(Assertion::Start, _) if !through_start => {}
            Inst::Save(_, n) | Inst::Assert(_, n) => stack.push(*n),
            Inst::Token(..) | Inst::Lexicon(..) | Inst::Span(..) => out.push(pc),
            Inst::Match => return None,
        }
    }
    Some(out)
}

struct Compiler<'a> {
    insts: Vec<Inst>,
    /// Every word the patterns name (see [`words_in`]).
    vocab: &'a Vocab,
    /// Every regex the patterns test, by its source (see [`regexes_in`]).
    regexes: &'a HashMap<&'a str, u32>,
    too_big: bool,
    /// The innermost [`Hir::Source`] being compiled.
    origin: u32,
    /// The origin of each instruction.
    inst_origins: Vec<u32>,
    /// The slots of the captures being compiled around the current node.
    open: Vec<usize>,
    /// Compiling [`Rule::approx`]: no captures, loose repetitions.
    approx: bool,
}

impl<'a> Compiler<'a> {
    fn new(vocab: &'a Vocab, regexes: &'a HashMap<&'a str, u32>, approx: bool) -> Compiler<'a> {
        Compiler {
            insts: Vec::new(),
            vocab,
            regexes,
            too_big: false,
            origin: u32::MAX,
            inst_origins: Vec::new(),
            open: Vec::new(),
            approx,
        }
    }

    fn pc(&self) -> u32 {
        self.insts.len() as u32
    }

    fn push(&mut self, inst: Inst) -> u32 {
        if self.insts.len() >= MAX_INSTRUCTIONS {
            self.too_big = true;
            return self.pc();
        }
        self.insts.push(inst);
        self.inst_origins.push(self.origin);
        self.pc() - 1
    }

    /// Sets the continuation of the instruction at `at` to `to`.
    fn patch(&mut self, at: u32, to: u32) {
        if let Some(inst) = self.insts.get_mut(at as usize) {
            match inst {
                Inst::Token(_, n)
                | Inst::Jmp(n)
                | Inst::Save(_, n)
                | Inst::Assert(_, n)
                | Inst::Lexicon(_, n)
                | Inst::Span(_, n) => *n = to,
                Inst::Split(_, b) => *b = to,
                Inst::Match => {}
            }
        }
    }

    fn emit_save(&mut self, slot: u32) {
        let next = self.pc() + 1;
        self.push(Inst::Save(slot, next));
    }

    fn test(&mut self, t: &TokenTest) -> Test {
        match t {
            TokenTest::Any => Test::Any,
            TokenTest::Class(c) => Test::Class(*c),
            TokenTest::Word(w) => Test::Word(self.vocab.get(w)),
            // The same regex used in many places is kept once.
            TokenTest::Regex(re) => Test::Regex(
                *self
                    .regexes
                    .get(re.as_str())
                    .expect("regexes_in finds every regex a pattern tests"),
            ),
            TokenTest::Lexicon(i) => Test::Lexicon(*i as u32),
            TokenTest::Or(ts) => Test::Or(ts.iter().map(|t| self.test(t)).collect()),
            TokenTest::And(ts) => Test::And(ts.iter().map(|t| self.test(t)).collect()),
            TokenTest::Not(t) => Test::Not(Box::new(self.test(t))),
        }
    }

    /// Emits code for `h`; on exit, control falls through to the next instruction.
    fn hir(&mut self, h: &Hir) {
        if self.too_big {
            return;
        }
        match h {
            Hir::Seq(items) => items.iter().for_each(|i| self.hir(i)),
            Hir::Alt(items) => {
                // Alternatives in a row that each take one token, with no
                // capture, become one token test: `"," | ";" | "and"` is one
                // instruction instead of a split, a test and a jump each. Same
                // matches: they all go on to the same place, in the same order.
                let mut merged: Vec<std::borrow::Cow<'_, Hir>> = Vec::new();
                let mut run: Vec<TokenTest> = Vec::new();
                let flush =
                    |run: &mut Vec<TokenTest>, merged: &mut Vec<std::borrow::Cow<'_, Hir>>| {
                        match run.len() {
                            0 => {}
                            1 => merged.push(std::borrow::Cow::Owned(Hir::Token(run.remove(0)))),
                            _ => merged.push(std::borrow::Cow::Owned(Hir::Token(TokenTest::Or(
                                std::mem::take(run).into(),
                            )))),
                        }
                    };
                for item in items.iter() {
                    match one_token(item) {
                        Some(t) => run.push(t),
                        None => {
                            flush(&mut run, &mut merged);
                            merged.push(std::borrow::Cow::Borrowed(item));
                        }
                    }
                }
                flush(&mut run, &mut merged);
                if merged.len() == 1 {
                    self.hir(&merged[0]);
                    return;
                }
                let items = merged;
                // split L1, next_split; L1: a; jmp end; next_split: split L2, … ; last: z; end:
                let mut jumps = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if i + 1 < items.len() {
                        let split = self.push(Inst::Split(self.pc() + 1, 0));
                        self.hir(item);
                        jumps.push(self.push(Inst::Jmp(0)));
                        let here = self.pc();
                        self.patch(split, here);
                    } else {
                        self.hir(item);
                    }
                }
                let end = self.pc();
                for j in jumps {
                    self.patch(j, end);
                }
            }
            Hir::Repeat {
                inner,
                min,
                max,
                lazy,
            } if self.approx && max.is_none_or(|m| m > 1) => {
                // `x{m,n}` → `x+` (or `x*` when m is 0): accepts more, in fewer states.
                self.pass_loop(inner, *min == 0, *lazy);
            }
            Hir::Capture(_, inner) if self.approx => self.hir(inner),
            Hir::Repeat {
                inner,
                min,
                max,
                lazy,
            } => {
                // An unbounded repetition of a body that can match zero tokens is
                // compiled as the `regex` crate compiles it: the loop is the last
                // required copy (for `*`, an optional first pass), `S: body;
                // split(S, out)`, so a pass that matched nothing leaves the loop.
                // In the plain loop below, such a pass would come back to the loop
                // head at the same token, a state already visited, and die; that
                // drops the body's preferred way of matching empty and prefers
                // another pass: `("b"? | "a")* "a"` would match "a a" once
                // instead of `a` twice.
                let pass_loop = max.is_none() && inner.nullable();
                let copies = if pass_loop {
                    min.saturating_sub(1)
                } else {
                    *min
                };
                for _ in 0..copies {
                    self.hir(inner);
                }
                match max {
                    None if pass_loop => self.pass_loop(inner, *min == 0, *lazy),
                    None => {
                        let split = self.push(Inst::Split(0, 0));
                        let body = self.pc();
                        self.hir(inner);
                        self.push(Inst::Jmp(split));
                        let end = self.pc();
                        self.set_split(split, body, end, *lazy);
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            let split = self.push(Inst::Split(0, 0));
                            splits.push((split, self.pc()));
                            self.hir(inner);
                        }
                        let end = self.pc();
                        for (split, body) in splits {
                            self.set_split(split, body, end, *lazy);
                        }
                    }
                }
            }
            // Inside a capture of the same name, a capture saves nothing: the
            // outer one ends last, so its span is the one that counts, and an
            // inner start must not overwrite the outer start (`<x: "a" <x: "b">>`
            // would give `x` the span of `b` with the end of the outer).
            Hir::Capture(slot, inner) if self.open.contains(slot) => self.hir(inner),
            Hir::Capture(slot, inner) => {
                self.open.push(*slot);
                self.emit_save(2 + 2 * *slot as u32);
                self.hir(inner);
                self.emit_save(3 + 2 * *slot as u32);
                self.open.pop();
            }
            Hir::Token(t) => {
                let t = self.test(t);
                let next = self.pc() + 1;
                self.push(Inst::Token(t, next));
            }
            Hir::Literal(words) => {
                for w in words.iter() {
                    let id = self.vocab.get(w);
                    let next = self.pc() + 1;
                    self.push(Inst::Token(Test::Word(id), next));
                }
            }
            Hir::Lexicon(i) => {
                let next = self.pc() + 1;
                self.push(Inst::Lexicon(*i as u32, next));
            }
            Hir::TypeRef(t) => {
                let next = self.pc() + 1;
                self.push(Inst::Span(*t as u32, next));
            }
            Hir::Start => {
                let next = self.pc() + 1;
                self.push(Inst::Assert(Assertion::Start, next));
            }
            Hir::End => {
                let next = self.pc() + 1;
                self.push(Inst::Assert(Assertion::End, next));
            }
            Hir::Source(origin, inner) => {
                let outer = std::mem::replace(&mut self.origin, *origin);
                self.hir(inner);
                self.origin = outer;
            }
        }
    }

    /// `S: inner; split(S, out)`, one pass or more (or none, with
    /// `optional`): a pass that matched nothing leaves the loop.
    fn pass_loop(&mut self, inner: &Hir, optional: bool, lazy: bool) {
        let skip = optional.then(|| self.push(Inst::Split(0, 0)));
        let body = self.pc();
        self.hir(inner);
        let again = self.push(Inst::Split(0, 0));
        let end = self.pc();
        self.set_split(again, body, end, lazy);
        if let Some(skip) = skip {
            self.set_split(skip, body, end, lazy);
        }
    }

    fn set_split(&mut self, split: u32, body: u32, end: u32, lazy: bool) {
        if let Some(inst) = self.insts.get_mut(split as usize) {
            *inst = if lazy {
                Inst::Split(end, body)
            } else {
                Inst::Split(body, end)
            };
        }
    }
}

/// The one-token test a pattern is, if it is a token test or a one-word
/// literal (through [`Hir::Source`] wrappers, so origins change nothing).
fn one_token(h: &Hir) -> Option<TokenTest> {
    match h {
        Hir::Token(t) => Some(t.clone()),
        Hir::Literal(words) if words.len() == 1 => Some(TokenTest::Word(words[0].clone())),
        Hir::Source(_, inner) => one_token(inner),
        _ => None,
    }
}

/// What a window must contain for a pattern to match in it.
enum Req {
    /// One of these words (sorted).
    Words(Vec<u32>),
    /// A record of one of these types.
    Types(Vec<usize>),
}

impl Req {
    /// Lower is more selective. Words found in nearly every sentence cost
    /// much more; quotation marks, frequent in news but absent from most
    /// sentences, cost less than those and more than other words.
    fn cost(&self, common: &Common) -> usize {
        match self {
            Req::Words(w) => {
                w.len()
                    + w.iter()
                        .map(|&id| match (common.has(id), common.is_quote(id)) {
                            (true, false) => 1000,
                            (true, true) => 50,
                            _ => 0,
                        })
                        .sum::<usize>()
            }
            // A record is rarer than most words, but costs a look-up.
            Req::Types(t) => t.len() * 2,
        }
    }
}

/// The words found in nearly every sentence of news.
struct Common {
    /// Their ids, sorted.
    ids: Vec<u32>,
    /// Those of the quotation marks among them.
    quotes: [u32; 2],
}

impl Common {
    fn new(vocab: &Vocab) -> Common {
        const COMMON: [&str; 30] = [
            ",", ".", "the", "a", "an", "and", "of", "to", "in", "'s", "\"", "'", "-", "that",
            "is", "for", "have", "has", "had", "will", "was", "were", "be", "are", "on", "at",
            "by", "with", "as", "it",
        ];
        let mut ids: Vec<u32> = COMMON.iter().map(|c| vocab.get(c)).collect();
        ids.sort_unstable();
        Common {
            ids,
            quotes: [vocab.get("\""), vocab.get("'")],
        }
    }

    fn has(&self, w: u32) -> bool {
        self.ids.binary_search(&w).is_ok()
    }

    fn is_quote(&self, w: u32) -> bool {
        self.quotes.contains(&w)
    }
}

/// Everything a window must hold for pattern `h` to match in it, each
/// on its own: what each part of a sequence needs (the parts match apart).
/// A repetition that may match nothing needs nothing.
fn requirements(h: &Hir, vocab: &Vocab, lexicons: &[Trie], common: &Common, out: &mut Vec<Req>) {
    match h {
        Hir::Seq(items) => {
            for i in items.iter() {
                requirements(i, vocab, lexicons, common, out);
            }
        }
        Hir::Capture(_, inner) | Hir::Source(_, inner) => {
            requirements(inner, vocab, lexicons, common, out)
        }
        Hir::Repeat { inner, min, .. } => {
            if *min > 0 {
                requirements(inner, vocab, lexicons, common, out)
            }
        }
        _ => out.extend(required(h, vocab, lexicons, common)),
    }
}

/// What a window must hold for pattern `h` to match in it, if anything.
fn required(h: &Hir, vocab: &Vocab, lexicons: &[Trie], common: &Common) -> Option<Req> {
    let word = |w: &str| vocab.get(w);
    let required = |h| required(h, vocab, lexicons, common);
    match h {
        Hir::Literal(words) => {
            // The longest word of the literal is likely the rarest.
            let best = words.iter().max_by_key(|w| w.len())?;
            Some(Req::Words(vec![word(best)]))
        }
        Hir::Token(t) => token_required(t, vocab, lexicons).map(Req::Words),
        Hir::Lexicon(i) => Some(Req::Words(lexicons[*i].entry_words(&common.ids).to_vec())),
        Hir::TypeRef(t) => Some(Req::Types(vec![*t])),
        // A sequence (or what wraps one): the most selective of its parts'.
        Hir::Seq(_) | Hir::Capture(..) | Hir::Source(..) | Hir::Repeat { .. } => {
            let mut parts = Vec::new();
            requirements(h, vocab, lexicons, common, &mut parts);
            parts.into_iter().min_by_key(|r| r.cost(common))
        }
        Hir::Alt(items) => {
            let mut words = Vec::new();
            let mut types = Vec::new();
            for i in items.iter() {
                match required(i)? {
                    Req::Words(w) => words.extend(w),
                    Req::Types(t) => types.extend(t),
                }
            }
            match (words.is_empty(), types.is_empty()) {
                (false, true) => {
                    words.sort_unstable();
                    words.dedup();
                    Some(Req::Words(words))
                }
                (true, false) => {
                    types.sort_unstable();
                    types.dedup();
                    Some(Req::Types(types))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The words one of which a token must be to pass a test, if the test says.
fn token_required(t: &TokenTest, vocab: &Vocab, lexicons: &[Trie]) -> Option<Vec<u32>> {
    match t {
        TokenTest::Word(w) => Some(vec![vocab.get(w)]),
        TokenTest::Lexicon(i) => Some(lexicons[*i].single_words().to_vec()),
        // Every operand must pass: the most selective one that says is enough.
        TokenTest::And(ts) => ts
            .iter()
            .filter_map(|t| token_required(t, vocab, lexicons))
            .min_by_key(Vec::len),
        // One operand must pass: all of them must say.
        TokenTest::Or(ts) => {
            let mut all = Vec::new();
            for t in ts.iter() {
                all.extend(token_required(t, vocab, lexicons)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}

impl Test {
    /// Whether a token passes this test, given whether it passes each of the
    /// plain tests (`Any`, `Word`, `Class`, `Regex`, `Lexicon`) this one is
    /// made of with `|`, `&` and `!`.
    ///
    /// A plain part of `|`, `&` or `!` is handed to `plain` straight away,
    /// without a call of `eval` each: classes are asked every test they
    /// meet, and many tests are long alternations of words.
    pub fn eval(&self, plain: &mut impl FnMut(&Test) -> bool) -> bool {
        let mut part = |t: &Test| match t {
            Test::Or(_) | Test::And(_) | Test::Not(_) => t.eval(plain),
            _ => plain(t),
        };
        match self {
            Test::Or(ts) => ts.iter().any(&mut part),
            Test::And(ts) => ts.iter().all(&mut part),
            Test::Not(t) => !part(t),
            _ => part(self),
        }
    }
}

/// True if a token passes a test. `word` is the token's word id.
pub fn test_token(test: &Test, token: &Token, word: u32, text: &str, program: &Program) -> bool {
    test.eval(&mut |t| match t {
        Test::Word(w) => word == *w,
        Test::Class(c) => class_matches(*c, token),
        Test::Regex(i) => {
            program.regexes[*i as usize].is_match(&text[token.start as usize..token.end() as usize])
        }
        Test::Lexicon(i) => program.is_single(*i, word),
        _ => true,
    })
}

/// True if a token belongs to a built-in class.
pub fn class_matches(c: Class, token: &Token) -> bool {
    use crate::text::tokenize::{CAP, GLUED, LETTER, LOWER, UPPER};
    match c {
        Class::Cap => token.flags & CAP != 0,
        Class::Upper => token.flags & UPPER != 0,
        Class::Lower => token.flags & LOWER != 0,
        Class::Num => token.kind == TokenKind::Number,
        Class::Punct => token.kind == TokenKind::Punct,
        Class::Word => token.flags & LETTER != 0,
        Class::Glued => token.flags & GLUED != 0,
    }
}
