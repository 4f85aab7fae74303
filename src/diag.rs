//! Diagnostics as data. They become miette reports only when rendered.

use crate::span::{FileId, Loc, SourceFile, Sources};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The rule set cannot be used.
    Error,
    /// Worth a look; the rule set still runs.
    Warning,
}

/// One problem found in a rule file (or in loading one).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

    /// The same, every place in it moved to file `file` (for diagnostics of
    /// a file parsed before it had its id).
    pub fn in_file(mut self, file: FileId) -> Diagnostic {
        if let Some(loc) = &mut self.loc {
            loc.file = file;
        }
        for (loc, _) in &mut self.related {
            loc.file = file;
        }
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
    let mut excerpts = Excerpts::default();
    for d in diags {
        let report = Report::new(sources, d, &mut excerpts);
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
    text: Arc<str>,
    lines: Arc<LineIndex>,
}

/// Where the lines of a source file start, so that reading the excerpt of a
/// span costs the same wherever the span is. (miette reads a `str` from its
/// start to count lines: rendering many diagnostics of a large file took
/// time proportional to their number times the file's size.)
#[derive(Debug)]
struct LineIndex {
    /// Where lines 1, 2, … start, counting line breaks as miette does: `\n`,
    /// `\r\n` and a lone `\r`.
    starts: Vec<usize>,
    /// Where the `\n` bytes are.
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let b = text.as_bytes();
        let mut starts = Vec::new();
        let mut newlines = Vec::new();
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'\n' => {
                    starts.push(i + 1);
                    newlines.push(i);
                }
                b'\r' if b.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
        }
        LineIndex { starts, newlines }
    }
}

/// The excerpts made so far in one rendering, one line index per file.
#[derive(Default)]
struct Excerpts(HashMap<FileId, Arc<LineIndex>>);

impl Excerpts {
    fn of(&mut self, id: FileId, file: &SourceFile) -> Excerpt {
        let lines = self
            .0
            .entry(id)
            .or_insert_with(|| Arc::new(LineIndex::new(&file.text)))
            .clone();
        Excerpt {
            name: file.name.clone(),
            text: file.text.clone(),
            lines,
        }
    }
}

impl Excerpt {
    /// What `str::read_span` gives, read from the start of the line
    /// `before` lines up from the span instead of from the start of the text.
    fn read_lines<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<miette::MietteSpanContents<'a>, miette::MietteError> {
        use miette::SourceCode as _;
        let text: &'a str = &self.text;
        if span.offset() + span.len() > text.len() {
            // Out of bounds: miette says so.
            let c = text.read_span(span, before, after)?;
            return Ok(miette::MietteSpanContents::new(
                c.data(),
                *c.span(),
                c.line(),
                c.column(),
                c.line_count(),
            ));
        }
        // The span's line, and the line `before` lines up, which starts after
        // exactly `first` line breaks. The span must not start where the read
        // does (unless that is the start of the text): miette reads an empty
        // span there as one byte long.
        let line = self.lines.starts.partition_point(|&s| s <= span.offset());
        let mut first = line.saturating_sub(before);
        if first > 0 && self.lines.starts[first - 1] == span.offset() {
            first -= 1;
        }
        let from = if first == 0 {
            0
        } else {
            self.lines.starts[first - 1]
        };
        let inner = miette::SourceSpan::new((span.offset() - from).into(), span.len());
        let c = text[from..].read_span(&inner, before, after)?;
        Ok(miette::MietteSpanContents::new(
            c.data(),
            (c.span().offset() + from, c.span().len()).into(),
            c.line() + first,
            c.column(),
            c.line_count() + first,
        ))
    }
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
        use miette::SpanContents as _;
        let text: &'a str = &self.text;
        let contents = self.read_lines(span, before, after)?;
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
        let newlines = &self.lines.newlines;
        let line = newlines.partition_point(|&i| i < span.offset());
        let line_start = if line == 0 { 0 } else { newlines[line - 1] + 1 };
        let line_end = newlines.get(line).copied().unwrap_or(text.len());
        let mut from = span.offset().saturating_sub(WINDOW).max(line_start);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (span.offset() + span.len() + WINDOW).min(line_end);
        while !text.is_char_boundary(to) {
            to += 1;
        }
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
    fn new(sources: &Sources, d: &Diagnostic, excerpts: &mut Excerpts) -> Report {
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
                        source: Some(excerpts.of(other.file, f)),
                        labels: vec![miette::LabeledSpan::new_with_span(
                            Some(label.clone()),
                            other.span.range(),
                        )],
                        related: Vec::new(),
                    });
                }
            }
            excerpts.of(loc.file, file)
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

    /// Reading an excerpt through the line index gives what miette's own
    /// reading from the start of the text gives, for every span of a text
    /// with LF, CRLF, lone CR, blank lines and multi-byte characters.
    #[test]
    fn indexed_excerpts_read_as_miette_reads_them() {
        use miette::{SourceCode as _, SpanContents as _};
        let text = "record R(x)\r\nrule a {\n\n  match \"é\"\r\r  emit R {}\n}\r\n\nx\n";
        let excerpt = Excerpt {
            name: "t.rules".into(),
            text: text.into(),
            lines: Arc::new(LineIndex::new(text)),
        };
        let mut checked = 0;
        for offset in 0..=text.len() {
            for len in 0..=(text.len() - offset).min(12) {
                let span = miette::SourceSpan::new(offset.into(), len);
                for (before, after) in [(0, 0), (1, 1), (2, 1), (0, 3)] {
                    let want = text.read_span(&span, before, after).unwrap();
                    let got = excerpt.read_lines(&span, before, after).unwrap();
                    let show = |c: &dyn miette::SpanContents| {
                        (
                            c.data().to_vec(),
                            *c.span(),
                            c.line(),
                            c.column(),
                            c.line_count(),
                        )
                    };
                    assert_eq!(
                        show(&got),
                        show(&*want),
                        "span {offset}+{len}, {before} before, {after} after"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2600);
        // Past the end, miette reads what it reads from the start.
        for (offset, len) in [(text.len(), 1), (text.len() + 5, 2)] {
            let span = miette::SourceSpan::new(offset.into(), len);
            let want = text.read_span(&span, 1, 1).map(|c| c.data().to_vec());
            let got = excerpt.read_lines(&span, 1, 1).map(|c| c.data().to_vec());
            assert_eq!(got.is_ok(), want.is_ok());
            assert_eq!(got.ok(), want.ok());
        }
    }
}
