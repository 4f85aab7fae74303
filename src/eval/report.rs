//! An [`Evaluation`] as an aligned table, as JSON, and its errors as text.

use super::{ErrorItem, ErrorKind, Evaluation, FieldScore, Prf, ratio};
use crate::output::clip;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Serialize)]
struct JsonReport<'a> {
    documents: usize,
    types: BTreeMap<&'a str, JsonType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [ErrorItem]>,
}

#[derive(Serialize)]
struct JsonType {
    gold: usize,
    system: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pair: Option<Vec<String>>,
    strict: JsonPrf,
    relaxed: JsonPrf,
    fields: BTreeMap<String, JsonField>,
}

#[derive(Serialize)]
struct JsonPrf {
    matched: usize,
    p: f64,
    r: f64,
    f1: f64,
}

impl JsonPrf {
    fn new(matched: usize, prf: Prf) -> JsonPrf {
        JsonPrf {
            matched,
            p: round4(prf.p),
            r: round4(prf.r),
            f1: round4(prf.f1),
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum JsonField {
    Span {
        pairs: usize,
        strict: f64,
        relaxed: f64,
    },
    Value {
        pairs: usize,
        correct: usize,
        accuracy: f64,
        p: f64,
        r: f64,
        f1: f64,
    },
}

/// The rows of a type's fields: `(name, score)`; a field whose gold records
/// carry both a span and a value gives two rows, `name` and `name.value`.
fn field_rows(fields: &BTreeMap<String, FieldScore>) -> Vec<(String, JsonField)> {
    let mut rows = Vec::new();
    for (name, f) in fields {
        if let Some(s) = &f.span {
            rows.push((
                name.clone(),
                JsonField::Span {
                    pairs: s.pairs,
                    strict: ratio(s.strict, s.pairs),
                    relaxed: ratio(s.relaxed, s.pairs),
                },
            ));
        }
        if let Some(v) = &f.value {
            let prf = v.prf();
            let key = if f.span.is_some() {
                format!("{name}.value")
            } else {
                name.clone()
            };
            rows.push((
                key,
                JsonField::Value {
                    pairs: v.pairs,
                    correct: v.correct,
                    accuracy: v.accuracy(),
                    p: prf.p,
                    r: prf.r,
                    f1: prf.f1,
                },
            ));
        }
    }
    rows
}

impl Evaluation {
    /// The scores as one JSON object (ratios rounded to 4 decimals), with the
    /// errors when they were collected and `with_errors` is set:
    ///
    /// ```text
    /// {"documents": 43,
    ///  "types": {"Date": {"gold": 291, "system": 250,
    ///                     "strict": {"matched": 180, "p": …, "r": …, "f1": …},
    ///                     "relaxed": {"matched": 230, "p": …, "r": …, "f1": …},
    ///                     "fields": {"value": {"pairs": 200, "correct": 170,
    ///                                          "accuracy": …, "p": …, "r": …, "f1": …}}},
    ///            "PersonRole": {…, "pair": ["person", "role"],
    ///                           "fields": {"person": {"pairs": 30, "strict": …, "relaxed": …}, …}}},
    ///  "errors": [{"doc", "kind", "type", "start", "end", "text", "before", "after", …}]}
    /// ```
    pub fn to_json(&self, with_errors: bool) -> String {
        let types = self
            .types
            .iter()
            .map(|(name, t)| {
                let fields = field_rows(&t.fields)
                    .into_iter()
                    .map(|(k, f)| {
                        let f = match f {
                            JsonField::Span {
                                pairs,
                                strict,
                                relaxed,
                            } => JsonField::Span {
                                pairs,
                                strict: round4(strict),
                                relaxed: round4(relaxed),
                            },
                            JsonField::Value {
                                pairs,
                                correct,
                                accuracy,
                                p,
                                r,
                                f1,
                            } => JsonField::Value {
                                pairs,
                                correct,
                                accuracy: round4(accuracy),
                                p: round4(p),
                                r: round4(r),
                                f1: round4(f1),
                            },
                        };
                        (k, f)
                    })
                    .collect();
                let json = JsonType {
                    gold: t.gold,
                    system: t.system,
                    pair: t.pair.clone(),
                    strict: JsonPrf::new(t.strict, t.strict_prf()),
                    relaxed: JsonPrf::new(t.relaxed, t.relaxed_prf()),
                    fields,
                };
                (name.as_str(), json)
            })
            .collect();
        let report = JsonReport {
            documents: self.documents,
            types,
            errors: with_errors.then_some(self.errors.as_slice()),
        };
        let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The scores as aligned tables (ratios to 3 decimals): one row per type,
    /// then one row per field.
    pub fn to_table(&self) -> String {
        let f3 = |x: f64| format!("{x:.3}");
        let mut out = String::new();
        if self.types.is_empty() {
            let _ = writeln!(
                out,
                "no record types to score: the gold ({} documents) has no records of the types asked for",
                self.documents
            );
            return out;
        }
        let mut rows = vec![
            [
                "TYPE",
                "GOLD",
                "SYSTEM",
                "STRICT P",
                "R",
                "F1",
                "RELAXED P",
                "R",
                "F1",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for (name, t) in &self.types {
            let (s, r) = (t.strict_prf(), t.relaxed_prf());
            rows.push(vec![
                name.clone(),
                t.gold.to_string(),
                t.system.to_string(),
                f3(s.p),
                f3(s.r),
                f3(s.f1),
                f3(r.p),
                f3(r.r),
                f3(r.f1),
            ]);
        }
        aligned(
            &rows,
            &[false, true, true, true, true, true, true, true, true],
            &mut out,
        );
        let mut rows = vec![
            [
                "FIELD", "PAIRS", "STRICT", "RELAXED", "ACCURACY", "VALUE P", "R", "F1",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for (kind, t) in &self.types {
            for (name, f) in field_rows(&t.fields) {
                let name = format!("{kind}.{name}");
                let dash = || "-".to_string();
                rows.push(match f {
                    JsonField::Span {
                        pairs,
                        strict,
                        relaxed,
                    } => vec![
                        name,
                        pairs.to_string(),
                        f3(strict),
                        f3(relaxed),
                        dash(),
                        dash(),
                        dash(),
                        dash(),
                    ],
                    JsonField::Value {
                        pairs,
                        accuracy,
                        p,
                        r,
                        f1,
                        ..
                    } => vec![
                        name,
                        pairs.to_string(),
                        dash(),
                        dash(),
                        f3(accuracy),
                        f3(p),
                        f3(r),
                        f3(f1),
                    ],
                });
            }
        }
        if rows.len() > 1 {
            out.push('\n');
            aligned(
                &rows,
                &[false, true, true, true, true, true, true, true],
                &mut out,
            );
        }
        let pairs: Vec<String> = self
            .types
            .iter()
            .filter_map(|(k, t)| t.pair.as_ref().map(|p| format!("{k} by {}", p.join(", "))))
            .collect();
        let _ = write!(
            out,
            "\n{} document{}; pairs by span",
            self.documents,
            if self.documents == 1 { "" } else { "s" }
        );
        if !pairs.is_empty() {
            let _ = write!(out, " ({})", pairs.join("; "));
        }
        out.push_str("; strict: equal, relaxed: overlapping\n");
        out
    }

    /// The errors, document by document: a line per error (what, type, span
    /// in chars, text, and the values or spans that differ and the rule), then
    /// the text around it, the span in `[ ]`.
    ///
    /// ```text
    /// == GUM_news_example
    ///   miss         Date        63..89  "Tuesday, September 1, 2015"
    ///       …self-medicating' ants [Tuesday, September 1, 2015]  Formica fusca, from file. Imag…
    /// ```
    pub fn errors_text(&self) -> String {
        let mut out = String::new();
        let count = |k: ErrorKind| self.errors.iter().filter(|e| e.kind == k).count();
        let _ = writeln!(
            out,
            "errors: {} misses, {} false alarms, {} boundary and {} value mismatches",
            count(ErrorKind::Miss),
            count(ErrorKind::FalseAlarm),
            count(ErrorKind::Boundary),
            count(ErrorKind::Value)
        );
        let label = |e: &ErrorItem| match &e.field {
            Some(f) => format!("{}.{f}", e.ty),
            None => e.ty.clone(),
        };
        let type_w = self
            .errors
            .iter()
            .map(|e| label(e).chars().count())
            .max()
            .unwrap_or(0);
        let kind_w = "false alarm".len();
        let mut doc: Option<&str> = None;
        for e in &self.errors {
            if doc != Some(&e.doc) {
                let _ = writeln!(out, "\n== {}", e.doc);
                doc = Some(&e.doc);
            }
            let mut line = format!(
                "  {:kind_w$}  {:type_w$}  {}..{}  {}",
                e.kind.label(),
                label(e),
                e.start,
                e.end,
                quote(&clip(&e.text, 60))
            );
            if let Some(g) = &e.gold {
                let _ = write!(line, "  gold {}", quote(g));
            }
            match (e.system_span, &e.system) {
                (Some((s, end)), Some(t)) => {
                    let _ = write!(line, "  system {s}..{end} {}", quote(&clip(t, 60)));
                }
                (None, Some(v)) => {
                    let _ = write!(line, "  system {}", quote(v));
                }
                _ => {}
            }
            if let Some(r) = &e.rule {
                let _ = write!(line, "  ({r})");
            }
            let _ = writeln!(out, "{}", line.trim_end());
            let context = format!(
                "{}{}[{}]{}{}",
                if e.more_before { "…" } else { "" },
                flat(&e.before),
                clip(&e.text, 60),
                flat(&e.after),
                if e.more_after { "…" } else { "" },
            );
            let _ = writeln!(out, "      {}", context.trim_end());
        }
        out
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Control characters (newlines) as spaces.
fn flat(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Writes rows as aligned columns, two spaces apart; `right[i]` right-aligns column `i`.
fn aligned(rows: &[Vec<String>], right: &[bool], out: &mut String) {
    let mut widths = vec![0; right.len()];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i] - cell.chars().count());
            if right[i] {
                let _ = write!(line, "{pad}{cell}");
            } else {
                let _ = write!(line, "{cell}{pad}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
