//! The fixed-seed campaign of the test suite: 520 generated programs (300
//! small, 220 medium), each checked, lowered, built in batches with clippy
//! under `#![deny(warnings)]`, run, and held against the reference
//! evaluator. Some hold Slytherin blocks (topics of their records and a
//! pipeline of their functions): those are checked with the official
//! extensions and built with the run-time crate like the rest.
//!
//! No checker diagnostic, unparsable lowering or behaviour difference is
//! tolerated. rustc's rejections are a known open class (see the
//! soundness issue's note): a handful of clippy lints about shapes of the
//! author's own logic that the lowering does not recognise yet, and rare
//! borrow and type errors. They are held under a budget that only goes
//! down, so a new class of failure, or more of an old one, fails here.

use parseltongue_conformance::campaign::{self, Options, Oracle, Report};
use std::path::PathBuf;

/// Rejected by rustc at most this many programs in 1,000. The batch is
/// fixed, so this is a ratchet, not a tolerance: 38 when the budget was
/// first set, 0 since the fixes of the third soundness session (soaks of
/// other seeds still find about 25 in 1,000, nearly all clippy style
/// lints); the margin of 4 covers a clippy release that adds a lint.
const REJECTED_PER_THOUSAND: usize = 4;

fn campaign(size: usize, count: u64) -> Report {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("generated-{size}"));
    let options = Options {
        first_seed: 0,
        count,
        size,
        batch: 110,
        dir,
        fuel: 2_000_000,
        allowed_lints: Vec::new(),
    };
    campaign::run(&options).unwrap_or_else(|error| panic!("the campaign could not run: {error}"))
}

#[test]
fn generated_programs_meet_every_oracle() {
    let reports = [campaign(0, 300), campaign(1, 220)];
    let tested: usize = reports.iter().map(|r| r.tested).sum();
    let passed: usize = reports.iter().map(|r| r.passed).sum();
    let skipped: usize = reports.iter().map(|r| r.skipped.len()).sum();
    let failures: Vec<_> = reports.iter().flat_map(|r| &r.failures).collect();
    let rejected = failures
        .iter()
        .filter(|f| f.oracle == Oracle::Rustc)
        .count();
    println!(
        "{tested} programs: {passed} passed, {skipped} skipped, {} failed ({rejected} rejected by rustc)",
        failures.len()
    );
    let mut problems = Vec::new();
    for failure in failures.iter().filter(|f| f.oracle != Oracle::Rustc) {
        problems.push(format!(
            "seed {} (size {}): {:?}\n{}\n--- program ---\n{}",
            failure.seed, failure.size, failure.oracle, failure.detail, failure.source
        ));
    }
    if rejected * 1000 > tested * REJECTED_PER_THOUSAND {
        for failure in failures.iter().filter(|f| f.oracle == Oracle::Rustc) {
            problems.push(format!(
                "seed {} (size {}) rejected by rustc: {:?}",
                failure.seed, failure.size, failure.codes
            ));
        }
        problems.push(format!(
            "{rejected} of {tested} programs rejected by rustc, over the budget of {REJECTED_PER_THOUSAND} in 1,000"
        ));
    }
    assert!(
        skipped * 10 < tested,
        "the evaluator could not judge {skipped} of {tested} programs"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn the_campaign_covers_extension_blocks() {
    use parseltongue_conformance::generate::{generate, Size};
    let sources: Vec<String> = (0..300)
        .map(|seed| (seed, 0))
        .chain((0..220).map(|seed| (seed, 1)))
        .map(|(seed, size)| generate(seed, Size::from_knob(size)).files[0].1.clone())
        .collect();
    let with = |part: &str| sources.iter().filter(|s| s.contains(part)).count();
    let pipelines = with("\npipeline ");
    assert!(pipelines >= 20, "{pipelines} programs with a pipeline");
    for part in [
        "\n    join: ",
        "\n    window: ",
        "\n    map: ",
        "\n    flat_map: ",
        "encoding: binary",
    ] {
        assert!(
            with(part) >= 2,
            "{} programs with `{}`",
            with(part),
            part.trim()
        );
    }
}
