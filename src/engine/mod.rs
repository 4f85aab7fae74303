//! Running a compiled program over documents.
//!
//! Per document: tokenize, find sentences and paragraphs, give each token its
//! word id; then, stratum by stratum, run each rule over the windows of its
//! scope that pass its prefilter, and resolve overlaps per record type.

pub mod classes;
mod dfa;
pub mod record;
pub mod trace;
pub mod vm;

use crate::check::hir::FieldExpr;
use crate::compile::{Program, Rule};
use crate::text::{Document, Segments, Token, normalize, segment, tokenize};
pub use record::{Field, FieldRef, Record, RecordRef};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::ops::Range;
use vm::{DocView, NONE, Vm};

/// The tokens a match's record spans: with `emit T at x`, capture x when it
/// took part (and is not empty), else the whole match.
fn record_span(rule: &Rule, slots: &[u32]) -> (u32, u32) {
    match rule.span_capture {
        Some(k)
            if slots[3 + 2 * k] != NONE
                && slots[2 + 2 * k] != NONE
                && slots[3 + 2 * k] > slots[2 + 2 * k] =>
        {
            (slots[2 + 2 * k], slots[3 + 2 * k])
        }
        _ => (slots[0], slots[1]),
    }
}

/// A match before overlaps are resolved.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The rule (index into [`Program::rules`]).
    pub rule: usize,
    /// Token span.
    pub start: u32,
    /// Token span end.
    pub end: u32,
    /// Capture slots (token positions): in line up to two captures.
    pub slots: Slots,
}

/// A candidate's capture slots: the match's start and end, then each
/// capture's; held in line for rules of up to two captures (most of the
/// candidates: names, places, dates), so that a candidate takes no more
/// room than with a vector of its own (a very long document holds many).
pub type Slots = smallvec::SmallVec<[u32; 6]>;

/// A document tokenized and segmented, with word ids for one program.
pub struct Analysis {
    /// Tokens.
    pub tokens: Vec<Token>,
    /// Sentences and paragraphs.
    pub segments: Segments,
    /// Word id of each token.
    pub words: Vec<u32>,
    /// Class of each token (see [`classes`]), numbered by the runner that made this.
    pub classes: Vec<u32>,
    /// `boundary.get(i)`: a sentence starts at token `i` (or `i` is the end).
    pub boundary: Bits,
}

/// A set of positions, one bit each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// No positions of `0..n`.
    pub fn new(n: usize) -> Bits {
        Bits {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Adds position `i`.
    pub fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Whether position `i` is in.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 != 0
    }

    /// No positions of `0..n`, in the room it already has.
    pub fn reset(&mut self, n: usize) {
        self.words.clear();
        self.words.resize(n.div_ceil(64), 0);
    }

    /// Whether no position is in.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether any position of `from..to` is in.
    pub fn any_in(&self, from: usize, to: usize) -> bool {
        (from / 64..to.div_ceil(64)).any(|w| {
            let low = if w == from / 64 { from % 64 } else { 0 };
            let high = if w == to / 64 { to % 64 } else { 64 };
            high > low
                && self
                    .words
                    .get(w)
                    .is_some_and(|&b| b & (u64::MAX >> (64 - (high - low))) << low != 0)
        })
    }
}

/// Reusable state for running a program; one per thread.
pub struct Runner {
    vm: Vm,
    marks: Vec<u32>,
    stamp: u32,
    /// The rules marked in the current window, each once.
    marked: Vec<u32>,
    /// For each trigger list: the stamp of the window that last applied it.
    lists_seen: Vec<u32>,
    /// For each token class: its trigger list (`u32::MAX`: not looked up yet).
    class_lists: Vec<u32>,
    /// Positions (in the group's schedule) of the rules to try in the current window.
    todo: Bits,
    /// The rules the matcher ran in the current window, and where their
    /// candidates are in their record type's list: for [`Rule::matches_as`].
    ran: Vec<(usize, Range<usize>)>,
    classes: classes::Classes,
    /// The prefilter of each stratum and scope (`3 * stratum + scope`), built when first needed.
    /// Each automaton covers a run of the group's rules, from an offset.
    dfas: Vec<Option<Vec<(usize, dfa::Dfa)>>>,
    /// Which rules of the current group the prefilter lets through (a bit per rule).
    allowed: Vec<u64>,
    /// What the last automaton's scan found.
    found: dfa::Found,
    /// Where sentences start in the current window (see [`dfa::Window::cuts`]).
    cuts: Vec<u32>,
    masks: Vec<u32>,
    /// For each rule of the current group (by position) that the prefilter
    /// lets through in the current window: the token by which every match
    /// ends (stale for the others, and not read).
    limit: Vec<u32>,
    /// Run every rule on every window, without the automaton prefilter (to
    /// check that it changes nothing, and to measure what it saves). Set from
    /// the environment variable `GLEANER_NO_DFA` by [`Runner::new`].
    pub no_dfa: bool,
    /// Find matches with the Pike VM alone, never the backtracker that small
    /// searches go to (to check that both find the same). Set from the
    /// environment variable `GLEANER_PIKE_ONLY` by [`Runner::new`].
    pub pike_only: bool,
    /// When set, the time spent in each rule and the windows it ran on; the
    /// runner then also times its phases and its prefilter automata
    /// ([`Runner::phase_profile`], [`Runner::automata_profile`]).
    pub profile: Option<Vec<RuleProfile>>,
    /// With `profile`: time spent by phase.
    phases: PhaseProfile,
    /// Automata split in two since they were built: what they did.
    retired: Vec<AutomatonProfile>,
    /// When set, every candidate that overlap resolution drops, with the one that beat it.
    pub losses: Option<Vec<trace::Loss>>,
    /// Documents of up to this many tokens have the rules each window's words
    /// trigger worked out once, for every stratum; longer ones per stratum
    /// (four bytes a rule a window held at once would add up to tens of MB).
    pub trigger_cache_tokens: usize,
}

/// The default of [`Runner::trigger_cache_tokens`]: about 10 MB of text.
pub const TRIGGER_CACHE_TOKENS: usize = 1 << 21;

/// Time a runner spent by phase, in nanoseconds (see [`Runner::profile`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct PhaseProfile {
    /// Tokenizing, splitting sentences and paragraphs, classifying tokens.
    pub analyze: u64,
    /// Running the prefilter automata over windows (building their states
    /// as the text needs them).
    pub prefilter: u64,
    /// Building records from the matches that survived, in order.
    pub records: u64,
}

/// What one prefilter automaton cost (see [`Runner::automata_profile`]).
#[derive(Clone, Debug)]
pub struct AutomatonProfile {
    /// The stratum of its rules (rules that use records of other rules'
    /// types run in a later stratum than those).
    pub stratum: usize,
    /// The scope of its rules: the windows it scans.
    pub scope: crate::syntax::ast::Scope,
    /// Its rules (indices into the program's rules).
    pub rules: Vec<usize>,
    /// Transitions it worked out, times its cache was emptied; and, while
    /// `profile` was set, the tokens it scanned, the time that took and
    /// the part of it spent building its states.
    pub stats: dfa::Stats,
}

/// What one rule cost (see [`Runner::profile`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct RuleProfile {
    /// Time spent matching, in nanoseconds.
    pub nanos: u64,
    /// Windows the rule was run on (its prefilter passed).
    pub windows: u64,
    /// Matches it found, before overlaps were resolved.
    pub matches: u64,
}

/// Runs `f` with a runner of this thread kept for `program`: its caches
/// (token classes, prefilter automata) stay warm from one call to the next, as
/// they do for one [`Runner`] kept by the caller. For worker threads that are
/// handed documents in batches.
pub fn with_runner<R>(program: &Program, f: impl FnOnce(&mut Runner) -> R) -> R {
    use std::cell::RefCell;
    thread_local! {
        static RUNNERS: RefCell<Vec<Runner>> = const { RefCell::new(Vec::new()) };
    }
    // Taken out while `f` runs, so that `f` may call this again.
    let mut runner = RUNNERS
        .with(|r| {
            let mut r = r.borrow_mut();
            let i = r.iter().position(|x| x.classes.program() == program.id)?;
            Some(r.remove(i))
        })
        .unwrap_or_default();
    let out = f(&mut runner);
    RUNNERS.with(|r| {
        let mut r = r.borrow_mut();
        // A few programs at a time (`diff` runs two).
        if r.len() >= 4 {
            r.remove(0);
        }
        r.push(runner);
    });
    out
}

impl Default for Runner {
    fn default() -> Runner {
        Runner::new()
    }
}

impl Runner {
    /// A new runner.
    pub fn new() -> Runner {
        Runner {
            vm: Vm::default(),
            marks: Vec::new(),
            stamp: 0,
            marked: Vec::new(),
            lists_seen: Vec::new(),
            class_lists: Vec::new(),
            todo: Bits::default(),
            ran: Vec::new(),
            classes: classes::Classes::default(),
            dfas: Vec::new(),
            allowed: Vec::new(),
            found: dfa::Found::default(),
            cuts: Vec::new(),
            masks: Vec::new(),
            limit: Vec::new(),
            profile: None,
            phases: PhaseProfile::default(),
            retired: Vec::new(),
            losses: None,
            no_dfa: std::env::var_os("GLEANER_NO_DFA").is_some(),
            pike_only: std::env::var_os("GLEANER_PIKE_ONLY").is_some(),
            trigger_cache_tokens: TRIGGER_CACHE_TOKENS,
        }
    }

    /// Tokenizes and segments a text, and looks up word ids and token classes.
    pub fn analyze(&mut self, program: &Program, text: &str) -> Analysis {
        let mut tokens = Vec::with_capacity(text.len() / 5);
        tokenize(text, &mut tokens);
        let segments = segment(text, &tokens);
        if self.classes.adopt(program) {
            self.dfas.clear();
            self.class_lists.clear();
            // What the last program's automata cost, with them.
            self.retired.clear();
        }
        // The per-class test answers the prefilter and the VM share.
        self.vm.memo().adopt(program);
        let mut words = Vec::with_capacity(tokens.len());
        let mut classes = Vec::with_capacity(tokens.len());
        self.classes
            .classify_all(program, text, &tokens, &mut words, &mut classes);
        let mut boundary = Bits::new(tokens.len() + 1);
        for s in &segments.sentences {
            boundary.set(s.start as usize);
        }
        boundary.set(tokens.len());
        Analysis {
            tokens,
            segments,
            words,
            classes,
            boundary,
        }
    }

    /// Runs every rule over a document and returns its records, sorted by
    /// position (then longest first, then by type and rule).
    pub fn run(&mut self, program: &Program, doc: &Document) -> Vec<Record> {
        let mut records = Vec::new();
        self.run_each(program, doc, &mut |r| records.push(r));
        records
    }

    /// [`Runner::run`], handing each record to `each` as it is built, in the
    /// same order, instead of holding them all: a long document's records
    /// can be written out as they come.
    pub fn run_each(&mut self, program: &Program, doc: &Document, each: &mut dyn FnMut(Record)) {
        self.run_each_ref(program, doc, &mut |r| each(r.to_record()));
    }

    /// [`Runner::run_each`], handing on each record as a [`RecordRef`] that
    /// borrows its strings: for writing records out without copying them.
    pub fn run_each_ref(
        &mut self,
        program: &Program,
        doc: &Document,
        each: &mut dyn FnMut(RecordRef<'_>),
    ) {
        let clock = start_clock(&self.profile);
        let mut analysis = self.analyze(program, &doc.text);
        add_elapsed(&mut self.phases.analyze, clock);
        let finals = self.run_analysis(program, &doc.text, &analysis);
        let clock = start_clock(&self.profile);
        // Records are built from tokens, words and sentence starts only.
        analysis.classes = Vec::new();
        let cx = RecordContext::new(program, doc, &analysis, &finals);
        // A record's span is its candidate's, so candidates sort as their
        // records would: by start, longest first, then type and rule (a
        // stable sort of positions; `finals` keeps its order for `resolve`).
        let mut order: Vec<u32> = (0..finals.len() as u32).collect();
        order.sort_by(|&x, &y| {
            let key = |i: u32| {
                let c = &finals[i as usize];
                let rule = &program.rules[c.rule];
                let kind = &program.records[rule.record].name;
                (c.start, std::cmp::Reverse(c.end), kind, &rule.id)
            };
            key(x).cmp(&key(y))
        });
        for i in order {
            each(build_record(&cx, &finals[i as usize]));
        }
        add_elapsed(&mut self.phases.records, clock);
    }

    /// With [`Runner::profile`] set: the time spent by phase so far (the
    /// rules' own matching is in the profile itself).
    pub fn phase_profile(&self) -> PhaseProfile {
        self.phases
    }

    /// With [`Runner::profile`] set: what each prefilter automaton built so
    /// far cost, in the order of their groups (those split in two since
    /// first, then the ones in use).
    pub fn automata_profile(&self, program: &Program) -> Vec<AutomatonProfile> {
        let mut out = self.retired.clone();
        for (_, dfa) in self.dfas.iter().flatten().flatten() {
            out.push(automaton_profile(program, dfa));
        }
        out
    }

    /// Runs every rule; returns the candidates that survive overlap resolution.
    pub fn run_analysis(&mut self, program: &Program, text: &str, a: &Analysis) -> Vec<Candidate> {
        let ntypes = program.records.len();
        let mut spans: Vec<Vec<(u32, u32)>> = vec![Vec::new(); ntypes];
        let mut pending: Vec<Vec<Candidate>> = vec![Vec::new(); ntypes];
        let mut finals: Vec<Candidate> = Vec::new();
        let whole = std::slice::from_ref(&(0..a.tokens.len() as u32)).to_vec();
        self.vm.pike_only = self.pike_only;
        if self.marks.len() < program.trigger_ids {
            self.marks.resize(program.trigger_ids, 0);
        }
        // For each scope, the rules each window's words trigger (of every
        // stratum): worked out once, used by each stratum; for a very long
        // document, again for each stratum instead of held.
        let mut triggered: [Option<(Vec<u32>, Vec<usize>)>; 3] = [None, None, None];
        let cache_triggers = a.tokens.len() <= self.trigger_cache_tokens;
        let mut marked_here = Vec::new();
        for stratum in 0..program.strata {
            for (scope, scheduled) in program.schedule[stratum].iter().enumerate() {
                if scheduled.is_empty() {
                    continue;
                }
                let windows: &[Range<u32>] = match scope {
                    0 => &a.segments.sentences,
                    1 => &a.segments.paragraphs,
                    _ => &whole,
                };
                let group = 3 * stratum + scope;
                if !self.no_dfa && self.dfas.len() <= group {
                    self.dfas.resize_with(group + 1, || None);
                }
                if cache_triggers && triggered[scope].is_none() {
                    let (mut flat, mut ends) = (Vec::new(), Vec::with_capacity(windows.len()));
                    if let (1 | 2, Some((by_sentence, sentence_ends))) = (scope, &triggered[0]) {
                        // A paragraph, or the document, is whole sentences:
                        // its words trigger what its sentences' words do.
                        let sentences = &a.segments.sentences;
                        let mut k = 0;
                        for w in windows {
                            self.next_stamp();
                            while k < sentences.len() && sentences[k].end <= w.end {
                                let from = if k == 0 { 0 } else { sentence_ends[k - 1] };
                                for &r in &by_sentence[from..sentence_ends[k]] {
                                    if self.marks[r as usize] != self.stamp {
                                        self.marks[r as usize] = self.stamp;
                                        flat.push(r);
                                    }
                                }
                                k += 1;
                            }
                            ends.push(flat.len());
                        }
                    } else {
                        for w in windows {
                            self.mark(program, a, w);
                            flat.extend_from_slice(&self.marked);
                            ends.push(flat.len());
                        }
                    }
                    triggered[scope] = Some((flat, ends));
                }
                let needs_also = program.schedule_needs_also[stratum][scope];
                for (wi, w) in windows.iter().enumerate() {
                    if w.is_empty() {
                        continue;
                    }
                    // The rules worth trying: those whose words the window holds, and those
                    // that need none; in rule order.
                    let marked: &[u32] = match &triggered[scope] {
                        Some((flat, ends)) => {
                            &flat[if wi == 0 { 0 } else { ends[wi - 1] }..ends[wi]]
                        }
                        None => {
                            self.mark(program, a, w);
                            marked_here.clear();
                            marked_here.extend_from_slice(&self.marked);
                            &marked_here
                        }
                    };
                    self.todo.reset(scheduled.len());
                    for &k in &program.schedule_always[stratum][scope] {
                        self.todo.set(k as usize);
                    }
                    // Rules that need a record of some type, where one starts.
                    for &k in &program.schedule_typed[stratum][scope] {
                        let rule = &program.rules[scheduled[k as usize] as usize];
                        if let Some(types) = &rule.required_types
                            && types.iter().any(|&t| has_span_in(&spans[t], w))
                        {
                            self.todo.set(k as usize);
                        }
                    }
                    // Marked: the trigger numbers the window's words satisfy.
                    // A rule that needs two sets of words needs both.
                    if needs_also {
                        self.next_stamp();
                        for &r in marked {
                            self.marks[r as usize] = self.stamp;
                        }
                    }
                    for &r in marked {
                        // Trigger numbers past the rules' are second ones.
                        let Some(at) = program.scheduled.get(r as usize) else {
                            continue;
                        };
                        if at.group as usize == group
                            && (at.also == u32::MAX || self.marks[at.also as usize] == self.stamp)
                        {
                            self.todo.set(at.pos as usize);
                        }
                    }
                    if self.todo.is_empty() {
                        continue;
                    }
                    if !self.no_dfa {
                        let clock = start_clock(&self.profile);
                        self.prefilter(program, a, &spans, group, scheduled, w);
                        add_elapsed(&mut self.phases.prefilter, clock);
                    }
                    self.ran.clear();
                    for word in 0..self.todo.words.len() {
                        let mut bits = self.todo.words[word];
                        if !self.no_dfa {
                            bits &= self.allowed[word];
                        }
                        while bits != 0 {
                            let k = 64 * word + bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            let ri = scheduled[k] as usize;
                            let rule = &program.rules[ri];
                            let clock = start_clock(&self.profile);
                            let before = pending[rule.record].len();
                            // The same matches, found for an earlier rule.
                            let earlier = rule.matches_as.as_ref().and_then(|m| {
                                let (_, at) =
                                    self.ran.iter().find(|(r, _)| *r == m.rule as usize)?;
                                Some((program.rules[m.rule as usize].record, at.clone(), &m.slots))
                            });
                            if let Some((record, at, map)) = earlier {
                                for c in at {
                                    let theirs = &pending[record][c].slots;
                                    let slots: Slots =
                                        map.iter().map(|&s| theirs[s as usize]).collect();
                                    let (start, end) = record_span(rule, &slots);
                                    pending[rule.record].push(Candidate {
                                        rule: ri,
                                        start,
                                        end,
                                        slots,
                                    });
                                }
                                self.note_profile(
                                    program,
                                    ri,
                                    clock,
                                    pending[rule.record].len() - before,
                                );
                                continue;
                            }
                            let view = DocView {
                                text,
                                tokens: &a.tokens,
                                words: &a.words,
                                boundary: &a.boundary,
                                spans: &spans,
                                classes: Some((&a.classes, &self.classes)),
                            };
                            let out = &mut pending[rule.record];
                            let end = if self.no_dfa { w.end } else { self.limit[k] };
                            self.vm
                                .find_all(program, rule, &view, w.start, end, &mut |slots| {
                                    let (start, end) = record_span(rule, slots);
                                    out.push(Candidate {
                                        rule: ri,
                                        start,
                                        end,
                                        slots: Slots::from_slice(slots),
                                    });
                                });
                            let after = out.len();
                            self.ran.push((ri, before..after));
                            self.note_profile(program, ri, clock, after - before);
                        }
                    }
                }
            }
            // Types whose every emitter has run are final now.
            for t in 0..ntypes {
                if program.type_stratum[t] == stratum && !pending[t].is_empty() {
                    let winners = resolve_noting(
                        program,
                        t,
                        std::mem::take(&mut pending[t]),
                        a.tokens.len(),
                        self.losses.as_mut(),
                    );
                    spans[t] = winners.iter().map(|c| (c.start, c.end)).collect();
                    spans[t].sort_unstable();
                    finals.extend(winners);
                }
            }
        }
        finals
    }

    /// With `--profile`: adds a window of rule `ri` that took since `clock`
    /// and found `matches`.
    fn note_profile(
        &mut self,
        program: &Program,
        ri: usize,
        clock: Option<std::time::Instant>,
        matches: usize,
    ) {
        if let (Some(profile), Some(clock)) = (&mut self.profile, clock) {
            if profile.len() < program.rules.len() {
                profile.resize(program.rules.len(), RuleProfile::default());
            }
            let p = &mut profile[ri];
            add_elapsed(&mut p.nanos, Some(clock));
            p.windows += 1;
            p.matches += matches as u64;
        }
    }

    /// Sets in `allowed` the rules of `scheduled` (group `group`) that the
    /// prefilter automata let through in window `w`. The group starts with one
    /// automaton per 64 rules; one whose states keep overflowing its cache is
    /// split in two.
    fn prefilter(
        &mut self,
        program: &Program,
        a: &Analysis,
        spans: &[Vec<(u32, u32)>],
        group: usize,
        scheduled: &[u32],
        w: &Range<u32>,
    ) {
        let parts = self.dfas[group].get_or_insert_with(|| {
            scheduled
                .chunks(64)
                .enumerate()
                .map(|(i, c)| (64 * i, dfa::Dfa::new(program, c)))
                .collect()
        });
        if self.profile.is_some() {
            // Automata made before `profile` was set are timed from here on.
            parts.iter_mut().for_each(|(_, dfa)| dfa.time());
        }
        self.allowed.clear();
        self.allowed.resize(scheduled.len().div_ceil(64), 0);
        // Each rule let through gets its limit below; the others' are not read.
        if self.limit.len() < scheduled.len() {
            self.limit.resize(scheduled.len(), 0);
        }
        let classes = &a.classes[w.start as usize..w.end as usize];
        // Where sentences start in the window: worked out for the first
        // automaton that scans it.
        let mut cuts_found = false;
        let mut split = None;
        for (i, (offset, dfa)) in parts.iter_mut().enumerate() {
            // When no rule of it is worth trying here, it has nothing to say.
            if !self.todo.any_in(*offset, *offset + dfa.len()) {
                continue;
            }
            // Where records of the types its rules refer to start and end.
            self.masks.clear();
            for (k, &t) in dfa.span_types().iter().enumerate() {
                let spans = &spans[t as usize];
                let first = spans.partition_point(|&(s, _)| s < w.start);
                for &(s, e) in spans[first..].iter().take_while(|&&(s, _)| s < w.end) {
                    if self.masks.is_empty() {
                        self.masks.resize(w.len(), 0);
                    }
                    self.masks[(s - w.start) as usize] |= 1 << (2 * k);
                    if e <= w.end {
                        self.masks[(e - 1 - w.start) as usize] |= 2 << (2 * k);
                    }
                }
            }
            if !cuts_found {
                let sentences = &a.segments.sentences;
                let first = sentences.partition_point(|s| s.start < w.start);
                self.cuts.clear();
                self.cuts.extend(
                    sentences[first..]
                        .iter()
                        .take_while(|s| s.start < w.end)
                        .map(|s| s.start - w.start),
                );
                cuts_found = true;
            }
            let window = dfa::Window {
                classes,
                masks: &self.masks,
                cuts: &self.cuts,
                ends_sentence: a.boundary.get(w.end as usize),
            };
            dfa.scan(
                program,
                &self.classes,
                self.vm.memo(),
                &window,
                &mut self.found,
            );
            // The rules it lets through (most it does not, in most windows).
            for (word, &bits) in self.found.rules.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    let k = 64 * word + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let r = *offset + k;
                    self.allowed[r / 64] |= 1 << (r % 64);
                    // No match ends after the last place the automaton saw one end.
                    self.limit[r] = match self.found.last[k] {
                        0 => w.end,
                        n => w.start + n,
                    };
                }
            }
            if split.is_none() && dfa.should_split() {
                split = Some(i);
            }
        }
        if let Some(i) = split {
            let (offset, dfa) = parts.remove(i);
            if self.profile.is_some() {
                self.retired.push(automaton_profile(program, &dfa));
            }
            let half = dfa.len() / 2;
            let rules = &scheduled[offset..offset + dfa.len()];
            parts.insert(i, (offset + half, dfa::Dfa::new(program, &rules[half..])));
            parts.insert(i, (offset, dfa::Dfa::new(program, &rules[..half])));
        }
    }

    /// A stamp no rule or trigger list is marked with yet.
    fn next_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.marks.iter_mut().for_each(|m| *m = 0);
            self.lists_seen.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
    }

    /// Marks the rules whose required words occur in window `w`.
    fn mark(&mut self, program: &Program, a: &Analysis, w: &Range<u32>) {
        self.next_stamp();
        self.marked.clear();
        if self.lists_seen.len() < program.trigger_lists.len() {
            self.lists_seen.resize(program.trigger_lists.len(), 0);
        }
        for &class in &a.classes[w.start as usize..w.end as usize] {
            // The words of a group trigger the same rules: looked up once per
            // token class, in a small table.
            let list = match self.class_lists.get(class as usize) {
                Some(&l) if l != u32::MAX => l,
                _ => {
                    let word = self.classes.info[(class / 2) as usize].word;
                    let l = program.triggers.get(word as usize).copied().unwrap_or(0);
                    if self.class_lists.len() <= class as usize {
                        self.class_lists.resize(class as usize + 1, u32::MAX);
                    }
                    self.class_lists[class as usize] = l;
                    l
                }
            };
            // A list met before in this window has nothing new to mark.
            if list == 0 || self.lists_seen[list as usize] == self.stamp {
                continue;
            }
            self.lists_seen[list as usize] = self.stamp;
            for &r in &program.trigger_lists[list as usize] {
                if self.marks[r as usize] != self.stamp {
                    self.marks[r as usize] = self.stamp;
                    self.marked.push(r);
                }
            }
        }
    }
}

/// With a profile kept (`--profile`), the time now, to measure from.
#[inline]
fn start_clock(profile: &Option<Vec<RuleProfile>>) -> Option<std::time::Instant> {
    profile.is_some().then(std::time::Instant::now)
}

/// Adds to `total` the nanoseconds since `clock`, if there is one.
#[inline]
fn add_elapsed(total: &mut u64, clock: Option<std::time::Instant>) {
    if let Some(clock) = clock {
        *total += clock.elapsed().as_nanos() as u64;
    }
}

/// What automaton `dfa` cost.
fn automaton_profile(program: &Program, dfa: &dfa::Dfa) -> AutomatonProfile {
    let rules: Vec<usize> = dfa.members().iter().map(|&r| r as usize).collect();
    let first = &program.rules[rules[0]];
    AutomatonProfile {
        stratum: first.stratum,
        scope: first.scope,
        rules,
        stats: dfa.stats(),
    }
}

fn has_span_in(spans: &[(u32, u32)], w: &Range<u32>) -> bool {
    let i = spans.partition_point(|&(s, _)| s < w.start);
    spans.get(i).is_some_and(|&(s, _)| s < w.end)
}

/// Resolves overlaps among the candidates of one record type: higher priority,
/// then longer, then earlier, then earlier rule wins; `keep all` keeps them all.
pub fn resolve(
    program: &Program,
    ty: usize,
    cands: Vec<Candidate>,
    ntokens: usize,
) -> Vec<Candidate> {
    resolve_noting(program, ty, cands, ntokens, None)
}

/// [`resolve`], noting in `losses` each candidate dropped, with the kept
/// candidate that beat it (the best-ranked one it overlaps).
pub fn resolve_noting(
    program: &Program,
    ty: usize,
    mut cands: Vec<Candidate>,
    ntokens: usize,
    mut losses: Option<&mut Vec<trace::Loss>>,
) -> Vec<Candidate> {
    let rank = |c: &Candidate| {
        let r: &Rule = &program.rules[c.rule];
        (
            std::cmp::Reverse(r.priority),
            std::cmp::Reverse(c.end - c.start),
            c.start,
            c.rule,
        )
    };
    cands.sort_by_key(rank);
    if program.records[ty].keep_all {
        return cands;
    }
    // Which tokens a kept candidate covers, over the stretch the candidates
    // span (not the whole document: a type's records are often few).
    let lo = cands.iter().map(|c| c.start).min().unwrap_or(0) as usize;
    let hi = cands.iter().map(|c| c.end).max().unwrap_or(0) as usize;
    debug_assert!(hi <= ntokens);
    let mut taken = Bits::new(hi.saturating_sub(lo));
    let mut out: Vec<Candidate> = Vec::with_capacity(cands.len());
    for c in cands {
        let range = c.start as usize - lo..c.end as usize - lo;
        if range.clone().any(|i| taken.get(i)) {
            if let Some(losses) = losses.as_deref_mut()
                && let Some(winner) = out.iter().find(|w| w.start < c.end && c.start < w.end)
            {
                losses.push(trace::Loss {
                    loser: c,
                    winner: winner.clone(),
                });
            }
            continue;
        }
        range.for_each(|i| taken.set(i));
        out.push(c);
    }
    out
}

fn byte_span(a: &Analysis, start: u32, end: u32) -> (usize, usize) {
    let s = a.tokens[start as usize].start as usize;
    let e = a.tokens[end as usize - 1].end() as usize;
    (s, e)
}

/// What building a record may look at beyond its own match.
pub struct RecordContext<'a> {
    /// The program.
    pub program: &'a Program,
    /// The document.
    pub doc: &'a Document,
    /// Its tokens and word ids.
    pub analysis: &'a Analysis,
    /// Its reference date, for relative dates: worked out when a record first
    /// needs it (most documents have no date to resolve).
    reference: std::cell::OnceCell<Option<chrono::NaiveDate>>,
    /// Every surviving candidate, for `resolve`.
    pub finals: &'a [Candidate],
    /// For `resolve`: per record type, its records indexed, built when first needed.
    index: Vec<std::cell::OnceCell<TypeIndex>>,
}

/// The records of one type, indexed for `resolve` (so that a long document
/// does not cost time quadratic in its records).
struct TypeIndex {
    /// Records of two tokens or more (indices into `finals`), by start.
    cands: Vec<usize>,
    /// For each proper prefix and suffix of their words (normalised), the
    /// positions in `cands` of the records it begins or ends.
    by_part: HashMap<Vec<String>, Vec<u32>>,
    /// Positions in `cands` of the records `he`/`him`/`his` may stand for
    /// (no woman's title first), and of those in subject position.
    male: (Vec<u32>, Vec<u32>),
    /// The same for `she`/`her`/`hers` (no man's title first).
    female: (Vec<u32>, Vec<u32>),
}

/// Pronouns that `resolve` links to the last full name before them, preferring
/// a name in subject position.
const PRONOUNS: [&str; 6] = ["he", "she", "him", "her", "his", "hers"];

/// Titles that say a name is a woman's: `he` never resolves to such a name.
const FEMALE_TITLES: [&str; 14] = [
    "mrs", "mrs.", "ms", "ms.", "miss", "madam", "madame", "mme", "mme.", "lady", "queen",
    "princess", "duchess", "dame",
];

/// Titles that say a name is a man's: `she` never resolves to such a name.
const MALE_TITLES: [&str; 9] = [
    "mr", "mr.", "sir", "lord", "king", "prince", "duke", "monsieur", "m.",
];

impl<'a> RecordContext<'a> {
    /// The context for building the records of `finals`, found in `doc`.
    pub fn new(
        program: &'a Program,
        doc: &'a Document,
        analysis: &'a Analysis,
        finals: &'a [Candidate],
    ) -> RecordContext<'a> {
        RecordContext {
            program,
            doc,
            analysis,
            reference: std::cell::OnceCell::new(),
            finals,
            index: (0..program.records.len())
                .map(|_| std::cell::OnceCell::new())
                .collect(),
        }
    }

    /// The document's reference date (its given date, or one read off its text).
    pub fn reference(&self) -> Option<chrono::NaiveDate> {
        *self
            .reference
            .get_or_init(|| crate::dates::reference_date(self.doc.date.as_deref(), &self.doc.text))
    }

    /// The normalised words of tokens `s..e`.
    fn words(&self, s: u32, e: u32) -> Vec<String> {
        let a = self.analysis;
        let mut norm = String::new();
        (s..e)
            .map(|i| {
                let t = a.tokens[i as usize];
                normalize(
                    &self.doc.text[t.start as usize..t.end() as usize],
                    &mut norm,
                );
                norm.clone()
            })
            .collect()
    }

    fn type_index(&self, ty: usize) -> &TypeIndex {
        self.index[ty].get_or_init(|| {
            let a = self.analysis;
            let mut cands: Vec<usize> = (0..self.finals.len())
                .filter(|&i| {
                    let c = &self.finals[i];
                    self.program.rules[c.rule].record == ty && c.end - c.start > 1
                })
                .collect();
            cands.sort_by_key(|&i| self.finals[i].start);
            let mut by_part: HashMap<Vec<String>, Vec<u32>> = HashMap::default();
            let (mut male, mut female) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
            for (pos, &i) in cands.iter().enumerate() {
                let c = &self.finals[i];
                let words = self.words(c.start, c.end);
                let n = words.len();
                let mut parts: Vec<&[String]> = (1..n)
                    .flat_map(|k| [&words[..k], &words[n - k..]])
                    .collect();
                parts.sort();
                parts.dedup();
                for part in parts {
                    by_part.entry(part.to_vec()).or_default().push(pos as u32);
                }
                // In subject position: it starts its sentence, after nothing
                // but punctuation.
                let mut t = c.start as usize;
                while t > 0
                    && !a.boundary.get(t)
                    && a.tokens[t - 1].kind == crate::text::TokenKind::Punct
                {
                    t -= 1;
                }
                let subject = a.boundary.get(t);
                let first = words.first().map_or("", String::as_str);
                for (list, other) in [
                    (&mut male, &FEMALE_TITLES[..]),
                    (&mut female, &MALE_TITLES[..]),
                ] {
                    if !other.contains(&first) {
                        list.0.push(pos as u32);
                        if subject {
                            list.1.push(pos as u32);
                        }
                    }
                }
            }
            TypeIndex {
                cands,
                by_part,
                male,
                female,
            }
        })
    }

    /// The last of `positions` (in `index.cands`, by start) whose record ends by token `s`.
    fn last_before(&self, index: &TypeIndex, positions: &[u32], s: u32) -> Option<usize> {
        let start = |p: u32| self.finals[index.cands[p as usize]].start;
        let upto = positions.partition_point(|&p| start(p) < s);
        positions[..upto]
            .iter()
            .rev()
            .map(|&p| index.cands[p as usize])
            .find(|&i| self.finals[i].end <= s)
    }

    /// The fullest record of type `ty` that names what tokens `s..e` name: the
    /// nearest earlier one for a pronoun; for a name, one whose words begin or
    /// end with these words (`Baqeri` → `Ali Baqeri`), the nearest earlier first.
    fn resolve(&self, s: u32, e: u32, ty: usize) -> Option<String> {
        let a = self.analysis;
        let key = self.words(s, e);
        let index = self.type_index(ty);
        let span_text = |i: usize| {
            let c = &self.finals[i];
            let (bs, be) = byte_span(a, c.start, c.end);
            self.doc.text[bs..be].to_string()
        };
        if key.len() == 1 && PRONOUNS.contains(&key[0].as_str()) {
            // The last name in subject position before the pronoun; else the
            // last name. A title that says otherwise rules a name out: "he" is
            // not "Mrs. Washington".
            let (fitting, subjects) = if ["he", "him", "his"].contains(&key[0].as_str()) {
                &index.male
            } else {
                &index.female
            };
            return self
                .last_before(index, subjects, s)
                .or_else(|| self.last_before(index, fitting, s))
                .map(span_text);
        }
        let positions = index.by_part.get(&key)?;
        let found = self
            .last_before(index, positions, s)
            .or_else(|| positions.first().map(|&p| index.cands[p as usize]))?;
        Some(span_text(found))
    }

    /// Builds the record of a surviving candidate.
    pub fn build(&self, c: &Candidate) -> Record {
        build_record(self, c).to_record()
    }
}

/// Builds the record of a surviving candidate.
fn build_record<'a>(cx: &RecordContext<'a>, c: &Candidate) -> RecordRef<'a> {
    let (program, doc, a) = (cx.program, cx.doc, cx.analysis);
    let rule = &program.rules[c.rule];
    let rec = &program.records[rule.record];
    let (start, end) = byte_span(a, c.start, c.end);
    let capture = |slot: usize| -> Option<(u32, u32)> {
        let s = c.slots[2 + 2 * slot];
        let e = c.slots[3 + 2 * slot];
        (s != NONE && e != NONE && e > s).then_some((s, e))
    };
    let text: &'a str = &doc.text;
    let span_field = |s: u32, e: u32| {
        let (bs, be) = byte_span(a, s, e);
        FieldRef {
            text: Some(&text[bs..be]),
            start: Some(bs),
            end: Some(be),
            value: None,
        }
    };
    // Declared order.
    let mut values: Vec<Option<FieldRef<'a>>> = vec![None; rec.fields.len()];
    for (fi, expr) in &rule.fields {
        let field = match expr {
            FieldExpr::Const(v) => Some(FieldRef {
                value: Some(Cow::Borrowed(v.as_str())),
                ..FieldRef::default()
            }),
            FieldExpr::Capture(slot) => capture(*slot).map(|(s, e)| span_field(s, e)),
            FieldExpr::Lower(slot) => capture(*slot).map(|(s, e)| {
                let mut f = span_field(s, e);
                f.value = f.text.map(|t| Cow::Owned(t.to_lowercase()));
                f
            }),
            FieldExpr::Date(slot) => capture(*slot).map(|(s, e)| {
                let mut f = span_field(s, e);
                f.value = f
                    .text
                    .and_then(|t| crate::dates::normalize_date(t, cx.reference()))
                    .map(Cow::Owned);
                f
            }),
            FieldExpr::Duration(slot) => capture(*slot).map(|(s, e)| {
                let mut f = span_field(s, e);
                f.value = f
                    .text
                    .and_then(crate::dates::normalize_duration)
                    .map(Cow::Owned);
                f
            }),
            FieldExpr::Resolve(slot, ty) => capture(*slot).map(|(s, e)| {
                let mut f = span_field(s, e);
                f.value = cx.resolve(s, e, *ty).map(Cow::Owned);
                f
            }),
            FieldExpr::Canon(slot, lexicons) => capture(*slot).map(|(s, e)| {
                let mut f = span_field(s, e);
                let words = &a.words[s as usize..e as usize];
                f.value = lexicons.iter().find_map(|&l| {
                    let trie = &program.lexicons[l];
                    trie.lookup(words)
                        .map(|entry| Cow::Borrowed(trie.canon[entry as usize].as_str()))
                });
                f
            }),
        };
        values[*fi] = field;
    }
    let fields = rec
        .fields
        .iter()
        .zip(values)
        .filter_map(|(name, v)| Some((name.as_str(), v?)))
        .collect();
    RecordRef {
        doc: &doc.id,
        kind: &rec.name,
        rule: &rule.id,
        start,
        end,
        text: &text[start..end],
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::Bits;

    /// The automata's test of a window's rules to try: a range of bits
    /// that starts or ends inside a word, spans words, or is empty.
    #[test]
    fn a_range_of_bits_is_read_across_words() {
        let mut bits = Bits::new(192);
        bits.set(63);
        bits.set(130);
        assert!(bits.any_in(63, 64));
        assert!(!bits.any_in(0, 63));
        assert!(bits.any_in(10, 130));
        assert!(!bits.any_in(64, 130));
        assert!(bits.any_in(64, 131));
        assert!(!bits.any_in(131, 300));
        assert!(!bits.any_in(5, 5));
        assert!(bits.any_in(0, 192));
    }
}
