//! A lazy DFA over token classes that tells, in one pass over a window, which
//! of a group of rules may match in it: the prefilter in front of the Pike VM.
//!
//! It runs every rule of one stratum and scope at once, unanchored, on an
//! automaton that accepts at least what each rule accepts: token tests are
//! exact (worked out once per token class), while a lexicon stands for a
//! one-word entry, or a word that starts an entry, any words that occur in
//! one, and a word that ends one; a record `@T` for any run of tokens; and
//! `^`/`$` for a sentence boundary (the automaton takes a step of its own at
//! each: states waiting at an assertion go on, the others stay), where both
//! are taken to hold. So a rule it
//! rules out cannot match (the VM would find nothing); a rule it lets through
//! is then run by the VM, which decides. States are built as the text needs
//! them and dropped when there get to be too many, so memory stays bounded.

use super::classes::{Classes, Memo};
use crate::compile::{Inst, NO_WORD, Program};
use rustc_hash::FxHashMap as HashMap;

const UNKNOWN: u32 = u32::MAX;
/// The predicate of a step that every token passes.
const ANY: u32 = u32::MAX;
/// The predicate of a step that no token takes.
const NEVER: u32 = u32::MAX - 1;
/// States kept at most before the cache is emptied…
const MAX_STATES: usize = 16384;
/// … and bytes of transitions and state keys (a thread holds a few dozen
/// automata: with these a 2 GB run with `-j 2` peaks at 66 MB).
const MAX_TABLE_BYTES: usize = 3 << 18;
/// The table an automaton that fills its table quickly and cannot be split
/// (one rule, or rules over one pattern) grows to: over the corpus two such
/// automata worked out half of all transitions, each emptied some twenty
/// times (before rows were cut at [`DENSE`] columns; since, none fills its
/// table that quickly over the corpus).
const MAX_GROWN_TABLE_BYTES: usize = 2 * MAX_TABLE_BYTES;
/// Bytes a state takes besides its key's NFA states, counted against the
/// table's bytes: its entries in `states`, `by_hash` and `same_hash`, and
/// what each key cost when it was a block of its own (kept, so that caches
/// are emptied where they were). (With only the transitions counted, an
/// automaton of few local classes held so many states that their keys took
/// twice its table.)
const KEY_OVERHEAD: usize = 64;
/// A cache emptied within this many windows of the last time fills too
/// quickly: its rules are better split over two automata.
const QUICK_FILL: u32 = 5000;
/// Record types whose starts and ends an automaton follows.
const MAX_SPAN_TYPES: usize = 16;
/// Local classes whose transitions a state keeps in its row of the table;
/// those of the others are kept in `Dfa::far`. Local classes are numbered
/// as the automaton meets them, so the first ones are the frequent words
/// and punctuation: over the corpus 97 % of the steps the scan takes fall
/// under 64. A state used a few of its row's slots (about 2 % of a table
/// of 300-odd columns was filled when it was emptied), so rows as wide as
/// all the local classes held far fewer states than the same bytes now do.
const DENSE: usize = 64;
/// Bytes a transition in `Dfa::far` is counted as: what it took in the
/// hash map that held these before, kept so that caches are emptied where
/// they were (its 8-byte slot and the room kept free take 16 to 32).
const FAR_ENTRY_BYTES: usize = 32;
/// An unknown transition.
const NO_STATE: u16 = u16::MAX;
/// Set in a transition to a state where some rule matches, so that a step
/// need not look at the state itself.
const FOUND_BIT: u16 = 1 << 15;
const _: () = assert!(MAX_STATES <= FOUND_BIT as usize);

/// An instruction of a member's looser automaton ([`crate::compile::Rule::approx`]),
/// its targets turned into NFA states (flag 0).
#[derive(Clone, Copy)]
enum Flat {
    /// Go on at this state (also a `Save`).
    Jmp(u32),
    /// Go on at both, the first first.
    Split(u32, u32),
    /// `^` or `$`, then this state.
    Assert(u32),
    /// A token test or a lexicon, then this state.
    Consume(u32),
    /// A record of a type followed, then this state.
    Span(u32),
    /// A record of a type not followed (any run of tokens), then this state.
    AnySpan(u32),
    /// Member `k` matches.
    Match(u32),
}

/// What a consuming NFA state asks of a token.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Pred {
    /// Token test number `i` of the program ([`Program::tests`]).
    Test(u32),
    /// The token's word is a one-word entry of lexicon `i`.
    Single(u32),
    /// The token's word starts an entry of lexicon `i`.
    First(u32),
    /// The token's word occurs in an entry of lexicon `i`.
    Within(u32),
    /// The token's word ends an entry of lexicon `i` of two words or more.
    Ends(u32),
    /// A record of the `k`th type of [`Dfa::span_types`] starts at the token.
    SpanStart(u32),
    /// A record of that type ends at the token.
    SpanEnd(u32),
    /// Both: the token may be a whole record of that type.
    SpanOne(u32),
}

/// NFA states reached and rules matched, after one step.
type Reached = (Box<[u32]>, Box<[u64]>);

struct State {
    /// Where its NFA states are in `Dfa::keys`, and how many.
    key: (u32, u32),
    /// Index into `Dfa::found`, or `UNKNOWN` when no rule matches here.
    found: u32,
}

/// A window, as [`Dfa::scan`] reads it.
pub struct Window<'a> {
    /// The class of each token.
    pub classes: &'a [u32],
    /// Where records start and end (see [`Dfa::span_types`]), a mask per
    /// token; empty when none do.
    pub masks: &'a [u32],
    /// Where, in increasing order, a sentence ends and another starts, as
    /// the number of tokens before (0: before the first), the window's end
    /// left out.
    pub cuts: &'a [u32],
    /// A sentence ends at the window's end.
    pub ends_sentence: bool,
}

/// What [`Dfa::scan`] found in a window.
#[derive(Default)]
pub struct Found {
    /// Bit `k`: member `k` may match in the window.
    pub rules: Vec<u64>,
    /// For each member, the number of tokens after which the last of its
    /// possible matches ends (no match of it ends later).
    pub last: Vec<u32>,
}

/// What an automaton did (see [`Dfa::stats`]): for `gleaner run --profile`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Transitions it worked out (each a set of NFA states followed over a
    /// token class, and the state it leads to looked up or made).
    pub transitions: u64,
    /// Times its cache was emptied, full.
    pub emptied: u64,
    /// Measured only while [`Dfa::time`] is on: the tokens of the windows
    /// it scanned…
    pub tokens: u64,
    /// … the time its scans took, in nanoseconds…
    pub nanos: u64,
    /// … and the part of it spent working transitions out.
    pub building_nanos: u64,
}

/// The prefilter for one group of rules (one stratum and scope).
pub struct Dfa {
    /// The rules (indices into the program's rules); bit `k` of a result is `members[k]`.
    members: Vec<u32>,
    /// For each member, the later members whose looser automaton is the
    /// same as its own ("Quote" and "Statement" rules over one pattern):
    /// they get no NFA states of their own and match where it matches.
    same: Vec<Vec<u32>>,
    /// How many members have NFA states of their own.
    distinct: usize,
    /// Each member's instructions, one per pair of NFA states (`id / 2`),
    /// with their targets as NFA states: following one takes one look-up.
    flat: Vec<Flat>,
    /// For each consuming NFA state, the bit of a local class's signature
    /// that says whether a token may stay inside the lexicon entry or record
    /// being read, and the one that says whether it may leave it (or pass a
    /// token test) for the next instruction: a predicate's index into
    /// `preds`, or [`Dfa::any_bit`] or the bit after it, which no signature
    /// has.
    moves: Vec<[u32; 2]>,
    preds: Vec<Pred>,
    /// The bit every token's signature has, after the predicates' bits.
    any_bit: u32,
    /// Words of a token's signature: the predicates' bits, `any_bit` and
    /// the bit no token has.
    sig_words: usize,
    /// The predicates on the token's class that are token tests: (index
    /// into `preds`, test number)…
    test_preds: Vec<(u32, u32)>,
    /// … and those on the lexicons its word is in, by index into `preds`.
    word_preds: Vec<u32>,
    /// The predicates on records starting or ending at the token.
    span_preds: Vec<u32>,
    /// The record types its rules match with `@T` (at most [`MAX_SPAN_TYPES`];
    /// a further type counts as any run of tokens).
    span_types: Vec<u32>,
    /// Local classes of tokens where records start or end: by (class, mask).
    local_masked: HashMap<(u32, u32), u32>,
    /// Local class of each token class (`UNKNOWN` until met).
    local: Vec<u32>,
    /// For each local class, which predicates its tokens pass.
    local_sig: Vec<Box<[u64]>>,
    by_sig: HashMap<Box<[u64]>, u32>,
    states: Vec<State>,
    /// The states' NFA states, one after another.
    keys: Vec<u32>,
    /// States by the hash of their NFA states and matches ([`Dfa::intern_set`]):
    /// the last state made with that hash…
    by_hash: HashMap<u64, u32>,
    /// … and for each state, the one made before it with its hash
    /// (`UNKNOWN`: none).
    same_hash: Vec<u32>,
    /// A random word for each NFA state: a set's hash is the sum of its
    /// states' words, so it is the same in whatever order they were reached.
    zobrist: Box<[u64]>,
    /// Matches: bit sets over the members.
    found: Vec<Box<[u64]>>,
    by_found: HashMap<Box<[u64]>, u32>,
    /// NFA states of the start closure. Every DFA state holds them (the
    /// search is unanchored), so a state lists only the others.
    in_start: Vec<bool>,
    /// The consuming NFA states of the start closure.
    start_consuming: Vec<u32>,
    /// Rules whose pattern can match no tokens.
    start_hits: Vec<u64>,
    /// For each local class, where the start closure's states go on it.
    start_step: Vec<Option<Reached>>,
    /// Transitions on the first `stride` local classes:
    /// `trans[state * stride + local class]`.
    trans: Vec<u16>,
    /// Local classes with a column in `trans`: as many as there are, up to
    /// [`DENSE`].
    stride: usize,
    /// Transitions on the other local classes.
    far: FarTable,
    /// Bytes the states may hold ([`Dfa::held_bytes`]: their rows, their
    /// transitions in `far` and their keys) before the cache is
    /// emptied:
    /// [`MAX_TABLE_BYTES`], up to [`MAX_GROWN_TABLE_BYTES`] for an automaton
    /// that cannot be split.
    table_bytes: usize,
    /// What the states' keys take (each with [`KEY_OVERHEAD`]), counted
    /// against `table_bytes` with the transitions.
    key_bytes: usize,
    /// The local class of the place between two sentences, where `^` and `$`
    /// hold: a step on it moves only the NFA states waiting at an assertion.
    boundary_lc: u32,
    /// Set while crossing a sentence boundary: assertions hold.
    at_boundary: bool,
    /// Windows scanned since the cache was last emptied, and whether it was
    /// emptied after fewer than [`QUICK_FILL`] windows.
    windows: u32,
    filled_quickly: bool,
    /// What [`Dfa::closure`] reaches from each NFA state on a token (not
    /// across sentences), remembered: the same whichever DFA state it is
    /// worked out for, so it outlives a reset. `closure_at[id]` is where its
    /// entry starts in `closure_data` (`UNKNOWN` until worked out): the
    /// number of states, the number of matching members, the states, the
    /// members.
    closure_at: Vec<u32>,
    closure_data: Vec<u32>,
    /// What it did so far.
    stats: Stats,
    /// Whether its scans are timed (`stats.tokens`, `nanos` and
    /// `building_nanos`).
    timed: bool,
    /// Marks for working an entry out while a step is half done.
    memo_mark: Vec<u32>,
    memo_stamp: u32,
    // Scratch.
    set: Vec<u32>,
    mark: Vec<u32>,
    stamp: u32,
    stack: Vec<u32>,
    hits: Vec<u64>,
}

impl Dfa {
    /// The prefilter for these rules of `program`.
    pub fn new(program: &Program, members: &[u32]) -> Dfa {
        // First NFA state of each member: state `base[k] + 2 * pc + flag`,
        // where flag 1 is "inside" a lexicon or record at `pc`.
        let mut base = Vec::with_capacity(members.len());
        // Members' instruction counts so far (a member's first NFA state is twice it).
        let mut npcs = 0u32;
        let mut stay = Vec::new();
        let mut exit = Vec::new();
        let mut flat = Vec::new();
        let mut preds: Vec<Pred> = Vec::new();
        let mut pred_ids: HashMap<Pred, u32> = HashMap::default();
        let mut span_types: Vec<u32> = Vec::new();
        let mut intern = |p: Pred| -> u32 {
            *pred_ids.entry(p.clone()).or_insert_with(|| {
                preds.push(p);
                preds.len() as u32 - 1
            })
        };
        let mut same: Vec<Vec<u32>> = vec![Vec::new(); members.len()];
        for (k, &ri) in members.iter().enumerate() {
            let rule = &program.rules[ri as usize];
            if let Some(j) = members[..k].iter().position(|&rj| {
                let other = &program.rules[rj as usize];
                other.approx == rule.approx && other.approx_test_ids == rule.approx_test_ids
            }) {
                same[j].push(k as u32);
                continue;
            }
            let first = 2 * npcs;
            base.push(first);
            let to = |pc: u32| first + 2 * pc;
            for (inst, &test) in rule.approx.iter().zip(&rule.approx_test_ids) {
                // A record type's slot among those followed (none past the
                // first MAX_SPAN_TYPES: such a record is any run of tokens).
                let span = match inst {
                    Inst::Span(t, _) => match span_types.iter().position(|x| x == t) {
                        Some(k) => Some(k as u32),
                        None if span_types.len() < MAX_SPAN_TYPES => {
                            span_types.push(*t);
                            Some(span_types.len() as u32 - 1)
                        }
                        None => None,
                    },
                    _ => None,
                };
                flat.push(match inst {
                    Inst::Jmp(t) | Inst::Save(_, t) => Flat::Jmp(to(*t)),
                    Inst::Split(a, b) => Flat::Split(to(*a), to(*b)),
                    Inst::Assert(_, t) => Flat::Assert(to(*t)),
                    Inst::Token(_, t) | Inst::Lexicon(_, t) => Flat::Consume(to(*t)),
                    Inst::Span(_, t) if span.is_some() => Flat::Span(to(*t)),
                    Inst::Span(_, t) => Flat::AnySpan(to(*t)),
                    Inst::Match => Flat::Match(k as u32),
                });
                // (stay, exit) at flag 0, then at flag 1.
                let preds = match (inst, span) {
                    (Inst::Token(..), _) => [NEVER, intern(Pred::Test(test)), NEVER, NEVER],
                    (Inst::Lexicon(l, _), _) => [
                        intern(Pred::First(*l)),
                        intern(Pred::Single(*l)),
                        intern(Pred::Within(*l)),
                        intern(Pred::Ends(*l)),
                    ],
                    // In: a record starts here (and may end here too);
                    // inside: any token, or one where a record ends.
                    (Inst::Span(..), Some(k)) => [
                        intern(Pred::SpanStart(k)),
                        intern(Pred::SpanOne(k)),
                        ANY,
                        intern(Pred::SpanEnd(k)),
                    ],
                    // Any run of tokens, or none.
                    (Inst::Span(..), None) => [NEVER, NEVER, ANY, NEVER],
                    _ => [NEVER; 4],
                };
                npcs += 1;
                stay.extend([preds[0], preds[2]]);
                exit.extend([preds[1], preds[3]]);
            }
        }
        let n = 2 * npcs as usize;
        let words = members.len().div_ceil(64);
        // `ANY` and `NEVER` as bits of a signature, so that a step tests one
        // bit whatever the state asks.
        let any_bit = preds.len() as u32;
        let bit = |p: u32| match p {
            ANY => any_bit,
            NEVER => any_bit + 1,
            p => p,
        };
        let moves = stay
            .iter()
            .zip(&exit)
            .map(|(&s, &e)| [bit(s), bit(e)])
            .collect();
        let sig_words = (preds.len() + 2).div_ceil(64);
        let (mut span_preds, mut test_preds, mut word_preds) = (Vec::new(), Vec::new(), Vec::new());
        for (i, pred) in preds.iter().enumerate() {
            let i = i as u32;
            match *pred {
                Pred::SpanStart(_) | Pred::SpanEnd(_) | Pred::SpanOne(_) => span_preds.push(i),
                Pred::Test(t) => test_preds.push((i, t)),
                Pred::Single(_) | Pred::First(_) | Pred::Within(_) | Pred::Ends(_) => {
                    word_preds.push(i)
                }
            }
        }
        let distinct = base.len();
        let mut dfa = Dfa {
            members: members.to_vec(),
            same,
            distinct,
            flat,
            moves,
            preds,
            any_bit,
            sig_words,
            test_preds,
            word_preds,
            span_preds,
            span_types,
            local_masked: HashMap::default(),
            local: Vec::new(),
            local_sig: Vec::new(),
            by_sig: HashMap::default(),
            states: Vec::new(),
            keys: Vec::new(),
            by_hash: HashMap::default(),
            same_hash: Vec::new(),
            zobrist: (0..n as u64).map(|i| mix(i + 1)).collect(),
            found: Vec::new(),
            by_found: HashMap::default(),
            in_start: vec![false; n],
            start_consuming: Vec::new(),
            start_hits: vec![0; words],
            start_step: Vec::new(),
            // Room for the most it may hold (pages not written to cost no
            // memory), so that it never grows by copying.
            trans: Vec::with_capacity(MAX_TABLE_BYTES / 2 + 16),
            stride: 16,
            far: FarTable::default(),
            table_bytes: MAX_TABLE_BYTES,
            key_bytes: 0,
            boundary_lc: 0,
            at_boundary: false,
            windows: 0,
            filled_quickly: false,
            closure_at: vec![UNKNOWN; n],
            closure_data: Vec::new(),
            stats: Stats::default(),
            timed: false,
            memo_mark: vec![0; n],
            memo_stamp: 0,
            set: Vec::new(),
            mark: vec![0; n],
            stamp: 0,
            stack: Vec::new(),
            hits: vec![0; words],
        };
        dfa.begin();
        for first in base {
            dfa.closure(first);
        }
        for (id, &m) in dfa.mark.iter().enumerate() {
            dfa.in_start[id] = m == dfa.stamp;
        }
        dfa.start_consuming = std::mem::take(&mut dfa.set);
        dfa.start_hits = dfa.hits.clone();
        dfa.reset();
        // A signature no token has (one word longer than theirs).
        let mut sig = vec![0u64; dfa.sig_words + 1];
        sig[dfa.sig_words] = 1;
        let sig: Box<[u64]> = sig.into();
        dfa.boundary_lc = dfa.local_sig.len() as u32;
        dfa.local_sig.push(sig.clone());
        dfa.by_sig.insert(sig, dfa.boundary_lc);
        dfa
    }

    /// How many rules it is for.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Its rules (indices into the program's rules), in order.
    pub fn members(&self) -> &[u32] {
        &self.members
    }

    /// What it did so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Times its scans from now on, and the work of building its states
    /// in them (a clock read before and after each transition worked out;
    /// none in a step the table already holds).
    pub fn time(&mut self) {
        self.timed = true;
    }

    /// True if its cache fills so quickly that two automata, each for half
    /// its rules, would do better (their states do not multiply).
    pub fn should_split(&self) -> bool {
        self.filled_quickly && self.distinct > 1
    }

    /// Empties the state cache, leaving the start state (number 0).
    fn reset(&mut self) {
        self.states.clear();
        self.keys.clear();
        self.by_hash.clear();
        self.same_hash.clear();
        self.key_bytes = 0;
        self.trans.clear();
        self.far.clear();
        // Room for all it may hold (after its table grew).
        self.trans.reserve_exact(self.table_bytes / 2 + self.stride);
        self.begin();
        self.intern_set();
    }

    fn begin(&mut self) {
        self.set.clear();
        self.hits.iter_mut().for_each(|h| *h = 0);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
    }

    /// Adds NFA state `id` and what it reaches without consuming a token.
    fn closure(&mut self, id: u32) {
        self.stack.push(id);
        while let Some(id) = self.stack.pop() {
            let slot = &mut self.mark[id as usize];
            if *slot == self.stamp || self.in_start[id as usize] {
                continue;
            }
            let inst = self.flat[id as usize / 2];
            // `^` and `$` hold only between sentences: wait for one. One
            // passed is not marked, as it is not in `set` (see `intern_set`);
            // what it leads to is, so a loop through it still ends.
            if let (Flat::Assert(n), true, 0) = (inst, self.at_boundary, id & 1) {
                self.stack.push(n);
                continue;
            }
            *slot = self.stamp;
            if id & 1 == 1 {
                // Inside a lexicon entry or a record, which a token must end;
                // or a record of a type not followed, which may end here.
                self.set.push(id);
                if let Flat::AnySpan(n) = inst {
                    self.stack.push(n);
                }
                continue;
            }
            match inst {
                Flat::Jmp(t) => self.stack.push(t),
                Flat::Split(a, b) => {
                    self.stack.push(b);
                    self.stack.push(a);
                }
                Flat::Assert(_) | Flat::Consume(_) | Flat::Span(_) => self.set.push(id),
                // A record of a type not followed: any tokens, or (to be safe) none.
                Flat::AnySpan(_) => self.stack.push(id | 1),
                Flat::Match(k) => {
                    self.hits[k as usize / 64] |= 1 << (k % 64);
                    for &j in &self.same[k as usize] {
                        self.hits[j as usize / 64] |= 1 << (j % 64);
                    }
                }
            }
        }
    }

    /// The state of the NFA states in `set` and the matches in `hits` (two
    /// steps may reach the same NFA states, one through a match and one not).
    /// The states are found by a hash that does not depend on the order of
    /// `set` (so it is not sorted), and told apart by their NFA states'
    /// marks: an NFA state a state may hold is marked in this step if and
    /// only if it is in `set`.
    fn intern_set(&mut self) -> u32 {
        for (h, s) in self.hits.iter_mut().zip(&self.start_hits) {
            *h |= s;
        }
        let found = if self.hits.iter().all(|&h| h == 0) {
            UNKNOWN
        } else {
            match self.by_found.get(self.hits.as_slice()) {
                Some(&f) => f,
                None => {
                    let f = self.found.len() as u32;
                    self.found.push(self.hits.clone().into_boxed_slice());
                    self.by_found
                        .insert(self.hits.clone().into_boxed_slice(), f);
                    f
                }
            }
        };
        let hash = self.set.iter().fold(mix(u64::from(found)), |h, &id| {
            h.wrapping_add(self.zobrist[id as usize])
        });
        let last = self.by_hash.get(&hash).copied().unwrap_or(UNKNOWN);
        let mut s = last;
        while s != UNKNOWN {
            let state = &self.states[s as usize];
            let ids = &self.keys[state.key.0 as usize..][..state.key.1 as usize];
            if state.found == found
                && ids.len() == self.set.len()
                && ids.iter().all(|&id| self.mark[id as usize] == self.stamp)
            {
                debug_assert!(
                    {
                        let (mut a, mut b) = (ids.to_vec(), self.set.clone());
                        a.sort_unstable();
                        b.sort_unstable();
                        a == b
                    },
                    "a state's NFA states told apart by their marks"
                );
                return s;
            }
            s = self.same_hash[s as usize];
        }
        let s = self.states.len() as u32;
        let key = (self.keys.len() as u32, self.set.len() as u32);
        self.keys.extend_from_slice(&self.set);
        // As many as its NFA states and its `found`, as when each key was
        // a block of its own.
        self.key_bytes += KEY_OVERHEAD + 4 * (self.set.len() + 1);
        self.by_hash.insert(hash, s);
        self.same_hash.push(last);
        self.states.push(State { key, found });
        self.trans.resize(self.states.len() * self.stride, NO_STATE);
        s
    }

    /// The record types its rules match with `@T` that it follows; bit `2k`
    /// of a token's mask says a record of type `span_types()[k]` starts at
    /// the token, bit `2k + 1` that one ends there.
    pub fn span_types(&self) -> &[u32] {
        &self.span_types
    }

    /// The local class of a token of class `class` where records start and
    /// end as `mask` says.
    #[cold]
    fn local_class(
        &mut self,
        program: &Program,
        classes: &Classes,
        memo: &mut Memo,
        class: u32,
        mask: u32,
    ) -> u32 {
        let c = class as usize;
        if mask == 0 {
            if let Some(&l) = self.local.get(c)
                && l != UNKNOWN
            {
                return l;
            }
        } else if let Some(&l) = self.local_masked.get(&(class, mask)) {
            return l;
        }
        let mut sig;
        if mask == 0 {
            // What the token's class passes (no record starts or ends here).
            let word = classes.info[c / 2].word;
            sig = vec![0u64; self.sig_words];
            sig[self.any_bit as usize / 64] |= 1 << (self.any_bit % 64);
            // The class's answers to the token tests, from one memo row.
            let row = memo.row(class);
            for &(i, t) in &self.test_preds {
                if memo.answer(row, t, || {
                    classes.test(program, &program.tests[t as usize], class)
                }) {
                    sig[i as usize / 64] |= 1 << (i % 64);
                }
            }
            // A class without a word is in no lexicon.
            if word != NO_WORD {
                for &i in &self.word_preds {
                    let pass = match self.preds[i as usize] {
                        Pred::Single(l) => program.is_single(l, word),
                        Pred::First(l) => program.lexicons[l as usize].starts_with(word),
                        Pred::Within(l) => program.lexicons[l as usize].has_word(word),
                        Pred::Ends(l) => program.lexicons[l as usize].ends_long(word),
                        _ => false,
                    };
                    if pass {
                        sig[i as usize / 64] |= 1 << (i % 64);
                    }
                }
            }
        } else {
            // The class's own, and the records that start or end here.
            let base = self.local_class(program, classes, memo, class, 0);
            sig = self.local_sig[base as usize].to_vec();
            for &i in &self.span_preds {
                let pass = match self.preds[i as usize] {
                    Pred::SpanStart(k) => mask & (1 << (2 * k)) != 0,
                    Pred::SpanEnd(k) => mask & (2 << (2 * k)) != 0,
                    Pred::SpanOne(k) => mask & (3 << (2 * k)) == 3 << (2 * k),
                    _ => false,
                };
                if pass {
                    sig[i as usize / 64] |= 1 << (i % 64);
                }
            }
        }
        let sig = sig.into_boxed_slice();
        let l = match self.by_sig.get(&sig) {
            Some(&l) => l,
            None => {
                let l = self.local_sig.len() as u32;
                self.local_sig.push(sig.clone());
                self.by_sig.insert(sig, l);
                if self.local_sig.len() > self.stride && self.stride < DENSE {
                    self.widen();
                }
                l
            }
        };
        if mask == 0 {
            if self.local.len() <= c {
                self.local.resize(c + 1, UNKNOWN);
            }
            self.local[c] = l;
        } else {
            self.local_masked.insert((class, mask), l);
        }
        l
    }

    /// The bytes its states hold, counted against `table_bytes`: their rows,
    /// their transitions in `far` and their keys.
    fn held_bytes(&self) -> usize {
        self.states.len() * self.stride * 2 + self.far.len() * FAR_ENTRY_BYTES + self.key_bytes
    }

    /// Makes room for more local classes in the transition table: a quarter
    /// more (not twice as many, so that a state's row wastes less and the
    /// table holds more states before it is emptied), up to [`DENSE`].
    fn widen(&mut self) {
        let old = self.stride;
        self.stride = (old + old / 4).next_multiple_of(16).min(DENSE);
        let mut trans = Vec::with_capacity(self.table_bytes / 2 + self.stride);
        trans.resize(self.states.len() * self.stride, NO_STATE);
        for s in 0..self.states.len() {
            trans[s * self.stride..s * self.stride + old]
                .copy_from_slice(&self.trans[s * old..(s + 1) * old]);
        }
        self.trans = trans;
    }

    /// Follows the states in `ids` across a sentence boundary: those waiting
    /// at an assertion go on, the others stay where they are.
    fn cross(&mut self, ids: &[u32]) {
        self.at_boundary = true;
        for &id in ids {
            match self.flat[id as usize / 2] {
                Flat::Assert(n) if id & 1 == 0 => self.closure(n),
                _ => {
                    let slot = &mut self.mark[id as usize];
                    if *slot != self.stamp && !self.in_start[id as usize] {
                        *slot = self.stamp;
                        self.set.push(id);
                    }
                }
            }
        }
        self.at_boundary = false;
    }

    /// Follows the states in `ids` on local class `lc` (a token's, or the
    /// boundary's).
    fn advance(&mut self, ids: &[u32], lc: u32) {
        if lc == self.boundary_lc {
            return self.cross(ids);
        }
        // The class's signature, taken out while the closures below change
        // `self` (they do not read it), and put back after.
        let sig = std::mem::take(&mut self.local_sig[lc as usize]);
        let passes = |p: u32| sig[p as usize / 64] & (1 << (p % 64)) != 0;
        for &id in ids {
            let [stay, exit] = self.moves[id as usize];
            let (stay, exit) = (passes(stay), passes(exit));
            if !stay && !exit {
                continue;
            }
            let next = match self.flat[id as usize / 2] {
                Flat::Consume(n) | Flat::Span(n) | Flat::AnySpan(n) => n,
                _ => unreachable!("assertions pass no token; other states consume"),
            };
            if stay {
                self.add_closure(id | 1);
            }
            if exit {
                self.add_closure(next);
            }
        }
        self.local_sig[lc as usize] = sig;
    }

    /// [`Dfa::closure`] of `id` on a token, from its remembered entry.
    #[inline(always)]
    fn add_closure(&mut self, id: u32) {
        let mut at = self.closure_at[id as usize];
        if at == UNKNOWN {
            at = self.remember_closure(id);
        }
        let at = at as usize;
        let states = self.closure_data[at] as usize;
        let members = self.closure_data[at + 1] as usize;
        let (states, members) =
            self.closure_data[at + 2..at + 2 + states + members].split_at(states);
        for &s in states {
            let slot = &mut self.mark[s as usize];
            if *slot != self.stamp {
                *slot = self.stamp;
                self.set.push(s);
            }
        }
        for &k in members {
            self.hits[k as usize / 64] |= 1 << (k % 64);
        }
    }

    /// Works out the closure entry of `id` (see `closure_at`), with the step
    /// under way set aside, and returns where it starts.
    #[cold]
    fn remember_closure(&mut self, id: u32) -> u32 {
        let set = std::mem::take(&mut self.set);
        let words = self.hits.len();
        let hits = std::mem::replace(&mut self.hits, vec![0; words]);
        let stamp = std::mem::replace(&mut self.stamp, self.memo_stamp);
        std::mem::swap(&mut self.mark, &mut self.memo_mark);
        self.begin();
        self.closure(id);
        let at = self.closure_data.len() as u32;
        let members: Vec<u32> = (0..64 * self.hits.len() as u32)
            .filter(|&k| self.hits[k as usize / 64] & (1 << (k % 64)) != 0)
            .collect();
        self.closure_data.push(self.set.len() as u32);
        self.closure_data.push(members.len() as u32);
        self.closure_data.extend_from_slice(&self.set);
        self.closure_data.extend_from_slice(&members);
        self.closure_at[id as usize] = at;
        std::mem::swap(&mut self.mark, &mut self.memo_mark);
        self.memo_stamp = std::mem::replace(&mut self.stamp, stamp);
        self.set = set;
        self.hits = hits;
        at
    }

    /// The state after `from` on a token of local class `lc`, worked out.
    #[inline(never)]
    fn step(&mut self, from: u32, lc: u32) -> u32 {
        self.stats.transitions += 1;
        let l = lc as usize;
        if self.start_step.len() <= l {
            self.start_step.resize(l + 1, None);
        }
        if self.start_step[l].is_none() {
            self.begin();
            let ids = std::mem::take(&mut self.start_consuming);
            self.advance(&ids, lc);
            self.start_consuming = ids;
            self.start_step[l] = Some((
                self.set.clone().into_boxed_slice(),
                self.hits.clone().into_boxed_slice(),
            ));
        }
        self.begin();
        if let Some((set, hits)) = &self.start_step[l] {
            for &id in set.iter() {
                self.mark[id as usize] = self.stamp;
            }
            self.set.extend_from_slice(set);
            self.hits.copy_from_slice(hits);
        }
        let (at, len) = self.states[from as usize].key;
        let keys = std::mem::take(&mut self.keys);
        self.advance(&keys[at as usize..][..len as usize], lc);
        self.keys = keys;
        let table_full = self.held_bytes() >= self.table_bytes;
        if self.states.len() >= MAX_STATES || table_full {
            let quickly = self.windows < QUICK_FILL;
            if quickly
                && table_full
                && self.distinct <= 1
                && self.table_bytes < MAX_GROWN_TABLE_BYTES
            {
                // It will not be split: give it room instead.
                self.table_bytes *= 2;
            }
            // Keep what was just worked out across the reset.
            let set = std::mem::take(&mut self.set);
            let hits = self.hits.clone();
            self.filled_quickly |= quickly;
            self.windows = 0;
            self.stats.emptied += 1;
            self.reset();
            // `intern_set` reads the set's NFA states off their marks.
            for &id in &set {
                self.mark[id as usize] = self.stamp;
            }
            self.set = set;
            self.hits = hits;
            return self.intern_set();
        }
        let to = self.intern_set();
        let flag = if self.states[to as usize].found == UNKNOWN {
            0
        } else {
            FOUND_BIT
        };
        if (lc as usize) < self.stride {
            self.trans[from as usize * self.stride + lc as usize] = to as u16 | flag;
        } else {
            self.far.insert(from, lc, to as u16 | flag);
        }
        to
    }

    /// Runs over a window, and says in `found` (emptied first) which rules
    /// may match in it and where their last possible match ends. Token tests
    /// are answered through `memo`. In line: its one caller's loop over the
    /// automata and this loop over the tokens are the hot path.
    #[inline(always)]
    pub fn scan(
        &mut self,
        program: &Program,
        classes: &Classes,
        memo: &mut Memo,
        window: &Window,
        found: &mut Found,
    ) {
        let clock = self.timed.then(std::time::Instant::now);
        found.rules.clear();
        found.rules.resize(self.members.len().div_ceil(64), 0);
        found.last.clear();
        found.last.resize(self.members.len(), 0);
        self.windows += 1;
        let mut s = 0u32;
        self.note(s, 0, found);
        let n = window.classes.len() as u32;
        let mut from = 0;
        for &cut in window.cuts.iter().chain([&n]) {
            let mut i = from;
            while i < cut {
                // The common case in a tight loop over borrowed tables: a
                // class met before, no record here, a known transition, no
                // match. Anything else leaves it for the step below.
                let (trans, local, stride) = (&self.trans[..], &self.local[..], self.stride);
                let step = |s: &mut u32, class: u32| {
                    let Some(&l) = local.get(class as usize) else {
                        return false;
                    };
                    // A class not met yet (`UNKNOWN`), or one without a column.
                    if l as usize >= stride {
                        return false;
                    }
                    match trans[*s as usize * stride + l as usize] {
                        t if t == NO_STATE || t & FOUND_BIT != 0 => false,
                        t => {
                            *s = u32::from(t);
                            true
                        }
                    }
                };
                let run = &window.classes[i as usize..cut as usize];
                if window.masks.is_empty() {
                    for &class in run {
                        if !step(&mut s, class) {
                            break;
                        }
                        i += 1;
                    }
                } else {
                    // Where records start or end, the step below.
                    let masks = &window.masks[i as usize..cut as usize];
                    for (&class, &mask) in run.iter().zip(masks) {
                        if mask != 0 || !step(&mut s, class) {
                            break;
                        }
                        i += 1;
                    }
                }
                if i == cut {
                    break;
                }
                let class = window.classes[i as usize];
                let mask = window.masks.get(i as usize).copied().unwrap_or(0);
                // The common case inline: a class met before, no record here.
                let known = match self.local.get(class as usize) {
                    Some(&l) if mask == 0 && l != UNKNOWN => l,
                    _ => self.local_class(program, classes, memo, class, mask),
                };
                let matched;
                (s, matched) = self.next(s, known);
                if matched {
                    self.note(s, i + 1, found);
                }
                i += 1;
            }
            if cut < n || window.ends_sentence {
                let matched;
                (s, matched) = self.next(s, self.boundary_lc);
                if matched {
                    self.note(s, cut, found);
                }
            }
            from = cut;
        }
        if clock.is_some() {
            self.stats.tokens += u64::from(n);
            super::add_elapsed(&mut self.stats.nanos, clock);
        }
    }

    /// The state after `s` on local class `lc`, and whether a rule matches there.
    #[inline(always)]
    fn next(&mut self, s: u32, lc: u32) -> (u32, bool) {
        let known = if (lc as usize) < self.stride {
            self.trans[s as usize * self.stride + lc as usize]
        } else {
            self.far.get(s, lc)
        };
        match known {
            NO_STATE => {
                let clock = self.timed.then(std::time::Instant::now);
                let to = self.step(s, lc);
                super::add_elapsed(&mut self.stats.building_nanos, clock);
                (to, self.states[to as usize].found != UNKNOWN)
            }
            t => (u32::from(t & !FOUND_BIT), t & FOUND_BIT != 0),
        }
    }

    /// Notes the matches that end in state `s`, after `at` tokens.
    #[inline]
    fn note(&self, s: u32, at: u32, found: &mut Found) {
        let f = self.states[s as usize].found;
        if f != UNKNOWN {
            for (w, (o, &h)) in found
                .rules
                .iter_mut()
                .zip(self.found[f as usize].iter())
                .enumerate()
            {
                *o |= h;
                let mut bits = h;
                while bits != 0 {
                    found.last[64 * w + bits.trailing_zeros() as usize] = at;
                    bits &= bits - 1;
                }
            }
        }
    }
}

/// A 64-bit mix of `x` (splitmix64's last steps): the words of
/// [`Dfa::zobrist`], and a state's matches in its hash.
#[inline]
fn mix(x: u64) -> u64 {
    let x = (x ^ x >> 30).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let x = (x ^ x >> 27).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ x >> 31
}

/// The transitions on local classes without a column in the table: an
/// open-addressed table of one word per transition (its state, local class
/// and target packed together), so that a look-up costs one cache miss where
/// a map with its control bytes apart costs two. Kept at most half full.
#[derive(Default)]
struct FarTable {
    /// `state << 48 | local class << 16 | target`, or [`FarTable::EMPTY`].
    slots: Vec<u64>,
    len: usize,
}

impl FarTable {
    const EMPTY: u64 = u64::MAX;

    /// Where the search for (`s`, `lc`) starts.
    #[inline]
    fn home(&self, s: u32, lc: u32) -> usize {
        let key = (u64::from(s) << 32 | u64::from(lc)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (key >> 32) as usize & (self.slots.len() - 1)
    }

    /// The transition from state `s` on local class `lc`, or [`NO_STATE`].
    #[inline]
    fn get(&self, s: u32, lc: u32) -> u16 {
        if self.slots.is_empty() {
            return NO_STATE;
        }
        let key = u64::from(s) << 48 | u64::from(lc) << 16;
        let mask = self.slots.len() - 1;
        let mut i = self.home(s, lc);
        loop {
            match self.slots[i] {
                Self::EMPTY => return NO_STATE,
                e if e & !0xFFFF == key => return e as u16,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Adds the transition from state `s` (below 2¹⁶) on local class `lc`
    /// (below 2³²) to `to`; it is not there yet.
    fn insert(&mut self, s: u32, lc: u32, to: u16) {
        debug_assert!(s <= 0xFFFF && self.get(s, lc) == NO_STATE);
        if 2 * (self.len + 1) > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![Self::EMPTY; (2 * old.len()).max(1024)];
            for e in old.into_iter().filter(|&e| e != Self::EMPTY) {
                self.place(e);
            }
        }
        self.place(u64::from(s) << 48 | u64::from(lc) << 16 | u64::from(to));
        self.len += 1;
    }

    fn place(&mut self, e: u64) {
        let mask = self.slots.len() - 1;
        let mut i = self.home((e >> 48) as u32, (e >> 16) as u32);
        while self.slots[i] != Self::EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = e;
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Empties it, keeping its room.
    fn clear(&mut self) {
        self.slots.fill(Self::EMPTY);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Runner;

    /// The table of far transitions answers as a map does, through its
    /// growing and after it is emptied; states and classes at their limits
    /// do not read as empty slots.
    #[test]
    fn far_transitions_are_found_as_a_map_finds_them() {
        let mut table = FarTable::default();
        let mut map = HashMap::default();
        assert_eq!(table.get(0, 0), NO_STATE);
        for round in 0..2 {
            for i in 0..5000u32 {
                let (s, lc) = (
                    (i * 7919 + round) % MAX_STATES as u32,
                    i.wrapping_mul(2_654_435_761),
                );
                if map.contains_key(&(s, lc)) {
                    continue;
                }
                let to = (i % 0xFFFE) as u16;
                table.insert(s, lc, to);
                map.insert((s, lc), to);
            }
            table.insert(MAX_STATES as u32 - 1, u32::MAX, 0xFFFE);
            map.insert((MAX_STATES as u32 - 1, u32::MAX), 0xFFFE);
            assert_eq!(table.len(), map.len());
            assert!(table.slots.len() >= 2 * table.len());
            for (&(s, lc), &to) in &map {
                assert_eq!(table.get(s, lc), to);
                let other = map.get(&(s, lc ^ 1 << 31)).copied();
                assert_eq!(table.get(s, lc ^ 1 << 31), other.unwrap_or(NO_STATE));
            }
            table.clear();
            map.clear();
            assert_eq!(table.get(MAX_STATES as u32 - 1, u32::MAX), NO_STATE);
        }
    }

    /// States are looked up by a hash of their NFA states, and told apart
    /// by the marks of this step's NFA states. With every NFA state's word
    /// made 0, every state with the same matches has the same hash, so each
    /// look-up has to tell the states apart by their marks alone: over
    /// paragraphs of random sentences the automaton still answers each
    /// window as one with the real hash does. Rule `a`'s `^` is waited at
    /// (after `y`) and passed at a boundary (after `x !`): were it left
    /// marked when passed, the boundary after `x !` would lead to the state
    /// after `y`, which holds only it.
    #[test]
    fn states_are_told_apart_when_every_hash_is_the_same() {
        let source = "record A()\n\
            rule a within paragraph { match (\"x\" \"!\" $ | \"y\") ^ \"z\" emit A {} }\n\
            rule b within paragraph { match \"z\" \"x\"+ \"!\" $ emit A {} }\n\
            rule c within paragraph { match ^ \"w\" (\"x\" | \"z\")* \"y\" emit A {} }\n";
        let program = crate::Program::from_source("t.rules", source).expect("rules build");
        // A capital after `!` starts a sentence; a lower-case word does not.
        let words = ["X", "z", "W", "y", "Z", "x"];
        let mut text = String::new();
        let mut seed = 0x9E37_79B9_u64;
        for paragraph in 0..1000 {
            for _ in 0..1 + paragraph % 4 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                for k in 0..1 + (seed >> 61) {
                    text.push_str(words[(seed >> (5 * k + 20)) as usize % words.len()]);
                    text.push(' ');
                }
                text.push_str("! ");
            }
            text.push_str("\n\n");
        }
        let mut runner = Runner::new();
        let a = runner.analyze(&program, &text);
        let (mut matched, mut cut) = (0, 0);
        // Rule `a` alone (its states are few, so many of them are one NFA
        // state long), then the three.
        for members in [&[0][..], &[0, 1, 2]] {
            let mut same_hash = Dfa::new(&program, members);
            same_hash.zobrist.iter_mut().for_each(|z| *z = 0);
            let mut real = Dfa::new(&program, members);
            let (mut got, mut want) = (Found::default(), Found::default());
            for p in &a.segments.paragraphs {
                let cuts: Vec<u32> = a
                    .segments
                    .sentences
                    .iter()
                    .filter(|s| s.start > p.start && s.start < p.end)
                    .map(|s| s.start - p.start)
                    .collect();
                let window = Window {
                    classes: &a.classes[p.start as usize..p.end as usize],
                    masks: &[],
                    cuts: &cuts,
                    ends_sentence: true,
                };
                let memo = runner.vm.memo();
                same_hash.scan(&program, &runner.classes, memo, &window, &mut got);
                real.scan(&program, &runner.classes, memo, &window, &mut want);
                assert_eq!((&got.rules, &got.last), (&want.rules, &want.last));
                matched += usize::from(want.rules[0] != 0);
                cut += usize::from(!cuts.is_empty());
            }
            assert!(
                same_hash.states.len() > 3,
                "{} states",
                same_hash.states.len()
            );
        }
        assert!(matched > 20, "{matched} windows where rule a may match");
        assert!(cut > 100, "{cut} windows of more than one sentence");
    }

    /// A rule whose automaton has many states (which of the last 18 tokens
    /// were words of the first half of the vocabulary and could start a
    /// match) and more local classes than a row has columns, over a text of
    /// random words: its table fills within a few hundred windows, so (one
    /// rule: it cannot be split) it grows, to its bound, and its cache is
    /// emptied again and again. Each window's answer is still the one a new
    /// automaton gives for that window alone, through transitions kept in
    /// rows and in `far` alike.
    #[test]
    fn an_automaton_that_cannot_be_split_grows_its_table_and_answers_the_same() {
        let vocab: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        let any = |words: &[String]| {
            let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
            format!("({})", quoted.join(" | "))
        };
        // Each gap token is none of a sixteenth of the words, picked by a
        // hash: most words pass their own set of the gap's tests.
        let gap: Vec<String> = (0..18u64)
            .map(|k| {
                let set: Vec<String> = (0..vocab.len())
                    .filter(|&i| {
                        const K: u64 = 0x9E37_79B9_7F4A_7C15;
                        let h = ((i as u64) << 8 | k).wrapping_mul(K);
                        (h ^ h >> 29).wrapping_mul(K) >> 60 == 0
                    })
                    .map(|i| vocab[i].clone())
                    .collect();
                format!("!{}", any(&set))
            })
            .collect();
        let source = format!(
            "record A()\nrule a {{ match {} {} {} emit A {{}} }}\n",
            any(&vocab[..100]),
            gap.join(" "),
            any(&vocab[100..]),
        );
        let program = crate::Program::from_source("t.rules", &source).expect("rules build");
        let mut text = String::new();
        let mut seed = 0x2545_f491_u64;
        for sentence in 0..10_000 {
            for _ in 0..30 + sentence % 11 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(&vocab[(seed >> 33) as usize % vocab.len()]);
                text.push(' ');
            }
            text.push_str("end.\n");
        }
        let mut runner = Runner::new();
        let a = runner.analyze(&program, &text);
        assert_eq!(a.segments.sentences.len(), 10_000);
        let members = [0];
        let mut kept = Dfa::new(&program, &members);
        let (mut found, mut alone) = (Found::default(), Found::default());
        let (mut most, mut held, mut far, mut emptied, mut matched) = (0, 0, 0, 0, 0);
        for s in &a.segments.sentences {
            let window = Window {
                classes: &a.classes[s.start as usize..s.end as usize],
                masks: &[],
                cuts: &[],
                ends_sentence: true,
            };
            let before = kept.states.len();
            kept.scan(
                &program,
                &runner.classes,
                runner.vm.memo(),
                &window,
                &mut found,
            );
            emptied += usize::from(kept.states.len() < before);
            let mut new = Dfa::new(&program, &members);
            new.scan(
                &program,
                &runner.classes,
                runner.vm.memo(),
                &window,
                &mut alone,
            );
            assert_eq!((&found.rules, &found.last), (&alone.rules, &alone.last));
            matched += usize::from(found.rules[0] != 0);
            most = most.max(kept.states.len());
            far = far.max(kept.far.len());
            held = held.max(kept.held_bytes());
        }
        assert!(matched > 1000, "{matched} windows with a match");
        assert!(emptied >= 3, "emptied {emptied} times");
        assert_eq!(
            kept.table_bytes, MAX_GROWN_TABLE_BYTES,
            "at most {most} states"
        );
        // It held more than a table of the first size could, with
        // transitions in rows and in `far`.
        assert!(held > MAX_TABLE_BYTES, "{most} states, {held} bytes");
        assert_eq!(kept.stride, DENSE);
        assert!(
            kept.local_sig.len() > DENSE,
            "{} local classes",
            kept.local_sig.len()
        );
        assert!(far > 1000, "{far} transitions in `far`");
    }
}
