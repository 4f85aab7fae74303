//! Tokenizer for English news text.
//!
//! [`tokenize`] splits text into [`Token`]s (byte spans plus a kind and a few
//! flags) without allocating per token; [`normalize`] produces the matching
//! form of a token's text. The scanner works on bytes with a lookup table for
//! ASCII and decodes a `char` only when it meets a non-ASCII byte.
//!
//! Summary of the rules (see the individual functions for details):
//!
//! * Whitespace (any Unicode white space, plus U+200B, U+FEFF, U+2060, U+180E,
//!   bidi marks/controls and all control characters) separates tokens and is
//!   never part of one.
//! * A word is a run of letters, digits and combining marks. An ASCII hyphen
//!   (or U+2010/U+2011) between alphanumerics joins (`step-by-step`); dashes
//!   (`–`, `—`) never do. English clitics (`'s 're 've 'll 'd 'm n't`) are
//!   split off as their own [`TokenKind::Word`]; other apostrophes followed by
//!   a letter stay inside the word (`O'Brien`).
//! * Abbreviations keep their period: letter-period sequences (`U.S.`,
//!   `a.m.`), single capital initials other than `I` (`W.`), and a built-in
//!   list of titles, months and the like (`Mr.`, `Nov.`, `Inc.`, `No.`
//!   before a digit).
//! * Digits with internal `,` `.` `:` between digits form a
//!   [`TokenKind::Number`] (`1,200`, `3.5`, `17:30`); a digit run followed by
//!   letters or a hyphen is a word (`30th`, `14-year-old`).
//! * Every other character is its own [`TokenKind::Punct`] token, except that
//!   runs of three or more `.` and of two or more `-` are one token each.
//!   Combining marks, variation selectors, emoji skin-tone modifiers and
//!   zero-width joiners attach to the token before them (ZWJ emoji sequences
//!   and regional-indicator flag pairs stay one token).
//! * Scripts without spaces (CJK) are not split further: a run of ideographs
//!   is a single word token, like any other run of letters.

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters, digits and marks, possibly with internal hyphens, apostrophes
    /// or abbreviation periods; also a split-off clitic (`'s`, `n't`).
    Word,
    /// Digits, possibly with internal `,` `.` `:` each between two digits.
    Number,
    /// Any other single character (with attached marks), or `...`/`--` runs.
    Punct,
}

/// Flag: the first char is an uppercase letter (Unicode-aware).
pub const CAP: u8 = 1;
/// Flag: at least one letter and no lowercase letters (`IAEA`, `U.S.`).
///
/// Letters of caseless scripts (CJK, Arabic) count as letters, so a token
/// made only of them has both [`UPPER`] and [`LOWER`].
pub const UPPER: u8 = 2;
/// Flag: at least one letter and no uppercase letters.
pub const LOWER: u8 = 4;
/// Flag: contains at least one letter.
pub const LETTER: u8 = 8;
/// Flag: a newline occurs in the whitespace before this token (for the first
/// token: between the start of the text and the token).
pub const LINE_BEFORE: u8 = 16;
/// Flag: a blank line (two or more newlines, possibly with other whitespace
/// between them) occurs in the whitespace before this token. Always comes
/// with [`LINE_BEFORE`].
pub const PARA_BEFORE: u8 = 32;
/// Flag: the token follows the previous one with no white space between
/// (`said,` — the comma; `"Go` — the word). Never set on the first token.
pub const GLUED: u8 = 64;

/// A token: a half-open byte span of the tokenized text, its kind and flags.
/// Eight bytes: a document's tokens are what most of its memory goes to
/// while it is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte (always on a char boundary).
    pub start: u32,
    /// Its length in bytes (at most [`MAX_TOKEN_BYTES`]); see [`Token::end`].
    pub len: u16,
    /// What the token is made of.
    pub kind: TokenKind,
    /// Bit set of [`CAP`], [`UPPER`], [`LOWER`], [`LETTER`], [`LINE_BEFORE`]
    /// and [`PARA_BEFORE`].
    pub flags: u8,
}

/// The longest token: a longer run of non-space characters (a pasted blob,
/// never a word) is cut into tokens of at most this many bytes, at character
/// boundaries.
pub const MAX_TOKEN_BYTES: usize = u16::MAX as usize;

impl Token {
    /// Byte offset one past the last byte (always on a char boundary).
    #[inline]
    pub fn end(&self) -> u32 {
        self.start + u32::from(self.len)
    }

    /// The token's text, given the text it was produced from.
    #[inline]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start as usize..self.end() as usize]
    }

    /// Whether all bits of `flag` are set on this token.
    #[inline]
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag == flag
    }
}

// ---------------------------------------------------------------------------
// Byte classes.

/// Whitespace or control byte (never part of a token).
const C_WS: u8 = 1;
const C_DIGIT: u8 = 2;
const C_UPPER: u8 = 4;
const C_LOWER: u8 = 8;
/// First byte of a non-ASCII char, or a continuation byte.
const C_HIGH: u8 = 16;
const C_ALNUM: u8 = C_DIGIT | C_UPPER | C_LOWER;

static CLASS: [u8; 256] = build_class();

const fn build_class() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c >= 0x80 {
            C_HIGH
        } else if c.is_ascii_digit() {
            C_DIGIT
        } else if c.is_ascii_uppercase() {
            C_UPPER
        } else if c.is_ascii_lowercase() {
            C_LOWER
        } else if c <= 0x20 || c == 0x7f {
            C_WS
        } else {
            0
        };
        i += 1;
    }
    t
}

/// Half-open ranges `[start, end)` of general categories Mn, Mc and Me, as a
/// flat sorted list (generated from the Unicode 14 database).
static MARKS: [u32; 598] = [
    0x300, 0x370, 0x483, 0x48A, 0x591, 0x5BE, 0x5BF, 0x5C0, 0x5C1, 0x5C3, 0x5C4, 0x5C6, 0x5C7,
    0x5C8, 0x610, 0x61B, 0x64B, 0x660, 0x670, 0x671, 0x6D6, 0x6DD, 0x6DF, 0x6E5, 0x6E7, 0x6E9,
    0x6EA, 0x6EE, 0x711, 0x712, 0x730, 0x74B, 0x7A6, 0x7B1, 0x7EB, 0x7F4, 0x7FD, 0x7FE, 0x816,
    0x81A, 0x81B, 0x824, 0x825, 0x828, 0x829, 0x82E, 0x859, 0x85C, 0x898, 0x8A0, 0x8CA, 0x8E2,
    0x8E3, 0x904, 0x93A, 0x93D, 0x93E, 0x950, 0x951, 0x958, 0x962, 0x964, 0x981, 0x984, 0x9BC,
    0x9BD, 0x9BE, 0x9C5, 0x9C7, 0x9C9, 0x9CB, 0x9CE, 0x9D7, 0x9D8, 0x9E2, 0x9E4, 0x9FE, 0x9FF,
    0xA01, 0xA04, 0xA3C, 0xA3D, 0xA3E, 0xA43, 0xA47, 0xA49, 0xA4B, 0xA4E, 0xA51, 0xA52, 0xA70,
    0xA72, 0xA75, 0xA76, 0xA81, 0xA84, 0xABC, 0xABD, 0xABE, 0xAC6, 0xAC7, 0xACA, 0xACB, 0xACE,
    0xAE2, 0xAE4, 0xAFA, 0xB00, 0xB01, 0xB04, 0xB3C, 0xB3D, 0xB3E, 0xB45, 0xB47, 0xB49, 0xB4B,
    0xB4E, 0xB55, 0xB58, 0xB62, 0xB64, 0xB82, 0xB83, 0xBBE, 0xBC3, 0xBC6, 0xBC9, 0xBCA, 0xBCE,
    0xBD7, 0xBD8, 0xC00, 0xC05, 0xC3C, 0xC3D, 0xC3E, 0xC45, 0xC46, 0xC49, 0xC4A, 0xC4E, 0xC55,
    0xC57, 0xC62, 0xC64, 0xC81, 0xC84, 0xCBC, 0xCBD, 0xCBE, 0xCC5, 0xCC6, 0xCC9, 0xCCA, 0xCCE,
    0xCD5, 0xCD7, 0xCE2, 0xCE4, 0xD00, 0xD04, 0xD3B, 0xD3D, 0xD3E, 0xD45, 0xD46, 0xD49, 0xD4A,
    0xD4E, 0xD57, 0xD58, 0xD62, 0xD64, 0xD81, 0xD84, 0xDCA, 0xDCB, 0xDCF, 0xDD5, 0xDD6, 0xDD7,
    0xDD8, 0xDE0, 0xDF2, 0xDF4, 0xE31, 0xE32, 0xE34, 0xE3B, 0xE47, 0xE4F, 0xEB1, 0xEB2, 0xEB4,
    0xEBD, 0xEC8, 0xECE, 0xF18, 0xF1A, 0xF35, 0xF36, 0xF37, 0xF38, 0xF39, 0xF3A, 0xF3E, 0xF40,
    0xF71, 0xF85, 0xF86, 0xF88, 0xF8D, 0xF98, 0xF99, 0xFBD, 0xFC6, 0xFC7, 0x102B, 0x103F, 0x1056,
    0x105A, 0x105E, 0x1061, 0x1062, 0x1065, 0x1067, 0x106E, 0x1071, 0x1075, 0x1082, 0x108E, 0x108F,
    0x1090, 0x109A, 0x109E, 0x135D, 0x1360, 0x1712, 0x1716, 0x1732, 0x1735, 0x1752, 0x1754, 0x1772,
    0x1774, 0x17B4, 0x17D4, 0x17DD, 0x17DE, 0x180B, 0x180E, 0x180F, 0x1810, 0x1885, 0x1887, 0x18A9,
    0x18AA, 0x1920, 0x192C, 0x1930, 0x193C, 0x1A17, 0x1A1C, 0x1A55, 0x1A5F, 0x1A60, 0x1A7D, 0x1A7F,
    0x1A80, 0x1AB0, 0x1ACF, 0x1B00, 0x1B05, 0x1B34, 0x1B45, 0x1B6B, 0x1B74, 0x1B80, 0x1B83, 0x1BA1,
    0x1BAE, 0x1BE6, 0x1BF4, 0x1C24, 0x1C38, 0x1CD0, 0x1CD3, 0x1CD4, 0x1CE9, 0x1CED, 0x1CEE, 0x1CF4,
    0x1CF5, 0x1CF7, 0x1CFA, 0x1DC0, 0x1E00, 0x20D0, 0x20F1, 0x2CEF, 0x2CF2, 0x2D7F, 0x2D80, 0x2DE0,
    0x2E00, 0x302A, 0x3030, 0x3099, 0x309B, 0xA66F, 0xA673, 0xA674, 0xA67E, 0xA69E, 0xA6A0, 0xA6F0,
    0xA6F2, 0xA802, 0xA803, 0xA806, 0xA807, 0xA80B, 0xA80C, 0xA823, 0xA828, 0xA82C, 0xA82D, 0xA880,
    0xA882, 0xA8B4, 0xA8C6, 0xA8E0, 0xA8F2, 0xA8FF, 0xA900, 0xA926, 0xA92E, 0xA947, 0xA954, 0xA980,
    0xA984, 0xA9B3, 0xA9C1, 0xA9E5, 0xA9E6, 0xAA29, 0xAA37, 0xAA43, 0xAA44, 0xAA4C, 0xAA4E, 0xAA7B,
    0xAA7E, 0xAAB0, 0xAAB1, 0xAAB2, 0xAAB5, 0xAAB7, 0xAAB9, 0xAABE, 0xAAC0, 0xAAC1, 0xAAC2, 0xAAEB,
    0xAAF0, 0xAAF5, 0xAAF7, 0xABE3, 0xABEB, 0xABEC, 0xABEE, 0xFB1E, 0xFB1F, 0xFE00, 0xFE10, 0xFE20,
    0xFE30, 0x101FD, 0x101FE, 0x102E0, 0x102E1, 0x10376, 0x1037B, 0x10A01, 0x10A04, 0x10A05,
    0x10A07, 0x10A0C, 0x10A10, 0x10A38, 0x10A3B, 0x10A3F, 0x10A40, 0x10AE5, 0x10AE7, 0x10D24,
    0x10D28, 0x10EAB, 0x10EAD, 0x10F46, 0x10F51, 0x10F82, 0x10F86, 0x11000, 0x11003, 0x11038,
    0x11047, 0x11070, 0x11071, 0x11073, 0x11075, 0x1107F, 0x11083, 0x110B0, 0x110BB, 0x110C2,
    0x110C3, 0x11100, 0x11103, 0x11127, 0x11135, 0x11145, 0x11147, 0x11173, 0x11174, 0x11180,
    0x11183, 0x111B3, 0x111C1, 0x111C9, 0x111CD, 0x111CE, 0x111D0, 0x1122C, 0x11238, 0x1123E,
    0x1123F, 0x112DF, 0x112EB, 0x11300, 0x11304, 0x1133B, 0x1133D, 0x1133E, 0x11345, 0x11347,
    0x11349, 0x1134B, 0x1134E, 0x11357, 0x11358, 0x11362, 0x11364, 0x11366, 0x1136D, 0x11370,
    0x11375, 0x11435, 0x11447, 0x1145E, 0x1145F, 0x114B0, 0x114C4, 0x115AF, 0x115B6, 0x115B8,
    0x115C1, 0x115DC, 0x115DE, 0x11630, 0x11641, 0x116AB, 0x116B8, 0x1171D, 0x1172C, 0x1182C,
    0x1183B, 0x11930, 0x11936, 0x11937, 0x11939, 0x1193B, 0x1193F, 0x11940, 0x11941, 0x11942,
    0x11944, 0x119D1, 0x119D8, 0x119DA, 0x119E1, 0x119E4, 0x119E5, 0x11A01, 0x11A0B, 0x11A33,
    0x11A3A, 0x11A3B, 0x11A3F, 0x11A47, 0x11A48, 0x11A51, 0x11A5C, 0x11A8A, 0x11A9A, 0x11C2F,
    0x11C37, 0x11C38, 0x11C40, 0x11C92, 0x11CA8, 0x11CA9, 0x11CB7, 0x11D31, 0x11D37, 0x11D3A,
    0x11D3B, 0x11D3C, 0x11D3E, 0x11D3F, 0x11D46, 0x11D47, 0x11D48, 0x11D8A, 0x11D8F, 0x11D90,
    0x11D92, 0x11D93, 0x11D98, 0x11EF3, 0x11EF7, 0x16AF0, 0x16AF5, 0x16B30, 0x16B37, 0x16F4F,
    0x16F50, 0x16F51, 0x16F88, 0x16F8F, 0x16F93, 0x16FE4, 0x16FE5, 0x16FF0, 0x16FF2, 0x1BC9D,
    0x1BC9F, 0x1CF00, 0x1CF2E, 0x1CF30, 0x1CF47, 0x1D165, 0x1D16A, 0x1D16D, 0x1D173, 0x1D17B,
    0x1D183, 0x1D185, 0x1D18C, 0x1D1AA, 0x1D1AE, 0x1D242, 0x1D245, 0x1DA00, 0x1DA37, 0x1DA3B,
    0x1DA6D, 0x1DA75, 0x1DA76, 0x1DA84, 0x1DA85, 0x1DA9B, 0x1DAA0, 0x1DAA1, 0x1DAB0, 0x1E000,
    0x1E007, 0x1E008, 0x1E019, 0x1E01B, 0x1E022, 0x1E023, 0x1E025, 0x1E026, 0x1E02B, 0x1E130,
    0x1E137, 0x1E2AE, 0x1E2AF, 0x1E2EC, 0x1E2F0, 0x1E8D0, 0x1E8D7, 0x1E944, 0x1E94B, 0xE0100,
    0xE01F0,
];

/// Whether `ch` is a combining mark (general category Mn, Mc or Me).
fn is_mark(ch: char) -> bool {
    let cp = ch as u32;
    cp >= 0x300 && MARKS.partition_point(|&x| x <= cp) % 2 == 1
}

/// Chars that attach to the preceding char: marks, variation selectors,
/// emoji modifiers, joiners, soft hyphen and tag characters.
fn is_extender(ch: char) -> bool {
    matches!(
        ch,
        '\u{AD}' | '\u{200C}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}'
    ) || is_mark(ch)
}

/// Non-ASCII chars that separate tokens like whitespace.
fn is_space(ch: char) -> bool {
    ch.is_whitespace()
        || ch.is_control()
        || matches!(
            ch,
            '\u{180E}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Non-ASCII chars that belong in a word run.
#[inline]
fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || is_extender(ch)
}

#[inline]
fn char_at(text: &str, i: usize) -> char {
    // `i` is always a char boundary below `text.len()` here.
    text[i..].chars().next().unwrap_or('\0')
}

/// Whether a word char (letter, digit or mark) starts at byte `i`.
#[inline]
fn word_char_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        None => false,
        Some(&c) if c < 0x80 => CLASS[c as usize] & C_ALNUM != 0,
        Some(_) => is_word_char(char_at(text, i)),
    }
}

/// Whether a letter or digit starts at byte `i`.
#[inline]
fn alnum_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        None => false,
        Some(&c) if c < 0x80 => CLASS[c as usize] & C_ALNUM != 0,
        Some(_) => char_at(text, i).is_alphanumeric(),
    }
}

/// Whether a letter starts at byte `i`.
#[inline]
fn letter_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        None => false,
        Some(&c) if c < 0x80 => CLASS[c as usize] & (C_UPPER | C_LOWER) != 0,
        Some(_) => char_at(text, i).is_alphabetic(),
    }
}

#[inline]
fn line_flags(newlines: u32) -> u8 {
    match newlines {
        0 => 0,
        1 => LINE_BEFORE,
        _ => LINE_BEFORE | PARA_BEFORE,
    }
}

/// Letter-case flags ([`CAP`], [`UPPER`], [`LOWER`], [`LETTER`]) of a span.
fn case_flags(text: &str, start: usize, end: usize) -> u8 {
    let bytes = &text.as_bytes()[start..end];
    let mut acc = 0u8;
    for &c in bytes {
        acc |= CLASS[c as usize];
    }
    if acc & C_HIGH == 0 {
        return ascii_case_flags(acc, bytes[0]);
    }
    let s = &text[start..end];
    let (mut letter, mut upper, mut lower) = (false, false, false);
    for ch in s.chars().filter(|c| c.is_alphabetic()) {
        letter = true;
        upper |= ch.is_uppercase();
        lower |= ch.is_lowercase();
    }
    let cap = s.chars().next().is_some_and(char::is_uppercase);
    flags_of(letter, upper, lower, cap)
}

/// Letter-case flags of an ASCII span, from the union `acc` of its bytes'
/// classes and its first byte.
#[inline]
fn ascii_case_flags(acc: u8, first: u8) -> u8 {
    flags_of(
        acc & (C_UPPER | C_LOWER) != 0,
        acc & C_UPPER != 0,
        acc & C_LOWER != 0,
        CLASS[first as usize] & C_UPPER != 0,
    )
}

#[inline]
fn flags_of(letter: bool, upper: bool, lower: bool, cap: bool) -> u8 {
    let mut f = 0;
    if letter {
        f |= LETTER;
        if !lower {
            f |= UPPER;
        }
        if !upper {
            f |= LOWER;
        }
    }
    if cap {
        f |= CAP;
    }
    f
}

#[inline]
fn push_word(text: &str, start: usize, end: usize, kind: TokenKind, lf: u8, out: &mut Vec<Token>) {
    if end - start > MAX_TOKEN_BYTES {
        return push_long(text, start, end, kind, lf, out);
    }
    out.push(Token {
        start: start as u32,
        len: (end - start) as u16,
        kind,
        flags: lf | case_flags(text, start, end),
    });
}

/// A word longer than [`MAX_TOKEN_BYTES`], as tokens of at most that many
/// bytes, glued to one another.
#[cold]
fn push_long(text: &str, start: usize, end: usize, kind: TokenKind, lf: u8, out: &mut Vec<Token>) {
    let (mut at, mut flags) = (start, lf);
    while at < end {
        let mut cut = (at + MAX_TOKEN_BYTES).min(end);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        push_word(text, at, cut, kind, flags, out);
        (at, flags) = (cut, GLUED);
    }
}

/// The scanner behind [`tokenize`].
///
/// Offsets are byte offsets into `text`, always on char boundaries. Flags
/// [`LINE_BEFORE`]/[`PARA_BEFORE`] of the first appended token describe the
/// whitespace at the start of `text`.
///
/// # Panics
///
/// If `text` is 4 GiB or longer (offsets are `u32`).
fn tokenize_raw(text: &str, out: &mut Vec<Token>) {
    assert!(
        u32::try_from(text.len()).is_ok(),
        "tokenize: text longer than u32::MAX bytes"
    );
    let b = text.as_bytes();
    let n = b.len();
    let first = out.len();
    let mut i = 0;
    let mut newlines = 0u32;
    // White space (or the start) came since the last token.
    let mut gap = true;
    while i < n {
        let c = b[i];
        let cls = CLASS[c as usize];
        if cls & C_WS != 0 {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                newlines += 1;
            }
            gap = true;
            i += 1;
            continue;
        }
        // A token that directly follows the one before is glued to it.
        let lf = line_flags(newlines) | if gap || out.len() == first { 0 } else { GLUED };
        if cls & C_ALNUM != 0 {
            i = scan_word(text, i, lf, out);
        } else if cls & C_HIGH == 0 {
            let end = match c {
                b'.' | b'-' => {
                    let mut e = i + 1;
                    while e < n && b[e] == c && e - i < MAX_TOKEN_BYTES {
                        e += 1;
                    }
                    let min = if c == b'.' { 3 } else { 2 };
                    if e - i >= min { e } else { i + 1 }
                }
                _ => i + 1,
            };
            out.push(Token {
                start: i as u32,
                len: (end - i) as u16,
                kind: TokenKind::Punct,
                flags: lf,
            });
            i = end;
        } else {
            let ch = char_at(text, i);
            let len = ch.len_utf8();
            if is_space(ch) {
                gap = true;
                newlines += match ch {
                    '\u{2029}' => 2,
                    '\u{2028}' | '\u{85}' => 1,
                    _ => 0,
                };
                i += len;
                continue;
            }
            if out.len() > first {
                let last = out.last_mut().expect("non-empty");
                if last.end() as usize == i
                    && usize::from(last.len) + len <= MAX_TOKEN_BYTES
                    && attaches(text, last, ch)
                {
                    last.len += len as u16;
                    i += len;
                    continue;
                }
            }
            if is_word_char(ch) {
                i = scan_word(text, i, lf, out);
            } else {
                out.push(Token {
                    start: i as u32,
                    len: len as u16,
                    kind: TokenKind::Punct,
                    flags: lf,
                });
                i += len;
            }
        }
        gap = false;
        newlines = 0;
    }
}

/// Appends the tokens of `text` to `out` (does not clear it). Byte offsets into
/// `text`, always on char boundaries. Sets [`GLUED`] on tokens that directly
/// follow the one before.
///
/// # Panics
///
/// If `text` is 4 GiB or longer (offsets are `u32`).
pub fn tokenize(text: &str, out: &mut Vec<Token>) {
    let first = out.len();
    tokenize_raw(text, out);
    debug_assert!(
        (first + 1..out.len())
            .all(|i| (out[i].start == out[i - 1].end()) == (out[i].flags & GLUED != 0))
    );
}

/// `x` with byte `b` in every byte.
const fn rep(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `x` that is strictly between `m` and `n`
/// (bytes of 0x80 and above never are; `n <= 128`).
#[inline]
fn between(x: u64, m: u8, n: u8) -> u64 {
    let low = x & rep(0x7F);
    (rep(127 + n).wrapping_sub(low) & !x & low.wrapping_add(rep(127 - m))) & rep(0x80)
}

/// The end of the run of ASCII letters and digits at `j`, and the union of
/// their byte classes. Eight bytes at a time: most words end within the
/// first eight, so the loop rarely goes round (and its exit is predictable).
#[inline]
fn ascii_run(b: &[u8], start: usize) -> (usize, u8) {
    let mut j = start;
    let mut acc = 0u8;
    while let Some(chunk) = b.get(j..j + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let upper = between(x, b'A' - 1, b'Z' + 1);
        let lower = between(x, b'a' - 1, b'z' + 1);
        let digit = between(x, b'0' - 1, b'9' + 1);
        let stop = !(upper | lower | digit) & rep(0x80);
        // Bytes before the first that is not a letter or digit.
        let (k, keep) = if stop == 0 {
            (8, u64::MAX)
        } else {
            let k = stop.trailing_zeros() as usize / 8;
            (k, (1u64 << (8 * k)) - 1)
        };
        if upper & keep != 0 {
            acc |= C_UPPER;
        }
        if lower & keep != 0 {
            acc |= C_LOWER;
        }
        if digit & keep != 0 {
            acc |= C_DIGIT;
        }
        j += k;
        if k < 8 {
            debug_assert_eq!((j, acc), ascii_run_bytes(b, start));
            return (j, acc);
        }
    }
    let (end, rest) = ascii_run_bytes(b, j);
    (end, acc | rest)
}

/// [`ascii_run`] a byte at a time.
#[inline]
fn ascii_run_bytes(b: &[u8], mut j: usize) -> (usize, u8) {
    let mut acc = 0u8;
    for &c in &b[j..] {
        let cls = CLASS[c as usize];
        if cls & C_ALNUM == 0 {
            break;
        }
        acc |= cls;
        j += 1;
    }
    (j, acc)
}

/// Whether non-ASCII `ch`, directly after `last`, belongs to it.
fn attaches(text: &str, last: &Token, ch: char) -> bool {
    if is_extender(ch) {
        return true;
    }
    let prev = last.text(text);
    if prev.ends_with('\u{200D}') {
        // Emoji ZWJ sequence: the joined symbol stays with its sequence.
        return !ch.is_alphanumeric();
    }
    let is_ri = |c: char| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
    // Regional-indicator pair (flag emoji).
    is_ri(ch) && prev.len() == 4 && prev.chars().next().is_some_and(is_ri)
}

/// Length in bytes of an apostrophe (`'` or `’`) at byte `j`, or 0.
#[inline]
fn apostrophe_at(b: &[u8], j: usize) -> usize {
    match b.get(j) {
        Some(b'\'') => 1,
        Some(0xE2) if b.get(j + 1) == Some(&0x80) && b.get(j + 2) == Some(&0x99) => 3,
        _ => 0,
    }
}

/// End of a clitic (`s re ve ll d m`, any case) whose letters start at `k`,
/// right after an apostrophe, if the word ends after it.
fn clitic_end(text: &str, k: usize) -> Option<usize> {
    let b = text.as_bytes();
    let lower = |i: usize| b.get(i).map_or(0, |c| c.to_ascii_lowercase());
    let len = match (lower(k), lower(k + 1)) {
        (b's' | b'd' | b'm', _) => 1,
        (b'r' | b'v', b'e') | (b'l', b'l') => 2,
        _ => return None,
    };
    (!word_char_at(text, k + len)).then_some(k + len)
}

/// Scans the word (or number) starting at byte `start` and pushes it (and a
/// split-off clitic, if any). Returns the byte offset after the scanned text.
#[inline(always)]
fn scan_word(text: &str, start: usize, lf: u8, out: &mut Vec<Token>) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    let mut j = start;
    let mut numeric = true;
    // The classes of the bytes seen, for the case flags of an ASCII word.
    let mut acc = 0u8;
    loop {
        // A run of letters, digits and marks: ASCII ones in a tight loop.
        loop {
            let (end, cls) = ascii_run(b, j);
            acc |= cls;
            j = end;
            if j >= n || CLASS[b[j] as usize] & C_HIGH == 0 {
                break;
            }
            let ch = char_at(text, j);
            if !is_word_char(ch) {
                break;
            }
            acc |= C_HIGH;
            numeric &= ch.is_numeric();
            j += ch.len_utf8();
        }
        // ASCII letters make it a word.
        numeric &= acc & (C_UPPER | C_LOWER) == 0;
        if j >= n {
            break;
        }
        match b[j] {
            b'-' if alnum_at(text, j + 1) => {
                numeric = false;
                j += 1;
                continue;
            }
            // U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN.
            0xE2 if b[j + 1] == 0x80
                && matches!(b[j + 2], 0x90 | 0x91)
                && alnum_at(text, j + 3) =>
            {
                numeric = false;
                j += 3;
                continue;
            }
            b',' | b'.' | b':'
                if b[j - 1].is_ascii_digit() && b.get(j + 1).is_some_and(u8::is_ascii_digit) =>
            {
                j += 1;
                continue;
            }
            _ => {}
        }
        let alen = apostrophe_at(b, j);
        if alen > 0 {
            let k = j + alen;
            if let Some(e) = clitic_end(text, k) {
                let kind = if numeric {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                push_word(text, start, j, kind, lf, out);
                push_word(text, j, e, TokenKind::Word, GLUED, out);
                return e;
            }
            // n't: the `n` belongs to the clitic (do|n't, ca|n't).
            if j >= start + 2
                && matches!(b[j - 1], b'n' | b'N')
                && b[j - 2].is_ascii_alphabetic()
                && matches!(b.get(k), Some(b't' | b'T'))
                && !word_char_at(text, k + 1)
            {
                push_word(text, start, j - 1, TokenKind::Word, lf, out);
                push_word(text, j - 1, k + 1, TokenKind::Word, GLUED, out);
                return k + 1;
            }
            if letter_at(text, k) {
                numeric = false;
                j = k;
                continue;
            }
        }
        break;
    }
    let mut end = j;
    if j < n
        && b[j] == b'.'
        && let Some(e) = abbreviation_end(text, start, j)
    {
        end = e;
        numeric = false;
    }
    let kind = if numeric {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    if end == j && acc & C_HIGH == 0 && end - start <= MAX_TOKEN_BYTES {
        // An ASCII word with no abbreviation period: its case flags are known.
        out.push(Token {
            start: start as u32,
            len: (end - start) as u16,
            kind,
            flags: lf | ascii_case_flags(acc, b[start]),
        });
    } else {
        push_word(text, start, end, kind, lf, out);
    }
    end
}

/// If the word `text[start..dot]`, followed by a period at `dot`, is an
/// abbreviation, returns the end of the abbreviation token (past its period).
fn abbreviation_end(text: &str, start: usize, dot: usize) -> Option<usize> {
    let b = text.as_bytes();
    let n = b.len();
    let word = &b[start..dot];
    if word.len() == 1 && word[0].is_ascii_alphabetic() {
        // Letter-period sequences: U.S., a.m., e.g., U.S.A.
        let mut p = dot;
        let mut count = 0;
        while p + 1 < n
            && b[p] == b'.'
            && b[p + 1].is_ascii_alphabetic()
            && !word_char_at(text, p + 2)
        {
            p += 2;
            count += 1;
        }
        if count > 0 {
            return Some(if p < n && b[p] == b'.' { p + 1 } else { p });
        }
    }
    // A single capital letter is an initial (George W. Bush), except the
    // pronoun/numeral "I", which mostly ends sentences ("World War I.").
    let w = &text[start..dot];
    let mut chars = w.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_uppercase()
        && c != 'I'
    {
        return Some(dot + 1);
    }
    let is_abbr = match word {
        b"Mr" | b"Mrs" | b"Ms" | b"Messrs" | b"Dr" | b"Prof" | b"Sr" | b"Jr" | b"St" => true,
        b"Gen" | b"Col" | b"Lt" | b"Sgt" | b"Capt" | b"Cmdr" | b"Adm" | b"Maj" | b"Brig" => true,
        b"Cpl" | b"Pvt" | b"Gov" | b"Sen" | b"Rep" | b"Sens" | b"Reps" | b"Govs" | b"Rev" => true,
        b"Hon" | b"Pres" | b"Mt" | b"Ft" | b"Supt" | b"Det" => true,
        b"Jan" | b"Feb" | b"Mar" | b"Apr" | b"Jun" | b"Jul" | b"Aug" | b"Sep" | b"Sept" => true,
        b"Oct" | b"Nov" | b"Dec" => true,
        b"Inc" | b"Corp" | b"Ltd" | b"Co" | b"Bros" | b"vs" | b"etc" | b"Vol" | b"vol" => true,
        b"pp" | b"approx" => true,
        // "No." only as "number": before a digit ("No. 10").
        b"No" => {
            let mut p = dot + 1;
            while p < n && (b[p] == b' ' || b[p] == b'\t') {
                p += 1;
            }
            if b[p..].starts_with("\u{A0}".as_bytes()) {
                p += 2;
            }
            p < n && b[p].is_ascii_digit()
        }
        _ => false,
    };
    is_abbr.then_some(dot + 1)
}

/// Writes the matching form of a token's text into `buf` (cleared first).
///
/// Lowercases (Unicode) and folds typographic variants: `’ ‘ ‛ ` ´ ′ ʼ` →
/// `'`, `“ ” „ ‟ ″ « »` → `"`, `– — ‒ − ― ‐ ‑` → `-`, `…` → `...`, NBSP and
/// other spaces → `' '`; soft hyphens (U+00AD) are dropped. ASCII text takes
/// a fast path.
pub fn normalize(token_text: &str, buf: &mut String) {
    buf.clear();
    if token_text.is_ascii() {
        buf.push_str(token_text);
        buf.make_ascii_lowercase();
        if token_text.contains('`') {
            *buf = buf.replace('`', "'");
        }
        return;
    }
    for ch in token_text.chars() {
        match ch {
            '\u{2019}' | '\u{2018}' | '\u{201B}' | '`' | '\u{B4}' | '\u{2032}' | '\u{2BC}' => {
                buf.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{AB}'
            | '\u{BB}' => buf.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => buf.push('-'),
            '\u{2026}' => buf.push_str("..."),
            '\u{AD}' => {}
            c if c.is_ascii() => buf.push(c.to_ascii_lowercase()),
            c if c.is_whitespace() => buf.push(' '),
            c => buf.extend(c.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Token> {
        let mut v = Vec::new();
        tokenize(text, &mut v);
        v
    }

    /// Token texts joined with `|`.
    fn texts(text: &str) -> String {
        toks(text)
            .iter()
            .map(|t| t.text(text))
            .collect::<Vec<_>>()
            .join("|")
    }

    fn kinds(text: &str) -> Vec<TokenKind> {
        toks(text).iter().map(|t| t.kind).collect()
    }

    fn flags_of(text: &str) -> Vec<u8> {
        toks(text).iter().map(|t| t.flags).collect()
    }

    fn norm(s: &str) -> String {
        let mut buf = String::from("garbage");
        normalize(s, &mut buf);
        buf
    }

    #[test]
    fn seed_sentence() {
        let s = "Ali Baqeri, the deputy secretary of Russia’s Security Council, said on Nov. 11 that 1,200 U.S. troops left at 17:30 — a “step-by-step” plan.";
        assert_eq!(
            texts(s),
            "Ali|Baqeri|,|the|deputy|secretary|of|Russia|’s|Security|Council|,|said|on|Nov.|11|that|1,200|U.S.|troops|left|at|17:30|—|a|“|step-by-step|”|plan|."
        );
    }

    #[test]
    fn clitics() {
        assert_eq!(
            texts("don't we're I've we'll he'd I'm Iran's Russia’s"),
            "do|n't|we|'re|I|'ve|we|'ll|he|'d|I|'m|Iran|'s|Russia|’s"
        );
        assert_eq!(
            texts("DON'T can't won't isn’t IT'S We'Re"),
            "DO|N'T|ca|n't|wo|n't|is|n’t|IT|'S|We|'Re"
        );
        assert_eq!(texts("the 1990's boom"), "the|1990|'s|boom");
        assert_eq!(kinds("Iran's"), vec![TokenKind::Word, TokenKind::Word]);
        // Clitic followed by punctuation; clitic-like letters inside a name.
        assert_eq!(texts("(Iran's)."), "(|Iran|'s|)|.");
        assert_eq!(
            texts("O'Sullivan D'Souza O'Dea"),
            "O'Sullivan|D'Souza|O'Dea"
        );
    }

    #[test]
    fn plural_possessive_and_internal_apostrophes() {
        assert_eq!(
            texts("the two countries’ security councils"),
            "the|two|countries|’|security|councils"
        );
        assert_eq!(texts("the girls' team"), "the|girls|'|team");
        assert_eq!(kinds("girls'")[1], TokenKind::Punct);
        assert_eq!(texts("O'Brien's Ba'ath party"), "O'Brien|'s|Ba'ath|party");
        assert_eq!(
            texts("for 'self-medicating' and ‘rock ’n’ roll’"),
            "for|'|self-medicating|'|and|‘|rock|’|n|’|roll|’"
        );
        assert_eq!(texts("5'10\" tall"), "5|'|10|\"|tall");
    }

    #[test]
    fn numbers() {
        let s = "in 2011. Then 3.5 and 17:3, 1,000,000, 0.25%; $5 30th 1990s 14-year-old";
        assert_eq!(
            texts(s),
            "in|2011|.|Then|3.5|and|17:3|,|1,000,000|,|0.25|%|;|$|5|30th|1990s|14-year-old"
        );
        use TokenKind::*;
        assert_eq!(
            kinds(s),
            vec![
                Word, Number, Punct, Word, Number, Word, Number, Punct, Number, Punct, Number,
                Punct, Punct, Punct, Number, Word, Word, Word
            ]
        );
        assert_eq!(texts("at 17:30. 2,"), "at|17:30|.|2|,");
        assert_eq!(texts("1,2,3 4:5:6 7.8.9"), "1,2,3|4:5:6|7.8.9");
        assert_eq!(texts("1, 2. 3: .5"), "1|,|2|.|3|:|.|5");
        assert_eq!(kinds("2011-2012"), vec![Word]);
    }

    #[test]
    fn hyphens_and_dashes() {
        assert_eq!(
            texts("Tehran–Moscow T-shirt M-1 step-by-step a - b -- c --- well- -ish x—y"),
            "Tehran|–|Moscow|T-shirt|M-1|step-by-step|a|-|b|--|c|---|well|-|-|ish|x|—|y"
        );
        // Unicode hyphens join like the ASCII one.
        assert_eq!(texts("non‑binding pre‐war"), "non‑binding|pre‐war");
    }

    #[test]
    fn abbreviations() {
        assert_eq!(
            texts("George W. Bush met Mr. Smith and Dr. Jones at 5 p.m. in the U.K., e.g. here."),
            "George|W.|Bush|met|Mr.|Smith|and|Dr.|Jones|at|5|p.m.|in|the|U.K.|,|e.g.|here|."
        );
        assert_eq!(
            texts("No. 10 and No.5 but No one. U.S.A. i.e. Gen. Sept. Inc. etc. vs."),
            "No.|10|and|No.|5|but|No|one|.|U.S.A.|i.e.|Gen.|Sept.|Inc.|etc.|vs."
        );
        // Not abbreviations: "I", lowercase single letters, unknown words.
        assert_eq!(
            texts("World War I. It was a. Then Foo. mr. U.S-led"),
            "World|War|I|.|It|was|a|.|Then|Foo|.|mr|.|U.S|-|led"
        );
        assert_eq!(kinds("U.S."), vec![TokenKind::Word]);
        assert_eq!(kinds("Nov. 11"), vec![TokenKind::Word, TokenKind::Number]);
    }

    #[test]
    fn punctuation_runs() {
        assert_eq!(
            texts("Wait... what? Really?! a..b ....“x”…"),
            "Wait|...|what|?|Really|?|!|a|.|.|b|....|“|x|”|…"
        );
        assert_eq!(texts("(see [1]) {a}/b\\c"), "(|see|[|1|]|)|{|a|}|/|b|\\|c");
    }

    #[test]
    fn whitespace_variants() {
        assert_eq!(
            texts("Ali\u{A0}Baqeri\u{2009}x\u{200B}y\u{FEFF}z\u{3000}w\u{202F}v\tu\u{205F}t"),
            "Ali|Baqeri|x|y|z|w|v|u|t"
        );
        assert_eq!(texts("\u{FEFF}  a\u{0}b\u{1F}"), "a|b");
        assert_eq!(texts(""), "");
        assert_eq!(texts(" \n\t\u{A0} "), "");
    }

    #[test]
    fn case_flags() {
        assert_eq!(flags_of("IAEA"), vec![CAP | UPPER | LETTER]);
        assert_eq!(flags_of("Iran"), vec![CAP | LETTER]);
        assert_eq!(flags_of("iran"), vec![LOWER | LETTER]);
        assert_eq!(flags_of("1,200"), vec![0]);
        assert_eq!(flags_of("U.S."), vec![CAP | UPPER | LETTER]);
        assert_eq!(flags_of("30th"), vec![LOWER | LETTER]);
        assert_eq!(flags_of("Élysée"), vec![CAP | LETTER]);
        assert_eq!(flags_of("ÉLYSÉE"), vec![CAP | UPPER | LETTER]);
        assert_eq!(flags_of("élysée"), vec![LOWER | LETTER]);
        assert_eq!(
            flags_of("Iran’s"),
            vec![CAP | LETTER, LOWER | LETTER | GLUED]
        );
        assert_eq!(flags_of("“"), vec![0]);
        // Caseless letters: both UPPER and LOWER.
        assert_eq!(flags_of("طهران"), vec![UPPER | LOWER | LETTER]);
        let t = toks("IAEA")[0];
        assert!(t.has(CAP | UPPER) && !t.has(LOWER));
    }

    #[test]
    fn line_and_paragraph_flags() {
        let s = "Head line\nDateline\n\nPara one. \n \t\n Two\r\n\r\nthree\r\nfour \u{2029}five";
        assert_eq!(
            texts(s),
            "Head|line|Dateline|Para|one|.|Two|three|four|five"
        );
        let lp = LINE_BEFORE | PARA_BEFORE;
        let f: Vec<u8> = flags_of(s).into_iter().map(|f| f & lp).collect();
        assert_eq!(
            f,
            vec![0, 0, LINE_BEFORE, lp, 0, 0, lp, lp, LINE_BEFORE, lp]
        );
        // Leading whitespace of the text counts for the first token.
        assert_eq!(flags_of("\n\nA")[0] & lp, lp);
        assert_eq!(flags_of(" A")[0] & lp, 0);
    }

    #[test]
    fn appends_without_clearing() {
        let mut v = Vec::new();
        tokenize("a b", &mut v);
        tokenize("c", &mut v);
        assert_eq!(v.len(), 3);
        assert_eq!((v[2].start, v[2].end()), (0, 1));
    }

    #[test]
    fn other_scripts_marks_and_emoji() {
        // Combining marks stay with their base, also after punctuation.
        assert_eq!(texts("cafe\u{301}, “\u{301}x"), "cafe\u{301}|,|“\u{301}|x");
        assert_eq!(texts("a-\u{301}b"), "a|-\u{301}|b");
        // A mark after a clitic-like letter makes it a longer word, not a clitic.
        assert_eq!(texts("Iran's\u{301}"), "Iran's\u{301}");
        assert_eq!(texts("👍🏽 ❤️ 👨‍👩‍👧! 🇺🇸🇬🇧🇫"), "👍🏽|❤️|👨‍👩‍👧|!|🇺🇸|🇬🇧|🇫");
        // CJK runs are one word; Arabic and Cyrillic words split on spaces.
        assert_eq!(texts("北京欢迎你。東京"), "北京欢迎你|。|東京");
        assert_eq!(
            texts("قال الرئيس، Путин сказал."),
            "قال|الرئيس|،|Путин|сказал|."
        );
        assert_eq!(texts("می‌خواهم"), "می‌خواهم");
        assert_eq!(texts("x²+½"), "x²|+|½");
        assert_eq!(kinds("½"), vec![TokenKind::Number]);
    }

    /// Checks the structural invariants of a tokenization.
    fn check_invariants(s: &str) {
        let v = toks(s);
        let mut prev = 0usize;
        for t in &v {
            let (a, e) = (t.start as usize, t.end() as usize);
            assert!(
                a >= prev && a < e && e <= s.len(),
                "bad span in {s:?}: {t:?}"
            );
            assert!(
                s.is_char_boundary(a) && s.is_char_boundary(e),
                "{s:?}: {t:?}"
            );
            assert!(
                s[prev..a].chars().all(is_space_or_ascii_ws),
                "non-space skipped in {s:?} before {t:?}"
            );
            assert!(
                !t.text(s).chars().any(|c| c.is_whitespace()),
                "whitespace in token {t:?} of {s:?}"
            );
            prev = e;
        }
        assert!(s[prev..].chars().all(is_space_or_ascii_ws));
        let mut buf = String::new();
        for t in &v {
            normalize(t.text(s), &mut buf);
        }
    }

    fn is_space_or_ascii_ws(c: char) -> bool {
        if c.is_ascii() {
            CLASS[c as usize] & C_WS != 0
        } else {
            is_space(c)
        }
    }

    #[test]
    fn never_panics_and_spans_on_char_boundaries() {
        let pieces = [
            "",
            " ",
            "\n",
            "\r\n",
            "\u{A0}",
            "a",
            "A",
            "1",
            "'",
            "’",
            "-",
            ".",
            ",",
            ":",
            "...",
            "s",
            "n",
            "t",
            "U",
            "\u{301}",
            "\u{200D}",
            "\u{FE0F}",
            "🇺",
            "👍",
            "🏽",
            "é",
            "北京",
            "ب",
            "Я",
            "—",
            "‑",
            "“",
            "\u{AD}",
            "No",
            "Mr",
            "I",
            "\u{E0067}",
            "½",
            "٣",
            "\u{10FFFF}",
            "ǅ",
            "İ",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    check_invariants(&format!("{a}{b}{c}"));
                    check_invariants(&format!("{a}{b}{c}{a}"));
                }
            }
        }
        for s in [
            "U.S.",
            "U.S",
            "U.",
            "a.m",
            "No.",
            "No. ",
            "No.\u{A0}5",
            "don'",
            "n't",
            "'s",
            "x'",
            "1,",
            "1.",
            "1:",
            "1-",
            "-1",
            "A'\u{301}",
            "e\u{301}'s",
            "\u{301}",
            "‑x",
            "x‑",
        ] {
            check_invariants(s);
        }
    }

    #[test]
    fn normalize_folds() {
        assert_eq!(norm("Russia’S"), "russia's");
        assert_eq!(norm("“"), "\"");
        assert_eq!(norm("—"), "-");
        assert_eq!(norm("–"), "-");
        assert_eq!(norm("…"), "...");
        assert_eq!(norm("U.S."), "u.s.");
        assert_eq!(norm("«»„‟″"), "\"\"\"\"\"");
        assert_eq!(norm("‘‛`´′"), "'''''");
        assert_eq!(norm("ÉLYSÉE"), "élysée");
        assert_eq!(norm("a\u{A0}b\u{2009}c"), "a b c");
        assert_eq!(norm("inter\u{AD}national"), "international");
        assert_eq!(norm("ПУТИН"), "путин");
        assert_eq!(norm(""), "");
    }

    /// A run of non-space characters longer than a token may be (a pasted
    /// blob) becomes tokens of at most `MAX_TOKEN_BYTES`, cut at character
    /// boundaries, the later ones glued to the one before; nothing is lost.
    #[test]
    fn overlong_runs_are_cut_into_glued_tokens() {
        let blob = format!("x {} y", "é".repeat(40_000));
        let dots = ".".repeat(70_000);
        for text in [blob.as_str(), dots.as_str()] {
            let t = toks(text);
            assert!(t.iter().all(|t| usize::from(t.len) <= MAX_TOKEN_BYTES));
            let covered: usize = t.iter().map(|t| usize::from(t.len)).sum();
            assert_eq!(covered, text.len() - text.matches(' ').count());
            for w in t.windows(2) {
                if w[0].end() == w[1].start {
                    assert!(w[1].has(GLUED));
                }
                assert!(text.is_char_boundary(w[0].end() as usize));
            }
        }
        let t = toks(&blob);
        assert_eq!(t.len(), 4);
        assert_eq!(t[1].len as usize, MAX_TOKEN_BYTES - 1);
        assert_eq!(t[2].end() as usize, blob.len() - 2);
        assert!(!t[1].has(GLUED) && t[2].has(GLUED));
        assert_eq!(toks(&dots).len(), 2);
    }
}
