//! The HTML view (`gleaner run --format html`): one self-contained page with
//! every article, its records highlighted in place, and a table of its records.
//!
//! The page loads nothing: its style sheet, its script and its data are inline,
//! and its Content-Security-Policy allows only those two (by hash), so it opens
//! from a file, offline, and text of an article can never run as code.
//!
//! # Markup
//!
//! Records overlap and nest, so an article's text is cut at every start and end
//! of a record or a field into *segments*. A segment that some record or field
//! covers is a `<span class="s">`; inside it, one `<span class="r tT kK"
//! data-i="I">` per record covering it, nested outermost first, where `I` is the
//! record's index in the page, `T` its type's index (its colour) and `K` its
//! *lane*. Lanes stack the underlines: every record keeps one lane along its
//! whole span, the records inside it have lower lanes, and lane `K` is drawn
//! `K` steps below the text. A segment inside fields carries `data-f="I.J …"`:
//! field `J` of record `I`. Text that nothing covers is plain text.
//!
//! The records themselves (type, rule, span, text, fields) are a JSON block that
//! the script reads to fill the side panel; the tables below the articles are
//! plain HTML. With the URL fragment `#selftest`, the script checks that every
//! record's and field's highlight covers exactly its text, at its offsets, and
//! writes what it found into `<pre id="selftest">` (the browser test reads it).

use super::CharOffsets;
use crate::engine::Record;
use crate::text::Document;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const STYLE: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");

/// What the records' offsets count (`--offsets`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Offsets {
    /// Bytes into the UTF-8 text.
    #[default]
    Bytes,
    /// Unicode code points.
    Chars,
}

impl Offsets {
    fn name(self) -> &'static str {
        match self {
            Offsets::Bytes => "bytes",
            Offsets::Chars => "chars",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Offsets::Bytes => "byte",
            Offsets::Chars => "char",
        }
    }
}

/// An HTML page being built: articles are added in order, then rendered at once.
///
/// ```
/// use gleaner::output::html::{Offsets, Page};
/// use gleaner::{Document, Program, Runner};
///
/// let program = Program::from_source("said.rules", r#"
///     record Statement(speaker)
///     rule said { match <speaker:Cap+> "said" emit Statement { speaker } }
/// "#).unwrap();
/// let doc = Document::new("a1", "Baqeri said so.");
/// let mut page = Page::new(Offsets::Bytes);
/// page.add(&doc, Runner::new().run(&program, &doc));
/// let html = page.render();
/// // "Baqeri said" is a record; "Baqeri" is its field `speaker` (field 0 of record 0).
/// assert!(html.contains(concat!(
///     r#"<div class="text"><span class="s" data-f="0.0"><span class="r t0 k0" data-i="0">Baqeri</span></span>"#,
///     r#"<span class="s"><span class="r t0 k0" data-i="0"> said</span></span> so.</div>"#,
/// )));
/// ```
#[derive(Debug, Default)]
pub struct Page {
    offsets: Offsets,
    articles: Vec<Article>,
}

#[derive(Debug)]
struct Article {
    id: String,
    /// None when only the records are known: the page shows their table alone.
    text: Option<String>,
    records: Vec<Record>,
}

impl Page {
    /// An empty page whose records count offsets in `offsets`.
    pub fn new(offsets: Offsets) -> Page {
        Page {
            offsets,
            articles: Vec::new(),
        }
    }

    /// Adds an article and the records found in it (offsets as given to [`Page::new`]).
    pub fn add(&mut self, doc: &Document, records: Vec<Record>) {
        self.articles.push(Article {
            id: doc.id.clone(),
            text: Some(doc.text.clone()),
            records,
        });
    }

    /// Adds the records of an article whose text is not known: a table, no text.
    pub fn add_records(&mut self, doc: &str, records: Vec<Record>) {
        self.articles.push(Article {
            id: doc.to_string(),
            text: None,
            records,
        });
    }

    /// The whole page.
    pub fn render(&self) -> String {
        let mut types: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.articles.iter().flat_map(|a| &a.records) {
            *types.entry(&r.kind).or_default() += 1;
        }
        let type_index: BTreeMap<&str, usize> =
            types.keys().enumerate().map(|(i, t)| (*t, i)).collect();
        let layouts: Vec<Layout> = self
            .articles
            .iter()
            .map(|a| Layout::new(a, self.offsets))
            .collect();
        let lanes = layouts.iter().map(|l| l.depth).max().unwrap_or(0);
        let total: usize = self.articles.iter().map(|a| a.records.len()).sum();

        let style = style(&types, lanes);
        let csp = format!(
            "default-src 'none'; script-src {}; style-src {}; base-uri 'none'; form-action 'none'",
            csp_hash(SCRIPT),
            csp_hash(&style)
        );
        let title = format!(
            "gleaner: {}, {}",
            plural(self.articles.len(), "article"),
            plural(total, "record")
        );

        let mut out = String::with_capacity(4096 + self.size_hint());
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        let _ = writeln!(
            out,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
            escape(&csp)
        );
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(out, "<title>{}</title>", escape(&title));
        let _ = writeln!(out, "<style>{style}</style>\n</head>\n<body>");

        // The header: counts, the legend (a colour and a switch per type), the contents.
        out.push_str("<header>\n<h1>gleaner</h1>\n");
        let _ = writeln!(
            out,
            "<p class=\"summary\">{} · {} · offsets in {}</p>",
            plural(self.articles.len(), "article"),
            plural(total, "record"),
            self.offsets.name()
        );
        if !types.is_empty() {
            out.push_str("<div class=\"legend\">\n");
            for (t, (name, n)) in types.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<label class=\"chip t{t}\"><input type=\"checkbox\" checked data-t=\"{t}\"><span class=\"sw\"></span>{} <span class=\"n\">{n}</span></label>",
                    escape(name)
                );
            }
            out.push_str("</div>\n");
        }
        if self.articles.len() > 1 {
            out.push_str("<nav class=\"toc\">\n<ol>\n");
            for (a, article) in self.articles.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<li><span class=\"i\">{}</span><a href=\"#a{a}\" title=\"{id}\">{id}</a><span class=\"n\">{}</span></li>",
                    a + 1,
                    article.records.len(),
                    id = escape(&article.id),
                );
            }
            out.push_str("</ol>\n</nav>\n");
        }
        out.push_str("</header>\n<main>\n");
        if self.articles.is_empty() {
            out.push_str("<p class=\"none\">No articles.</p>\n");
        }
        let mut first = 0;
        for (a, (article, layout)) in self.articles.iter().zip(&layouts).enumerate() {
            article_html(
                a,
                self.offsets,
                first,
                article,
                layout,
                &type_index,
                &mut out,
            );
            first += article.records.len();
        }
        out.push_str("</main>\n");
        out.push_str("<aside id=\"panel\" aria-live=\"polite\"><p class=\"hint\">Point at a highlight to see its record; click to keep it there, click again for the record around it.</p></aside>\n");
        out.push_str("<script type=\"application/json\" id=\"gleaner-data\">");
        out.push_str(&script_json(&self.data(&type_index, &layouts)));
        out.push_str("</script>\n<script>");
        out.push_str(SCRIPT);
        out.push_str("</script>\n</body>\n</html>\n");
        out
    }

    fn size_hint(&self) -> usize {
        self.articles
            .iter()
            .map(|a| a.text.as_ref().map_or(0, String::len) * 3 + a.records.len() * 600)
            .sum()
    }

    fn data<'a>(&'a self, type_index: &BTreeMap<&'a str, usize>, layouts: &[Layout]) -> Data<'a> {
        let mut records = Vec::new();
        for (a, article) in self.articles.iter().enumerate() {
            for (n, r) in article.records.iter().enumerate() {
                records.push(RecordData {
                    article: a,
                    number: n + 1,
                    kind: type_index[r.kind.as_str()],
                    rule: &r.rule,
                    start: r.start,
                    end: r.end,
                    text: &r.text,
                    fields: r
                        .fields
                        .iter()
                        .map(|(name, f)| FieldData {
                            name,
                            start: f.start,
                            end: f.end,
                            text: f.text.as_deref(),
                            value: f.value.as_deref(),
                        })
                        .collect(),
                });
            }
        }
        Data {
            offsets: self.offsets.name(),
            types: type_index.keys().copied().collect(),
            articles: self
                .articles
                .iter()
                .zip(layouts)
                .map(|(a, l)| ArticleData {
                    id: &a.id,
                    length: l.length,
                })
                .collect(),
            records,
        }
    }
}

/// The page for records alone (their articles' texts unknown): one table per document.
pub fn records_page(records: &[Record], offsets: Offsets) -> String {
    let mut page = Page::new(offsets);
    let mut rest = records;
    while let Some(first) = rest.first() {
        let n = rest.iter().take_while(|r| r.doc == first.doc).count();
        page.add_records(&first.doc, rest[..n].to_vec());
        rest = &rest[n..];
    }
    page.render()
}

#[derive(Serialize)]
struct Data<'a> {
    offsets: &'static str,
    types: Vec<&'a str>,
    articles: Vec<ArticleData<'a>>,
    records: Vec<RecordData<'a>>,
}

#[derive(Serialize)]
struct ArticleData<'a> {
    id: &'a str,
    /// The text's length in the page's offsets; null without a text.
    length: Option<usize>,
}

#[derive(Serialize)]
struct RecordData<'a> {
    article: usize,
    /// From 1, in its article.
    number: usize,
    #[serde(rename = "type")]
    kind: usize,
    rule: &'a str,
    start: usize,
    end: usize,
    text: &'a str,
    fields: Vec<FieldData<'a>>,
}

#[derive(Serialize)]
struct FieldData<'a> {
    name: &'a str,
    start: Option<usize>,
    end: Option<usize>,
    text: Option<&'a str>,
    value: Option<&'a str>,
}

/// JSON safe inside `<script>`: no `<` (so no `</script>` nor `<!--`), `>` or `&`.
/// These appear only inside JSON strings, where `\u003c` means the same.
fn script_json(data: &Data) -> String {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML content and double- or single-quoted attribute values.
///
/// A carriage return is written as a character reference, since the parser would
/// turn a raw one into a line feed; NUL, which HTML cannot hold, becomes U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out);
    out
}

fn escape_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'', '\r', '\0']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\r' => "&#13;",
            _ => "\u{FFFD}",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Where an article's records and fields are drawn.
#[derive(Debug, Default)]
struct Layout {
    /// Per record: its span in bytes, if it can be drawn (non-empty, on the text).
    spans: Vec<Option<(usize, usize)>>,
    /// Per record: its lane (0 for records that could not be drawn).
    lanes: Vec<usize>,
    /// Fields drawn: (record, field index, start byte, end byte).
    fields: Vec<(usize, usize, usize, usize)>,
    /// The number of lanes used.
    depth: usize,
    /// The text's length in the page's offsets.
    length: Option<usize>,
}

impl Layout {
    fn new(article: &Article, offsets: Offsets) -> Layout {
        let Some(text) = &article.text else {
            return Layout {
                spans: vec![None; article.records.len()],
                lanes: vec![0; article.records.len()],
                ..Layout::default()
            };
        };
        let map = (offsets == Offsets::Chars).then(|| CharOffsets::new(text));
        // A span in bytes, or None when it is empty, reversed or off the text.
        let span = |start: usize, end: usize| -> Option<(usize, usize)> {
            let (s, e) = match &map {
                Some(m) if start <= m.char_len() && end <= m.char_len() => {
                    (m.to_byte(start), m.to_byte(end))
                }
                Some(_) => return None,
                None => (start, end),
            };
            (s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e))
                .then_some((s, e))
        };
        let spans: Vec<Option<(usize, usize)>> = article
            .records
            .iter()
            .map(|r| span(r.start, r.end))
            .collect();
        let mut fields = Vec::new();
        for (i, r) in article.records.iter().enumerate() {
            for (j, f) in r.fields.values().enumerate() {
                if let (Some(s), Some(e)) = (f.start, f.end)
                    && let Some((s, e)) = span(s, e)
                {
                    fields.push((i, j, s, e));
                }
            }
        }
        let (lanes, depth) = assign_lanes(&spans);
        Layout {
            spans,
            lanes,
            fields,
            depth,
            length: Some(map.map_or(text.len(), |m| m.char_len())),
        }
    }
}

/// Gives every drawn record a lane: the lowest lane that no overlapping record
/// already has, taking records from the shortest, so that a record's lane is
/// above the lanes of the records inside it. Returns the lanes and their number.
fn assign_lanes(spans: &[Option<(usize, usize)>]) -> (Vec<usize>, usize) {
    let mut order: Vec<(usize, usize, usize)> = spans
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|(s, e)| (e - s, s, i)))
        .collect();
    order.sort_unstable();
    let mut lanes = vec![0; spans.len()];
    // Per lane, the spans in it by start; they never overlap.
    let mut taken: Vec<BTreeMap<usize, usize>> = Vec::new();
    for (len, s, i) in order {
        let e = s + len;
        let free = |lane: &BTreeMap<usize, usize>| {
            lane.range(..e).next_back().is_none_or(|(_, &end)| end <= s)
        };
        let lane = match taken.iter().position(free) {
            Some(l) => l,
            None => {
                taken.push(BTreeMap::new());
                taken.len() - 1
            }
        };
        taken[lane].insert(s, e);
        lanes[i] = lane;
    }
    (lanes, taken.len())
}

fn article_html(
    a: usize,
    offsets: Offsets,
    first: usize,
    article: &Article,
    layout: &Layout,
    type_index: &BTreeMap<&str, usize>,
    out: &mut String,
) {
    let _ = writeln!(out, "<article id=\"a{a}\" data-a=\"{a}\">");
    let _ = writeln!(out, "<h2>{}</h2>", escape(&article.id));
    let n = article.records.len();
    match (&article.text, layout.length) {
        (Some(text), Some(length)) => {
            let _ = writeln!(
                out,
                "<p class=\"meta\">{} · {}</p>",
                plural(length, offsets.unit()),
                plural(n, "record")
            );
            out.push_str("<div class=\"text\">");
            text_html(text, first, article, layout, type_index, out);
            out.push_str("</div>\n");
        }
        _ => {
            let _ = writeln!(
                out,
                "<p class=\"meta\">{} · the text was not given</p>",
                plural(n, "record")
            );
        }
    }
    if n == 0 {
        out.push_str("<p class=\"none\">No records.</p>\n");
    } else {
        records_table(first, article, type_index, out);
    }
    out.push_str("</article>\n");
}

/// The text, cut into segments at every boundary of a drawn record or field.
fn text_html(
    text: &str,
    first: usize,
    article: &Article,
    layout: &Layout,
    type_index: &BTreeMap<&str, usize>,
    out: &mut String,
) {
    let mut bounds: BTreeSet<usize> = BTreeSet::from([0, text.len()]);
    for &(s, e) in layout.spans.iter().flatten() {
        bounds.extend([s, e]);
    }
    for &(_, _, s, e) in &layout.fields {
        bounds.extend([s, e]);
    }
    // Records and fields by start, and those covering the current segment.
    let mut records: Vec<(usize, usize, usize)> = layout
        .spans
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|(s, e)| (s, e, i)))
        .collect();
    records.sort_unstable();
    let mut fields = layout.fields.clone();
    fields.sort_unstable_by_key(|&(i, j, s, _)| (s, i, j));
    let (mut next_record, mut next_field) = (0, 0);
    let mut open_records: Vec<(usize, usize)> = Vec::new(); // (end, record)
    let mut open_fields: Vec<(usize, usize, usize)> = Vec::new(); // (end, record, field)
    let bounds: Vec<usize> = bounds.into_iter().collect();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        open_records.retain(|&(e, _)| e > a);
        open_fields.retain(|&(e, _, _)| e > a);
        while let Some(&(s, e, i)) = records.get(next_record).filter(|r| r.0 <= a) {
            if s <= a && e > a {
                open_records.push((e, i));
            }
            next_record += 1;
        }
        while let Some(&(i, j, s, e)) = fields.get(next_field).filter(|f| f.2 <= a) {
            if s <= a && e > a {
                open_fields.push((e, i, j));
            }
            next_field += 1;
        }
        let piece = &text[a..b];
        if open_records.is_empty() && open_fields.is_empty() {
            escape_into(piece, out);
            continue;
        }
        out.push_str("<span class=\"s\"");
        if !open_fields.is_empty() {
            let mut keys: Vec<(usize, usize)> =
                open_fields.iter().map(|&(_, i, j)| (i, j)).collect();
            keys.sort_unstable();
            out.push_str(" data-f=\"");
            for (n, (i, j)) in keys.iter().enumerate() {
                let _ = write!(out, "{}{}.{j}", if n > 0 { " " } else { "" }, first + i);
            }
            out.push('"');
        }
        out.push('>');
        // Outermost (highest lane) first.
        let mut here: Vec<usize> = open_records.iter().map(|&(_, i)| i).collect();
        here.sort_unstable_by_key(|&i| (std::cmp::Reverse(layout.lanes[i]), i));
        for &i in &here {
            let _ = write!(
                out,
                "<span class=\"r t{} k{}\" data-i=\"{}\">",
                type_index[article.records[i].kind.as_str()],
                layout.lanes[i],
                first + i
            );
        }
        escape_into(piece, out);
        for _ in &here {
            out.push_str("</span>");
        }
        out.push_str("</span>");
    }
}

fn records_table(
    first: usize,
    article: &Article,
    type_index: &BTreeMap<&str, usize>,
    out: &mut String,
) {
    let _ = writeln!(
        out,
        "<details open>\n<summary>{}</summary>",
        plural(article.records.len(), "record")
    );
    out.push_str("<table class=\"records\">\n<thead><tr><th>#</th><th>type</th><th>span</th><th>text</th><th>fields</th></tr></thead>\n<tbody>\n");
    for (n, r) in article.records.iter().enumerate() {
        let t = type_index[r.kind.as_str()];
        let _ = write!(
            out,
            "<tr class=\"t{t}\" data-i=\"{}\" tabindex=\"0\"><td>{}</td><td><span class=\"sw\"></span>{}<div class=\"rule\">{}</div></td><td>{}..{}</td><td>{}</td><td>",
            first + n,
            n + 1,
            escape(&r.kind),
            // Line breaks allowed after the folder and the file name.
            escape(&r.rule)
                .replace('/', "/<wbr>")
                .replace(':', ":<wbr>"),
            r.start,
            r.end,
            escape(&r.text)
        );
        for (name, f) in &r.fields {
            let _ = write!(out, "<div><b>{}</b> ", escape(name));
            match (&f.text, &f.value) {
                (Some(t), Some(v)) if t != v => {
                    let _ = write!(out, "{} → {}", escape(t), escape(v));
                }
                (Some(t), _) => escape_into(t, out),
                (None, Some(v)) => {
                    let _ = write!(out, "= {}", escape(v));
                }
                (None, None) => {}
            }
            out.push_str("</div>");
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</details>\n");
}

/// A qualitative palette for record types, in the order of their names.
const PALETTE: [(u8, u8, u8); 12] = [
    (0x1f, 0x6f, 0xd1), // blue
    (0xd9, 0x48, 0x0f), // red orange
    (0x2b, 0x8a, 0x3e), // green
    (0xae, 0x3e, 0xc9), // purple
    (0xe0, 0x9a, 0x00), // amber
    (0x0c, 0x85, 0x99), // teal
    (0xc2, 0x25, 0x5c), // crimson
    (0x5c, 0x94, 0x0d), // olive
    (0x70, 0x48, 0xe8), // violet
    (0x8d, 0x6e, 0x63), // brown
    (0x49, 0x50, 0x57), // grey
    (0xf0, 0x65, 0x95), // pink
];

/// The colour of type `t`: the palette, then hues a golden angle apart.
fn colour(t: usize) -> (u8, u8, u8) {
    if let Some(&c) = PALETTE.get(t) {
        return c;
    }
    let hue = ((t - PALETTE.len()) as f64 * 137.507_764 + 20.0) % 360.0;
    hsl(hue, 0.65, 0.42)
}

fn hsl(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (byte(r), byte(g), byte(b))
}

/// The page's style sheet: the fixed part, then a colour per type and a depth per lane.
fn style(types: &BTreeMap<&str, usize>, lanes: usize) -> String {
    let mut css = String::from(STYLE);
    for t in 0..types.len() {
        let (r, g, b) = colour(t);
        let _ = writeln!(
            css,
            ".t{t}{{--c:#{r:02x}{g:02x}{b:02x};--b:rgba({r},{g},{b},.13);--h:rgba({r},{g},{b},.3)}}\n.hide-t{t} .r.t{t}{{border-bottom-color:transparent;background:none;pointer-events:none}}"
        );
    }
    for k in 0..lanes {
        let _ = writeln!(
            css,
            ".k{k}{{padding-bottom:calc({k} * var(--step) + 1px)}}\n.k{k}::after{{content:\"\";vertical-align:calc(-{k} * var(--step))}}"
        );
    }
    css
}

/// The Content-Security-Policy source for an inline script or style: `'sha256-…'`.
fn csp_hash(text: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn csp_hash_of_a_script() {
        // The value a browser computes for <script>alert(1)</script>.
        assert_eq!(
            super::csp_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }

    use super::*;
    use crate::engine::Field;
    use indexmap::IndexMap;

    fn record(kind: &str, start: usize, end: usize, text: &str) -> Record {
        Record {
            doc: "d".into(),
            kind: kind.into(),
            rule: "t.rules:r".into(),
            start,
            end,
            text: text[start..end].to_string(),
            fields: IndexMap::new(),
        }
    }

    fn field(text: &str, start: usize, end: usize) -> Field {
        Field {
            text: Some(text[start..end].to_string()),
            start: Some(start),
            end: Some(end),
            value: None,
        }
    }

    /// The marked-up text of one article.
    fn text_of(text: &str, records: Vec<Record>, offsets: Offsets) -> String {
        let article = Article {
            id: "d".into(),
            text: Some(text.into()),
            records,
        };
        let layout = Layout::new(&article, offsets);
        let mut kinds: Vec<&str> = article.records.iter().map(|r| r.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let types = kinds.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let mut out = String::new();
        text_html(text, 0, &article, &layout, &types, &mut out);
        out
    }

    #[test]
    fn escapes_markup_quotes_cr_and_nul() {
        assert_eq!(
            escape("<script>alert('x&y')</script> \"q\"\r\n\0"),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt; &quot;q&quot;&#13;\n\u{FFFD}"
        );
        assert_eq!(escape("Lavrov’s"), "Lavrov’s");
    }

    #[test]
    fn nested_records_nest_with_lanes() {
        let text = "Yevgeny Lukyanov, the deputy, said.";
        let mut role = record("PersonRole", 0, 28, text);
        role.fields.insert("person".into(), field(text, 0, 16));
        role.fields.insert("role".into(), field(text, 22, 28));
        let person = record("Person", 0, 16, text);
        assert_eq!(
            text_of(text, vec![role, person], Offsets::Bytes),
            "<span class=\"s\" data-f=\"0.0\"><span class=\"r t1 k1\" data-i=\"0\"><span class=\"r t0 k0\" data-i=\"1\">Yevgeny Lukyanov</span></span></span>\
             <span class=\"s\"><span class=\"r t1 k1\" data-i=\"0\">, the </span></span>\
             <span class=\"s\" data-f=\"0.1\"><span class=\"r t1 k1\" data-i=\"0\">deputy</span></span>, said."
        );
    }

    #[test]
    fn overlapping_records_split_where_they_cross() {
        let text = "a b c d";
        let left = record("X", 0, 5, text);
        let right = record("Y", 2, 7, text);
        assert_eq!(
            text_of(text, vec![left, right], Offsets::Bytes),
            "<span class=\"s\"><span class=\"r t0 k0\" data-i=\"0\">a </span></span>\
             <span class=\"s\"><span class=\"r t1 k1\" data-i=\"1\"><span class=\"r t0 k0\" data-i=\"0\">b c</span></span></span>\
             <span class=\"s\"><span class=\"r t1 k1\" data-i=\"1\"> d</span></span>"
        );
    }

    #[test]
    fn records_side_by_side_share_a_lane() {
        let spans = [Some((0, 4)), Some((5, 9)), Some((0, 9)), None, Some((2, 7))];
        // The two short ones in lane 0, the middle one over both, the long one over all.
        assert_eq!(assign_lanes(&spans), (vec![0, 0, 2, 0, 1], 3));
        assert_eq!(assign_lanes(&[]), (vec![], 0));
    }

    #[test]
    fn a_field_outside_its_record_is_marked() {
        // A quote whose speaker comes after it.
        let text = "“Yes,” Baqeri said";
        let mut quote = record("Quote", 0, 10, text);
        quote.fields.insert("speaker".into(), field(text, 11, 17));
        assert_eq!(
            text_of(text, vec![quote], Offsets::Bytes),
            "<span class=\"s\"><span class=\"r t0 k0\" data-i=\"0\">“Yes,”</span></span> \
             <span class=\"s\" data-f=\"0.0\">Baqeri</span> said"
        );
    }

    #[test]
    fn char_offsets_are_drawn_on_the_same_text() {
        let text = "“Né” said Ré";
        let mut r = record("Name", 15, 18, text);
        assert_eq!(r.text, "Ré");
        crate::output::records_to_chars(std::slice::from_mut(&mut r), text);
        assert_eq!((r.start, r.end), (10, 12));
        assert_eq!(
            text_of(text, vec![r], Offsets::Chars),
            "“Né” said <span class=\"s\"><span class=\"r t0 k0\" data-i=\"0\">Ré</span></span>"
        );
    }

    #[test]
    fn empty_reversed_and_outside_spans_are_not_drawn() {
        let text = "Ré and more";
        let mut records = vec![
            record("Empty", 3, 3, text),
            record("Late", 0, 1, text),
            record("Ok", 4, 7, text),
        ];
        records[1].start = 8;
        records[1].end = 5; // reversed
        let mut outside = record("Out", 0, 1, text);
        outside.start = 5;
        outside.end = 99;
        records.push(outside);
        let mut inside_char = record("Half", 0, 1, text);
        inside_char.start = 2; // inside the two bytes of é
        inside_char.end = 4;
        records.push(inside_char);
        assert_eq!(
            text_of(text, records.clone(), Offsets::Bytes),
            "Ré <span class=\"s\"><span class=\"r t3 k0\" data-i=\"2\">and</span></span> more"
        );
        // In chars, 4..7 is "nd ", 2..4 " a" (no longer inside é), 99 still past the end.
        assert_eq!(
            text_of(text, records, Offsets::Chars),
            "Ré<span class=\"s\"><span class=\"r t1 k0\" data-i=\"4\"> a</span></span>\
             <span class=\"s\"><span class=\"r t3 k0\" data-i=\"2\">nd </span></span>more"
        );
    }

    #[test]
    fn records_alone_make_tables() {
        let text = "Ali Baqeri said";
        let mut a = record("Person", 0, 10, text);
        a.fields.insert("name".into(), field(text, 0, 10));
        let mut b = record("Person", 4, 10, text);
        b.doc = "e".into();
        let mut out = String::new();
        crate::output::write(crate::output::Format::Html, &[a, b], &mut out);
        let main = &out[out.find("<main>").unwrap()..out.find("</main>").unwrap()];
        assert_eq!(
            main,
            "<main>\n\
             <article id=\"a0\" data-a=\"0\">\n<h2>d</h2>\n<p class=\"meta\">1 record · the text was not given</p>\n\
             <details open>\n<summary>1 record</summary>\n<table class=\"records\">\n\
             <thead><tr><th>#</th><th>type</th><th>span</th><th>text</th><th>fields</th></tr></thead>\n<tbody>\n\
             <tr class=\"t0\" data-i=\"0\" tabindex=\"0\"><td>1</td><td><span class=\"sw\"></span>Person<div class=\"rule\">t.rules:<wbr>r</div></td>\
             <td>0..10</td><td>Ali Baqeri</td><td><div><b>name</b> Ali Baqeri</div></td></tr>\n\
             </tbody>\n</table>\n</details>\n</article>\n\
             <article id=\"a1\" data-a=\"1\">\n<h2>e</h2>\n<p class=\"meta\">1 record · the text was not given</p>\n\
             <details open>\n<summary>1 record</summary>\n<table class=\"records\">\n\
             <thead><tr><th>#</th><th>type</th><th>span</th><th>text</th><th>fields</th></tr></thead>\n<tbody>\n\
             <tr class=\"t0\" data-i=\"1\" tabindex=\"0\"><td>1</td><td><span class=\"sw\"></span>Person<div class=\"rule\">t.rules:<wbr>r</div></td>\
             <td>4..10</td><td>Baqeri</td><td></td></tr>\n\
             </tbody>\n</table>\n</details>\n</article>\n"
        );
        assert!(out.contains(r#""articles":[{"id":"d","length":null},{"id":"e","length":null}]"#));
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let data = Data {
            offsets: "bytes",
            types: vec!["</script><script>alert(1)</script>"],
            articles: vec![],
            records: vec![],
        };
        let json = script_json(&data);
        assert_eq!(
            json,
            r#"{"offsets":"bytes","types":["\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"],"articles":[],"records":[]}"#
        );
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["types"][0], "</script><script>alert(1)</script>");
    }

    #[test]
    fn colours_are_distinct_and_stable() {
        let colours: Vec<_> = (0..40).map(colour).collect();
        assert_eq!(colours[0], (0x1f, 0x6f, 0xd1));
        assert_eq!(colours[12], hsl(20.0, 0.65, 0.42));
        let mut unique = colours.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 40);
    }
}
