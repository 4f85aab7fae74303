//! Diagnostics as data. They become miette reports only when rendered.

use crate::span::{Loc, Sources};
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The rule set cannot be used.
    Error,
    /// Worth a look; the rule set still runs.
    Warning,
}

/// One problem found in a rule file (or in loading one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code, e.g. `gleaner::unknown-name`.
    pub code: &'static str,
    /// One line saying what is wrong.
    pub message: String,
    /// Where, if anywhere.
    pub loc: Option<Loc>,
    /// The label shown under the span.
    pub label: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Other places that explain this one (e.g. the first definition).
    pub related: Vec<(Loc, String)>,
}

impl Diagnostic {
    /// An error at `loc`.
    pub fn error(
        code: &'static str,
        message: impl Into<String>,
        loc: Loc,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            loc: Some(loc),
            label: label.into(),
            help: None,
            related: Vec::new(),
        }
    }

    /// An error with no place in a file (e.g. a rules path that does not exist).
    pub fn global(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            loc: None,
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, loc: Loc, label: impl Into<String>) -> Diagnostic {
        self.related.push((loc, label.into()));
        self
    }

    /// Turns it into a warning.
    pub fn warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A list of diagnostics, returned when a rule set cannot be built.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    /// The source files the diagnostics point into.
    pub sources: Sources,
    /// The diagnostics, in the order found.
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The number of errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }

    /// Renders every diagnostic as miette draws it, with or without colour.
    pub fn render(&self, color: bool) -> String {
        render(&self.sources, &self.list, color)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

/// Renders diagnostics with miette's graphical handler.
pub fn render(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let report = Report::new(sources, d);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&d.message);
        }
        out.push('\n');
    }
    out
}

/// A source file as miette reads it: shared, not copied, and with very long
/// lines (a minified or generated rule file) cut to a window around the span.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: std::sync::Arc<str>,
}

/// How many bytes of a long line to show on each side of a span.
const WINDOW: usize = 120;

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &'a str = &self.text;
        let contents = text.read_span(span, before, after)?;
        let (data, at) = (contents.data(), contents.span().offset());
        let named = |data: &'a [u8], offset: usize, line: usize, column: usize, lines: usize| {
            Box::new(miette::MietteSpanContents::new_named(
                self.name.clone(),
                data,
                (offset, data.len()).into(),
                line,
                column,
                lines,
            )) as Box<dyn miette::SpanContents<'a> + 'a>
        };
        let longest = data
            .split(|b| *b == b'\n')
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        if longest <= 2 * WINDOW + 80 || span.len() > 2 * WINDOW {
            return Ok(named(
                data,
                at,
                contents.line(),
                contents.column(),
                contents.line_count(),
            ));
        }
        // One window of the span's own line: from up to WINDOW bytes before the
        // span to up to WINDOW after, on character boundaries.
        let line_start = text[..span.offset()].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[span.offset()..]
            .find('\n')
            .map_or(text.len(), |i| span.offset() + i);
        let mut from = span.offset().saturating_sub(WINDOW).max(line_start);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (span.offset() + span.len() + WINDOW).min(line_end);
        while !text.is_char_boundary(to) {
            to += 1;
        }
        let line = text[..line_start].matches('\n').count();
        Ok(named(
            &text.as_bytes()[from..to],
            from,
            line,
            from - line_start,
            1,
        ))
    }
}

/// The bridge to miette for one diagnostic.
#[derive(Debug)]
struct Report {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(sources: &Sources, d: &Diagnostic) -> Report {
        let mut labels = Vec::new();
        let mut related = Vec::new();
        let source = d.loc.map(|loc| {
            let file = sources.get(loc.file);
            labels.push(miette::LabeledSpan::new_primary_with_span(
                Some(d.label.clone()),
                loc.span.range(),
            ));
            for (other, label) in &d.related {
                if other.file == loc.file {
                    labels.push(miette::LabeledSpan::new_with_span(
                        Some(label.clone()),
                        other.span.range(),
                    ));
                } else {
                    let f = sources.get(other.file);
                    related.push(Report {
                        message: format!("see {}", f.name),
                        code: d.code,
                        severity: Severity::Warning,
                        help: None,
                        source: Some(Excerpt {
                            name: f.name.clone(),
                            text: f.text.clone(),
                        }),
                        labels: vec![miette::LabeledSpan::new_with_span(
                            Some(label.clone()),
                            other.span.range(),
                        )],
                        related: Vec::new(),
                    });
                }
            }
            Excerpt {
                name: file.name.clone(),
                text: file.text.clone(),
            }
        });
        Report {
            message: d.message.clone(),
            code: d.code,
            severity: d.severity,
            help: d.help.clone(),
            source,
            labels,
            related,
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// Suggests the closest name to `wanted` among `candidates`, if one is close enough.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    let w = wanted.to_lowercase();
    for c in candidates {
        let d = edit_distance(&w, &c.to_lowercase());
        let limit = (wanted.chars().count().max(3)) / 3 + 1;
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("Rol", ["Role", "Name"]), Some("Role".into()));
        assert_eq!(did_you_mean("Xyzzy", ["Role", "Name"]), None);
        assert_eq!(
            did_you_mean("persn", ["person", "role"]),
            Some("person".into())
        );
    }
}
