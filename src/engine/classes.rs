//! Token classes: tokens that no token test of a program can tell apart share
//! a class, so a test is worked out once per class instead of once per token.
//!
//! A token's class is fixed by its text (its word group, its letter-case
//! flags, its kind, which of the program's regexes it matches) and by whether
//! it is glued to the token before it. Classes are numbered as they are met,
//! per [`Classes`] (one per runner): the number of a class is
//! `2 * text class + glued`.

use crate::compile::{NO_WORD, Program, Test, class_matches};
use crate::text::normalize;
use crate::text::tokenize::{CAP, GLUED, LETTER, LOWER, Token, TokenKind, UPPER};
use rustc_hash::FxHashMap as HashMap;

/// Token texts remembered at most; past this the memory is emptied and
/// filled again, so that memory stays flat on any input.
const MAX_TEXTS: usize = 1 << 16;

/// The flags a text fixes (the others depend on the text around a token).
const TEXT_FLAGS: u8 = CAP | UPPER | LOWER | LETTER;

/// What the tokens of one text class have in common.
#[derive(Clone, Debug)]
pub struct ClassInfo {
    /// One word id of the class's word group ([`NO_WORD`] for none).
    pub word: u32,
    /// Its letter-case flags (without [`GLUED`]).
    pub flags: u8,
    /// Its kind.
    pub kind: TokenKind,
    /// Bit `i`: the text matches regex `i` of the program.
    pub regex: Box<[u64]>,
}

#[derive(Clone, Copy)]
struct Seen {
    word: u32,
    flags: u8,
    kind: TokenKind,
    class: u32,
}

/// One slot of [`ShortTable`]: a text of up to 16 bytes as two zero-padded
/// words (all zero: empty) and what it was seen to be. 32 bytes, one slot
/// never straddles two cache lines.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    key: [u64; 2],
    seen: Seen,
}

const EMPTY: Slot = Slot {
    key: [0, 0],
    seen: Seen {
        word: NO_WORD,
        flags: 0,
        kind: TokenKind::Word,
        class: 0,
    },
};

/// Short texts met so far: open addressing with linear probing over a
/// power-of-two table, so that a slot's address is known from the text alone
/// and can be fetched from memory a few tokens ahead of its use.
struct ShortTable {
    slots: Box<[Slot]>,
    len: usize,
}

/// Slots of the short-text table: at most half of them used (`MAX_TEXTS`).
const SLOTS: usize = 2 * MAX_TEXTS;

impl Default for ShortTable {
    fn default() -> ShortTable {
        ShortTable {
            slots: Box::new([]),
            len: 0,
        }
    }
}

impl ShortTable {
    /// The first slot to look at for `key`.
    #[inline]
    fn home(key: [u64; 2]) -> usize {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let h = (key[0].wrapping_mul(K).rotate_left(29) ^ key[1]).wrapping_mul(K);
        (h >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// Asks the memory for the slot a key is looked up in first (its
    /// `home`), so that it is on its way while the tokens in between are
    /// classified: a prefetch hint on x86-64 (5–6 % of the two-pattern run
    /// against a plain read, which holds up the processor until the slot
    /// arrives), a plain read elsewhere.
    #[inline]
    fn prefetch(&self, home: usize) {
        let Some(slot) = self.slots.get(home) else {
            return;
        };
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: `_mm_prefetch` only hints the cache: it reads nothing
            // the program sees and cannot fault; the address is that of a
            // live slot, and SSE (which provides it) is part of every x86-64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(slot).cast::<i8>()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        std::hint::black_box(slot.key[0]);
    }

    /// The slot holding `key`, or the empty slot where it would go (the
    /// table is never more than half full, so there is one).
    #[inline]
    fn slot_of(&self, key: [u64; 2]) -> usize {
        self.slot_from(key, Self::home(key))
    }

    /// [`ShortTable::slot_of`] `key`, given its home slot.
    #[inline]
    fn slot_from(&self, key: [u64; 2], home: usize) -> usize {
        let mut i = home;
        while self.slots[i].key != key && self.slots[i].key[0] != 0 {
            i = (i + 1) & (SLOTS - 1);
        }
        i
    }

    /// What `key` (whose home slot is `home`) was seen to be.
    #[inline]
    fn get(&self, key: [u64; 2], home: usize) -> Option<&Seen> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = &self.slots[self.slot_from(key, home)];
        (slot.key == key).then_some(&slot.seen)
    }

    /// Sets what `key` was seen to be (replacing what it was).
    fn insert(&mut self, key: [u64; 2], seen: Seen) {
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; SLOTS].into_boxed_slice();
        }
        let i = self.slot_of(key);
        self.len += usize::from(self.slots[i].key[0] == 0);
        self.slots[i] = Slot { key, seen };
    }

    fn clear(&mut self) {
        if self.len > 0 {
            self.slots.fill(EMPTY);
            self.len = 0;
        }
    }
}

/// What a text class is made of: word group, letter-case flags, kind, regex bits.
type ClassKey = (u32, u8, TokenKind, Box<[u64]>);

/// Token classes met so far, for one program.
#[derive(Default)]
pub struct Classes {
    program: u64,
    /// Texts of up to 16 bytes, zero-padded into two words (a token never
    /// holds a zero byte, so the padding is unambiguous): no string compare.
    by_short: ShortTable,
    by_text: HashMap<Box<str>, Seen>,
    by_key: HashMap<ClassKey, u32>,
    /// Each text class, by number.
    pub info: Vec<ClassInfo>,
    norm: String,
}

impl Classes {
    /// The id of the program these classes were met for (0: none yet).
    pub fn program(&self) -> u64 {
        self.program
    }

    /// Forgets everything if it was filled for another program; true if so.
    pub fn adopt(&mut self, program: &Program) -> bool {
        if self.program == program.id {
            return false;
        }
        *self = Classes {
            program: program.id,
            ..Classes::default()
        };
        true
    }

    /// The word ids and classes of a text's tokens, appended to `words` and
    /// `classes`.
    ///
    /// Tokens are looked up in order; the table slot of a token a few places
    /// ahead is fetched from memory meanwhile, so that the rare words' cache
    /// misses overlap instead of following one another.
    pub fn classify_all(
        &mut self,
        program: &Program,
        text: &str,
        tokens: &[Token],
        words: &mut Vec<u32>,
        classes: &mut Vec<u32>,
    ) {
        const AHEAD: usize = 8;
        let bytes = text.as_bytes();
        // A token's short key and its home slot, worked out once for the
        // prefetch and the look-up.
        let key_of = |t: &Token| {
            short_key_at(bytes, t.start as usize, t.end() as usize)
                .map(|k| (k, ShortTable::home(k)))
        };
        let mut ring = [None; AHEAD];
        for (slot, t) in ring.iter_mut().zip(tokens) {
            *slot = key_of(t);
            if let Some((_, home)) = *slot {
                self.by_short.prefetch(home);
            }
        }
        // Written in place: no capacity test a token.
        let base = words.len();
        words.resize(base + tokens.len(), 0);
        classes.resize(base + tokens.len(), 0);
        let out = words[base..].iter_mut().zip(&mut classes[base..]);
        for (j, (t, (word, class))) in tokens.iter().zip(out).enumerate() {
            let key = ring[j % AHEAD];
            if let Some(ahead) = tokens.get(j + AHEAD) {
                let k = key_of(ahead);
                if let Some((_, home)) = k {
                    self.by_short.prefetch(home);
                }
                ring[j % AHEAD] = k;
            }
            (*word, *class) = self.classify_keyed(program, t, text, key);
        }
    }

    /// The word id and class of a token (its text is `text`).
    pub fn classify(&mut self, program: &Program, token: &Token, text: &str) -> (u32, u32) {
        let whole = Token { start: 0, ..*token };
        let short = short_key(text).map(|k| (k, ShortTable::home(k)));
        self.classify_keyed(program, &whole, text, short)
    }

    /// [`Classes::classify`] of a token of `text`, given its text's short key
    /// and that key's home slot (the token's text is only cut out of `text`
    /// when it is needed: for a long text, or one not met before).
    #[inline(always)]
    fn classify_keyed(
        &mut self,
        program: &Program,
        token: &Token,
        text: &str,
        short: Option<([u64; 2], usize)>,
    ) -> (u32, u32) {
        let flags = token.flags & TEXT_FLAGS;
        let glued = u32::from(token.flags & GLUED != 0);
        let word_text = || &text[token.start as usize..token.end() as usize];
        let seen = match short {
            Some((k, home)) => self.by_short.get(k, home),
            None => self.by_text.get(word_text()),
        };
        if let Some(seen) = seen
            && seen.flags == flags
            && seen.kind == token.kind
        {
            return (seen.word, 2 * seen.class + glued);
        }
        let short = short.map(|(k, _)| k);
        self.classify_new(program, token, word_text(), short, (flags, glued))
    }

    /// [`Classes::classify_keyed`] for a text not met before (or met with
    /// other flags): out of line, so that the common case stays small.
    #[cold]
    #[inline(never)]
    fn classify_new(
        &mut self,
        program: &Program,
        token: &Token,
        text: &str,
        short: Option<[u64; 2]>,
        (flags, glued): (u8, u32),
    ) -> (u32, u32) {
        normalize(text, &mut self.norm);
        let word = program.vocab.get(&self.norm);
        let group = if word == NO_WORD {
            0
        } else {
            program.word_group[word as usize]
        };
        let mut regex = vec![0u64; program.regexes.len().div_ceil(64)].into_boxed_slice();
        match &program.regex_set {
            Some(set) => {
                for i in set.matches(text).iter() {
                    regex[i / 64] |= 1 << (i % 64);
                }
            }
            None => {
                for (i, re) in program.regexes.iter().enumerate() {
                    if re.is_match(text) {
                        regex[i / 64] |= 1 << (i % 64);
                    }
                }
            }
        }
        let key = (group, flags, token.kind, regex);
        let class = match self.by_key.get(&key) {
            Some(&c) => c,
            None => {
                let c = self.info.len() as u32;
                self.info.push(ClassInfo {
                    word: program.group_word[group as usize],
                    flags,
                    kind: token.kind,
                    regex: key.3.clone(),
                });
                self.by_key.insert(key, c);
                c
            }
        };
        let seen = Seen {
            word,
            flags,
            kind: token.kind,
            class,
        };
        if self.by_short.len + self.by_text.len() >= MAX_TEXTS {
            self.by_short.clear();
            self.by_text.clear();
        }
        match short {
            Some(k) => {
                self.by_short.insert(k, seen);
            }
            None => {
                self.by_text.insert(text.into(), seen);
            }
        }
        (word, 2 * class + glued)
    }

    /// True if the tokens of `class` pass `test`.
    pub fn test(&self, program: &Program, test: &Test, class: u32) -> bool {
        let info = &self.info[(class / 2) as usize];
        passes(program, test, info, class & 1 != 0)
    }
}

/// For a text of `n` bytes read as two little-endian words: the bits of
/// each word that hold its bytes.
const KEEP: [[u64; 2]; 17] = {
    /// The bits of a word that hold its first `k` bytes.
    const fn bits(k: usize) -> u64 {
        if k >= 8 { !0 } else { (1u64 << (8 * k)) - 1 }
    }
    let mut keep = [[0; 2]; 17];
    let mut n = 1;
    while n <= 16 {
        keep[n] = [bits(n), bits(n.saturating_sub(8))];
        n += 1;
    }
    keep
};

/// The short key of the token at `start..end` of `text`, read as two words
/// straight from the text when 16 bytes are there to read (the same key as
/// [`short_key`] of the token's text).
#[inline]
fn short_key_at(text: &[u8], start: usize, end: usize) -> Option<[u64; 2]> {
    let n = end - start;
    if n == 0 || n > 16 {
        return None;
    }
    let Some(b) = text.get(start..start + 16) else {
        return short_key_bytes(&text[start..end]);
    };
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let [lo, hi] = KEEP[n];
    let key = [word(0) & lo, word(8) & hi];
    debug_assert_eq!(Some(key), short_key_bytes(&text[start..end]));
    Some(key)
}

/// A text of 1 to 16 bytes, as two zero-padded words (a token never holds a
/// zero byte: the tokenizer splits there, so the padding is unambiguous).
#[inline]
fn short_key(text: &str) -> Option<[u64; 2]> {
    short_key_bytes(text.as_bytes())
}

#[inline]
fn short_key_bytes(b: &[u8]) -> Option<[u64; 2]> {
    if b.is_empty() || b.len() > 16 {
        return None;
    }
    debug_assert!(!b.contains(&0), "a token holds a zero byte");
    // Shifted into registers: a copy into a buffer on the stack read back as
    // words stalls on store forwarding, which made this the hot spot.
    let word = |part: &[u8]| {
        part.iter()
            .enumerate()
            .fold(0u64, |w, (i, &c)| w | (u64::from(c) << (8 * i)))
    };
    let (lo, hi) = b.split_at(b.len().min(8));
    Some([word(lo), word(hi)])
}

/// True if the tokens of a class pass a test ([`crate::compile::test_token`] for a class).
fn passes(program: &Program, test: &Test, info: &ClassInfo, glued: bool) -> bool {
    let token = Token {
        start: 0,
        len: 0,
        kind: info.kind,
        flags: info.flags | if glued { GLUED } else { 0 },
    };
    test.eval(&mut |t| match t {
        Test::Word(w) => info.word == *w,
        Test::Class(c) => class_matches(*c, &token),
        Test::Regex(i) => info.regex[*i as usize / 64] & (1 << (*i % 64)) != 0,
        Test::Lexicon(i) => info.word != NO_WORD && program.is_single(*i, info.word),
        _ => true,
    })
}

/// Token test results remembered per token class: `cells[row(class) * width + id]`
/// is 0 (fails), 1 (passes) or 2 (not worked out yet). Ids below
/// [`Program::ntests`] are token tests; id `ntests + r` is "the first token
/// tests and lexicons of rule `r` let it start at a token of this class"
/// ([`crate::compile::Rule::start_id`]).
#[derive(Default)]
pub struct Memo {
    program: u64,
    ntests: usize,
    rows: Vec<u32>,
    cells: Vec<u8>,
}

impl Memo {
    /// True if the tokens of `class` pass test number `id` of the program
    /// ([`Program::tests`]).
    #[inline]
    pub fn test(&mut self, program: &Program, classes: &Classes, id: u32, class: u32) -> bool {
        self.get(id, class, || {
            classes.test(program, &program.tests[id as usize], class)
        })
    }

    /// Forgets everything if it was filled for another program.
    pub fn adopt(&mut self, program: &Program) {
        if self.program != program.id {
            *self = Memo {
                program: program.id,
                ntests: program.ntests + program.rules.len(),
                ..Memo::default()
            };
        }
    }

    /// The answer remembered under `id` for `class`, if it was worked out.
    #[inline(always)]
    pub fn known(&self, id: u32, class: u32) -> Option<bool> {
        let row = *self.rows.get(class as usize)?;
        if row == u32::MAX {
            return None;
        }
        match self.cells[row as usize * self.ntests + id as usize] {
            2 => None,
            cell => Some(cell == 1),
        }
    }

    /// The answer remembered under `id` for `class`, worked out by `work` the
    /// first time it is asked.
    #[inline(always)]
    pub fn get(&mut self, id: u32, class: u32, work: impl FnOnce() -> bool) -> bool {
        if let Some(known) = self.known(id, class) {
            return known;
        }
        let answer = work();
        self.remember(id, class, answer);
        answer
    }

    /// Remembers `answer` under `id` for `class`.
    #[cold]
    #[inline(never)]
    fn remember(&mut self, id: u32, class: u32, answer: bool) {
        let row = self.row(class);
        self.cells[row + id as usize] = u8::from(answer);
    }

    /// Where the answers for `class` begin in the memo (made if it has none
    /// yet): for asking many questions of one class with [`Memo::answer`].
    pub fn row(&mut self, class: u32) -> usize {
        let c = class as usize;
        if c >= self.rows.len() {
            self.rows.resize(c + 1, u32::MAX);
        }
        let mut row = self.rows[c];
        if row == u32::MAX {
            row = (self.cells.len() / self.ntests.max(1)) as u32;
            self.cells.resize(self.cells.len() + self.ntests, 2);
            self.rows[c] = row;
        }
        row as usize * self.ntests
    }

    /// The answer under `id` in the row at `row` (from [`Memo::row`]),
    /// worked out by `work` the first time it is asked.
    #[inline]
    pub fn answer(&mut self, row: usize, id: u32, work: impl FnOnce() -> bool) -> bool {
        let cell = &mut self.cells[row + id as usize];
        if *cell != 2 {
            return *cell == 1;
        }
        let answer = work();
        *cell = u8::from(answer);
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize::tokenize;

    /// More distinct texts than the table holds (it is emptied and filled
    /// again), short and long ones, each met twice: every token gets the
    /// class and word a fresh look-up of its own text gives.
    #[test]
    fn classify_all_agrees_with_one_at_a_time_past_a_refill() {
        let program = crate::Program::from_source(
            "t.rules",
            "record A()\nrule a { match \"w7\" /^[a-z]+[0-9]*5$/ Cap emit A {} }\n",
        )
        .expect("rules build");
        let mut text = String::new();
        for round in 0..2 {
            for i in 0..(MAX_TEXTS + 5000) {
                let long = if i % 3 == 0 { "abcdefghijklmnop" } else { "" };
                text.push_str(&format!("w{i}{long} "));
                if i % 1000 == round {
                    text.push_str("W7. ");
                }
            }
        }
        let mut tokens = Vec::new();
        tokenize(&text, &mut tokens);
        let mut all = Classes::default();
        all.adopt(&program);
        let (mut words, mut classes) = (Vec::new(), Vec::new());
        all.classify_all(&program, &text, &tokens, &mut words, &mut classes);
        assert_eq!((words.len(), classes.len()), (tokens.len(), tokens.len()));
        let mut one = Classes::default();
        one.adopt(&program);
        for (i, t) in tokens.iter().enumerate() {
            let (w, c) = one.classify(&program, t, &text[t.start as usize..t.end() as usize]);
            assert_eq!(words[i], w, "token {i}");
            let (a, b) = (
                &all.info[classes[i] as usize / 2],
                &one.info[c as usize / 2],
            );
            assert_eq!(
                (a.word, a.flags, a.kind, &a.regex, classes[i] & 1),
                (b.word, b.flags, b.kind, &b.regex, c & 1),
                "token {i}"
            );
        }
    }
}
