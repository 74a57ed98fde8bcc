//! Temporary: generate and check.
use parseltongue_core::source::{SourceFile, SourceMap};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let from: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let count: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let knob: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(3);
    let show = args.get(4).is_some();
    let mut bad = 0;
    let mut codes = std::collections::BTreeMap::new();
    for seed in from..from + count {
        let p = parseltongue_conformance::generate::generate(seed, parseltongue_conformance::generate::Size::from_knob(knob));
        let mut map = SourceMap::new();
        for (n, t) in &p.files { map.add(SourceFile::new(n.clone(), t.clone())); }
        let checked = parseltongue_core::check(&map);
        if show { println!("{}", p.files[0].1); }
        if !checked.diagnostics.is_empty() {
            bad += 1;
            for d in &checked.diagnostics { *codes.entry(format!("{}", d.code)).or_insert(0) += 1; }
            if show || count == 1 {
                println!("{}", parseltongue_core::diagnostics::render::render_all(&checked.diagnostics, &map, parseltongue_core::diagnostics::render::ColorChoice::Never));
            }
        }
    }
    println!("{bad}/{count} with diagnostics: {codes:?}");
}
