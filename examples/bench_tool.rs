//! Helpers for `bench/compare.sh`: the floors gleaner is compared with.
//!
//!     cargo run --release --example bench_tool -- scan CORPUS.jsonl
//!     cargo run --release --example bench_tool -- tokenize CORPUS.jsonl
//!
//! Both read the whole file first (reading is not timed) and print one line:
//! `<text bytes> <count> <seconds>`. `scan` counts the ASCII white space of the
//! texts (a plain byte loop over the same bytes the tokenizer sees);
//! `tokenize` runs gleaner's tokenizer and sentence splitter and counts tokens.

use std::time::Instant;

fn texts(path: &str) -> Vec<String> {
    let data = std::fs::read_to_string(path).expect("the corpus reads");
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            v.get("text")?.as_str().map(str::to_string)
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bench_tool scan|tokenize CORPUS.jsonl");
        std::process::exit(2);
    };
    let texts = texts(path);
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = Instant::now();
    let count = match mode.as_str() {
        "scan" => texts
            .iter()
            .map(|s| s.bytes().filter(u8::is_ascii_whitespace).count())
            .sum::<usize>(),
        "tokenize" => {
            let mut tokens = Vec::new();
            let mut n = 0;
            for s in &texts {
                tokens.clear();
                gleaner::text::tokenize(s, &mut tokens);
                let segments = gleaner::text::segment(s, &tokens);
                std::hint::black_box(&segments);
                n += tokens.len();
            }
            n
        }
        other => {
            eprintln!("unknown mode `{other}`: scan or tokenize");
            std::process::exit(2);
        }
    };
    println!("{bytes} {count} {:.6}", t.elapsed().as_secs_f64());
}
