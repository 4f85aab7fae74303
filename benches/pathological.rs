//! Nested quantifiers cost what a flat one costs: `(_*)* "zzz"` against `_* "zzz"`
//! over one 20,000-token sentence. Run: `cargo bench --bench pathological`.

use gleaner::{Document, Program, Runner};
use std::time::Instant;

fn main() {
    let words = [
        "the", "minister", "said", "Iran", "Russia", "talks", "and", "of", "a", "new",
    ];
    let mut text = String::from("zzz");
    let mut seed = 1u64;
    for _ in 0..20_000 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        text.push(' ');
        text.push_str(words[(seed >> 33) as usize % words.len()]);
    }
    let doc = Document::new("long", text);
    println!("one sentence of 20,001 tokens, \"zzz\" first; median of 21 runs");
    println!("{:<24} {:>10} {:>8}", "pattern", "median", "ratio");
    let mut base = None;
    for pat in [
        r#"_* "zzz""#,
        r#"(_*)* "zzz""#,
        r#"(_?)* "zzz""#,
        r#"((_*)*)* "zzz""#,
        r#"(_* _*)* "zzz""#,
        r#"(_ | _ _)* "zzz""#,
        r#"_*? "zzz""#,
    ] {
        let src = format!("record R(x)\nrule r {{ match {pat} emit R {{ }} }}");
        let program = Program::from_source("bench.rules", &src).expect("builds");
        let mut runner = Runner::new();
        let mut times: Vec<f64> = (0..21)
            .map(|_| {
                let t = Instant::now();
                let n = runner.run(&program, &doc).len();
                assert_eq!(n, 1);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let base = *base.get_or_insert(median);
        println!("{pat:<24} {median:>8.2}ms {:>7.2}x", median / base);
    }
}
