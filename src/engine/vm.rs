//! A Pike VM over tokens: every thread advances in lockstep, one token at a
//! time, so a search costs time linear in the window for any pattern.
//! Threads are kept in priority order, which gives leftmost-first matches
//! with greedy and lazy quantifiers, as the `regex` crate's PikeVM does.

use super::Bits;
use super::classes::{Classes, Memo};
use crate::compile::{
    Assertion, Choice, Entries, Inst, NO_WORD, Program, Rule, Test, lexicon::ROOT, test_token,
};
use crate::text::Token;
use rustc_hash::FxHashSet as HashSet;

/// No position / no auxiliary state.
pub const NONE: u32 = u32::MAX;

/// What the VM needs to know about a document.
pub struct DocView<'a> {
    /// The text.
    pub text: &'a str,
    /// Its tokens.
    pub tokens: &'a [Token],
    /// Each token's word id.
    pub words: &'a [u32],
    /// `boundary.get(i)`: a sentence starts at token `i` (positions
    /// `0..=tokens.len()`; the last is the end).
    pub boundary: &'a Bits,
    /// For each record type: the token spans of its final records, sorted (by start, then end).
    pub spans: &'a [Vec<(u32, u32)>],
    /// Each token's class and what the classes are, when known: token tests
    /// are then worked out once per class and remembered.
    pub classes: Option<(&'a [u32], &'a Classes)>,
}

/// True if the token at `at` passes the test of instruction `pc` of `rule`.
#[inline]
fn passes(
    memo: &mut Memo,
    program: &Program,
    rule: &Rule,
    doc: &DocView,
    pc: u32,
    test: &Test,
    at: u32,
) -> bool {
    let i = at as usize;
    match doc.classes {
        Some((classes_of, classes)) => {
            memo.test(program, classes, rule.test_ids[pc as usize], classes_of[i])
        }
        None => test_token(test, &doc.tokens[i], doc.words[i], doc.text, program),
    }
}

/// Threads at one position: `(pc, aux)` pairs in priority order, and their capture slots.
#[derive(Default)]
struct List {
    threads: Vec<(u32, u32)>,
    slots: Vec<u32>,
    seen: Vec<u32>,
    seen_aux: HashSet<(u32, u32)>,
    stamp: u32,
}

impl List {
    fn reset(&mut self, ninsts: usize) {
        self.threads.clear();
        self.slots.clear();
        self.seen_aux.clear();
        if self.seen.len() < ninsts {
            self.seen.resize(ninsts, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
    }

    fn push(&mut self, pc: u32, aux: u32, slots: &[u32]) {
        self.threads.push((pc, aux));
        self.slots.extend_from_slice(slots);
    }
}

enum Frame {
    Explore(u32, u32),
    Restore(u32, u32),
}

/// A step of the backtracker's depth-first search.
enum Job {
    /// Go on at instruction `pc`, token `at`.
    Go(u32, u32),
    /// Inside an entry of the lexicon of instruction `pc`, at trie node
    /// `node`, token `at`.
    InEntry(u32, u32, u32),
    /// Put back a capture slot's value.
    Restore(u32, u32),
}

/// The backtracker's visited set is at most this many bits (instructions
/// times positions, 512 KB) for the first search in a window; a bigger
/// search goes to the Pike VM. Over the corpus the backtracker costs fewer
/// instructions than the Pike VM even with the clearing of a set this size
/// (2^18 bits for every search: 1.3 % more in all).
const MAX_VISITED_BITS: usize = 1 << 22;
/// … and at most this many (128 KB) for a search after a match. Each
/// search clears its set, so a long window with many matches clears a big
/// one once a match (listing the words a search set, to clear only those,
/// cost 2.7 % more time over the corpus than clearing all). At 2^18 bits
/// the later searches of the paragraph rules over long paragraphs went to
/// the Pike VM, which took longer than the clearing: 2^20 is 0.5 % fewer
/// instructions over the corpus.
const MAX_REPEAT_VISITED_BITS: usize = 1 << 20;

/// Reusable search state.
#[derive(Default)]
pub struct Vm {
    curr: List,
    next: List,
    stack: Vec<Frame>,
    scratch: Vec<u32>,
    memo: Memo,
    jobs: Vec<Job>,
    visited: Vec<u64>,
    /// The capture slots of the match just found, kept for the next search.
    slots: Vec<u32>,
    /// Search with the Pike VM alone (no backtracker), to check that both
    /// find the same.
    pub pike_only: bool,
}

impl Vm {
    /// The token test results it remembers per token class (the prefilter
    /// shares them).
    pub fn memo(&mut self) -> &mut Memo {
        &mut self.memo
    }

    /// Finds every match of `rule` in tokens `start..end`, left to right, never
    /// overlapping; calls `found` with the capture slots of each.
    pub fn find_all(
        &mut self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        start: u32,
        end: u32,
        found: &mut dyn FnMut(&[u32]),
    ) {
        let nslots = 2 + 2 * rule.captures.len();
        self.memo.adopt(program);
        if let Some(entries) = &rule.entries {
            return self.find_entries(program, rule, entries, doc, start, end, nslots, found);
        }
        let mut at = start;
        let mut most = MAX_VISITED_BITS;
        let mut slots = std::mem::take(&mut self.slots);
        while at < end {
            let bits = rule.insts.len() * (end - at + 1) as usize;
            let found_here = if bits <= most && !self.pike_only {
                self.backtrack(program, rule, doc, at, end, nslots, &mut slots)
            } else {
                self.search(program, rule, doc, at, end, nslots, &mut slots)
            };
            if !found_here {
                break;
            }
            found(&slots);
            at = if slots[1] > at { slots[1] } else { at + 1 };
            most = MAX_REPEAT_VISITED_BITS;
        }
        self.slots = slots;
    }

    /// [`Vm::find_all`] for a rule that is one of some choices at a token
    /// (the longest entry of a lexicon, or one token): at the first token
    /// where a choice matches by `end`, the first that does (as the
    /// automaton would find it), then on from its end.
    #[allow(clippy::too_many_arguments)]
    fn find_entries(
        &mut self,
        program: &Program,
        rule: &Rule,
        entries: &Entries,
        doc: &DocView,
        start: u32,
        end: u32,
        nslots: usize,
        found: &mut dyn FnMut(&[u32]),
    ) {
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        slots.resize(nslots, NONE);
        let mut at = start;
        'tokens: while at < end {
            if let Some(first) = &rule.first
                && !starts(&mut self.memo, program, rule, doc, first, at)
            {
                at += 1;
                continue;
            }
            for &choice in &entries.choices {
                let e = match choice {
                    Choice::Lexicon(lex) => program.lexicons[lex as usize]
                        .longest(&doc.words[at as usize..end as usize])
                        .map(|n| at + n as u32),
                    Choice::Token(pc) => match &rule.insts[pc as usize] {
                        Inst::Token(test, _)
                            if passes(&mut self.memo, program, rule, doc, pc, test, at) =>
                        {
                            Some(at + 1)
                        }
                        _ => None,
                    },
                };
                let Some(e) = e else {
                    continue;
                };
                slots[0] = at;
                slots[1] = e;
                if let Some(k) = entries.capture {
                    slots[2 + 2 * k as usize] = at;
                    slots[3 + 2 * k as usize] = e;
                }
                found(&slots);
                at = e;
                continue 'tokens;
            }
            at += 1;
        }
        self.slots = slots;
    }

    /// The leftmost-first match in tokens `start..end`, found by a
    /// depth-first search that tries the alternatives in priority order, as
    /// the Pike VM ranks its threads, so it finds the same match; each
    /// instruction is tried at most once per position (one that failed once
    /// fails again), which bounds the work as the Pike VM's is bounded, with
    /// no capture slots copied per thread. For small searches. True if it
    /// finds one, with its capture slots in `slots`.
    #[allow(clippy::too_many_arguments)]
    fn backtrack(
        &mut self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        start: u32,
        end: u32,
        nslots: usize,
        slots: &mut Vec<u32>,
    ) -> bool {
        let width = (end - start + 1) as usize;
        self.visited.clear();
        self.visited
            .resize((rule.insts.len() * width).div_ceil(64), 0);
        slots.clear();
        slots.resize(nslots, NONE);
        let mut at = start;
        loop {
            if let Some(first) = &rule.first {
                while at < end
                    && !(may_start(rule, doc, at)
                        && starts(&mut self.memo, program, rule, doc, first, at))
                {
                    at += 1;
                }
                if at >= end {
                    return false;
                }
            }
            if may_start(rule, doc, at)
                && self.backtrack_from(program, rule, doc, start, at, end, slots)
            {
                return true;
            }
            if at >= end {
                return false;
            }
            at += 1;
        }
    }

    /// The search of [`Vm::backtrack`] from a match starting at `at`; true
    /// (with `slots` filled) if one is found.
    #[allow(clippy::too_many_arguments)]
    fn backtrack_from(
        &mut self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        start: u32,
        at: u32,
        end: u32,
        slots: &mut [u32],
    ) -> bool {
        let width = (end - start + 1) as usize;
        let Vm {
            jobs,
            visited,
            memo,
            ..
        } = self;
        jobs.clear();
        jobs.push(Job::Go(0, at));
        while let Some(job) = jobs.pop() {
            let (pc, at) = match job {
                Job::Restore(slot, old) => {
                    slots[slot as usize] = old;
                    continue;
                }
                Job::InEntry(pc, node, at) => {
                    let Inst::Lexicon(lex, n) = &rule.insts[pc as usize] else {
                        unreachable!("only lexicon instructions have entries")
                    };
                    let trie = &program.lexicons[*lex as usize];
                    // Longer entries first, then leave here if one ends.
                    if trie.accepts(node).is_some() {
                        jobs.push(Job::Go(*n, at));
                    }
                    if at < end && trie.continues(node) {
                        let w = doc.words[at as usize];
                        if w != NO_WORD
                            && let Some(child) = trie.step(node, w)
                        {
                            jobs.push(Job::InEntry(pc, child, at + 1));
                        }
                    }
                    continue;
                }
                Job::Go(pc, at) => (pc, at),
            };
            let bit = pc as usize * width + (at - start) as usize;
            if visited[bit / 64] & (1 << (bit % 64)) != 0 {
                continue;
            }
            visited[bit / 64] |= 1 << (bit % 64);
            match &rule.insts[pc as usize] {
                Inst::Match => return true,
                Inst::Jmp(t) => jobs.push(Job::Go(*t, at)),
                Inst::Split(a, b) => {
                    jobs.push(Job::Go(*b, at));
                    jobs.push(Job::Go(*a, at));
                }
                Inst::Save(slot, n) => {
                    jobs.push(Job::Restore(*slot, slots[*slot as usize]));
                    slots[*slot as usize] = at;
                    jobs.push(Job::Go(*n, at));
                }
                Inst::Assert(a, n) => {
                    let ok = holds(*a, doc, at);
                    if ok {
                        jobs.push(Job::Go(*n, at));
                    }
                }
                _ if at >= end => {}
                Inst::Token(test, n) => {
                    if passes(memo, program, rule, doc, pc, test, at) {
                        jobs.push(Job::Go(*n, at + 1));
                    }
                }
                Inst::Lexicon(lex, _) => {
                    let w = doc.words[at as usize];
                    if w != NO_WORD
                        && let Some(child) = program.lexicons[*lex as usize].step(ROOT, w)
                    {
                        jobs.push(Job::InEntry(pc, child, at + 1));
                    }
                }
                Inst::Span(ty, n) => {
                    // A record starting here that ends by `end`, longest
                    // first: spans are sorted, so pushing them in order puts
                    // the longest on top (a repeated end is skipped as visited).
                    let spans = &doc.spans[*ty as usize];
                    let first = spans.partition_point(|&(s, _)| s < at);
                    for &(_, e) in spans[first..].iter().take_while(|&&(s, _)| s == at) {
                        if e > at && e <= end {
                            jobs.push(Job::Go(*n, e));
                        }
                    }
                }
            }
        }
        false
    }

    /// The leftmost-first match in tokens `start..end`, by the Pike VM (for
    /// searches too big for [`Vm::backtrack`]). True if it finds one, with
    /// its capture slots in `out`. Out of line: searches this big are few,
    /// and in line it made `find_all` 0.8 % more instructions over the
    /// corpus.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn search(
        &mut self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        start: u32,
        end: u32,
        nslots: usize,
        out: &mut Vec<u32>,
    ) -> bool {
        let ninsts = rule.insts.len();
        let Vm {
            curr,
            next,
            stack,
            scratch,
            memo,
            ..
        } = self;
        curr.reset(ninsts);
        next.reset(ninsts);
        let mut matched = false;
        let mut at = start;
        loop {
            if curr.threads.is_empty() {
                if matched {
                    break;
                }
                // Nothing under way: skip to where a match can start.
                if let Some(first) = &rule.first {
                    let from = at;
                    while at < end
                        && !(may_start(rule, doc, at)
                            && starts(memo, program, rule, doc, first, at))
                    {
                        at += 1;
                    }
                    if at >= end {
                        break;
                    }
                    // The list holds what the threads that died at the last
                    // place marked as seen there; a thread started further
                    // on must try those again (a `$` that failed there may
                    // hold here).
                    if at != from {
                        curr.reset(ninsts);
                    }
                }
            }
            if !matched && may_start(rule, doc, at) {
                scratch.clear();
                scratch.resize(nslots, NONE);
                add(program, rule, doc, curr, stack, 0, NONE, at, scratch);
            }
            // Step every thread over the token at `at`.
            for i in 0..curr.threads.len() {
                let (pc, aux) = curr.threads[i];
                let slots = &curr.slots[i * nslots..(i + 1) * nslots];
                let (target, target_aux) = match &rule.insts[pc as usize] {
                    Inst::Match => {
                        out.clear();
                        out.extend_from_slice(slots);
                        matched = true;
                        break;
                    }
                    _ if at >= end => continue,
                    Inst::Token(test, n) => {
                        if !passes(memo, program, rule, doc, pc, test, at) {
                            continue;
                        }
                        (*n, NONE)
                    }
                    Inst::Lexicon(lex, _) => {
                        let w = doc.words[at as usize];
                        if w == NO_WORD {
                            continue;
                        }
                        let node = if aux == NONE { ROOT } else { aux };
                        match program.lexicons[*lex as usize].step(node, w) {
                            Some(child) => (pc, child),
                            None => continue,
                        }
                    }
                    Inst::Span(_, _) => (pc, aux),
                    _ => continue,
                };
                scratch.clear();
                scratch.extend_from_slice(slots);
                add(
                    program,
                    rule,
                    doc,
                    next,
                    stack,
                    target,
                    target_aux,
                    at + 1,
                    scratch,
                );
            }
            std::mem::swap(curr, next);
            next.reset(ninsts);
            if at >= end {
                break;
            }
            at += 1;
        }
        matched
    }
}

/// True if assertion `a` holds before token `at`: `^` where a sentence
/// starts, `$` where one ends.
#[inline]
pub fn holds(a: Assertion, doc: &DocView, at: u32) -> bool {
    match a {
        Assertion::Start => (at as usize) < doc.tokens.len() && doc.boundary.get(at as usize),
        Assertion::End => at > 0 && doc.boundary.get(at as usize),
    }
}

/// False if the rule is anchored to sentence starts and `at` is not one (a
/// thread started there would die at the `^`).
#[inline]
fn may_start(rule: &Rule, doc: &DocView, at: u32) -> bool {
    !rule.anchored || ((at as usize) < doc.tokens.len() && doc.boundary.get(at as usize))
}

/// True if one of the rule's first instructions can consume the token at `at`.
pub fn can_start(program: &Program, rule: &Rule, doc: &DocView, first: &[u32], at: u32) -> bool {
    let mut memo = Memo::default();
    memo.adopt(program);
    starts(&mut memo, program, rule, doc, first, at)
}

#[inline(always)]
fn starts(
    memo: &mut Memo,
    program: &Program,
    rule: &Rule,
    doc: &DocView,
    first: &[u32],
    at: u32,
) -> bool {
    // The common case inline: the answer for the token's class is known.
    if let (Some(id), Some((classes_of, _))) = (rule.start_id, doc.classes)
        && let Some(known) = memo.known(id, classes_of[at as usize])
    {
        return known || span_starts(rule, doc, at);
    }
    starts_slow(memo, program, rule, doc, first, at)
}

/// True if a record of one of the types the rule can start with (`@T`)
/// starts at `at`.
fn span_starts(rule: &Rule, doc: &DocView, at: u32) -> bool {
    rule.start_spans
        .iter()
        .any(|&ty| record_starts(doc, ty, at))
}

/// True if a record of type `ty` starts at `at`.
fn record_starts(doc: &DocView, ty: u32, at: u32) -> bool {
    let spans = &doc.spans[ty as usize];
    let k = spans.partition_point(|&(s, _)| s < at);
    spans.get(k).is_some_and(|&(s, _)| s == at)
}

#[inline(never)]
fn starts_slow(
    memo: &mut Memo,
    program: &Program,
    rule: &Rule,
    doc: &DocView,
    first: &[u32],
    at: u32,
) -> bool {
    let i = at as usize;
    if let (Some(id), Some((classes_of, classes))) = (rule.start_id, doc.classes) {
        // Whether its token tests and lexicons let it start at a token
        // depends on the token's class alone; records, on the place.
        let class = classes_of[i];
        let by_class = memo.get(id, class, || {
            let word = classes.info[(class / 2) as usize].word;
            first.iter().any(|&pc| match &rule.insts[pc as usize] {
                Inst::Token(test, _) => classes.test(program, test, class),
                Inst::Lexicon(lex, _) => {
                    word != NO_WORD && program.lexicons[*lex as usize].starts_with(word)
                }
                _ => false,
            })
        });
        return by_class || span_starts(rule, doc, at);
    }
    first.iter().any(|&pc| match &rule.insts[pc as usize] {
        Inst::Token(test, _) => passes(memo, program, rule, doc, pc, test, at),
        Inst::Lexicon(lex, _) => {
            let w = doc.words[i];
            w != NO_WORD && program.lexicons[*lex as usize].step(ROOT, w).is_some()
        }
        Inst::Span(ty, _) => record_starts(doc, *ty, at),
        _ => true,
    })
}

/// Adds the thread at `pc` and everything reachable from it without
/// consuming a token, in priority order.
#[allow(clippy::too_many_arguments)]
fn add(
    program: &Program,
    rule: &Rule,
    doc: &DocView,
    list: &mut List,
    stack: &mut Vec<Frame>,
    pc: u32,
    aux: u32,
    at: u32,
    slots: &mut [u32],
) {
    stack.push(Frame::Explore(pc, aux));
    while let Some(frame) = stack.pop() {
        let (pc, aux) = match frame {
            Frame::Restore(slot, old) => {
                slots[slot as usize] = old;
                continue;
            }
            Frame::Explore(pc, aux) => (pc, aux),
        };
        let inst = &rule.insts[pc as usize];
        match inst {
            Inst::Lexicon(..) | Inst::Span(..) => {
                if !list.seen_aux.insert((pc, aux)) {
                    continue;
                }
            }
            _ => {
                if list.seen[pc as usize] == list.stamp {
                    continue;
                }
                list.seen[pc as usize] = list.stamp;
            }
        }
        match inst {
            Inst::Jmp(t) => stack.push(Frame::Explore(*t, NONE)),
            Inst::Split(a, b) => {
                stack.push(Frame::Explore(*b, NONE));
                stack.push(Frame::Explore(*a, NONE));
            }
            Inst::Save(slot, n) => {
                stack.push(Frame::Restore(*slot, slots[*slot as usize]));
                slots[*slot as usize] = at;
                stack.push(Frame::Explore(*n, NONE));
            }
            Inst::Assert(a, n) => {
                let ok = holds(*a, doc, at);
                if ok {
                    stack.push(Frame::Explore(*n, NONE));
                }
            }
            Inst::Token(..) | Inst::Match => list.push(pc, NONE, slots),
            Inst::Lexicon(lex, n) => {
                if aux == NONE {
                    // Entering: wait for the first word of an entry.
                    list.push(pc, NONE, slots);
                } else {
                    // Inside an entry: longer entries first, then leave here if one ends.
                    let trie = &program.lexicons[*lex as usize];
                    if trie.continues(aux) {
                        list.push(pc, aux, slots);
                    }
                    if trie.accepts(aux).is_some() {
                        stack.push(Frame::Explore(*n, NONE));
                    }
                }
            }
            Inst::Span(ty, n) => {
                if aux == NONE {
                    let spans = &doc.spans[*ty as usize];
                    let first = spans.partition_point(|&(s, _)| s < at);
                    // Longest first.
                    let mut here: Vec<u32> = spans[first..]
                        .iter()
                        .take_while(|&&(s, _)| s == at)
                        .map(|&(_, e)| e)
                        .collect();
                    here.sort_unstable_by(|a, b| b.cmp(a));
                    here.dedup();
                    for e in here {
                        if list.seen_aux.insert((pc, e)) {
                            list.push(pc, e, slots);
                        }
                    }
                } else if at == aux {
                    stack.push(Frame::Explore(*n, NONE));
                } else {
                    list.push(pc, aux, slots);
                }
            }
        }
    }
}
