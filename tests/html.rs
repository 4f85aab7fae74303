//! `gleaner run --format html`, end to end through the binary: the page's exact
//! markup, escaping, empty inputs, determinism. `tests/html_browser.rs` renders it.

mod common;

use common::{gleaner, gleaner_stdin, stderr, stdout};

const RULES: &str = "\
record Person(name)
record Said(who, how)
rule person { match <name:Cap Cap> emit Person { name } }
rule said { match <who:Cap+> \"said\" emit Said { who, how: \"verb\" } }
";

/// Runs `gleaner run --rules RULES -f html ARGS… -` over `input` (JSON Lines); the page.
fn page(args: &[&str], input: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("t.rules");
    std::fs::write(&rules, RULES).unwrap();
    let mut all = vec!["run", "--rules", rules.to_str().unwrap(), "-f", "html"];
    all.extend_from_slice(args);
    all.push("-");
    let out = gleaner_stdin(&all, input);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn doc(id: &str, text: &str) -> String {
    format!("{}\n", serde_json::json!({"id": id, "text": text}))
}

/// The part of `page` from `start` to the end of `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let i = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {page}"));
    let j = i + page[i..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &page[i..j + end.len()]
}

/// The page without what does not depend on the input: the fixed style sheet
/// (the colours and lanes made for the page stay), the script, the hashes.
fn without_fixed_parts(page: &str) -> String {
    let style = between(page, "<style>", "</style>");
    let made: Vec<&str> = style
        .lines()
        .filter(|l| {
            let l = l.trim_start_matches(".hide-").trim_start_matches('.');
            (l.starts_with('t') || l.starts_with('k'))
                && l[1..].starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    let page = page.replace(style, &format!("<style>…\n{}\n</style>", made.join("\n")));
    let script = between(&page, "<script>", "</script>");
    let page = page.replace(script, "<script>…</script>");
    regex::Regex::new(r"sha256-[A-Za-z0-9+/]+=*")
        .unwrap()
        .replace_all(&page, "sha256-…")
        .into_owned()
}

#[test]
fn two_sentence_article() {
    let page = page(
        &[],
        &doc("two", "Ali Baqeri said so. Lavrov said <b>no</b> & left."),
    );
    insta::assert_snapshot!(without_fixed_parts(&page));
}

#[test]
fn article_text_never_becomes_markup() {
    let text = "Ali Baqeri said <script>document.body.dataset.pwned=1</script> \
                <img src=x onerror=\"document.body.dataset.pwned=1\"> & '<!--'\r\nLavrov said ]]></p>";
    let page = page(&[], &doc("\"><script>alert(1)</script>", text));
    // Two scripts only: the data and the page's own.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert!(!page.contains("<img"));
    assert!(!page.contains("<!--"));
    assert_eq!(
        between(&page, "<div class=\"text\">", "</div>"),
        "<div class=\"text\">\
         <span class=\"s\" data-f=\"0.0 1.0\"><span class=\"r t1 k1\" data-i=\"0\"><span class=\"r t0 k0\" data-i=\"1\">Ali Baqeri</span></span></span>\
         <span class=\"s\"><span class=\"r t1 k1\" data-i=\"0\"> said</span></span> \
         &lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt; \
         &lt;img src=x onerror=&quot;document.body.dataset.pwned=1&quot;&gt; &amp; &#39;&lt;!--&#39;&#13;\n\
         <span class=\"s\" data-f=\"2.0\"><span class=\"r t1 k0\" data-i=\"2\">Lavrov</span></span>\
         <span class=\"s\"><span class=\"r t1 k0\" data-i=\"2\"> said</span></span> ]]&gt;&lt;/p&gt;</div>"
    );
    assert!(page.contains("<h2>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h2>"));
    // In the data, < > & are JSON escapes: nothing there can end the script.
    let data = between(&page, "id=\"gleaner-data\">", "</script>");
    let data = &data["id=\"gleaner-data\">".len()..data.len() - "</script>".len()];
    assert!(
        data.contains(r#"{"id":"\"\u003e\u003cscript\u003ealert(1)\u003c/script\u003e","length":"#)
    );
    assert!(!data.contains(['<', '>', '&']));
}

#[test]
fn many_articles_get_contents_and_an_article_without_records_says_so() {
    let input =
        doc("a", "Ali Baqeri said so.") + &doc("b", "nothing here") + &doc("a", "Lavrov said it.");
    let page = page(&[], &input);
    assert_eq!(
        between(&page, "<nav class=\"toc\">", "</nav>"),
        "<nav class=\"toc\">\n<ol>\n\
         <li><span class=\"i\">1</span><a href=\"#a0\" title=\"a\">a</a><span class=\"n\">2</span></li>\n\
         <li><span class=\"i\">2</span><a href=\"#a1\" title=\"b\">b</a><span class=\"n\">0</span></li>\n\
         <li><span class=\"i\">3</span><a href=\"#a2\" title=\"a\">a</a><span class=\"n\">1</span></li>\n\
         </ol>\n</nav>"
    );
    assert_eq!(
        between(&page, "<article id=\"a1\"", "</article>"),
        "<article id=\"a1\" data-a=\"1\">\n<h2>b</h2>\n<p class=\"meta\">12 bytes · 0 records</p>\n\
         <div class=\"text\">nothing here</div>\n<p class=\"none\">No records.</p>\n</article>"
    );
    // Records are counted over the page: the third article's first is record 2.
    assert!(page.contains("<tr class=\"t1\" data-i=\"2\" tabindex=\"0\"><td>1</td>"));
}

#[test]
fn no_records_and_no_articles() {
    let page = page(&[], &doc("quiet", "nothing here"));
    assert!(
        page.contains(
            "<p class=\"summary\">1 article · 0 records · offsets in bytes</p>\n</header>"
        )
    );
    assert!(!page.contains("class=\"legend\""));

    let dir = tempfile::tempdir().unwrap();
    let out = gleaner(&["run", "-f", "html", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert_eq!(
        between(&page, "<body>", "</main>"),
        "<body>\n<header>\n<h1>gleaner</h1>\n<p class=\"summary\">0 articles · 0 records · offsets in bytes</p>\n\
         </header>\n<main>\n<p class=\"none\">No articles.</p>\n</main>"
    );
    assert!(page.contains(r#"{"offsets":"bytes","types":[],"articles":[],"records":[]}"#));
}

#[test]
fn char_offsets_mark_the_same_text() {
    let input = doc("n", "“Né” Ali Baqeri said so.");
    let bytes = page(&[], &input);
    let chars = page(&["--offsets", "chars"], &input);
    let text = |p: &str| between(p, "<div class=\"text\">", "</div>").to_string();
    assert_eq!(text(&bytes), text(&chars));
    assert_eq!(
        text(&chars),
        "<div class=\"text\">“Né” \
         <span class=\"s\" data-f=\"0.0 1.0\"><span class=\"r t1 k1\" data-i=\"0\"><span class=\"r t0 k0\" data-i=\"1\">Ali Baqeri</span></span></span>\
         <span class=\"s\"><span class=\"r t1 k1\" data-i=\"0\"> said</span></span> so.</div>"
    );
    assert!(bytes.contains("<p class=\"meta\">29 bytes · 2 records</p>"));
    assert!(chars.contains("<p class=\"meta\">24 chars · 2 records</p>"));
    assert!(bytes.contains("<td>10..25</td>"));
    assert!(chars.contains("<td>5..20</td>"));
}

#[test]
fn the_page_is_the_same_for_any_number_of_threads() {
    let run = |jobs: &str| {
        let out = gleaner(&["run", "-f", "html", "-j", jobs, "tests/fixtures/"]);
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    let one = run("1");
    assert!(one.len() > 1_000_000);
    assert!(one == run("2"), "-j 2 gives another page than -j 1");
}

#[test]
fn help_shows_the_html_format() {
    let out = gleaner(&["run", "--help"]);
    let help = stdout(&out);
    assert!(help.contains("html:"), "{help}");
    assert!(help.contains("gleaner run --format html --output records.html tests/fixtures/"));
}
