//! Each core thread is pinned to its core, as the kernel reports it.

mod common;

use std::time::Duration;

use partition::Policy;

fn status_field(thread_id: i32, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/self/task/{thread_id}/status"))
        .expect("the core thread's status is readable");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .map(|value| value.trim().to_string())
        .unwrap_or_else(|| panic!("no {field} in the status of thread {thread_id}"))
}

#[test]
fn every_core_thread_is_pinned_to_its_core() {
    let (first, second) = common::cores();
    let runtime = common::start(
        partition::Plan::builder()
            .partition("app", [first], Policy::Api)
            .partition("bus", [second], Policy::messaging()),
    );
    let metrics = runtime.metrics();
    let mut seen = 0;
    for partition in &metrics.partitions {
        for core in &partition.cores {
            assert_ne!(core.thread_id, 0, "the core thread records its id");
            assert_eq!(
                status_field(core.thread_id, "Cpus_allowed_list:"),
                core.core.to_string(),
                "{}'s thread on core {}",
                partition.name,
                core.core
            );
            assert_eq!(
                status_field(core.thread_id, "Name:"),
                format!("{}@{}", partition.name, core.core)
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
    // Work runs on the pinned threads, which say where they are.
    let app = runtime.partition("app").expect("app");
    let where_it_ran = app.run(partition::current_core).join().expect("runs");
    assert_eq!(where_it_ran, Some((std::sync::Arc::from("app"), first)));
    assert!(runtime.shutdown(Duration::from_secs(5)).is_clean());
}

#[test]
fn batch_cores_run_under_sched_idle() {
    let (first, _) = common::cores();
    let runtime = common::start(partition::Plan::builder().partition("bg", [first], Policy::Batch));
    let thread_id = runtime.metrics().partitions[0].cores[0].thread_id;
    let sched =
        std::fs::read_to_string(format!("/proc/self/task/{thread_id}/sched")).expect("readable");
    let policy = sched
        .lines()
        .find(|line| line.starts_with("policy"))
        .and_then(|line| line.split(':').nth(1))
        .map(str::trim)
        .expect("a policy line");
    assert_eq!(policy, "5", "SCHED_IDLE is policy 5");
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn a_real_time_partition_runs_under_sched_fifo() {
    let (first, _) = common::cores();
    let plan = partition::Plan::builder()
        .partition("ctl", [first], Policy::frame(Duration::from_millis(1)))
        .realtime_priority(10)
        .build()
        .validate(&common::machine())
        .expect("fits");
    let runtime = match partition::Runtime::start(plan) {
        Ok(runtime) => runtime,
        // Without CAP_SYS_NICE the start is refused, and says why.
        Err(error) => {
            assert!(error.to_string().contains("SCHED_FIFO"), "{error}");
            return;
        }
    };
    let thread_id = runtime.metrics().partitions[0].cores[0].thread_id;
    let sched =
        std::fs::read_to_string(format!("/proc/self/task/{thread_id}/sched")).expect("readable");
    let policy = sched
        .lines()
        .find(|line| line.starts_with("policy"))
        .and_then(|line| line.split(':').nth(1))
        .map(str::trim)
        .expect("a policy line");
    assert_eq!(policy, "1", "SCHED_FIFO is policy 1");
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn the_default_runtime_has_one_api_partition_on_every_usable_core() {
    let runtime = partition::Runtime::start_default().expect("starts");
    let main = runtime.partition("main").expect("main");
    assert_eq!(main.cores(), common::machine().usable().to_vec());
    assert_eq!(main.policy(), Policy::Api);
    let results: Vec<_> = (0..8).map(|i| main.run(move || i * 2)).collect();
    let results: Vec<i32> = results
        .into_iter()
        .map(|handle| handle.join().expect("runs"))
        .collect();
    assert_eq!(results, [0, 2, 4, 6, 8, 10, 12, 14]);
    let unknown = runtime.partition("nope").expect_err("no such partition");
    assert_eq!(
        unknown.to_string(),
        "no partition is named `nope`; the plan has `main`"
    );
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn a_runtime_starts_from_a_toml_file() {
    let (first, second) = common::cores();
    let dir = std::env::temp_dir().join(format!("partition-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("plan.toml");
    std::fs::write(
        &path,
        format!(
            "fallback = \"shrink\"\n\n[[partition]]\nname = \"app\"\ncores = [{first}]\npolicy = \"api\"\n\n\
             [[partition]]\nname = \"bus\"\ncores = \"{second}\"\npolicy = \"messaging\"\nbatch = 8\n"
        ),
    )
    .expect("write");
    let runtime = partition::Runtime::start_from_toml_file(&path).expect("starts");
    assert_eq!(runtime.partition("app").expect("app").cores(), [first]);
    assert_eq!(
        runtime.partition("bus").expect("bus").policy(),
        Policy::Messaging { batch_budget: 8 }
    );
    runtime.shutdown(Duration::from_secs(5));
    std::fs::write(
        &path,
        "[[partition]]\nname = \"app\"\ncores = [4096]\npolicy = \"api\"\n",
    )
    .expect("write");
    let error = partition::Runtime::start_from_toml_file(&path)
        .err()
        .expect("core 4096 does not exist");
    assert!(
        error
            .to_string()
            .contains("plan.toml:3:9: partition `app` asks for cores 4096"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn handles_cross_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_and_sync::<partition::Runtime>();
    send_and_sync::<partition::Partition>();
    send::<partition::JoinHandle<String>>();
    send::<partition::RingSender<String>>();
    send::<partition::RingReceiver<String>>();
}
