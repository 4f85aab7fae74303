//! Running every rule's `example`s and `counterexample`s.

use crate::Program;
use crate::diag::Diagnostic;
use crate::engine::{Record, Runner};
use crate::text::Document;

/// How one example or counterexample turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It holds.
    Validated,
    /// An example where the rule found nothing.
    Missing,
    /// A counterexample where the rule found something.
    Noisy,
    /// An example where the rule found records, but none with the expected fields.
    Wrong,
}

/// The result of checking one rule's examples.
#[derive(Clone, Debug)]
pub struct RuleReport {
    /// The rule's index in the program.
    pub rule: usize,
    /// One outcome per example, then one per counterexample.
    pub outcomes: Vec<Outcome>,
    /// A diagnostic for each failure.
    pub failures: Vec<Diagnostic>,
}

/// Checks the examples of every rule.
pub fn verify(program: &Program) -> Vec<RuleReport> {
    let mut runner = Runner::new();
    let mut reports = Vec::new();
    for (ri, rule) in program.rules.iter().enumerate() {
        let mut report = RuleReport {
            rule: ri,
            outcomes: Vec::new(),
            failures: Vec::new(),
        };
        for ex in &rule.examples {
            let records = runner.run(program, &Document::new("example", ex.text.clone()));
            let mine: Vec<&Record> = records.iter().filter(|r| r.rule == rule.id).collect();
            let fits = |r: &&Record| {
                ex.expect.iter().all(|(name, want)| {
                    r.fields.get(name).is_some_and(|f| {
                        f.text.as_deref() == Some(want) || f.value.as_deref() == Some(want)
                    })
                })
            };
            let outcome = if mine.is_empty() {
                Outcome::Missing
            } else if !mine.iter().any(fits) {
                Outcome::Wrong
            } else {
                Outcome::Validated
            };
            match outcome {
                Outcome::Missing => {
                    let others: Vec<String> = records
                        .iter()
                        .map(|r| format!("{} `{}` by {}", r.kind, r.text, r.rule))
                        .collect();
                    let help = if others.is_empty() {
                        "`gleaner debug tokens` shows how the text is cut into tokens".to_string()
                    } else {
                        format!(
                            "other rules found: {}; one of them may have won an overlap",
                            others.join("; ")
                        )
                    };
                    report.failures.push(
                        Diagnostic::error(
                            "gleaner::example-missing",
                            format!("rule `{}` finds nothing in its example", rule.name),
                            ex.loc,
                            "nothing found here",
                        )
                        .with_related(rule.loc, "this rule")
                        .with_help(help),
                    );
                }
                Outcome::Wrong => {
                    let found: Vec<String> = mine
                        .iter()
                        .map(|r| {
                            let fields: Vec<String> = r
                                .fields
                                .iter()
                                .map(|(k, f)| format!("{k}: {:?}", f.display()))
                                .collect();
                            format!("{} {{ {} }}", r.kind, fields.join(", "))
                        })
                        .collect();
                    report.failures.push(
                        Diagnostic::error(
                            "gleaner::example-wrong",
                            format!(
                                "rule `{}` finds other fields than its example expects",
                                rule.name
                            ),
                            ex.loc,
                            "found a record with other field values",
                        )
                        .with_related(rule.loc, "this rule")
                        .with_help(format!("found: {}", found.join("; "))),
                    );
                }
                _ => {}
            }
            report.outcomes.push(outcome);
        }
        for (text, loc) in &rule.counterexamples {
            let records = runner.run(program, &Document::new("counterexample", text.clone()));
            let mine: Vec<&Record> = records.iter().filter(|r| r.rule == rule.id).collect();
            if let Some(r) = mine.first() {
                report.outcomes.push(Outcome::Noisy);
                report.failures.push(
                    Diagnostic::error(
                        "gleaner::counterexample-matched",
                        format!("rule `{}` finds something in its counterexample", rule.name),
                        *loc,
                        "should find nothing here",
                    )
                    .with_related(rule.loc, "this rule")
                    .with_help(format!("it found {} `{}`", r.kind, r.text)),
                );
            } else {
                report.outcomes.push(Outcome::Validated);
            }
        }
        reports.push(report);
    }
    reports
}
