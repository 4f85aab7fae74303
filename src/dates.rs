//! Dates and durations: turning a date expression into a TimeML value
//! (`2011-11-11`, `2011-07`, `2011`, `201`, `2011-W45`, `2012-SU`,
//! `XXXX-XX-XXT22:30`, `PRESENT_REF`) and a duration into an ISO 8601 one
//! (`P3M`), resolving relative expressions (`on Friday`, `last month`,
//! `yesterday`, `two years ago`) against a reference date.
//!
//! Parts that cannot be resolved stay as `X`: `XXXX-07-13` is 13 July of an
//! unknown year, `XXXX-WXX-5` an unknown Friday. Vague pasts (`several years
//! ago`) are `PAST_REF`. Expressions that name a stretch of time rather than a
//! point (`the past three months`) have no date value; [`normalize_duration`]
//! gives their length.
//!
//! Without a year, a month or a weekday is taken as the one in the reference
//! year, or the most recent one on or before the reference date: news reports
//! what happened. Tense is not seen here, so a future `on Friday` comes out as
//! the past Friday.

use crate::text::{TokenKind, normalize, tokenize};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

const MONTHS: [(&str, u32); 24] = [
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

const WEEKDAYS: [(&str, Weekday); 17] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

const NUMBERS: [(&str, u32); 32] = [
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
    ("couple", 2),
    ("dozen", 12),
];

/// Words that count, but not how many.
const VAGUE: [&str; 5] = ["few", "several", "many", "some", "number"];

/// `the sixties` → `196`.
const DECADE_WORDS: [(&str, u32); 8] = [
    ("twenties", 2),
    ("thirties", 3),
    ("forties", 4),
    ("fifties", 5),
    ("sixties", 6),
    ("seventies", 7),
    ("eighties", 8),
    ("nineties", 9),
];

/// Ordinals that name a century: `twentieth` → 20.
const ORDINALS: [(&str, u32); 12] = [
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("tenth", 10),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
];

/// Seasons: word, TimeML code, first and last month (winter runs over the new year).
const SEASONS: [(&str, &str, u32, u32); 5] = [
    ("spring", "SP", 3, 5),
    ("summer", "SU", 6, 8),
    ("autumn", "FA", 9, 11),
    ("fall", "FA", 9, 11),
    ("winter", "WI", 12, 2),
];

/// The words of a text in matching form (lower case, typographic variants
/// folded), with a trailing period dropped from abbreviations (`nov.` → `nov`,
/// `p.m.` → `p.m`) and hyphenated words cut at their hyphens (`mid-2014` →
/// `mid` `2014`, `11-year` → `11` `year`); an ISO date (`2011-11-11`) stays whole.
fn words(text: &str) -> Vec<(String, TokenKind)> {
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    let mut buf = String::new();
    let mut out = Vec::new();
    for t in &tokens {
        normalize(&text[t.start as usize..t.end() as usize], &mut buf);
        let w = buf.strip_suffix('.').unwrap_or(&buf);
        if w.len() > 1 && w.contains('-') && parse_iso(w).is_none() {
            for part in w.split('-').filter(|p| !p.is_empty()) {
                let kind = if part.bytes().all(|b| b.is_ascii_digit()) {
                    TokenKind::Number
                } else {
                    t.kind
                };
                out.push((part.to_string(), kind));
            }
        } else {
            out.push((w.to_string(), t.kind));
        }
    }
    out
}

fn month(w: &str) -> Option<u32> {
    MONTHS.iter().find(|(n, _)| *n == w).map(|&(_, m)| m)
}

fn weekday(w: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(n, _)| *n == w).map(|&(_, d)| d)
}

fn number(w: &str) -> Option<u32> {
    if let Ok(n) = w.replace(',', "").parse::<u32>() {
        return Some(n);
    }
    NUMBERS.iter().find(|(n, _)| *n == w).map(|&(_, v)| v)
}

/// The count in a list of words: `two`, `36`, `twenty five`, `a couple of`;
/// `None` when there is none, `Some(None)` when it is vague (`several`, `a few`).
fn count(ws: &[(String, TokenKind)]) -> Option<Option<f64>> {
    let mut found: Option<Option<f64>> = None;
    let mut i = 0;
    while i < ws.len() {
        let w = ws[i].0.as_str();
        if VAGUE.contains(&w) {
            return Some(None);
        }
        if w == "half" {
            return Some(Some(0.5));
        }
        if let Ok(x) = w.replace(',', "").parse::<f64>()
            && ws[i].1 == TokenKind::Number
        {
            return Some(Some(x));
        }
        if let Some(n) = number(w) {
            let mut n = n;
            // `twenty five`, `twenty-five`
            if (20..100).contains(&n)
                && n % 10 == 0
                && let Some(units) = ws.get(i + 1).and_then(|(u, _)| number(u))
                && units < 10
            {
                n += units;
                i += 1;
            }
            // `a couple`, `a dozen`: the second word counts, not the article.
            if matches!(w, "a" | "an") && found.is_none() {
                found = Some(Some(n as f64));
                i += 1;
                continue;
            }
            return Some(Some(n as f64));
        }
        i += 1;
    }
    found
}

/// A day of the month: `11`, `11th`, `1st`.
fn day(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<u32>().ok().filter(|d| (1..=31).contains(d))
}

/// A year: four digits.
fn year(w: &str) -> Option<i32> {
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        return w.parse().ok();
    }
    None
}

/// The century of a two-digit year: up to five years past the reference
/// year counts as this century, the rest as the last one (`’08` in 2015 is
/// 2008, `’58` is 1958).
fn expand_two_digits(yy: i32, reference: Option<NaiveDate>) -> i32 {
    let now = reference.map_or(2030, |r| r.year() + 5);
    let century = now / 100 * 100;
    if century + yy <= now {
        century + yy
    } else {
        century - 100 + yy
    }
}

/// A decade: `1990s`, `1930's`, `'90s`, `the sixties` → `199`, `193`, `199`, `196`.
fn decade(ws: &[(String, TokenKind)], i: usize, reference: Option<NaiveDate>) -> Option<String> {
    let w = ws[i].0.as_str();
    let four = |d: &str| d.len() == 4 && d.ends_with('0') && d.bytes().all(|b| b.is_ascii_digit());
    if let Some(d) = w.strip_suffix('s') {
        if four(d) {
            return Some(d[..3].to_string());
        }
        // `'90s` as one word, or `'` `90s`
        let short = d.strip_prefix('\'').unwrap_or(d);
        let quoted = short.len() < d.len() || (i > 0 && ws[i - 1].0 == "'");
        if quoted
            && short.len() == 2
            && short.ends_with('0')
            && short.bytes().all(|b| b.is_ascii_digit())
        {
            let y = expand_two_digits(short.parse().ok()?, reference);
            return Some(format!("{:03}", y / 10));
        }
    }
    if four(w) && ws.get(i + 1).is_some_and(|(n, _)| n == "'s" || n == "s") {
        // `1930 's`
        return Some(w[..3].to_string());
    }
    if let Some(&(_, d)) = DECADE_WORDS.iter().find(|(n, _)| *n == w) {
        // `the sixties`, `the nineteen-sixties`: the twentieth century.
        return Some(format!("19{d}"));
    }
    None
}

/// A clock time in words `i..`: `22:30`, `6:00am`, `5 p.m.`, `midnight`, `noon`.
fn clock(ws: &[(String, TokenKind)], i: usize) -> Option<(u32, u32)> {
    let w = ws[i].0.as_str();
    match w {
        "midnight" => return Some((24, 0)),
        "noon" | "midday" => return Some((12, 0)),
        _ => {}
    }
    let meridiem = |s: &str| match s {
        "am" | "a.m" => Some(false),
        "pm" | "p.m" => Some(true),
        _ => None,
    };
    let (body, mut pm) = match w
        .strip_suffix("am")
        .map(|b| (b, Some(false)))
        .or_else(|| w.strip_suffix("pm").map(|b| (b, Some(true))))
    {
        Some((b, m)) if !b.is_empty() => (b, m),
        _ => (w, None),
    };
    if pm.is_none() {
        pm = ws.get(i + 1).and_then(|(n, _)| meridiem(n));
    }
    let (h, m) = match body.split_once(':') {
        Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        Some(_) => return None,
        None if pm.is_some() => (body.parse::<u32>().ok()?, 0),
        None => return None,
    };
    if m > 59 {
        return None;
    }
    let h = match pm {
        Some(true) if (1..12).contains(&h) => h + 12,
        Some(false) if h == 12 => 0,
        Some(_) if !(1..=12).contains(&h) => return None,
        _ if h > 24 => return None,
        _ => h,
    };
    Some((h, m))
}

/// Finds the reference date of a document: its own `date` (`YYYY-MM-DD…`) if
/// given, else the first full date in its first 600 bytes (the dateline).
pub fn reference_date(date: Option<&str>, text: &str) -> Option<NaiveDate> {
    if let Some(d) = date.and_then(parse_iso) {
        return Some(d);
    }
    let mut end = text.len().min(600);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    // Look for a full date in each line, first line first. Each form holds a
    // year, four ASCII digits in a row, so a line without them is not cut
    // into words (this ran for every document with a relative date to
    // resolve, on lines that mostly hold no date).
    for line in head.lines() {
        if !has_four_digits(line) {
            continue;
        }
        let ws = words(line);
        for i in 0..ws.len() {
            if let Some(d) = full_date_at(&ws, i) {
                return Some(d);
            }
        }
    }
    None
}

/// True if `line` holds four ASCII digits in a row.
fn has_four_digits(line: &str) -> bool {
    let mut run = 0;
    line.bytes().any(|b| {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        run == 4
    })
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    let s = s.get(..10)?;
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `November 11, 2011`, `11 November 2011`, `2011-11-11` starting at word `i`.
fn full_date_at(ws: &[(String, TokenKind)], i: usize) -> Option<NaiveDate> {
    let w = |k: usize| ws.get(k).map(|(s, _)| s.as_str()).unwrap_or("");
    if let Some(m) = month(w(i)) {
        let d = day(w(i + 1))?;
        let y_at = if w(i + 2) == "," { i + 3 } else { i + 2 };
        let y = year(w(y_at))?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    if let Some(d) = day(w(i))
        && let Some(m) = month(w(i + 1))
    {
        let y = year(w(i + 2))?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    if w(i).len() == 10 {
        return parse_iso(w(i));
    }
    None
}

/// The most recent `wd` on or before `reference` (news reports past events).
fn last_weekday(reference: NaiveDate, wd: Weekday, strictly_before: bool) -> NaiveDate {
    let back = (7 + reference.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
    let back = if back == 0 && strictly_before {
        7
    } else {
        back
    };
    reference - Days::new(back as u64)
}

fn next_weekday(reference: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() - reference.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    reference + Days::new(ahead as u64)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn shift_months(d: NaiveDate, by: i32) -> Option<NaiveDate> {
    if by >= 0 {
        d.checked_add_months(Months::new(by as u32))
    } else {
        d.checked_sub_months(Months::new((-by) as u32))
    }
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// Which way a qualifier moves a named unit from the reference date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shift {
    Past,
    This,
    Next,
}

/// The qualifier of an expression: `this past` and `this coming` go by their
/// second word; `the year before` is the past, `the year after` the future.
fn shift(ws: &[(String, TokenKind)]) -> Option<Shift> {
    let has = |x: &str| ws.iter().any(|(s, _)| s == x);
    if ["last", "past", "previous", "before"]
        .iter()
        .any(|q| has(q))
    {
        Some(Shift::Past)
    } else if ["next", "coming", "following", "after"]
        .iter()
        .any(|q| has(q))
    {
        Some(Shift::Next)
    } else if has("this") {
        Some(Shift::This)
    } else {
        None
    }
}

/// The TimeML value of a date expression, resolved against `reference` where it
/// is relative. `None` when the text holds no date this function understands,
/// or names a stretch of time (`the past three months`) rather than a date.
pub fn normalize_date(text: &str, reference: Option<NaiveDate>) -> Option<String> {
    let ws = words(text);
    let w = |k: usize| ws.get(k).map(|(s, _)| s.as_str()).unwrap_or("");
    let has = |x: &str| ws.iter().any(|(s, _)| s == x);
    let r = reference;
    let mut y = None;
    let mut m = None;
    let mut d = None;
    let mut wd = None;
    let mut time = None;
    for i in 0..ws.len() {
        let word = w(i);
        if let Some(dec) = decade(&ws, i, r) {
            return Some(dec);
        }
        if word.len() == 10
            && let Some(iso) = parse_iso(word)
        {
            return Some(ymd(iso));
        }
        // 11/9/2001 (month first), 4/12/11; `9/11` is 11 September 2001.
        if ws[i].1 == TokenKind::Number && w(i + 1) == "/" {
            if word == "9" && w(i + 2) == "11" && w(i + 3) != "/" {
                return Some("2001-09-11".into());
            }
            let (a, b) = (number(word), number(w(i + 2)));
            let c = w(i + 4).parse::<i32>().ok().filter(|_| w(i + 3) == "/");
            let c = c.map(|c| {
                if w(i + 4).len() == 2 {
                    expand_two_digits(c, r)
                } else {
                    c
                }
            });
            if let (Some(a), Some(b), Some(c)) = (a, b, c)
                && let Some(date) = NaiveDate::from_ymd_opt(c, a, b)
            {
                return Some(ymd(date));
            }
        }
        if time.is_none()
            && let Some(t) = clock(&ws, i)
        {
            time = Some(t);
            continue;
        }
        if let Some(mm) = month(word) {
            m = m.or(Some(mm));
        } else if let Some(wk) = weekday(word) {
            wd = Some(wk);
        } else if let Some(yy) = year(word) {
            y = y.or(Some(yy));
        } else if i > 0
            && w(i - 1) == "'"
            && word.len() == 2
            && let Ok(yy) = word.parse::<i32>()
        {
            // '08
            y = y.or(Some(expand_two_digits(yy, r)));
        } else if let Some(yy) = word
            .strip_prefix('\'')
            .filter(|s| s.len() == 2)
            .and_then(|s| s.parse::<i32>().ok())
        {
            y = y.or(Some(expand_two_digits(yy, r)));
        } else if let Some(dd) = day(word)
            && (m.is_some() || month(w(i + 1)).is_some() || month(w(i + 2)).is_some())
            && d.is_none()
        {
            d = Some(dd);
        }
    }
    let q = shift(&ws);
    // A clock time, on the date the rest of the text names, if any.
    if let Some((hh, mi)) = time {
        let rest: Vec<&str> = ws.iter().map(|(s, _)| s.as_str()).collect();
        let on = if m.is_some()
            || wd.is_some()
            || rest
                .iter()
                .any(|s| matches!(*s, "today" | "yesterday" | "tomorrow" | "tonight"))
        {
            let without: String = ws
                .iter()
                .enumerate()
                .filter(|(k, _)| clock(&ws, *k).is_none())
                .map(|(_, (s, _))| s.as_str())
                .filter(|s| !matches!(*s, "am" | "pm" | "a.m" | "p.m" | "at"))
                .collect::<Vec<_>>()
                .join(" ");
            normalize_date(&without, r).filter(|v| v.len() == 10)
        } else {
            None
        };
        let on = on.unwrap_or_else(|| "XXXX-XX-XX".into());
        return Some(format!("{on}T{hh:02}:{mi:02}"));
    }
    // Centuries: `the 20th century`, `the twentieth century`, `last century`.
    if has("century") || has("centuries") {
        let ordinal = ws.iter().enumerate().find_map(|(k, (s, _))| {
            if let Some(n) = s
                .strip_suffix("st")
                .or_else(|| s.strip_suffix("nd"))
                .or_else(|| s.strip_suffix("rd"))
                .or_else(|| s.strip_suffix("th"))
                .and_then(|n| n.parse::<i32>().ok())
            {
                return Some(n);
            }
            let &(_, n) = ORDINALS.iter().find(|(o, _)| o == s)?;
            // `twenty first`
            let tens = if k > 0 && w(k - 1) == "twenty" { 20 } else { 0 };
            Some(tens + n as i32)
        });
        if let Some(n) = ordinal {
            return Some(format!("{:02}", n - 1));
        }
        if has("centuries") || count(&ws).is_some() {
            return None;
        }
        let c = r?.year() / 100;
        return match q {
            Some(Shift::Past) => Some(format!("{:02}", c - 1)),
            Some(Shift::Next) => Some(format!("{:02}", c + 1)),
            _ => Some(format!("{c:02}")),
        };
    }
    // Seasons: `summer of 2012`, `last summer`.
    if let Some(&(_, code, first, last)) = SEASONS.iter().find(|(s, ..)| has(s)) {
        let yy = match (y, r) {
            (Some(yy), _) => yy,
            (None, Some(r)) => {
                // The season that starts in year `y` runs from `start(y)` to `end(y)`.
                let start = |y: i32| NaiveDate::from_ymd_opt(y, first, 1);
                let end = |y: i32| last_day_of_month(if first > last { y + 1 } else { y }, last);
                let ry = r.year();
                let years = [ry - 2, ry - 1, ry, ry + 1];
                match q {
                    Some(Shift::Past) => *years
                        .iter()
                        .rev()
                        .find(|&&y| end(y).is_some_and(|e| e < r))?,
                    Some(Shift::Next) => {
                        *years.iter().find(|&&y| start(y).is_some_and(|s| s > r))?
                    }
                    _ => {
                        if first > last && r.month() <= last {
                            ry - 1
                        } else {
                            ry
                        }
                    }
                }
            }
            (None, None) => return Some(format!("XXXX-{code}")),
        };
        return Some(format!("{yy:04}-{code}"));
    }
    // The end or the start of a month or a year: `the end of the year`, `year end`.
    let edge = if has("end") {
        Some(true)
    } else if has("start") || has("beginning") {
        Some(false)
    } else {
        None
    };
    if let Some(at_end) = edge
        && m.is_none()
        && y.is_none()
    {
        let r = r?;
        let by = match q {
            Some(Shift::Past) => -1,
            Some(Shift::Next) => 1,
            _ => 0,
        };
        if has("year") {
            let yy = r.year() + by;
            return Some(if at_end {
                format!("{yy:04}-12-31")
            } else {
                format!("{yy:04}-01-01")
            });
        }
        if has("month") {
            let first = shift_months(r.with_day(1)?, by)?;
            let date = if at_end {
                last_day_of_month(first.year(), first.month())?
            } else {
                first
            };
            return Some(ymd(date));
        }
        if has("week") {
            return Some(iso_week(r + chrono::TimeDelta::days(7 * by as i64)));
        }
    }
    // Absolute and partly absolute dates.
    if let Some(mm) = m {
        let yy = y.or_else(|| {
            let r = r?;
            // `January last year`, `March of next year`
            if has("year") {
                return Some(match q {
                    Some(Shift::Past) => r.year() - 1,
                    Some(Shift::Next) => r.year() + 1,
                    _ => r.year(),
                });
            }
            match q {
                Some(Shift::Past) => Some(if mm < r.month() {
                    r.year()
                } else {
                    r.year() - 1
                }),
                Some(Shift::Next) => Some(if mm > r.month() {
                    r.year()
                } else {
                    r.year() + 1
                }),
                // No year and no qualifier: the nearest such month, within
                // half a year of the reference date either way.
                _ => {
                    let diff = mm as i32 - r.month() as i32;
                    Some(match diff {
                        7.. => r.year() - 1,
                        ..=-7 => r.year() + 1,
                        _ => r.year(),
                    })
                }
            }
        });
        let year_s = yy.map_or("XXXX".to_string(), |v| format!("{v:04}"));
        if edge == Some(true)
            && d.is_none()
            && let Some(last) = yy.and_then(|yy| last_day_of_month(yy, mm))
        {
            return Some(ymd(last));
        }
        return Some(match d {
            Some(dd) => format!("{year_s}-{mm:02}-{dd:02}"),
            None => format!("{year_s}-{mm:02}"),
        });
    }
    if let Some(yy) = y {
        return Some(format!("{yy:04}"));
    }
    if let Some(wk) = wd {
        let Some(r) = r else {
            return Some(format!("XXXX-WXX-{}", wk.number_from_monday()));
        };
        let date = match q {
            Some(Shift::Next) => next_weekday(r, wk),
            Some(Shift::Past) => last_weekday(r, wk, true),
            _ => last_weekday(r, wk, false),
        };
        return Some(ymd(date));
    }
    // Words relative to the reference date.
    if has("now") || has("currently") || has("present") || has("nowadays") {
        return Some("PRESENT_REF".into());
    }
    let rel_day = if has("today") || has("tonight") {
        Some(0i64)
    } else if has("yesterday") {
        Some(if has("before") { -2 } else { -1 })
    } else if has("tomorrow") {
        Some(if has("after") { 2 } else { 1 })
    } else if has("night") || has("morning") || has("afternoon") || has("evening") {
        match q {
            Some(Shift::Past) if has("night") => Some(-1),
            Some(Shift::This) => Some(0),
            _ => None,
        }
    } else {
        None
    };
    if let Some(delta) = rel_day {
        let r = r?;
        return Some(ymd(r + chrono::TimeDelta::days(delta)));
    }
    let unit = [
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "weekend",
        "fortnight",
        "month",
        "year",
        "decade",
    ]
    .into_iter()
    .find_map(|u| {
        ws.iter().find_map(|(s, _)| {
            if s == u {
                Some((u, false))
            } else if s.strip_suffix('s') == Some(u) {
                Some((u, true))
            } else {
                None
            }
        })
    });
    let (unit, plural) = unit?;
    // `the weekend`: the most recent one (this one from Saturday on).
    if unit == "weekend" && q.is_none() && !has("ago") && !has("back") {
        let r = r?;
        let back = match r.weekday() {
            Weekday::Sat | Weekday::Sun => 0,
            _ => 7,
        };
        return Some(format!("{}-WE", iso_week(r - Days::new(back))));
    }
    if has("ago") || has("back") {
        let n = match count(&ws) {
            Some(Some(n)) => n,
            Some(None) => return Some("PAST_REF".into()),
            None if plural => return Some("PAST_REF".into()),
            None => 1.0,
        };
        let r = r?;
        let n = n.round() as i64;
        return Some(match unit {
            "second" | "minute" => ymd(r),
            "hour" => ymd(r - chrono::TimeDelta::days(n / 24)),
            "day" => ymd(r - chrono::TimeDelta::days(n)),
            "week" | "weekend" => iso_week(r - chrono::TimeDelta::days(7 * n)),
            "fortnight" => iso_week(r - chrono::TimeDelta::days(14 * n)),
            "month" => shift_months(r, -(n as i32))?.format("%Y-%m").to_string(),
            "decade" => format!("{:04}", r.year() - 10 * n as i32),
            _ => format!("{:04}", r.year() - n as i32),
        });
    }
    // `the past three months`, `the last few days`: a stretch, not a date.
    if plural || count(&ws).is_some_and(|c| c != Some(1.0)) {
        return None;
    }
    let r = r?;
    let by = match q {
        Some(Shift::Past) => -1,
        Some(Shift::Next) => 1,
        Some(Shift::This) => 0,
        None => return None,
    };
    Some(match unit {
        "year" => format!("{:04}", r.year() + by),
        "month" => shift_months(r, by)?.format("%Y-%m").to_string(),
        "week" => iso_week(r + chrono::TimeDelta::days(7 * by as i64)),
        "weekend" => format!(
            "{}-WE",
            iso_week(r + chrono::TimeDelta::days(7 * by as i64))
        ),
        "day" => ymd(r + chrono::TimeDelta::days(by as i64)),
        "decade" => format!("{:03}", r.year() / 10 + by),
        _ => return None,
    })
}

/// The ISO 8601 value of a duration: `the past three months` → `P3M`,
/// `two years` → `P2Y`, `36 hours` → `PT36H`, `several weeks` → `PXW`,
/// `an 11-year lull` → `P11Y`, `half an hour` → `PT0.5H`; decades and
/// centuries as TimeML writes them (`P1DE`, `P1CE`).
pub fn normalize_duration(text: &str) -> Option<String> {
    let ws = words(text);
    for (i, (w, _)) in ws.iter().enumerate() {
        let (unit, mul) = match w.strip_suffix('s').unwrap_or(w) {
            "second" => ("TS", 1.0),
            "minute" => ("TM", 1.0),
            "hour" => ("TH", 1.0),
            "day" => ("D", 1.0),
            "week" => ("W", 1.0),
            "fortnight" => ("W", 2.0),
            "month" => ("M", 1.0),
            "year" => ("Y", 1.0),
            "decade" => ("DE", 1.0),
            "century" | "centurie" => ("CE", 1.0),
            _ => continue,
        };
        let count = match count(&ws[..i]) {
            Some(Some(n)) => {
                let n = n * mul;
                if n.fract() == 0.0 {
                    format!("{}", n as u64)
                } else {
                    format!("{n}")
                }
            }
            Some(None) => "X".into(),
            None if w.ends_with('s') => "X".into(),
            None => format!("{}", mul as u64),
        };
        return Some(match unit.strip_prefix('T') {
            Some(u) => format!("PT{count}{u}"),
            None => format!("P{count}{unit}"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Option<NaiveDate> {
        parse_iso(s)
    }

    #[test]
    fn absolute_dates() {
        let ref_ = r("2011-11-11");
        assert_eq!(
            normalize_date("November 11, 2011", ref_).as_deref(),
            Some("2011-11-11")
        );
        assert_eq!(
            normalize_date("Saturday, January 31, 2009", ref_).as_deref(),
            Some("2009-01-31")
        );
        assert_eq!(
            normalize_date("11 November 2011", ref_).as_deref(),
            Some("2011-11-11")
        );
        assert_eq!(
            normalize_date("Nov. 3", ref_).as_deref(),
            Some("2011-11-03")
        );
        assert_eq!(
            normalize_date("July 13", ref_).as_deref(),
            Some("2011-07-13")
        );
        assert_eq!(
            normalize_date("July 13", None).as_deref(),
            Some("XXXX-07-13")
        );
        assert_eq!(
            normalize_date("September 2010", ref_).as_deref(),
            Some("2010-09")
        );
        assert_eq!(normalize_date("2002", ref_).as_deref(), Some("2002"));
        assert_eq!(normalize_date("the 1990s", ref_).as_deref(), Some("199"));
        assert_eq!(normalize_date("1930’s", ref_).as_deref(), Some("193"));
        assert_eq!(
            normalize_date("2011-11-11", None).as_deref(),
            Some("2011-11-11")
        );
        assert_eq!(
            normalize_date("11/9/2001", None).as_deref(),
            Some("2001-11-09")
        );
        assert_eq!(normalize_date("in May", ref_).as_deref(), Some("2011-05"));
    }

    #[test]
    fn relative_dates() {
        // 2011-11-11 is a Friday.
        let ref_ = r("2011-11-11");
        assert_eq!(
            normalize_date("on Friday", ref_).as_deref(),
            Some("2011-11-11")
        );
        assert_eq!(
            normalize_date("on Tuesday", ref_).as_deref(),
            Some("2011-11-08")
        );
        assert_eq!(
            normalize_date("next Tuesday", ref_).as_deref(),
            Some("2011-11-15")
        );
        assert_eq!(
            normalize_date("last Friday", ref_).as_deref(),
            Some("2011-11-04")
        );
        assert_eq!(
            normalize_date("Friday", None).as_deref(),
            Some("XXXX-WXX-5")
        );
        assert_eq!(normalize_date("today", ref_).as_deref(), Some("2011-11-11"));
        assert_eq!(
            normalize_date("yesterday", ref_).as_deref(),
            Some("2011-11-10")
        );
        assert_eq!(
            normalize_date("tomorrow", ref_).as_deref(),
            Some("2011-11-12")
        );
        assert_eq!(
            normalize_date("last month", ref_).as_deref(),
            Some("2011-10")
        );
        assert_eq!(
            normalize_date("next month", r("2013-10-09")).as_deref(),
            Some("2013-11")
        );
        assert_eq!(normalize_date("this year", ref_).as_deref(), Some("2011"));
        assert_eq!(
            normalize_date("Last Year", r("2007-03-05")).as_deref(),
            Some("2006")
        );
        assert_eq!(
            normalize_date("two years ago", ref_).as_deref(),
            Some("2009")
        );
        assert_eq!(normalize_date("now", ref_).as_deref(), Some("PRESENT_REF"));
        assert_eq!(
            normalize_date("this week", ref_).as_deref(),
            Some("2011-W45")
        );
        assert_eq!(normalize_date("last week", None), None);
        assert_eq!(normalize_date("the meeting", ref_), None);
    }

    #[test]
    fn durations() {
        assert_eq!(
            normalize_duration("the past three months").as_deref(),
            Some("P3M")
        );
        assert_eq!(normalize_duration("two years").as_deref(), Some("P2Y"));
        assert_eq!(normalize_duration("36 hours").as_deref(), Some("PT36H"));
        assert_eq!(normalize_duration("several weeks").as_deref(), Some("PXW"));
        assert_eq!(normalize_duration("a decade").as_deref(), Some("P1DE"));
        assert_eq!(normalize_duration("months").as_deref(), Some("PXM"));
        assert_eq!(normalize_duration("the talks"), None);
    }

    #[test]
    fn reference_dates() {
        let seed = "Tehran, Moscow sign strategic cooperation agreement\n\nNovember 11, 2011 - 17:3\nTEHRAN – Iran and Russia";
        assert_eq!(reference_date(None, seed), r("2011-11-11"));
        assert_eq!(reference_date(Some("2015-09-22"), seed), r("2015-09-22"));
        let wikinews = "Title here\n\nTuesday, September 22, 2015\n\nNews of police";
        assert_eq!(reference_date(None, wikinews), r("2015-09-22"));
        assert_eq!(reference_date(None, "No date in here at all."), None);
        // Lines without four digits in a row are skipped, not the ones after.
        let late = "In 1 or 2 lines\n\n12 May 2014: the day\n";
        assert_eq!(reference_date(None, late), r("2014-05-12"));
        assert_eq!(
            reference_date(None, "On 2014-05-12, at last"),
            r("2014-05-12")
        );
        assert_eq!(reference_date(None, "Only 201 and 4 here"), None);
    }

    #[test]
    fn months_without_a_year_take_the_nearest() {
        // Within half a year either way of the reference date.
        let oct = r("2013-10-09");
        assert_eq!(normalize_date("November", oct).as_deref(), Some("2013-11"));
        assert_eq!(normalize_date("July", oct).as_deref(), Some("2013-07"));
        assert_eq!(normalize_date("January", oct).as_deref(), Some("2014-01"));
        assert_eq!(
            normalize_date("March 3", oct).as_deref(),
            Some("2014-03-03")
        );
        let feb = r("2010-02-10");
        assert_eq!(normalize_date("December", feb).as_deref(), Some("2009-12"));
        assert_eq!(normalize_date("August", feb).as_deref(), Some("2010-08"));
        // A qualifier or a year decides.
        assert_eq!(
            normalize_date("last February", feb).as_deref(),
            Some("2009-02")
        );
        assert_eq!(
            normalize_date("January last year", feb).as_deref(),
            Some("2009-01")
        );
        assert_eq!(
            normalize_date("August of this year", feb).as_deref(),
            Some("2010-08")
        );
        assert_eq!(
            normalize_date("December of 2008", feb).as_deref(),
            Some("2008-12")
        );
        assert_eq!(
            normalize_date("late September", r("2013-10-19")).as_deref(),
            Some("2013-09")
        );
        assert_eq!(
            normalize_date("mid-September", r("2013-10-19")).as_deref(),
            Some("2013-09")
        );
        assert_eq!(
            normalize_date("the 4th of July", r("2013-10-19")).as_deref(),
            Some("2013-07-04")
        );
        assert_eq!(
            normalize_date("Sept 11, 2001", None).as_deref(),
            Some("2001-09-11")
        );
        assert_eq!(
            normalize_date("Jan. 18, 1803", None).as_deref(),
            Some("1803-01-18")
        );
    }

    #[test]
    fn years_decades_centuries() {
        let ref_ = r("2015-01-06");
        assert_eq!(normalize_date("mid-2014", ref_).as_deref(), Some("2014"));
        assert_eq!(normalize_date("early 2015", ref_).as_deref(), Some("2015"));
        assert_eq!(normalize_date("the ’90s", ref_).as_deref(), Some("199"));
        assert_eq!(normalize_date("the '90s", ref_).as_deref(), Some("199"));
        assert_eq!(normalize_date("the 2000s", ref_).as_deref(), Some("200"));
        assert_eq!(normalize_date("the sixties", ref_).as_deref(), Some("196"));
        assert_eq!(
            normalize_date("the 20th century", ref_).as_deref(),
            Some("19")
        );
        assert_eq!(
            normalize_date("the 19th century", ref_).as_deref(),
            Some("18")
        );
        assert_eq!(
            normalize_date("the twenty-first century", ref_).as_deref(),
            Some("20")
        );
        assert_eq!(normalize_date("last century", ref_).as_deref(), Some("19"));
        assert_eq!(normalize_date("this century", ref_).as_deref(), Some("20"));
        assert_eq!(normalize_date("'08", ref_).as_deref(), Some("2008"));
        assert_eq!(normalize_date("'58", ref_).as_deref(), Some("1958"));
        assert_eq!(
            normalize_date("4/12/11", ref_).as_deref(),
            Some("2011-04-12")
        );
        assert_eq!(normalize_date("9/11", ref_).as_deref(), Some("2001-09-11"));
        assert_eq!(
            normalize_date("9/11-related", ref_).as_deref(),
            Some("2001-09-11")
        );
    }

    #[test]
    fn seasons() {
        let ref_ = r("2023-02-23");
        assert_eq!(
            normalize_date("last summer", ref_).as_deref(),
            Some("2022-SU")
        );
        assert_eq!(
            normalize_date("next summer", ref_).as_deref(),
            Some("2023-SU")
        );
        assert_eq!(
            normalize_date("this spring", ref_).as_deref(),
            Some("2023-SP")
        );
        assert_eq!(
            normalize_date("this winter", ref_).as_deref(),
            Some("2022-WI")
        );
        assert_eq!(
            normalize_date("last winter", r("2023-07-01")).as_deref(),
            Some("2022-WI")
        );
        assert_eq!(
            normalize_date("last summer", r("2023-09-15")).as_deref(),
            Some("2023-SU")
        );
        assert_eq!(
            normalize_date("the summer of 2012", ref_).as_deref(),
            Some("2012-SU")
        );
        assert_eq!(normalize_date("autumn", None).as_deref(), Some("XXXX-FA"));
    }

    #[test]
    fn relative_units_and_edges() {
        let ref_ = r("2007-03-05"); // a Monday
        assert_eq!(
            normalize_date("this past week", ref_).as_deref(),
            Some("2007-W09")
        );
        assert_eq!(
            normalize_date("the past week", ref_).as_deref(),
            Some("2007-W09")
        );
        assert_eq!(
            normalize_date("this coming week", ref_).as_deref(),
            Some("2007-W11")
        );
        assert_eq!(
            normalize_date("the last year", ref_).as_deref(),
            Some("2006")
        );
        assert_eq!(
            normalize_date("the year before", ref_).as_deref(),
            Some("2006")
        );
        assert_eq!(
            normalize_date("the following year", ref_).as_deref(),
            Some("2008")
        );
        assert_eq!(
            normalize_date("the next Tuesday", ref_).as_deref(),
            Some("2007-03-06")
        );
        assert_eq!(
            normalize_date("this past Friday", ref_).as_deref(),
            Some("2007-03-02")
        );
        assert_eq!(
            normalize_date("last weekend", ref_).as_deref(),
            Some("2007-W09-WE")
        );
        assert_eq!(
            normalize_date("the weekend", ref_).as_deref(),
            Some("2007-W09-WE")
        );
        assert_eq!(
            normalize_date("the weekend", r("2007-03-04")).as_deref(),
            Some("2007-W09-WE")
        );
        assert_eq!(
            normalize_date("the end of the year", ref_).as_deref(),
            Some("2007-12-31")
        );
        assert_eq!(
            normalize_date("year end", ref_).as_deref(),
            Some("2007-12-31")
        );
        assert_eq!(
            normalize_date("year-end", ref_).as_deref(),
            Some("2007-12-31")
        );
        assert_eq!(
            normalize_date("the end of next year", ref_).as_deref(),
            Some("2008-12-31")
        );
        assert_eq!(
            normalize_date("the end of the month", ref_).as_deref(),
            Some("2007-03-31")
        );
        assert_eq!(
            normalize_date("the beginning of the year", ref_).as_deref(),
            Some("2007-01-01")
        );
        assert_eq!(
            normalize_date("last night", ref_).as_deref(),
            Some("2007-03-04")
        );
        assert_eq!(
            normalize_date("this morning", ref_).as_deref(),
            Some("2007-03-05")
        );
        assert_eq!(
            normalize_date("the day before yesterday", ref_).as_deref(),
            Some("2007-03-03")
        );
        // A stretch of time is no date.
        assert_eq!(normalize_date("the past three months", ref_), None);
        assert_eq!(normalize_date("the last few days", ref_), None);
        assert_eq!(normalize_date("the past 30 days", ref_), None);
    }

    #[test]
    fn ago() {
        let ref_ = r("2017-07-18");
        assert_eq!(
            normalize_date("Seventeen years ago", ref_).as_deref(),
            Some("2000")
        );
        assert_eq!(
            normalize_date("twenty-five years ago", ref_).as_deref(),
            Some("1992")
        );
        assert_eq!(
            normalize_date("a couple of years back", ref_).as_deref(),
            Some("2015")
        );
        assert_eq!(
            normalize_date("a decade ago", ref_).as_deref(),
            Some("2007")
        );
        assert_eq!(
            normalize_date("three weeks ago", ref_).as_deref(),
            Some("2017-W26")
        );
        assert_eq!(
            normalize_date("four months ago", ref_).as_deref(),
            Some("2017-03")
        );
        assert_eq!(
            normalize_date("24 hours ago", ref_).as_deref(),
            Some("2017-07-17")
        );
        assert_eq!(
            normalize_date("several years ago", ref_).as_deref(),
            Some("PAST_REF")
        );
        assert_eq!(
            normalize_date("A few months ago", ref_).as_deref(),
            Some("PAST_REF")
        );
        assert_eq!(
            normalize_date("years ago", ref_).as_deref(),
            Some("PAST_REF")
        );
        assert_eq!(normalize_date("a year ago", ref_).as_deref(), Some("2016"));
    }

    #[test]
    fn clock_times() {
        let ref_ = r("2016-09-09");
        assert_eq!(
            normalize_date("22:30", ref_).as_deref(),
            Some("XXXX-XX-XXT22:30")
        );
        assert_eq!(
            normalize_date("6:00am", ref_).as_deref(),
            Some("XXXX-XX-XXT06:00")
        );
        assert_eq!(
            normalize_date("5 p.m.", ref_).as_deref(),
            Some("XXXX-XX-XXT17:00")
        );
        assert_eq!(
            normalize_date("12 a.m.", ref_).as_deref(),
            Some("XXXX-XX-XXT00:00")
        );
        assert_eq!(
            normalize_date("11:18 p.m.", ref_).as_deref(),
            Some("XXXX-XX-XXT23:18")
        );
        assert_eq!(
            normalize_date("15:11 GMT", ref_).as_deref(),
            Some("XXXX-XX-XXT15:11")
        );
        assert_eq!(
            normalize_date("midnight", ref_).as_deref(),
            Some("XXXX-XX-XXT24:00")
        );
        assert_eq!(
            normalize_date("noon", ref_).as_deref(),
            Some("XXXX-XX-XXT12:00")
        );
        // With a date in the same text, on that date.
        assert_eq!(
            normalize_date("Friday at 5 p.m.", ref_).as_deref(),
            Some("2016-09-09T17:00")
        );
        assert_eq!(
            normalize_date("yesterday at 22:30", ref_).as_deref(),
            Some("2016-09-08T22:30")
        );
        assert_eq!(
            normalize_date("July 13 at 10 am", ref_).as_deref(),
            Some("2016-07-13T10:00")
        );
    }

    #[test]
    fn more_durations() {
        assert_eq!(normalize_duration("an 11-year").as_deref(), Some("P11Y"));
        assert_eq!(normalize_duration("nine-hour").as_deref(), Some("PT9H"));
        assert_eq!(normalize_duration("10-year-old").as_deref(), Some("P10Y"));
        assert_eq!(
            normalize_duration("twenty-five years").as_deref(),
            Some("P25Y")
        );
        assert_eq!(
            normalize_duration("forty-five years").as_deref(),
            Some("P45Y")
        );
        assert_eq!(
            normalize_duration("the last few months").as_deref(),
            Some("PXM")
        );
        assert_eq!(
            normalize_duration("a couple of weeks").as_deref(),
            Some("P2W")
        );
        assert_eq!(normalize_duration("a few days").as_deref(), Some("PXD"));
        assert_eq!(
            normalize_duration("half an hour").as_deref(),
            Some("PT0.5H")
        );
        assert_eq!(normalize_duration("1.5 years").as_deref(), Some("P1.5Y"));
        assert_eq!(normalize_duration("a fortnight").as_deref(), Some("P2W"));
        assert_eq!(
            normalize_duration("the past century").as_deref(),
            Some("P1CE")
        );
        assert_eq!(
            normalize_duration("Seventeen years").as_deref(),
            Some("P17Y")
        );
    }
}
