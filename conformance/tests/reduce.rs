//! The reducer shrinks a failing generated program to a few lines that
//! fail the same way, even when the failure sits deep inside one long
//! expression (where removing lines alone stops).

use parseltongue_conformance::batch::Builder;
use parseltongue_conformance::campaign::Oracle;
use parseltongue_conformance::generate::{self, Size};
use parseltongue_conformance::reduce::{fails_as, reduce, signature};
use std::time::Duration;

const FUEL: u64 = 2_000_000;

/// A generated program with an unknown name put deep inside an
/// expression at the start of `main`.
fn broken(seed: u64) -> generate::Program {
    let mut program = generate::generate(seed, Size::from_knob(2));
    let text = &mut program.files[0].1;
    let main = text.find("function main() {").expect("a main") + "function main() {".len();
    text.insert_str(
        main,
        "\n    print_line(\"{}\", (list_of(1, 2, 3).length() * 2) + (4 - zz_unknown_name));",
    );
    program
}

#[test]
fn a_failure_inside_a_long_expression_is_reduced_to_a_few_lines() {
    let builder = Builder::new(std::env::temp_dir().join("parseltongue-conformance-reduce-test"));
    for seed in [3, 11] {
        let program = broken(seed);
        let wanted = signature(&program, &builder, FUEL).expect("the program fails");
        assert_eq!(wanted.oracle, Oracle::Diagnostics);
        let code = wanted.code.as_deref().unwrap_or_default();
        assert!(
            code.starts_with("PT0101") && code.contains("zz_unknown_name"),
            "{code}"
        );
        let reduced = reduce(&program, &wanted, &builder, FUEL, Duration::from_secs(120));
        let small = &reduced.files[0].1;
        assert!(
            fails_as(&reduced, &wanted, &builder, FUEL),
            "the reduced program fails the same way:\n{small}"
        );
        // A module the failure does not need is reduced as well.
        for (name, module) in &reduced.files[1..] {
            assert!(module.lines().count() <= 3, "{name} was left as:\n{module}");
        }
        assert!(
            small.contains("zz_unknown_name") && small.lines().count() <= 4 && small.len() < 100,
            "seed {seed}: from {} lines to:\n{small}",
            program.files[0].1.lines().count()
        );
    }
}
