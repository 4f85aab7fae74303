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

/// What a text class is made of: word group, letter-case flags, kind, regex bits.
type ClassKey = (u32, u8, TokenKind, Box<[u64]>);

/// Token classes met so far, for one program.
#[derive(Default)]
pub struct Classes {
    program: u64,
    /// Texts of up to 16 bytes, zero-padded into two words (a token never
    /// holds a zero byte, so the padding is unambiguous): no string compare.
    by_short: HashMap<[u64; 2], Seen>,
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

    /// The word id and class of a token (its text is `text`).
    pub fn classify(&mut self, program: &Program, token: &Token, text: &str) -> (u32, u32) {
        let flags = token.flags & TEXT_FLAGS;
        let glued = u32::from(token.flags & GLUED != 0);
        let short = short_key(text);
        let seen = match short {
            Some(k) => self.by_short.get(&k),
            None => self.by_text.get(text),
        };
        if let Some(seen) = seen
            && seen.flags == flags
            && seen.kind == token.kind
        {
            return (seen.word, 2 * seen.class + glued);
        }
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
        if self.by_short.len() + self.by_text.len() >= MAX_TEXTS {
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

/// A text of 1 to 16 bytes with no zero byte, as two zero-padded words.
#[inline]
fn short_key(text: &str) -> Option<[u64; 2]> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 16 || b.contains(&0) {
        return None;
    }
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
        end: 0,
        kind: info.kind,
        flags: info.flags | if glued { GLUED } else { 0 },
    };
    test.eval(&mut |t| match t {
        Test::Word(w) => info.word == *w,
        Test::Class(c) => class_matches(*c, &token),
        Test::Regex(i) => info.regex[*i as usize / 64] & (1 << (*i % 64)) != 0,
        Test::Lexicon(i) => {
            info.word != NO_WORD && program.lexicons[*i as usize].is_single(info.word)
        }
        _ => true,
    })
}
