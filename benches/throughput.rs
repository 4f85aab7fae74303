//! Criterion benchmarks: the tokenizer, the bundled library over the fixture
//! articles, and what a rule set costs as it grows (10 rules, then 1,000 rules
//! and a 50,000-entry lexicon, over the same text).
//!
//!     cargo bench --bench throughput
//!
//! The text is the fixture articles (`tests/fixtures/*.txt`, 43 articles,
//! about 160 KB), so the benchmark runs from a clean clone. bench/compare.sh
//! measures whole runs over the 23 MB benchmark corpus against spaCy.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gleaner::{Document, Program, Runner};
use std::hint::black_box;

fn fixtures() -> Vec<Document> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            Document::new(
                p.file_stem().unwrap().to_string_lossy(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect()
}

fn bytes(docs: &[Document]) -> u64 {
    docs.iter().map(|d| d.text.len() as u64).sum()
}

fn tokenizer(c: &mut Criterion) {
    let docs = fixtures();
    let mut g = c.benchmark_group("tokenizer");
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.bench_function("tokenize + sentences, fixtures", |b| {
        let mut tokens = Vec::new();
        b.iter(|| {
            for d in &docs {
                tokens.clear();
                gleaner::text::tokenize(&d.text, &mut tokens);
                black_box(gleaner::text::segment(&d.text, &tokens));
            }
        })
    });
    g.finish();
}

fn bundled(c: &mut Criterion) {
    let docs = fixtures();
    let program = Program::bundled().unwrap();
    let mut g = c.benchmark_group("bundled library");
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.sample_size(10);
    g.bench_function("run, fixtures", |b| {
        let mut runner = Runner::new();
        b.iter(|| {
            for d in &docs {
                black_box(runner.run(&program, d));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("start-up");
    g.sample_size(20);
    g.bench_function("compile the bundled library", |b| {
        b.iter(|| black_box(Program::bundled().unwrap()))
    });
    g.finish();
}

/// `n` rules, each needing its own pair of words, plus (with `lexicon`) one
/// rule over a lexicon of 50,000 two-word entries.
fn rule_set(n: usize, lexicon: bool) -> Program {
    let mut src = String::from("record R(x)\nrecord T(x)\n");
    for i in 0..n {
        src.push_str(&format!(
            "rule r{i} {{ match <x:\"word{i}\" Cap \"said\"> emit R {{ x }} }}\n"
        ));
    }
    if lexicon {
        src.push_str("lexicon Big = ");
        let entries: Vec<String> = (0..50_000)
            .map(|i| format!("\"entry{i} part{}\"", i % 97))
            .collect();
        src.push_str(&entries.join(", "));
        src.push_str("\nrule big { match <x:Big> emit T { x } }\n");
    }
    Program::from_source("scale.rules", &src).unwrap()
}

fn scaling(c: &mut Criterion) {
    let docs = fixtures();
    let mut g = c.benchmark_group("rule count");
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.sample_size(10);
    for (label, program) in [
        ("10 rules", rule_set(10, false)),
        ("1000 rules + 50k lexicon", rule_set(1000, true)),
    ] {
        g.bench_with_input(BenchmarkId::from_parameter(label), &program, |b, p| {
            let mut runner = Runner::new();
            b.iter(|| {
                for d in &docs {
                    black_box(runner.run(p, d));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, tokenizer, bundled, scaling);
criterion_main!(benches);
