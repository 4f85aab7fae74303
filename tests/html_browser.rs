//! The HTML page in a real browser: Debian's `chromium`, headless, offline.
//!
//! The page checks itself when opened with `#selftest`: every record's and
//! field's highlight must hold exactly its text at its offsets, in its type's
//! colour, with its line below those of the records inside it; the panel, the
//! clicks and the pointing must show the right record. It writes what it found
//! into `<pre id="selftest">`, which these tests read from the DOM that chromium
//! dumps after the page's script ran. Chromium's log must hold no console
//! message at all (script errors and blocked content land there).
//!
//! Without chromium these tests print a note and pass; under CI (`CI` set) or
//! with `GLEANER_BROWSER_TESTS=1` (as `.ci/run` sets) they fail instead.
//! `GLEANER_CHROMIUM` names another browser binary. The screenshot is kept as
//! `target/tmp/html-view.png` to look at.

mod common;

use common::{gleaner, stderr};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SEED: &str = "tests/fixtures/000_tehran_moscow_security_agreement.txt";

/// An article that tries to inject markup, with a CR, an emoji and curly quotes.
const TRICKY: &str = "Ali Baqeri said <script>document.body.dataset.pwned='yes'</script> on Friday in Moscow.\r\n\
<img src=x onerror=\"document.body.dataset.pwned='yes'\"> 😀 Sergei Lavrov, Russia’s foreign minister, \
met Ali Baqeri in Tehran on Nov. 11, 2011.";

fn required() -> bool {
    let set =
        |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    set("CI") || set("GLEANER_BROWSER_TESTS")
}

/// The browser, or None (after a note) when it is missing and not required.
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GLEANER_CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            !required(),
            "chromium is not installed, and the browser tests must run here (CI or \
             GLEANER_BROWSER_TESTS=1): `apt-get install chromium`, or name a browser in GLEANER_CHROMIUM"
        );
        eprintln!(
            "note: chromium not found, browser test skipped (`apt-get install chromium` to run it; CI does)"
        );
    }
    found
}

/// What chromium printed.
struct Output {
    stdout: String,
    stderr: String,
}

impl Output {
    /// The console messages of the page in chromium's log.
    fn console(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .collect()
    }
}

/// Runs headless chromium on `url` with `args`, on a fresh profile, offline; at most a minute.
fn chromium(browser: &Path, args: &[&str], url: &str) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", browser.display()));
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = Output {
                stdout: out.join().unwrap(),
                stderr: err.join().unwrap(),
            };
            assert!(
                status.success(),
                "chromium failed: {status}\n{}",
                output.stderr
            );
            eprintln!(
                "chromium {args:?}: {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return output;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over a minute on {url}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn file_url(path: &Path, fragment: &str) -> String {
    format!(
        "file://{}#{fragment}",
        path.canonicalize().unwrap().display()
    )
}

/// Writes the page for `inputs` into `dir`; returns its path.
fn write_page(dir: &Path, name: &str, args: &[&str], inputs: &[&str]) -> PathBuf {
    let page = dir.join(name);
    let mut all = vec!["run", "-f", "html", "-o", page.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(inputs);
    let out = gleaner(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    page
}

/// "ok: A articles, R records, F fields": what the self-test must report for `inputs`.
fn expected_report(inputs: &[&str]) -> String {
    let mut all = vec!["run", "-f", "jsonl"];
    all.extend_from_slice(inputs);
    let out = gleaner(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let records: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    let fields: usize = records
        .iter()
        .map(|r| {
            let fields = r["fields"].as_object().unwrap();
            fields.values().filter(|f| f.get("start").is_some()).count()
        })
        .sum();
    format!(
        "ok: {} articles, {} records, {fields} fields",
        inputs.len(),
        records.len()
    )
}

/// The self-test's status and report in chromium's dump of the DOM.
fn selftest_result(dom: &str) -> (String, String) {
    let re =
        regex::Regex::new(r#"(?s)<pre id="selftest" data-status="(\w+)">(.*?)</pre>"#).unwrap();
    let caps = re
        .captures(dom)
        .unwrap_or_else(|| panic!("the page's self-test did not run; the DOM:\n{dom}"));
    (caps[1].to_string(), caps[2].to_string())
}

#[test]
fn every_highlight_sits_on_its_text() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tricky = dir.path().join("tricky.jsonl");
    let line = serde_json::json!({"id": "tricky <b>id</b>", "text": TRICKY});
    std::fs::write(&tricky, format!("{line}\n")).unwrap();
    let inputs = [SEED, tricky.to_str().unwrap()];
    let want = expected_report(&inputs);
    for offsets in ["bytes", "chars"] {
        let page = write_page(
            dir.path(),
            &format!("{offsets}.html"),
            &["--offsets", offsets],
            &inputs,
        );
        let out = chromium(
            &browser,
            &["--virtual-time-budget=5000", "--dump-dom"],
            &file_url(&page, "selftest"),
        );
        let (status, report) = selftest_result(&out.stdout);
        assert_eq!(
            (status.as_str(), report.as_str()),
            ("ok", want.as_str()),
            "--offsets {offsets}"
        );
        assert_eq!(
            out.console(),
            Vec::<&str>::new(),
            "console messages, --offsets {offsets}"
        );
        // The article's markup stayed text: nothing in it ran.
        assert!(!out.stdout.contains("data-pwned"));
        assert!(
            out.stdout
                .contains("&lt;script&gt;document.body.dataset.pwned='yes'&lt;/script&gt;")
        );
        assert!(out.stdout.contains("<h2>tricky &lt;b&gt;id&lt;/b&gt;</h2>"));
    }
}

#[test]
fn the_page_renders_to_a_screenshot() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), "seed.html", &[], &[SEED]);
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-view.png");
    let _ = std::fs::remove_file(&png);
    // Record 14 kept: the panel shows it and its fields are outlined.
    let out = chromium(
        &browser,
        &[
            "--window-size=1200,900",
            "--virtual-time-budget=3000",
            &format!("--screenshot={}", png.display()),
        ],
        &file_url(&page, "r14"),
    );
    assert_eq!(out.console(), Vec::<&str>::new(), "console messages");
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1200, 900));
    // A blank or unstyled page compresses to far less.
    assert!(bytes.len() > 60_000, "{} bytes", bytes.len());
}
