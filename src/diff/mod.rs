//! What changed between two sets of records of one document: records added,
//! removed and changed, and how to show it to a person.
//!
//! `gleaner test` compares a run with an article's snapshot, `gleaner diff`
//! two rule sets over a corpus; both show changes the same way:
//!
//! ```text
//! + PersonRole 403..473 news/roles.rules:role_appositive
//!     …his meeting with [Yevgeny Lukyanov, the deputy secretary of Russia’s Security…] in Moscow…
//!     person  403..419  "Yevgeny Lukyanov"
//! ~ Quote 1567..1657 → 1567..1707 news/speech.rules:quote_bare
//!     …war."  ["Prompted I think by the Tom Cruise video, a new obsession is…]  Anonymous…
//!   - content  1568..1657  "Prompted I think … on the internet."
//!   + content  1568..1706  "Prompted I think … Church of Scientology."
//! ```

use crate::engine::Record;
use crate::output::{clip, snapshot_block};
use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt::Write as _;

/// How a record changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only the new run has it.
    Added,
    /// Only the old run has it.
    Removed,
    /// Both have a record of this type here, with a different span, rule or fields.
    Changed,
}

impl ChangeKind {
    /// The mark before a change: `+`, `-` or `~`.
    pub fn mark(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        }
    }

    /// `added`, `removed` or `changed`.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One difference between the old and the new records of a document.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The old record (none when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Record>,
    /// The new record (none when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Record>,
}

impl Change {
    /// The record this change is about: the new one, else the old one.
    pub fn record(&self) -> &Record {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .expect("a change has a record")
    }
}

/// The differences between two runs over one document, by position.
///
/// Records pair when they are equal (no change), else when they have the same
/// type and span (changed: rule or fields), else when they have the same type
/// and rule and overlapping spans (changed: span). What is left is added or
/// removed.
pub fn diff_records(old: &[Record], new: &[Record]) -> Vec<Change> {
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let mut changes = Vec::new();
    let mut by_span: HashMap<(&str, usize, usize), Vec<usize>> = HashMap::new();
    for (i, r) in old.iter().enumerate() {
        by_span
            .entry((&r.kind, r.start, r.end))
            .or_default()
            .push(i);
    }
    // Equal records.
    for (j, n) in new.iter().enumerate() {
        if let Some(bucket) = by_span.get(&(n.kind.as_str(), n.start, n.end))
            && let Some(&i) = bucket.iter().find(|&&i| !old_used[i] && old[i] == *n)
        {
            old_used[i] = true;
            new_used[j] = true;
        }
    }
    let mut pair = |i: usize, j: usize, old_used: &mut [bool], new_used: &mut [bool]| {
        old_used[i] = true;
        new_used[j] = true;
        changes.push(Change {
            kind: ChangeKind::Changed,
            old: Some(old[i].clone()),
            new: Some(new[j].clone()),
        });
    };
    // Same type and span.
    for (j, n) in new.iter().enumerate() {
        if new_used[j] {
            continue;
        }
        if let Some(bucket) = by_span.get(&(n.kind.as_str(), n.start, n.end))
            && let Some(&i) = bucket.iter().find(|&&i| !old_used[i])
        {
            pair(i, j, &mut old_used, &mut new_used);
        }
    }
    // Same type and rule, overlapping spans.
    for (j, n) in new.iter().enumerate() {
        if new_used[j] {
            continue;
        }
        let found = old.iter().enumerate().find(|(i, o)| {
            !old_used[*i] && o.kind == n.kind && o.rule == n.rule && mostly_overlap(o, n)
        });
        if let Some((i, _)) = found {
            pair(i, j, &mut old_used, &mut new_used);
        }
    }
    for (i, o) in old.iter().enumerate() {
        if !old_used[i] {
            changes.push(Change {
                kind: ChangeKind::Removed,
                old: Some(o.clone()),
                new: None,
            });
        }
    }
    for (j, n) in new.iter().enumerate() {
        if !new_used[j] {
            changes.push(Change {
                kind: ChangeKind::Added,
                old: None,
                new: Some(n.clone()),
            });
        }
    }
    changes.sort_by(|a, b| {
        let (ra, rb) = (a.record(), b.record());
        (ra.start, Reverse(ra.end), &ra.kind, a.kind).cmp(&(
            rb.start,
            Reverse(rb.end),
            &rb.kind,
            b.kind,
        ))
    });
    changes
}

/// Whether two spans share at least half of the shorter one.
fn mostly_overlap(a: &Record, b: &Record) -> bool {
    let shared = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    let shorter = (a.end - a.start).min(b.end - b.start);
    if shorter == 0 {
        a.start == b.start
    } else {
        shared * 2 >= shorter
    }
}

/// ANSI colours for a terminal, or none.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Colour the output.
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn for_kind(self, kind: ChangeKind, s: &str) -> String {
        match kind {
            ChangeKind::Added => self.paint("32", s),
            ChangeKind::Removed => self.paint("31", s),
            ChangeKind::Changed => self.paint("33", s),
        }
    }

    /// Bold, for headings.
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }

    /// Dim, for context.
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
}

/// How many chars of text to show on each side of a record.
const CONTEXT: usize = 40;

/// The text around `start..end` (bytes), the span in `[ ]`, on one line.
pub fn context(text: &str, start: usize, end: usize) -> String {
    let fits = |i: usize| i <= text.len() && text.is_char_boundary(i);
    if !(fits(start) && fits(end) && start <= end) {
        return String::new();
    }
    let before: String = {
        let chars: Vec<char> = text[..start].chars().rev().take(CONTEXT + 1).collect();
        let more = chars.len() > CONTEXT;
        let s: String = chars.iter().take(CONTEXT).rev().collect();
        format!("{}{}", if more { "…" } else { "" }, s)
    };
    let after: String = {
        let chars: Vec<char> = text[end..].chars().take(CONTEXT + 1).collect();
        let more = chars.len() > CONTEXT;
        let s: String = chars.iter().take(CONTEXT).collect();
        format!("{s}{}", if more { "…" } else { "" })
    };
    let flat = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    format!(
        "{}[{}]{}",
        flat(&before),
        clip(&text[start..end], 80),
        flat(&after)
    )
}

/// How many chars of a field's text a change shows.
const FIELD_TEXT: usize = 100;

/// A record's head line (as in a snapshot) and its field lines, aligned, long
/// texts clipped.
fn block_lines(r: &Record) -> (String, Vec<(String, String)>) {
    let mut block = String::new();
    snapshot_block(r, &mut block);
    let head = block.lines().next().unwrap_or_default().to_string();
    let span = |f: &crate::engine::Field| match (f.start, f.end) {
        (Some(s), Some(e)) => format!("{s}..{e}"),
        _ => String::new(),
    };
    let name_w = r
        .fields
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0);
    let span_w = r.fields.values().map(|f| span(f).len()).max().unwrap_or(0);
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let fields = r
        .fields
        .iter()
        .map(|(name, f)| {
            let mut line = format!("{name:name_w$}  {:span_w$}", span(f));
            if let Some(t) = &f.text {
                let _ = write!(line, "  {}", quote(&clip(t, FIELD_TEXT)));
            }
            if let Some(v) = &f.value {
                let gap = if f.text.is_some() { " " } else { "  " };
                let _ = write!(line, "{gap}=> {}", quote(&clip(v, FIELD_TEXT)));
            }
            (name.clone(), line.trim_end().to_string())
        })
        .collect();
    (head, fields)
}

/// Writes one change: its mark and head line, the text around it (when the
/// document text is given), then its fields (for a changed record, the
/// fields that differ as `-` and `+` lines).
pub fn write_change(change: &Change, text: Option<&str>, style: Style, out: &mut String) {
    let r = change.record();
    let mark = change.kind.mark();
    match (&change.old, &change.new) {
        (Some(old), Some(new)) => {
            let mut head = format!("{mark} {} {}..{}", new.kind, old.start, old.end);
            if (old.start, old.end) != (new.start, new.end) {
                let _ = write!(head, " → {}..{}", new.start, new.end);
            }
            if old.rule == new.rule {
                let _ = write!(head, " {}", new.rule);
            } else {
                let _ = write!(head, " {} → {}", old.rule, new.rule);
            }
            let _ = writeln!(out, "{}", style.for_kind(change.kind, &head));
        }
        _ => {
            let (head, _) = block_lines(r);
            let _ = writeln!(
                out,
                "{}",
                style.for_kind(change.kind, &format!("{mark} {head}"))
            );
        }
    }
    if let Some(text) = text {
        let c = context(text, r.start, r.end);
        if !c.is_empty() {
            let _ = writeln!(out, "    {}", style.dim(&c));
        }
    }
    match (&change.old, &change.new) {
        (Some(old), Some(new)) => {
            let (_, old_fields) = block_lines(old);
            let (_, new_fields) = block_lines(new);
            let old_of = |name: &str| old.fields.get(name);
            for (name, line) in &new_fields {
                match old_fields.iter().find(|(n, _)| n == name) {
                    Some(_) if old_of(name) == new.fields.get(name) => {
                        let _ = writeln!(out, "    {line}");
                    }
                    Some((_, old_line)) => {
                        let _ = writeln!(
                            out,
                            "  {}",
                            style.for_kind(ChangeKind::Removed, &format!("- {old_line}"))
                        );
                        let _ = writeln!(
                            out,
                            "  {}",
                            style.for_kind(ChangeKind::Added, &format!("+ {line}"))
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "  {}",
                            style.for_kind(ChangeKind::Added, &format!("+ {line}"))
                        );
                    }
                }
            }
            for (name, old_line) in &old_fields {
                if !new.fields.contains_key(name) {
                    let _ = writeln!(
                        out,
                        "  {}",
                        style.for_kind(ChangeKind::Removed, &format!("- {old_line}"))
                    );
                }
            }
        }
        _ => {
            let (_, fields) = block_lines(r);
            for (_, line) in fields {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
}

/// Counts of changes per record type and per rule.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Records only the new run has.
    pub added: usize,
    /// Records only the old run has.
    pub removed: usize,
    /// Records both have, with a different span, rule or fields.
    pub changed: usize,
}

impl Tally {
    /// Counts one change.
    pub fn add(&mut self, kind: ChangeKind) {
        match kind {
            ChangeKind::Added => self.added += 1,
            ChangeKind::Removed => self.removed += 1,
            ChangeKind::Changed => self.changed += 1,
        }
    }

    /// The changes of one kind.
    pub fn count(&self, kind: ChangeKind) -> usize {
        match kind {
            ChangeKind::Added => self.added,
            ChangeKind::Removed => self.removed,
            ChangeKind::Changed => self.changed,
        }
    }

    /// All changes counted.
    pub fn total(&self) -> usize {
        self.added + self.removed + self.changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Field;

    fn rec(kind: &str, rule: &str, start: usize, end: usize, fields: &[(&str, &str)]) -> Record {
        Record {
            doc: "d".into(),
            kind: kind.into(),
            rule: rule.into(),
            start,
            end,
            text: "x".repeat(end - start),
            fields: fields
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        Field {
                            text: Some(v.to_string()),
                            start: Some(start),
                            end: Some(end),
                            value: None,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn pairs_equal_then_same_span_then_overlap() {
        let old = vec![
            rec("Date", "r:a", 0, 4, &[("value", "2011")]),
            rec("Quote", "r:q", 10, 20, &[]),
            rec("Person", "r:p", 30, 35, &[("name", "Baqer")]),
            rec("Person", "r:p", 40, 45, &[]),
        ];
        let new = vec![
            rec("Date", "r:a", 0, 4, &[("value", "2011")]),
            rec("Quote", "r:q", 10, 25, &[]),
            rec("Person", "r:p", 30, 35, &[("name", "Baqeri")]),
            rec("Location", "r:l", 50, 55, &[]),
        ];
        let kinds: Vec<(ChangeKind, usize)> = diff_records(&old, &new)
            .iter()
            .map(|c| (c.kind, c.record().start))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (ChangeKind::Changed, 10),
                (ChangeKind::Changed, 30),
                (ChangeKind::Removed, 40),
                (ChangeKind::Added, 50),
            ]
        );
        assert!(diff_records(&new, &new).is_empty());
    }

    #[test]
    fn a_change_shows_the_fields_that_differ() {
        let text = "Baqeri left Tehran for Moscow on Tuesday.";
        let old = vec![rec("Person", "r:p", 0, 6, &[("name", "Baqer")])];
        let new = vec![rec("Person", "r:p", 0, 6, &[("name", "Baqeri")])];
        let mut out = String::new();
        for c in diff_records(&old, &new) {
            write_change(&c, Some(text), Style::default(), &mut out);
        }
        assert_eq!(
            out,
            "~ Person 0..6 r:p\n    [Baqeri] left Tehran for Moscow on Tuesday.\n  - name  0..6  \"Baqer\"\n  + name  0..6  \"Baqeri\"\n"
        );
    }

    #[test]
    fn context_clips_long_text() {
        let text = format!("{}[x]{}", "a".repeat(50), "b".repeat(50));
        assert_eq!(
            context(&text, 50, 53),
            format!("…{}[[x]]{}…", "a".repeat(40), "b".repeat(40))
        );
        assert_eq!(context("abc", 2, 9), "");
    }
}
