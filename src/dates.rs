//! Dates and durations: turning a date expression into a TimeML value
//! (`2011-11-11`, `2011-07`, `2011`, `201`, `2011-W45`, `PRESENT_REF`) and a
//! duration into an ISO 8601 one (`P3M`), resolving relative expressions
//! (`on Friday`, `last month`, `yesterday`) against a reference date.
//!
//! Parts that cannot be resolved stay as `X`: `XXXX-07-13` is 13 July of an
//! unknown year, `XXXX-WXX-5` an unknown Friday.

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

const WEEKDAYS: [(&str, Weekday); 14] = [
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
    ("thurs", Weekday::Thu),
    ("fri", Weekday::Fri),
];

const NUMBERS: [(&str, u32); 20] = [
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
    ("fifteen", 15),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("hundred", 100),
];

/// The words of a text in matching form (lower case, typographic variants folded),
/// with a trailing period dropped from abbreviations (`nov.` → `nov`).
fn words(text: &str) -> Vec<(String, TokenKind)> {
    let mut tokens = Vec::new();
    tokenize(text, &mut tokens);
    let mut buf = String::new();
    tokens
        .iter()
        .map(|t| {
            normalize(&text[t.start as usize..t.end as usize], &mut buf);
            let w = buf.strip_suffix('.').unwrap_or(&buf).to_string();
            (w, t.kind)
        })
        .collect()
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

/// A day of the month: `11`, `11th`, `1st`.
fn day(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<u32>().ok().filter(|d| (1..=31).contains(d))
}

/// A year: four digits, or `’09` style two digits after an apostrophe.
fn year(w: &str) -> Option<i32> {
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        return w.parse().ok();
    }
    None
}

/// A decade: `1990s`, `1930's` → `199`, `193`.
fn decade(ws: &[(String, TokenKind)], i: usize) -> Option<String> {
    let w = &ws[i].0;
    if let Some(d) = w.strip_suffix('s')
        && d.len() == 4
        && d.ends_with('0')
        && d.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(d[..3].to_string());
    }
    if w.len() == 4 && w.ends_with('0') && w.bytes().all(|b| b.is_ascii_digit()) {
        // `1930 's` or `1930 's`
        if ws.get(i + 1).is_some_and(|(n, _)| n == "'s" || n == "s") {
            return Some(w[..3].to_string());
        }
    }
    None
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
    // Look for a full date in each line, first line first.
    for line in head.lines() {
        let ws = words(line);
        for i in 0..ws.len() {
            if let Some(d) = full_date_at(&ws, i) {
                return Some(d);
            }
        }
    }
    None
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

/// The TimeML value of a date expression, resolved against `reference` where it
/// is relative. `None` when the text holds no date this function understands.
pub fn normalize_date(text: &str, reference: Option<NaiveDate>) -> Option<String> {
    let ws = words(text);
    let w = |k: usize| ws.get(k).map(|(s, _)| s.as_str()).unwrap_or("");
    let has = |x: &str| ws.iter().any(|(s, _)| s == x);
    let mut y = None;
    let mut m = None;
    let mut d = None;
    let mut wd = None;
    for i in 0..ws.len() {
        let word = w(i);
        if let Some(dec) = decade(&ws, i) {
            return Some(dec);
        }
        if word.len() == 10
            && let Some(iso) = parse_iso(word)
        {
            return Some(ymd(iso));
        }
        // 11/11/2011 (month first)
        if ws[i].1 == TokenKind::Number && w(i + 1) == "/" && w(i + 3) == "/" {
            let (a, b, c) = (number(word), number(w(i + 2)), w(i + 4).parse::<i32>().ok());
            if let (Some(a), Some(b), Some(c)) = (a, b, c)
                && let Some(date) = NaiveDate::from_ymd_opt(c, a, b)
            {
                return Some(ymd(date));
            }
        }
        if let Some(mm) = month(word) {
            m = Some(mm);
        } else if let Some(wk) = weekday(word) {
            wd = Some(wk);
        } else if let Some(yy) = year(word) {
            y = Some(yy);
        } else if let Some(dd) = day(word)
            && (m.is_some() || month(w(i + 1)).is_some() || month(w(i + 2)).is_some())
            && d.is_none()
        {
            d = Some(dd);
        }
    }
    let r = reference;
    let qualifier = ["last", "next", "this", "coming", "past", "previous"]
        .into_iter()
        .find(|q| has(q));
    // Absolute and partly absolute dates.
    if let Some(mm) = m {
        let yy = y.or_else(|| {
            let r = r?;
            match qualifier {
                Some("last") | Some("previous") | Some("past") => Some(if mm < r.month() {
                    r.year()
                } else {
                    r.year() - 1
                }),
                Some("next") | Some("coming") => Some(if mm > r.month() {
                    r.year()
                } else {
                    r.year() + 1
                }),
                _ => Some(r.year()),
            }
        });
        let year_s = yy.map_or("XXXX".to_string(), |v| format!("{v:04}"));
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
        let date = match qualifier {
            Some("next") | Some("coming") => next_weekday(r, wk),
            Some("last") | Some("previous") | Some("past") => last_weekday(r, wk, true),
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
        Some(-1)
    } else if has("tomorrow") {
        Some(1)
    } else {
        None
    };
    if let Some(delta) = rel_day {
        let r = r?;
        return Some(ymd(r + chrono::TimeDelta::days(delta)));
    }
    let unit = [
        "day", "week", "weekend", "month", "year", "days", "weeks", "months", "years",
    ]
    .into_iter()
    .find(|u| has(u))?;
    let r = r?;
    if has("ago") {
        let n = ws.iter().find_map(|(s, _)| number(s)).unwrap_or(1) as i32;
        return Some(match unit.trim_end_matches('s') {
            "day" => ymd(r - Days::new(n as u64)),
            "week" => iso_week(r - Days::new(7 * n as u64)),
            "month" => shift_months(r, -n).map(|d| d.format("%Y-%m").to_string())?,
            _ => format!("{:04}", r.year() - n),
        });
    }
    let by = match qualifier {
        Some("last") | Some("previous") | Some("past") => -1,
        Some("next") | Some("coming") => 1,
        Some("this") => 0,
        _ => return None,
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
        _ => return None,
    })
}

fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// The ISO 8601 value of a duration: `the past three months` → `P3M`,
/// `two years` → `P2Y`, `36 hours` → `PT36H`, `several weeks` → `PXW`.
pub fn normalize_duration(text: &str) -> Option<String> {
    let ws = words(text);
    let mut n: Option<String> = None;
    for (w, _) in &ws {
        if let Some(v) = number(w) {
            n = Some(match (&n, w.as_str()) {
                // `two hundred` and the like: keep it simple, multiply.
                (Some(prev), "hundred") => (prev.parse::<u32>().unwrap_or(1) * 100).to_string(),
                _ => v.to_string(),
            });
            continue;
        }
        if matches!(w.as_str(), "several" | "few" | "many" | "some") {
            n = Some("X".into());
            continue;
        }
        let unit = match w.trim_end_matches('s') {
            "second" => "TS",
            "minute" => "TM",
            "hour" => "TH",
            "day" => "D",
            "week" => "W",
            "month" => "M",
            "year" => "Y",
            "decade" => "DE",
            "century" | "centurie" => "CE",
            _ => continue,
        };
        let count = n.clone().unwrap_or_else(|| {
            if w.ends_with('s') {
                "X".into()
            } else {
                "1".into()
            }
        });
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
    }
}
