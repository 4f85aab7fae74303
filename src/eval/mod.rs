//! Scoring rules against gold annotations (`gleaner eval`).
//!
//! Each gold document is run through the rules; per record type of the gold,
//! system and gold records of one document are paired one to one: **strictly**
//! when their spans are equal, **relaxed** when they overlap. Pairing is greedy:
//! exact pairs first, then by largest overlap, ties by earliest start. A type
//! can be paired by some of its fields' spans instead of the record's span
//! ([`Options::pair`]): then every named field must overlap (relaxed) or be
//! equal (strict).
//!
//! Per type: strict and relaxed precision, recall and F1. Per field the gold
//! records carry: for span fields, over the relaxed pairs whose gold has the
//! span, how often the system's span is equal (strict) and overlaps (relaxed);
//! for value fields, the accuracy over relaxed pairs whose gold has a value,
//! and value precision (correct values / system records of the type), recall
//! (correct values / gold records with a value) and F1, as TempEval-3 scores
//! attributes.
//!
//! Offsets are chars (code points) throughout, as in gold files; system
//! records are converted from bytes.
//!
//! ```
//! use gleaner::Program;
//! use gleaner::eval::{Options, evaluate, gold::parse_gold_line};
//!
//! let program = Program::from_source("y.rules", r#"
//!     record Year(value)
//!     rule year { match <y:"2015"> emit Year { value: y } }
//! "#).unwrap();
//! let gold = parse_gold_line(r#"{"id": "a", "text": "Né en 2015.", "records": [
//!     {"type": "Year", "start": 6, "end": 10, "fields": {"value": {"value": "2015"}}}]}"#, "a").unwrap();
//! let eval = evaluate(&program, &[gold], &Options::default());
//! let year = &eval.types["Year"];
//! assert_eq!((year.gold, year.system, year.strict, year.relaxed), (1, 1, 1, 1));
//! assert_eq!(year.fields["value"].value.as_ref().unwrap().correct, 1);
//! ```

pub mod gold;
pub mod report;

use crate::engine::{Record, Runner};
use crate::output::{CharOffsets, records_to_chars};
use crate::{Document, Program};
use gold::{EvalRecord, GoldDoc, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What to score and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Score only these types (empty: every type of the gold).
    pub types: Vec<String>,
    /// Pair records of a type by these fields' spans instead of the record's span.
    pub pair: BTreeMap<String, Vec<String>>,
    /// Collect the errors (misses, false alarms, boundary and value mismatches).
    pub errors: bool,
}

/// Parses a `--pair` argument, `TYPE:FIELD[,FIELD…]`.
pub fn parse_pair(s: &str) -> Result<(String, Vec<String>), String> {
    let (kind, fields) = s
        .split_once(':')
        .ok_or("expected TYPE:FIELD[,FIELD…], e.g. PersonRole:person,role")?;
    let fields: Vec<String> = fields.split(',').map(|f| f.trim().to_string()).collect();
    if kind.trim().is_empty() || fields.iter().any(String::is_empty) {
        return Err("expected TYPE:FIELD[,FIELD…], e.g. PersonRole:person,role".into());
    }
    Ok((kind.trim().to_string(), fields))
}

/// The scores of a whole gold file.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// How many gold documents were scored.
    pub documents: usize,
    /// Per record type, by name.
    pub types: BTreeMap<String, TypeScore>,
    /// The errors, document by document (only when [`Options::errors`]).
    pub errors: Vec<ErrorItem>,
}

/// The counts of one record type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeScore {
    /// Gold records.
    pub gold: usize,
    /// System records.
    pub system: usize,
    /// Strict pairs (equal spans).
    pub strict: usize,
    /// Relaxed pairs (overlapping spans; strict pairs included).
    pub relaxed: usize,
    /// The fields that pair records, when not the record's span.
    pub pair: Option<Vec<String>>,
    /// Per field the gold records of this type carry.
    pub fields: BTreeMap<String, FieldScore>,
}

/// Precision, recall and F1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Precision.
    pub p: f64,
    /// Recall.
    pub r: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

impl Prf {
    /// From a count of correct answers, of system answers and of gold answers (0 when a count is 0).
    pub fn new(correct: usize, system: usize, gold: usize) -> Prf {
        let p = ratio(correct, system);
        let r = ratio(correct, gold);
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Prf { p, r, f1 }
    }
}

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl TypeScore {
    /// Strict precision, recall and F1.
    pub fn strict_prf(&self) -> Prf {
        Prf::new(self.strict, self.system, self.gold)
    }
    /// Relaxed precision, recall and F1.
    pub fn relaxed_prf(&self) -> Prf {
        Prf::new(self.relaxed, self.system, self.gold)
    }
}

/// The counts of one field of a type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldScore {
    /// When gold records carry the field's span.
    pub span: Option<SpanScore>,
    /// When gold records carry a value for the field.
    pub value: Option<ValueScore>,
}

/// A span field over relaxed pairs whose gold has the span.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpanScore {
    /// Relaxed pairs whose gold record has the span.
    pub pairs: usize,
    /// Of those, pairs where the system's span is equal.
    pub strict: usize,
    /// Of those, pairs where the system's span overlaps.
    pub relaxed: usize,
}

/// A value field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValueScore {
    /// Relaxed pairs whose gold record has a value.
    pub pairs: usize,
    /// Of those, pairs where the system's value is the same string.
    pub correct: usize,
    /// System records of the type.
    pub system: usize,
    /// Gold records of the type with a value.
    pub gold: usize,
}

impl ValueScore {
    /// Correct values over pairs.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.pairs)
    }
    /// Value precision, recall and F1 (TempEval-3).
    pub fn prf(&self) -> Prf {
        Prf::new(self.correct, self.system, self.gold)
    }
}

/// What kind of error an [`ErrorItem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A gold record with no relaxed pair.
    Miss,
    /// A system record with no pair.
    FalseAlarm,
    /// A relaxed pair whose spans differ.
    Boundary,
    /// A relaxed pair whose values differ.
    Value,
}

impl ErrorKind {
    /// As shown in the table.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Miss => "miss",
            ErrorKind::FalseAlarm => "false alarm",
            ErrorKind::Boundary => "boundary",
            ErrorKind::Value => "value",
        }
    }
}

/// One error, with the text around it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorItem {
    /// The document id.
    pub doc: String,
    /// What went wrong.
    pub kind: ErrorKind,
    /// The record type.
    #[serde(rename = "type")]
    pub ty: String,
    /// The field, for a boundary error in a pairing field or a value error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// First char of the span: the gold one, or the system one for a false alarm.
    pub start: usize,
    /// One past its last char.
    pub end: usize,
    /// Its text.
    pub text: String,
    /// Up to 40 chars of text before it.
    pub before: String,
    /// Up to 40 chars of text after it.
    pub after: String,
    /// Whether the text goes on before `before`.
    #[serde(skip)]
    pub more_before: bool,
    /// Whether the text goes on after `after`.
    #[serde(skip)]
    pub more_after: bool,
    /// The gold value (value errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gold: Option<String>,
    /// The system's span (boundary errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_span: Option<Span>,
    /// The system's text (boundary errors) or value (value errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The rule that made the system record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// Chars of context on each side of an error.
pub const CONTEXT: usize = 40;

/// Runs the program over every gold document and scores it.
pub fn evaluate(program: &Program, gold: &[GoldDoc], options: &Options) -> Evaluation {
    let mut ev = Evaluator::new(gold, options);
    let mut runner = Runner::new();
    for g in gold {
        let records = runner.run(program, &g.doc);
        ev.add(g, records);
    }
    ev.finish()
}

/// Scores documents one at a time, with system records from anywhere.
#[derive(Debug)]
pub struct Evaluator {
    options: Options,
    eval: Evaluation,
}

impl Evaluator {
    /// Prepares the counts for the types and fields of the gold documents
    /// (restricted to [`Options::types`] when given).
    pub fn new(gold: &[GoldDoc], options: &Options) -> Evaluator {
        let mut types: BTreeMap<String, TypeScore> = BTreeMap::new();
        for r in gold.iter().flat_map(|g| &g.records) {
            if !options.types.is_empty() && !options.types.contains(&r.kind) {
                continue;
            }
            let t = types.entry(r.kind.clone()).or_default();
            for (name, f) in &r.fields {
                let fs = t.fields.entry(name.clone()).or_default();
                if f.span.is_some() {
                    fs.span.get_or_insert_with(SpanScore::default);
                }
                if f.value.is_some() {
                    fs.value.get_or_insert_with(ValueScore::default);
                }
            }
        }
        for (kind, t) in types.iter_mut() {
            t.pair = options.pair.get(kind).cloned();
        }
        Evaluator {
            options: options.clone(),
            eval: Evaluation {
                types,
                ..Evaluation::default()
            },
        }
    }

    /// The types being scored.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.eval.types.keys().map(String::as_str)
    }

    /// Scores one document given the system's records for it (byte offsets, as a run gives them).
    pub fn add(&mut self, gold: &GoldDoc, mut system: Vec<Record>) {
        self.eval.documents += 1;
        records_to_chars(&mut system, &gold.doc.text);
        let system: Vec<EvalRecord> = system.iter().map(EvalRecord::from_char_record).collect();
        let context = Context::new(&gold.doc);
        let mut errors = Vec::new();
        for (kind, score) in self.eval.types.iter_mut() {
            let g: Vec<&EvalRecord> = gold.records.iter().filter(|r| r.kind == *kind).collect();
            let s: Vec<&EvalRecord> = system.iter().filter(|r| r.kind == *kind).collect();
            let keys = self.options.pair.get(kind).map(Vec::as_slice);
            let pairs = pair(&g, &s, keys);
            score.gold += g.len();
            score.system += s.len();
            score.strict += pairs.iter().filter(|p| p.exact).count();
            score.relaxed += pairs.len();
            for (name, fs) in score.fields.iter_mut() {
                if let Some(v) = &mut fs.value {
                    v.system += s.len();
                    v.gold += g
                        .iter()
                        .filter(|r| r.fields.get(name).is_some_and(|f| f.value.is_some()))
                        .count();
                }
            }
            let mut gold_paired = vec![false; g.len()];
            let mut system_paired = vec![false; s.len()];
            for p in &pairs {
                gold_paired[p.gold] = true;
                system_paired[p.system] = true;
                let (gr, sr) = (g[p.gold], s[p.system]);
                for (name, fs) in score.fields.iter_mut() {
                    let Some(gf) = gr.fields.get(name) else {
                        continue;
                    };
                    let sf = sr.fields.get(name);
                    if let (Some(span), Some(ss)) = (gf.span, &mut fs.span) {
                        let sys = sf.and_then(|f| f.span);
                        ss.pairs += 1;
                        ss.strict += usize::from(sys == Some(span));
                        ss.relaxed += usize::from(sys.is_some_and(|s| overlap(span, s).is_some()));
                    }
                    if let (Some(value), Some(vs)) = (&gf.value, &mut fs.value) {
                        let sys = sf.and_then(|f| f.value.as_ref());
                        vs.pairs += 1;
                        if sys == Some(value) {
                            vs.correct += 1;
                        } else if self.options.errors {
                            let mut e = context.item(ErrorKind::Value, gr, gr.span);
                            e.field = Some(name.clone());
                            e.gold = Some(value.clone());
                            e.system = Some(sys.cloned().unwrap_or_default());
                            e.rule = sr.rule.clone();
                            errors.push(e);
                        }
                    }
                }
                if self.options.errors && !p.exact {
                    let spans: Vec<(Option<&String>, Span, Span)> = match keys {
                        None => vec![(None, gr.span, sr.span)],
                        Some(keys) => keys
                            .iter()
                            .filter_map(|k| {
                                let gs = gr.fields.get(k)?.span?;
                                let ss = sr.fields.get(k)?.span?;
                                (gs != ss).then_some((Some(k), gs, ss))
                            })
                            .collect(),
                    };
                    for (field, gs, ss) in spans {
                        let mut e = context.item(ErrorKind::Boundary, gr, gs);
                        e.field = field.cloned();
                        e.system_span = Some(ss);
                        e.system = Some(context.slice(ss).to_string());
                        e.rule = sr.rule.clone();
                        errors.push(e);
                    }
                }
            }
            if self.options.errors {
                for (r, _) in g.iter().zip(&gold_paired).filter(|(_, p)| !**p) {
                    errors.push(context.item(ErrorKind::Miss, r, r.span));
                }
                for (r, _) in s.iter().zip(&system_paired).filter(|(_, p)| !**p) {
                    let mut e = context.item(ErrorKind::FalseAlarm, r, r.span);
                    e.rule = r.rule.clone();
                    errors.push(e);
                }
            }
        }
        errors.sort_by(|a, b| {
            (a.start, a.end, a.kind, &a.ty, &a.field)
                .cmp(&(b.start, b.end, b.kind, &b.ty, &b.field))
        });
        self.eval.errors.extend(errors);
    }

    /// The scores.
    pub fn finish(self) -> Evaluation {
        self.eval
    }
}

/// Slices and context from a document's text, by char offsets.
struct Context<'a> {
    doc: &'a Document,
    map: CharOffsets,
}

impl<'a> Context<'a> {
    fn new(doc: &'a Document) -> Context<'a> {
        Context {
            doc,
            map: CharOffsets::new(&doc.text),
        }
    }

    fn slice(&self, (s, e): Span) -> &'a str {
        &self.doc.text[self.map.to_byte(s)..self.map.to_byte(e)]
    }

    fn item(&self, kind: ErrorKind, r: &EvalRecord, span: Span) -> ErrorItem {
        let (s, e) = span;
        ErrorItem {
            doc: self.doc.id.clone(),
            kind,
            ty: r.kind.clone(),
            field: None,
            start: s,
            end: e,
            text: self.slice(span).to_string(),
            before: self.slice((s.saturating_sub(CONTEXT), s)).to_string(),
            after: self.slice((e, e + CONTEXT)).to_string(),
            more_before: s > CONTEXT,
            more_after: e + CONTEXT < self.map.char_len(),
            gold: None,
            system_span: None,
            system: None,
            rule: None,
        }
    }
}

/// A pair of a gold and a system record (indexes into the slices given to [`pair`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The gold record.
    pub gold: usize,
    /// The system record.
    pub system: usize,
    /// Whether the spans are equal (a strict pair); else they overlap.
    pub exact: bool,
}

/// How many chars two spans share; `None` when they share none, unless they
/// are equal (equal empty spans overlap, by 0).
pub fn overlap(a: Span, b: Span) -> Option<usize> {
    if a == b {
        Some(a.1 - a.0)
    } else if a.1.min(b.1) > a.0.max(b.0) {
        Some(a.1.min(b.1) - a.0.max(b.0))
    } else {
        None
    }
}

/// The spans that pair a record: its own, or the named fields' (`None` when one is missing).
fn key(r: &EvalRecord, fields: Option<&[String]>) -> Option<Vec<Span>> {
    match fields {
        None => Some(vec![r.span]),
        Some(fields) => fields
            .iter()
            .map(|f| r.fields.get(f).and_then(|f| f.span))
            .collect(),
    }
}

/// Pairs gold and system records of one document and type one to one: exact
/// pairs first, then by largest overlap (summed over the pairing spans), ties
/// by earliest start. Records pair only when every pairing span overlaps.
pub fn pair(gold: &[&EvalRecord], system: &[&EvalRecord], fields: Option<&[String]>) -> Vec<Pair> {
    let gold_keys: Vec<Option<Vec<Span>>> = gold.iter().map(|r| key(r, fields)).collect();
    let system_keys: Vec<Option<Vec<Span>>> = system.iter().map(|r| key(r, fields)).collect();
    let mut candidates = Vec::new();
    for (gi, gk) in gold_keys.iter().enumerate() {
        let Some(gk) = gk else { continue };
        for (si, sk) in system_keys.iter().enumerate() {
            let Some(sk) = sk else { continue };
            let overlaps: Option<Vec<usize>> =
                gk.iter().zip(sk).map(|(&a, &b)| overlap(a, b)).collect();
            if let Some(o) = overlaps {
                let exact = gk == sk;
                let size: usize = o.iter().sum();
                candidates.push((!exact, std::cmp::Reverse(size), gk[0].0, sk[0].0, gi, si));
            }
        }
    }
    candidates.sort_unstable();
    let mut gold_used = BTreeSet::new();
    let mut system_used = BTreeSet::new();
    let mut pairs = Vec::new();
    for (inexact, _, _, _, gi, si) in candidates {
        if gold_used.contains(&gi) || system_used.contains(&si) {
            continue;
        }
        gold_used.insert(gi);
        system_used.insert(si);
        pairs.push(Pair {
            gold: gi,
            system: si,
            exact: !inexact,
        });
    }
    pairs.sort_by_key(|p| p.gold);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(span: Span) -> EvalRecord {
        EvalRecord {
            kind: "T".into(),
            span,
            ..EvalRecord::default()
        }
    }

    fn with(mut r: EvalRecord, field: &str, span: Span) -> EvalRecord {
        r.fields.insert(
            field.into(),
            gold::EvalField {
                span: Some(span),
                value: None,
            },
        );
        r
    }

    #[test]
    fn overlaps() {
        assert_eq!(overlap((0, 5), (5, 9)), None);
        assert_eq!(overlap((0, 5), (4, 9)), Some(1));
        assert_eq!(overlap((2, 3), (0, 9)), Some(1));
        assert_eq!(overlap((3, 3), (3, 3)), Some(0));
        assert_eq!(overlap((3, 3), (0, 9)), None);
    }

    #[test]
    fn exact_pairs_first_then_largest_overlap() {
        let g = [rec((0, 10)), rec((20, 30))];
        let s = [rec((5, 25)), rec((0, 10)), rec((22, 40))];
        let pairs = pair(
            &g.iter().collect::<Vec<_>>(),
            &s.iter().collect::<Vec<_>>(),
            None,
        );
        assert_eq!(
            pairs,
            [
                Pair {
                    gold: 0,
                    system: 1,
                    exact: true
                },
                Pair {
                    gold: 1,
                    system: 2,
                    exact: false
                }
            ]
        );
    }

    #[test]
    fn one_to_one_ties_by_earliest_start() {
        let g = [rec((0, 10))];
        let s = [rec((5, 15)), rec((0, 5))];
        // Both overlap by 5: the earlier system start (0) wins.
        let pairs = pair(
            &g.iter().collect::<Vec<_>>(),
            &s.iter().collect::<Vec<_>>(),
            None,
        );
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].system, 1);
    }

    #[test]
    fn pairing_by_fields() {
        let keys = ["person".to_string(), "role".to_string()];
        let g = [with(
            with(rec((0, 30)), "person", (0, 10)),
            "role",
            (12, 30),
        )];
        // Same person, role overlaps: a relaxed pair, though the record spans differ.
        let s1 = [with(
            with(rec((0, 20)), "person", (0, 10)),
            "role",
            (12, 20),
        )];
        let p = pair(
            &g.iter().collect::<Vec<_>>(),
            &s1.iter().collect::<Vec<_>>(),
            Some(&keys),
        );
        assert_eq!((p.len(), p[0].exact), (1, false));
        // Same record span, but the role does not overlap: no pair.
        let s2 = [with(
            with(rec((0, 30)), "person", (0, 10)),
            "role",
            (40, 50),
        )];
        let p = pair(
            &g.iter().collect::<Vec<_>>(),
            &s2.iter().collect::<Vec<_>>(),
            Some(&keys),
        );
        assert!(p.is_empty());
        // No role at all: no pair.
        let s3 = [with(rec((0, 30)), "person", (0, 10))];
        let p = pair(
            &g.iter().collect::<Vec<_>>(),
            &s3.iter().collect::<Vec<_>>(),
            Some(&keys),
        );
        assert!(p.is_empty());
    }

    #[test]
    fn prf() {
        let p = Prf::new(1, 2, 4);
        assert_eq!((p.p, p.r), (0.5, 0.25));
        assert!((p.f1 - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(Prf::new(0, 0, 3), Prf::default());
    }

    #[test]
    fn pair_arguments() {
        assert_eq!(
            parse_pair("PersonRole:person,role").unwrap(),
            (
                "PersonRole".to_string(),
                vec!["person".to_string(), "role".to_string()]
            )
        );
        assert!(parse_pair("PersonRole").is_err());
        assert!(parse_pair("PersonRole:person,").is_err());
        assert!(parse_pair(":x").is_err());
    }
}
