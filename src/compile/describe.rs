//! A readable listing of a compiled rule (for `gleaner debug program`).

use super::{Assertion, Choice, Inst, Program, Rule, Test};
use std::fmt::Write as _;

/// Lists a rule's automaton, prefilter and fields.
pub fn describe(program: &Program, rule: &Rule) -> String {
    let mut names = vec![""; program.vocab.len()];
    for (w, id) in program.vocab.iter() {
        names[id as usize] = w;
    }
    let word = |id: u32| -> String {
        names
            .get(id as usize)
            .map_or_else(|| format!("#{id}"), |w| format!("{w:?}"))
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rule {} (stratum {}, priority {}, within {:?}) emits {}",
        rule.id, rule.stratum, rule.priority, rule.scope, program.records[rule.record].name
    );
    let listed = |ws: &[u32]| {
        let shown: Vec<String> = ws.iter().take(8).map(|&w| word(w)).collect();
        let more = if ws.len() > 8 {
            format!(" … ({} in all)", ws.len())
        } else {
            String::new()
        };
        format!("{}{more}", shown.join(", "))
    };
    match (&rule.required_words, &rule.required_types) {
        (Some(ws), _) => {
            let _ = writeln!(out, "  prefilter: a window must hold one of {}", listed(ws));
            if let Some((_, also)) = &rule.also_required {
                let _ = writeln!(out, "             and one of {}", listed(also));
            }
        }
        (None, Some(ts)) => {
            let names: Vec<&str> = ts
                .iter()
                .map(|&t| program.records[t].name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "  prefilter: a window must hold a record of {}",
                names.join(", ")
            );
        }
        (None, None) => {
            let _ = writeln!(out, "  prefilter: none (runs on every window)");
        }
    }
    if !rule.captures.is_empty() {
        let caps: Vec<String> = rule
            .captures
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}=slots {},{}", 2 + 2 * i, 3 + 2 * i))
            .collect();
        let _ = writeln!(out, "  captures: {}", caps.join(" "));
    }
    if let Some(entries) = &rule.entries {
        let choices: Vec<String> = entries
            .choices
            .iter()
            .map(|c| match c {
                Choice::Lexicon(l) => format!("an entry of {}", program.lexicon_names[*l as usize]),
                Choice::Token(pc) => format!("the token test at {pc}"),
            })
            .collect();
        let _ = writeln!(
            out,
            "  matched at each token by trying {} (the same matches as the instructions below)",
            choices.join(", ")
        );
    }
    for (pc, inst) in rule.insts.iter().enumerate() {
        let text = match inst {
            Inst::Token(t, n) => format!("token {} -> {n}", test(program, t, &word)),
            Inst::Split(a, b) => format!("split {a}, {b}"),
            Inst::Jmp(t) => format!("jmp {t}"),
            Inst::Save(s, n) => format!("save {s} -> {n}"),
            Inst::Assert(Assertion::Start, n) => format!("assert sentence start -> {n}"),
            Inst::Assert(Assertion::End, n) => format!("assert sentence end -> {n}"),
            Inst::Lexicon(l, n) => format!("lexicon {} -> {n}", program.lexicon_names[*l as usize]),
            Inst::Span(t, n) => format!("span @{} -> {n}", program.records[*t as usize].name),
            Inst::Match => "match".to_string(),
        };
        let _ = writeln!(out, "  {pc:>4}: {text}");
    }
    out
}

fn test(program: &Program, t: &Test, word: &dyn Fn(u32) -> String) -> String {
    match t {
        Test::Any => "_".into(),
        Test::Class(c) => format!("{c:?}"),
        Test::Word(w) => word(*w),
        Test::Regex(i) => {
            let full = program.regexes[*i as usize].as_str();
            // Stored as ^(?flags:source)$.
            let (flags, inner) = full
                .strip_prefix("^(?")
                .and_then(|s| s.strip_suffix(")$"))
                .and_then(|s| s.split_once(':'))
                .unwrap_or(("", full));
            format!("/{inner}/{flags}")
        }
        Test::Lexicon(l) => format!("one-word {}", program.lexicon_names[*l as usize]),
        Test::Or(ts) => {
            let parts: Vec<String> = ts.iter().map(|t| test(program, t, word)).collect();
            format!("({})", parts.join(" | "))
        }
        Test::And(ts) => {
            let parts: Vec<String> = ts.iter().map(|t| test(program, t, word)).collect();
            format!("({})", parts.join(" & "))
        }
        Test::Not(t) => format!("!{}", test(program, t, word)),
    }
}
