//! Tracing one rule from one start token, for `gleaner explain`.
//!
//! [`Tracer`] runs the rule's automaton as the Pike VM of [`super::vm`] does
//! (threads in priority order, leftmost-first), but anchored at one start
//! token and keeping, for every thread, which instruction took which token.
//! It records how far any thread got, and why each thread that got that far
//! stopped there. It is slower than the VM and only `gleaner explain` uses it;
//! `run` never does.

use super::Candidate;
use super::vm::{DocView, NONE, holds};
use crate::check::hir::OriginKind;
use crate::compile::lexicon::ROOT;
use crate::compile::{Assertion, Inst, NO_WORD, Program, Rule, Test, test_token};
use crate::syntax::ast::Class;
use rustc_hash::FxHashSet as HashSet;
use std::ops::Range;

/// A candidate that overlap resolution dropped, and the kept one that beat it
/// (collected when [`super::Runner::losses`] is set).
#[derive(Clone, Debug)]
pub struct Loss {
    /// The dropped candidate.
    pub loser: Candidate,
    /// The best-ranked kept candidate of the same record type that overlaps it.
    pub winner: Candidate,
}

/// Why a thread could not go on at a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The window (sentence, paragraph or text) ended where the pattern wanted a token.
    WindowEnd,
    /// The token fails a one-token test.
    Test(Miss),
    /// The token starts no entry of the lexicon (index into [`Program::lexicons`]).
    LexiconMiss(u32),
    /// The lexicon entry begun at token `from` does not go on with this token
    /// (or the window ends inside it).
    LexiconIncomplete {
        /// The lexicon.
        lexicon: u32,
        /// The entry's first token.
        from: u32,
    },
    /// No final record of this type starts at the token.
    NoRecord(u32),
    /// `^` where no sentence starts.
    NotSentenceStart,
    /// `$` where no sentence ends.
    NotSentenceEnd,
    /// The repetition at this origin took as many as it may; its element would
    /// take the token too.
    QuantifierBound {
        /// The repetition (index into [`Rule::origins`]).
        origin: u32,
        /// Its upper bound.
        max: u32,
    },
}

/// Why a token fails a one-token test: the first part of the test that fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    /// A literal word (a word id): the token is another word.
    Word(u32),
    /// A class the token is not in.
    Class(Class),
    /// A regex (index into [`Program::regexes`]) that does not match the token.
    Regex(u32),
    /// A lexicon the token is no one-word entry of.
    Lexicon(u32),
    /// Every alternative fails.
    AnyOf(Vec<Miss>),
    /// The token passes this test, which a `!` rules out.
    Excluded(Test),
}

/// One token taken by one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The token.
    pub token: u32,
    /// The instruction that took it.
    pub pc: u32,
}

/// Why one way through the pattern stopped at the furthest token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The instruction that failed (for [`Reason::QuantifierBound`], the one
    /// that took the token before).
    pub pc: u32,
    /// Why.
    pub reason: Reason,
}

/// What the rule did from one start token.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The start token.
    pub start: u32,
    /// The window the rule ran in (token range).
    pub window: Range<u32>,
    /// The furthest position any thread reached: `furthest - start` tokens were taken.
    pub furthest: u32,
    /// The tokens taken, in order: by the match if there is one, else by the
    /// first thread (in the pattern's order of preference) that got furthest.
    pub took: Vec<Step>,
    /// Without a match: why each way stopped at `furthest`, in the pattern's
    /// order of preference, each (instruction origin, reason) once.
    pub failures: Vec<Failure>,
    /// The match from this start, as the engine would find it: capture slots
    /// (`slots[0]..slots[1]` is the match).
    pub matched: Option<Vec<u32>>,
}

/// A thread: where it is, its lexicon or record state, its captures, its history.
#[derive(Clone)]
struct Thread {
    pc: u32,
    aux: u32,
    slots: Vec<u32>,
    hist: u32,
}

/// One entry of a thread's history, shared between threads.
#[derive(Clone, Copy)]
struct Hist {
    step: Step,
    /// False only for a lexicon entry's second and later tokens.
    begins: bool,
    parent: u32,
}

/// Reusable state for tracing.
#[derive(Default)]
pub struct Tracer {
    hist: Vec<Hist>,
    furthest: u32,
    best: u32,
    failures: Vec<(Failure, u32)>,
}

impl Tracer {
    /// A new tracer.
    pub fn new() -> Tracer {
        Tracer::default()
    }

    /// Runs `rule` from token `start` inside `window`, as the engine would if its
    /// search reached `start` with no earlier match under way.
    pub fn trace(
        &mut self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        window: Range<u32>,
        start: u32,
    ) -> Attempt {
        self.hist.clear();
        self.failures.clear();
        self.furthest = start;
        self.best = NONE;
        let nslots = 2 + 2 * rule.captures.len();
        let end = window.end;
        let mut curr = Vec::new();
        let mut seen = HashSet::default();
        let mut slots = vec![NONE; nslots];
        self.add(
            program,
            rule,
            doc,
            &mut curr,
            &mut seen,
            (0, NONE),
            start,
            &mut slots,
            NONE,
        );
        let mut matched: Option<Thread> = None;
        let mut at = start;
        loop {
            let mut next = Vec::new();
            seen.clear();
            for t in &curr {
                let inst = &rule.insts[t.pc as usize];
                if let Inst::Match = inst {
                    matched = Some(t.clone());
                    // Lower-priority threads are cut, as in the VM.
                    break;
                }
                if at >= end {
                    let reason = match inst {
                        Inst::Lexicon(lexicon, _) if t.aux != NONE => Reason::LexiconIncomplete {
                            lexicon: *lexicon,
                            from: self.entry_start(t.hist),
                        },
                        _ => Reason::WindowEnd,
                    };
                    self.fail(at, t.pc, t.hist, reason);
                    continue;
                }
                let token = &doc.tokens[at as usize];
                let word = doc.words[at as usize];
                let (target, aux) = match inst {
                    Inst::Token(test, n) => {
                        if !test_token(test, token, word, doc.text, program) {
                            let miss = why_not(test, token, word, doc.text, program);
                            self.fail(at, t.pc, t.hist, Reason::Test(miss));
                            continue;
                        }
                        (*n, NONE)
                    }
                    Inst::Lexicon(lex, _) => {
                        let node = if t.aux == NONE { ROOT } else { t.aux };
                        let child = if word == NO_WORD {
                            None
                        } else {
                            program.lexicons[*lex as usize].step(node, word)
                        };
                        match child {
                            Some(child) => (t.pc, child),
                            None => {
                                let reason = if t.aux == NONE {
                                    Reason::LexiconMiss(*lex)
                                } else {
                                    Reason::LexiconIncomplete {
                                        lexicon: *lex,
                                        from: self.entry_start(t.hist),
                                    }
                                };
                                self.fail(at, t.pc, t.hist, reason);
                                continue;
                            }
                        }
                    }
                    Inst::Span(..) => (t.pc, t.aux),
                    _ => continue,
                };
                let begins = !matches!(inst, Inst::Lexicon(..)) || t.aux == NONE;
                self.hist.push(Hist {
                    step: Step {
                        token: at,
                        pc: t.pc,
                    },
                    begins,
                    parent: t.hist,
                });
                let hist = self.hist.len() as u32 - 1;
                let mut slots = t.slots.clone();
                self.add(
                    program,
                    rule,
                    doc,
                    &mut next,
                    &mut seen,
                    (target, aux),
                    at + 1,
                    &mut slots,
                    hist,
                );
            }
            if next.is_empty() || at >= end {
                break;
            }
            curr = next;
            at += 1;
        }
        match matched {
            Some(m) => Attempt {
                start,
                window,
                furthest: self.furthest,
                took: self.steps(m.hist),
                failures: Vec::new(),
                matched: Some(m.slots),
            },
            None => {
                let failures = self.failures_at_furthest(program, rule, doc, end);
                Attempt {
                    start,
                    window,
                    furthest: self.furthest,
                    took: self.steps(self.best),
                    failures,
                    matched: None,
                }
            }
        }
    }

    /// The first token of the lexicon entry a thread is inside.
    fn entry_start(&self, mut h: u32) -> u32 {
        while h != NONE {
            let e = self.hist[h as usize];
            if e.begins {
                return e.step.token;
            }
            h = e.parent;
        }
        0
    }

    /// The steps of a history, first to last.
    fn steps(&self, mut h: u32) -> Vec<Step> {
        let mut out = Vec::new();
        while h != NONE {
            let e = self.hist[h as usize];
            out.push(e.step);
            h = e.parent;
        }
        out.reverse();
        out
    }

    /// A thread has taken tokens up to `pos`.
    fn arrive(&mut self, pos: u32, hist: u32) {
        if pos > self.furthest {
            self.furthest = pos;
            self.failures.clear();
            self.best = hist;
        } else if pos == self.furthest && self.best == NONE {
            self.best = hist;
        }
    }

    fn fail(&mut self, pos: u32, pc: u32, hist: u32, reason: Reason) {
        if pos == self.furthest {
            self.failures.push((Failure { pc, reason }, hist));
        }
    }

    /// The failures at the furthest position, each (origin, reason) once, and
    /// the repetitions that stopped a way there at their bound.
    fn failures_at_furthest(
        &self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        end: u32,
    ) -> Vec<Failure> {
        let at = self.furthest;
        let mut out: Vec<Failure> = Vec::new();
        let mut keys: Vec<(u32, Reason)> = Vec::new();
        let mut push = |f: Failure, out: &mut Vec<Failure>| {
            let key = (origin_of(rule, f.pc), f.reason.clone());
            if !keys.contains(&key) {
                keys.push(key);
                out.push(f);
            }
        };
        let mut single = Vec::new();
        for (f, hist) in &self.failures {
            // The way stopped here: did a bounded repetition stop it?
            let last = (*hist != NONE).then(|| self.hist[*hist as usize].step.pc);
            if at < end
                && let Some(last) = last
                && let Some(bound) = quantifier_bound(program, rule, doc, last, at, &mut single)
            {
                push(bound, &mut out);
            }
            push(f.clone(), &mut out);
        }
        out
    }

    /// Adds the thread at `pc` and everything reachable from it without taking a
    /// token, in priority order, as the VM's `add` does; notes failed `^`, `$`
    /// and `@T` tests.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        program: &Program,
        rule: &Rule,
        doc: &DocView,
        list: &mut Vec<Thread>,
        seen: &mut HashSet<(u32, u32)>,
        (pc, aux): (u32, u32),
        at: u32,
        slots: &mut [u32],
        hist: u32,
    ) {
        enum Frame {
            Explore(u32, u32),
            Restore(u32, u32),
        }
        self.arrive(at, hist);
        let mut stack = vec![Frame::Explore(pc, aux)];
        while let Some(frame) = stack.pop() {
            let (pc, aux) = match frame {
                Frame::Restore(slot, old) => {
                    slots[slot as usize] = old;
                    continue;
                }
                Frame::Explore(pc, aux) => (pc, aux),
            };
            if !seen.insert((pc, aux)) {
                continue;
            }
            let thread = |aux: u32, slots: &[u32]| Thread {
                pc,
                aux,
                slots: slots.to_vec(),
                hist,
            };
            match &rule.insts[pc as usize] {
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
                    } else {
                        let reason = match a {
                            Assertion::Start => Reason::NotSentenceStart,
                            Assertion::End => Reason::NotSentenceEnd,
                        };
                        self.fail(at, pc, hist, reason);
                    }
                }
                Inst::Token(..) | Inst::Match => list.push(thread(NONE, slots)),
                Inst::Lexicon(lex, n) => {
                    if aux == NONE {
                        list.push(thread(NONE, slots));
                    } else {
                        let trie = &program.lexicons[*lex as usize];
                        if trie.continues(aux) {
                            list.push(thread(aux, slots));
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
                        let mut here: Vec<u32> = spans[first..]
                            .iter()
                            .take_while(|&&(s, _)| s == at)
                            .map(|&(_, e)| e)
                            .collect();
                        here.sort_unstable_by(|a, b| b.cmp(a));
                        here.dedup();
                        if here.is_empty() {
                            self.fail(at, pc, hist, Reason::NoRecord(*ty));
                        }
                        for e in here {
                            if seen.insert((pc, e)) {
                                list.push(thread(e, slots));
                            }
                        }
                    } else if at == aux {
                        stack.push(Frame::Explore(*n, NONE));
                    } else {
                        list.push(thread(aux, slots));
                    }
                }
            }
        }
    }
}

/// If the instruction that took the token before `at` sits in a repetition with
/// an upper bound whose only element would take the token at `at` too, the
/// repetition stopped this way at its bound. `single` caches, per repetition
/// and element, whether the repetition repeats that element alone.
fn quantifier_bound(
    program: &Program,
    rule: &Rule,
    doc: &DocView,
    last_pc: u32,
    at: u32,
    single: &mut Vec<(u32, u32, bool)>,
) -> Option<Failure> {
    let leaf = origin_of(rule, last_pc);
    // The innermost bounded repetition around the instruction.
    let mut o = leaf;
    let (rep, max) = loop {
        let origin = rule.origins.get(o as usize)?;
        if let OriginKind::Repeat { max: Some(max), .. } = origin.kind {
            break (o, max);
        }
        o = origin.parent?;
    };
    // Every instruction that tests tokens inside it must come from the same element.
    let inside = |mut o: u32| loop {
        if o == rep {
            return true;
        }
        match rule.origins.get(o as usize).and_then(|x| x.parent) {
            Some(p) => o = p,
            None => return false,
        }
    };
    let one = match single.iter().find(|&&(r, l, _)| (r, l) == (rep, leaf)) {
        Some(&(_, _, one)) => one,
        None => {
            let one = rule.insts.iter().enumerate().all(|(pc, inst)| {
                !matches!(inst, Inst::Token(..) | Inst::Lexicon(..) | Inst::Span(..))
                    || origin_of(rule, pc as u32) == leaf
                    || !inside(origin_of(rule, pc as u32))
            });
            single.push((rep, leaf, one));
            one
        }
    };
    if !one {
        return None;
    }
    let (token, word) = (&doc.tokens[at as usize], doc.words[at as usize]);
    let takes = match &rule.insts[last_pc as usize] {
        Inst::Token(test, _) => test_token(test, token, word, doc.text, program),
        Inst::Lexicon(lex, _) => {
            word != NO_WORD && program.lexicons[*lex as usize].step(ROOT, word).is_some()
        }
        _ => false,
    };
    takes.then_some(Failure {
        pc: last_pc,
        reason: Reason::QuantifierBound { origin: rep, max },
    })
}

/// The part of the pattern an instruction comes from, or `NONE` (always, for a
/// program built without origins).
fn origin_of(rule: &Rule, pc: u32) -> u32 {
    rule.inst_origins.get(pc as usize).copied().unwrap_or(NONE)
}

/// Why a token fails a test (which it must fail).
pub fn why_not(
    test: &Test,
    token: &crate::text::Token,
    word: u32,
    text: &str,
    program: &Program,
) -> Miss {
    match test {
        Test::Any => Miss::AnyOf(Vec::new()),
        Test::Word(w) => Miss::Word(*w),
        Test::Class(c) => Miss::Class(*c),
        Test::Regex(i) => Miss::Regex(*i),
        Test::Lexicon(i) => Miss::Lexicon(*i),
        Test::Or(ts) => Miss::AnyOf(
            ts.iter()
                .map(|t| why_not(t, token, word, text, program))
                .collect(),
        ),
        Test::And(ts) => ts
            .iter()
            .find(|t| !test_token(t, token, word, text, program))
            .map_or(Miss::AnyOf(Vec::new()), |t| {
                why_not(t, token, word, text, program)
            }),
        Test::Not(t) => Miss::Excluded(passing_part(t, token, word, text, program)),
    }
}

/// The most specific part of a test that a token passes (which it must pass):
/// for an alternation, the first alternative it passes.
fn passing_part(
    test: &Test,
    token: &crate::text::Token,
    word: u32,
    text: &str,
    program: &Program,
) -> Test {
    match test {
        Test::Or(ts) => ts
            .iter()
            .find(|t| test_token(t, token, word, text, program))
            .map_or_else(
                || test.clone(),
                |t| passing_part(t, token, word, text, program),
            ),
        _ => test.clone(),
    }
}
