fn main() {
    let args: Vec<String> = std::env::args().collect();
    let src = format!(
        "record R(x)\n{}\n",
        std::env::var("PRE").unwrap_or_default()
    ) + &format!("rule r {{ match {} emit R {{ }} }}", args[1]);
    let p = match gleaner::Program::from_source("t.rules", &src) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.render(false));
            return;
        }
    };
    let doc = gleaner::Document::new("d", args[2].clone());
    for r in p.run(&doc) {
        println!("{} {}..{} {:?}", r.rule, r.start, r.end, r.text);
    }
}
