//! `parseltongue-conformance soak`: generated programs for a given time,
//! in rounds of one crate each, rotating through sizes. Every failure is
//! written out under its kind; the first ones of each kind are reduced.

use parseltongue_conformance::batch::Builder;
use parseltongue_conformance::campaign::{self, Failure, Options, Oracle};
use parseltongue_conformance::generate::{self, Size};
use parseltongue_conformance::reduce::{self, Signature};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to soak.
pub struct Plan {
    pub minutes: u64,
    pub out: PathBuf,
    pub seed: u64,
    pub sizes: Vec<usize>,
    pub batch: u64,
    pub reduce_each: usize,
}

use crate::FUEL;

pub fn run(plan: &Plan) -> Result<(), String> {
    let failures_dir = plan.out.join("failures");
    std::fs::create_dir_all(&failures_dir)
        .map_err(|e| format!("{}: {e}", failures_dir.display()))?;
    let deadline = Instant::now() + Duration::from_secs(plan.minutes * 60);
    let reducer = Builder::new(plan.out.join("reduce-build"));
    let mut seed = plan.seed;
    let mut tested = 0usize;
    let mut passed = 0usize;
    let mut skipped = 0usize;
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut round = 0usize;
    let sizes = if plan.sizes.is_empty() {
        vec![1]
    } else {
        plan.sizes.clone()
    };
    while Instant::now() < deadline {
        let size = sizes[round % sizes.len()];
        round += 1;
        let options = Options {
            first_seed: seed,
            count: plan.batch,
            size,
            batch: plan.batch as usize,
            dir: plan.out.join("build"),
            fuel: FUEL,
            allowed_lints: Vec::new(),
        };
        seed += plan.batch;
        let report = campaign::run(&options)?;
        tested += report.tested;
        passed += report.passed;
        skipped += report.skipped.len();
        for failure in &report.failures {
            let kind = kind_of(failure);
            let seen = kinds.entry(kind.clone()).or_insert(0);
            *seen += 1;
            let stem = format!("{kind}-seed{}-size{}", failure.seed, failure.size);
            write_program(&failures_dir, &stem, &failure.source, &failure.modules)?;
            if *seen <= plan.reduce_each && Instant::now() < deadline {
                let program = generate::generate(failure.seed, Size::from_knob(failure.size));
                if let Some(signature) = reduce::signature(&program, &reducer, FUEL) {
                    let small = reduce::reduce(
                        &program,
                        &signature,
                        &reducer,
                        FUEL,
                        Duration::from_secs(90),
                    );
                    let reduced = format!("{stem}.reduced");
                    write_program(
                        &failures_dir,
                        &reduced,
                        &small.files[0].1,
                        &small.files[1..],
                    )?;
                }
            }
        }
        let line = format!(
            "{tested} programs: {passed} passed, {skipped} skipped, {} failed; by kind: {kinds:?}",
            tested - passed - skipped
        );
        println!("{line}");
        let summary = plan.out.join("summary.txt");
        std::fs::write(&summary, format!("{line}\nnext seed: {seed}\n"))
            .map_err(|e| format!("{}: {e}", summary.display()))?;
    }
    Ok(())
}

/// Writes a program as `dir/stem.pt`, or, with modules, as the folder
/// `dir/stem/` of `main.pt` and the modules (what `plc run` reads).
pub fn write_program(
    dir: &std::path::Path,
    stem: &str,
    root: &str,
    modules: &[(String, String)],
) -> Result<(), String> {
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    if modules.is_empty() {
        return write(dir.join(format!("{stem}.pt")), root);
    }
    let folder = dir.join(stem);
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    write(folder.join("main.pt"), root)?;
    for (name, text) in modules {
        write(folder.join(name), text)?;
    }
    Ok(())
}

/// A file-name-safe name for a failure's kind: its oracle and first code.
fn kind_of(failure: &Failure) -> String {
    let signature = Signature {
        oracle: failure.oracle,
        code: match failure.oracle {
            Oracle::Rustc => failure.codes.iter().find(|c| !c.is_empty()).cloned(),
            _ => None,
        },
    };
    let oracle = format!("{:?}", signature.oracle).to_lowercase();
    match signature.code {
        Some(code) => format!("{oracle}-{}", code.replace("::", "-")),
        None => oracle,
    }
}
