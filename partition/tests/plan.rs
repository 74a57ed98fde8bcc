//! Plan validation: every error names what is available; TOML errors carry
//! line and column; `shrink` says what it changed.

use std::time::Duration;

use partition::{Fallback, Machine, Plan, PlanError, Policy};

/// Four online cores, all allowed.
fn four_cores() -> Machine {
    Machine::new(0..4, 0..4)
}

fn error(plan: Plan, machine: &Machine) -> PlanError {
    plan.validate(machine)
        .expect_err("the plan must be refused")
}

#[test]
fn a_plan_that_fits_keeps_its_cores_and_policies() {
    let plan = Plan::builder()
        .system_cores([0])
        .partition("app", 1..=2, Policy::Api)
        .partition("ui", [3], Policy::frame(Duration::from_millis(16)))
        .build();
    let validated = plan.validate(&four_cores()).expect("fits");
    assert!(validated.warnings().is_empty());
    let app = validated.partition("app").expect("app");
    assert_eq!(app.cores(), &[1, 2]);
    assert_eq!(app.policy(), Policy::Api);
    assert_eq!(
        validated.partition("ui").expect("ui").policy(),
        Policy::Frame {
            cycle: Duration::from_millis(16)
        }
    );
}

#[test]
fn cores_that_do_not_exist_are_named_with_the_online_ones() {
    let plan = Plan::builder().partition("app", 2..=5, Policy::Api).build();
    let err = error(plan, &four_cores());
    assert!(matches!(err, PlanError::CoresNotOnline { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "partition `app` asks for cores 4-5, which this machine does not have (online cores: 0-3); \
         use fallback `shrink` to run on fewer cores"
    );
}

#[test]
fn cores_outside_the_affinity_mask_are_refused() {
    let machine = Machine::new(0..4, [0, 1]);
    let plan = Plan::builder()
        .partition("app", [1, 2], Policy::Api)
        .build();
    assert_eq!(
        error(plan, &machine).to_string(),
        "partition `app` asks for cores 2, which this process may not use (not in its affinity \
         mask (sched_getaffinity)); usable cores: 0-1"
    );
}

#[test]
fn cores_outside_the_cgroup_cpuset_are_refused() {
    let machine = Machine::new(0..4, 0..4).with_cgroup_cpuset(0..=2);
    let plan = Plan::builder().partition("app", [3], Policy::Api).build();
    assert_eq!(
        error(plan, &machine).to_string(),
        "partition `app` asks for cores 3, which this process may not use (not in its cgroup's \
         cpuset.cpus.effective); usable cores: 0-2"
    );
}

#[test]
fn overlapping_partitions_are_refused() {
    let plan = Plan::builder()
        .partition("app", 0..=2, Policy::Api)
        .partition("bus", 2..=3, Policy::messaging())
        .build();
    assert_eq!(
        error(plan, &four_cores()).to_string(),
        "partitions `app` and `bus` both claim cores 2; a core belongs to one partition (free \
         usable cores: none)"
    );
}

#[test]
fn an_empty_partition_is_refused_with_the_free_cores() {
    let plan = Plan::builder()
        .partition("app", [1], Policy::Api)
        .partition("idle", Vec::new(), Policy::Batch)
        .build();
    assert_eq!(
        error(plan, &four_cores()).to_string(),
        "partition `idle` has no core; free usable cores: 0,2-3"
    );
}

#[test]
fn system_cores_are_not_for_partitions() {
    let plan = Plan::builder()
        .system_cores([0])
        .partition("app", 0..=1, Policy::Api)
        .build();
    assert_eq!(
        error(plan, &four_cores()).to_string(),
        "partition `app` claims cores 0, which the plan leaves to the system (free usable cores: \
         2-3)"
    );
}

#[test]
fn names_are_unique_and_a_plan_has_a_partition() {
    let plan = Plan::builder()
        .partition("app", [1], Policy::Api)
        .partition("app", [2], Policy::Api)
        .build();
    assert!(matches!(
        error(plan, &four_cores()),
        PlanError::DuplicateName { .. }
    ));
    assert_eq!(
        error(Plan::builder().build(), &four_cores()).to_string(),
        "the plan has no partition; declare one on the usable cores 0-3"
    );
}

#[test]
fn policy_options_are_checked() {
    let plan = Plan::builder()
        .partition("bus", [1], Policy::Messaging { batch_budget: 0 })
        .build();
    assert_eq!(
        error(plan, &four_cores()).to_string(),
        "partition `bus`: the batch budget must be at least 1"
    );
    let plan = Plan::builder()
        .partition("ui", [1], Policy::frame(Duration::from_nanos(5)))
        .build();
    assert!(matches!(
        error(plan, &four_cores()),
        PlanError::InvalidOption { .. }
    ));
}

#[test]
fn shrink_moves_missing_partitions_onto_usable_cores_and_says_so() {
    // Asked: 8 cores; this process may use cores 0 and 1.
    let machine = Machine::new(0..8, [0, 1]);
    let plan = Plan::builder()
        .system_cores([0])
        .partition("app", 1..=3, Policy::Api)
        .partition("ui", [4], Policy::frame(Duration::from_millis(16)))
        .partition("batch", 5..=7, Policy::Batch)
        .fallback(Fallback::Shrink)
        .build();
    let validated = plan.validate(&machine).expect("shrinks");
    assert_eq!(validated.partition("app").expect("app").cores(), &[1]);
    // No core is free: the others share core 1, the only non-system core.
    assert_eq!(validated.partition("ui").expect("ui").cores(), &[1]);
    assert_eq!(validated.partition("batch").expect("batch").cores(), &[1]);
    assert_eq!(
        validated.warnings(),
        &[
            "partition `app` asked for cores 1-3 but this process may use only 0-1: fallback \
             `shrink` runs it on core 1"
                .to_string(),
            "partition `ui` asked for cores 4 but this process may use only 0-1: fallback \
             `shrink` runs it on core 1"
                .to_string(),
            "partition `batch` asked for cores 5-7 but this process may use only 0-1: fallback \
             `shrink` runs it on core 1"
                .to_string(),
            "core 1 is shared by partitions `app` and `ui`: they no longer isolate each other"
                .to_string(),
            "core 1 is shared by partitions `app`, `ui` and `batch`: they no longer isolate each \
             other"
                .to_string(),
        ]
    );
}

#[test]
fn shrink_takes_free_cores_before_sharing() {
    let machine = Machine::new(0..4, 0..4);
    let plan = Plan::builder()
        .partition("app", [0], Policy::Api)
        .partition("ui", [9], Policy::frame(Duration::from_millis(16)))
        .fallback(Fallback::Shrink)
        .build();
    let validated = plan.validate(&machine).expect("shrinks");
    assert_eq!(validated.partition("ui").expect("ui").cores(), &[1]);
    assert_eq!(validated.warnings().len(), 1, "{:?}", validated.warnings());
}

#[test]
fn shrink_never_repairs_an_overlap() {
    let plan = Plan::builder()
        .partition("a", [0, 9], Policy::Api)
        .partition("b", [0], Policy::Api)
        .fallback(Fallback::Shrink)
        .build();
    assert!(matches!(
        error(plan, &four_cores()),
        PlanError::Overlap { .. }
    ));
}

#[test]
fn the_default_plan_is_one_api_partition_on_every_usable_core() {
    let machine = Machine::new(0..4, [1, 2, 3]);
    let validated = Plan::default_for(&machine)
        .validate(&machine)
        .expect("fits");
    let main = validated.partition("main").expect("main");
    assert_eq!(main.cores(), &[1, 2, 3]);
    assert_eq!(main.policy(), Policy::Api);
}

const TOML_PLAN: &str = r#"
fallback = "shrink"
system = "0"

[[partition]]
name = "app"
cores = "1-3"
policy = "api"

[[partition]]
name = "ui"
cores = [4]
policy = "frame"
cycle = "16ms"

[[partition]]
name = "bus"
cores = 5
policy = "messaging"
batch = 128
"#;

#[test]
fn a_toml_plan_reads_like_the_code_one() {
    let plan = Plan::from_toml_str(TOML_PLAN).expect("reads");
    let expected = Plan::builder()
        .system_cores([0])
        .partition("app", 1..=3, Policy::Api)
        .partition("ui", [4], Policy::frame(Duration::from_millis(16)))
        .partition("bus", [5], Policy::Messaging { batch_budget: 128 })
        .fallback(Fallback::Shrink)
        .build();
    assert_eq!(plan.system, expected.system);
    assert_eq!(plan.fallback, expected.fallback);
    let strip = |plan: &Plan| {
        plan.partitions
            .iter()
            .map(|p| (p.name.clone(), p.cores.clone(), p.policy))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&plan), strip(&expected));
}

fn toml_error(text: &str) -> String {
    Plan::from_toml_str(text)
        .expect_err("the TOML must be refused")
        .to_string()
}

#[test]
fn toml_errors_have_line_and_column() {
    assert_eq!(
        toml_error("[[partition]]\nname = \"app\"\ncores = \"1-x\"\npolicy = \"api\"\n"),
        "3:9: `1-x` is not a core number or range; write cores like `0-3,6`"
    );
    assert_eq!(
        toml_error("[[partition]]\nname = \"app\"\ncores = [1]\npolicy = \"apy\"\n"),
        "4:10: unknown variant `apy`, expected one of `api`, `messaging`, `frame`, `batch`"
    );
    assert_eq!(
        toml_error(
            "[[partition]]\nname = \"ui\"\ncores = [1]\npolicy = \"frame\"\ncycle = \"16\"\n"
        ),
        "5:9: `16` is not a duration; write a number with a unit: ns, us, ms or s (\"16ms\")"
    );
    assert_eq!(
        toml_error(
            "[[partition]]\nname = \"app\"\ncores = [1]\npolicy = \"api\"\ncycle = \"1ms\"\n"
        ),
        "5:9: partition `app`: `cycle` is an option of the `frame` policy only"
    );
    assert_eq!(
        toml_error("[[partition]]\nname = \"ui\"\ncores = [1]\npolicy = \"frame\"\n"),
        "3:9: partition `ui`: the `frame` policy needs a `cycle`, such as cycle = \"16ms\""
    );
    assert_eq!(
        toml_error("[[partition]]\nname = \"app\"\ncores = [1]\npolicy = \"api\"\npriority = 3\n"),
        "5:1: unknown field `priority`, expected one of `name`, `cores`, `policy`, `cycle`, `batch`, `realtime_priority`"
    );
    assert_eq!(
        toml_error("fallback = \"shrnk\"\n")
            .split(':')
            .take(2)
            .collect::<Vec<_>>(),
        ["1", "12"]
    );
    assert!(
        toml_error("[[partition]\n").starts_with("1:"),
        "{}",
        toml_error("[[partition]\n")
    );
}

#[test]
fn real_time_priorities_are_checked() {
    assert_eq!(
        toml_error("[[partition]]\nname = \"bg\"\ncores = [1]\npolicy = \"batch\"\nrealtime_priority = 5\n"),
        "5:21: partition `bg`: a `batch` partition yields to the others; it cannot be real-time"
    );
    assert_eq!(
        toml_error("[[partition]]\nname = \"ui\"\ncores = [1]\npolicy = \"api\"\nrealtime_priority = 100\n"),
        "5:21: partition `ui`: a real-time priority is 1 to 99, not 100"
    );
    let plan = Plan::from_toml_str(
        "[[partition]]\nname = \"ui\"\ncores = [1]\npolicy = \"api\"\nrealtime_priority = 20\n",
    )
    .expect("reads");
    assert_eq!(plan.partitions[0].realtime_priority, Some(20));
    let plan = Plan::builder()
        .partition("bg", [1], Policy::Batch)
        .realtime_priority(3)
        .build();
    assert!(matches!(
        error(plan, &four_cores()),
        PlanError::InvalidOption { .. }
    ));
}

#[test]
fn validation_errors_of_a_toml_plan_point_at_its_cores() {
    let text = "[[partition]]\nname = \"a\"\ncores = \"0-1\"\npolicy = \"api\"\n\n\
                [[partition]]\nname = \"b\"\ncores = \"1\"\npolicy = \"batch\"\n";
    let plan = Plan::from_toml_str(text).expect("reads");
    let err = plan.validate(&four_cores()).expect_err("overlap");
    assert_eq!(
        err.to_string(),
        "8:9: partitions `a` and `b` both claim cores 1; a core belongs to one partition (free \
         usable cores: 2-3)"
    );
}

#[test]
fn a_toml_file_names_itself_in_errors() {
    let dir = std::env::temp_dir().join(format!("partition-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("plan.toml");
    std::fs::write(
        &path,
        "[[partition]]\nname = \"app\"\ncores = [9]\npolicy = \"api\"\n",
    )
    .expect("write");
    let plan = Plan::from_toml_file(&path).expect("reads");
    let err = plan.validate(&four_cores()).expect_err("core 9 is missing");
    assert!(
        err.to_string().starts_with(&format!(
            "{}:3:9: partition `app` asks for cores 9",
            path.display()
        )),
        "{err}"
    );
    let missing = Plan::from_toml_file(dir.join("absent.toml")).expect_err("absent");
    assert!(matches!(missing, PlanError::Unreadable { .. }), "{missing}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}
