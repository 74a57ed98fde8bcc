//! Each policy's order of work, frame slots and their deadline misses.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use partition::{Plan, Policy, SlotError};

type Log = Arc<Mutex<Vec<String>>>;

fn note(log: &Log, entry: impl Into<String>) {
    log.lock().expect("log").push(entry.into());
}

/// Three tasks spawned together on one core: `a` and `b` yield once in the
/// middle, `c` does not. Returns the order their steps ran in.
fn order_of_three_tasks(policy: Policy) -> Vec<String> {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("p", [core], policy));
    let log: Log = Arc::default();
    let driver_log = Arc::clone(&log);
    let done = runtime.partition("p").expect("p").spawn(async move {
        // Spawned from the core in one poll, so all three are queued before
        // any of them runs.
        let mut handles = Vec::new();
        for name in ["a", "b", "c"] {
            let log = Arc::clone(&driver_log);
            handles.push(partition::spawn_local(async move {
                note(&log, format!("{name}1"));
                if name != "c" {
                    partition::yield_now().await;
                    note(&log, format!("{name}2"));
                }
            }));
        }
        for handle in handles {
            handle.await.expect("task ran");
        }
    });
    done.join().expect("driver ran");
    runtime.shutdown(Duration::from_secs(5));
    let log = log.lock().expect("log").clone();
    log
}

#[test]
fn api_runs_started_tasks_to_completion_before_starting_new_ones() {
    assert_eq!(
        order_of_three_tasks(Policy::Api),
        ["a1", "a2", "b1", "b2", "c1"]
    );
}

#[test]
fn messaging_and_batch_take_turns_in_fifo_order() {
    for policy in [Policy::messaging(), Policy::Batch] {
        assert_eq!(
            order_of_three_tasks(policy),
            ["a1", "b1", "c1", "a2", "b2"],
            "{policy}"
        );
    }
}

#[test]
fn a_frame_core_runs_tasks_in_fifo_order_in_its_slack() {
    assert_eq!(
        order_of_three_tasks(Policy::frame(Duration::from_millis(5))),
        ["a1", "b1", "c1", "a2", "b2"]
    );
}

#[test]
fn messaging_hands_consumers_batches_up_to_the_budget() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition(
        "bus",
        [core],
        Policy::Messaging { batch_budget: 16 },
    ));
    let (mut sender, receiver) = partition::ring::<u32>(256);
    // The ring is full before the consumer starts, so batches are full too.
    for value in 0..200 {
        sender.try_send(value).expect("room");
    }
    let batches = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&batches);
    let consumer =
        runtime
            .partition("bus")
            .expect("bus")
            .consume(0, "numbers", receiver, move |batch| {
                seen.lock()
                    .expect("batches")
                    .push(batch.collect::<Vec<u32>>())
            });
    common::eventually("the 200 messages", || {
        let count: usize = batches.lock().expect("batches").iter().map(Vec::len).sum();
        (count == 200).then_some(())
    });
    drop(sender);
    assert_eq!(consumer.join(), Ok(200));
    let batches = batches.lock().expect("batches").clone();
    assert!(batches
        .iter()
        .all(|batch| !batch.is_empty() && batch.len() <= 16));
    assert_eq!(batches[0].len(), 16, "a full ring gives a full first batch");
    let all: Vec<u32> = batches.concat();
    assert_eq!(all, (0..200).collect::<Vec<_>>(), "in order, none lost");
    let metrics = runtime.metrics();
    let bus = metrics.partition("bus").expect("bus");
    assert_eq!(bus.total(|core| core.messages), 200);
    assert_eq!(bus.total(|core| core.batches), batches.len() as u64);
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn frame_slots_run_in_order_every_cycle_and_overruns_are_reported_by_name() {
    let (core, _) = common::cores();
    let cycle = Duration::from_millis(50);
    let runtime = common::start(Plan::builder().partition("ui", [core], Policy::frame(cycle)));
    let ui = runtime.partition("ui").expect("ui");
    let log: Log = Arc::default();
    for (name, budget, work) in [
        ("input", Duration::from_millis(20), Duration::ZERO),
        // Sleeps longer than its budget every time: a miss in every cycle.
        (
            "physics",
            Duration::from_millis(1),
            Duration::from_millis(3),
        ),
        ("render", Duration::from_millis(20), Duration::ZERO),
    ] {
        let log = Arc::clone(&log);
        ui.add_slot(name, budget, move |frame| {
            note(&log, format!("{}:{name}", frame.cycle));
            std::thread::sleep(work);
        })
        .expect("fits the cycle");
    }
    let slots = common::eventually("five cycles", || {
        let metrics = runtime.metrics();
        let core = &metrics.partition("ui")?.cores[0];
        let physics = core.slots.iter().find(|slot| &*slot.name == "physics")?;
        (core.cycles >= 5 && physics.runs >= 5).then(|| core.slots.clone())
    });
    let report = runtime.shutdown(Duration::from_secs(5));
    assert_eq!(
        report.cores[0]
            .slots_stopped
            .iter()
            .map(|s| &**s)
            .collect::<Vec<_>>(),
        ["input", "physics", "render"]
    );

    // Within each cycle the slots ran in the order they were added (a
    // cycle that began while slots were still being added has a prefix).
    let log = log.lock().expect("log").clone();
    let mut cycles: std::collections::BTreeMap<u64, Vec<String>> = Default::default();
    for entry in &log {
        let (cycle, name) = entry.split_once(':').expect("cycle:name");
        cycles
            .entry(cycle.parse().expect("a cycle number"))
            .or_default()
            .push(name.to_string());
    }
    let order = ["input", "physics", "render"];
    for (cycle, names) in &cycles {
        assert_eq!(names[..], order[..names.len()], "cycle {cycle}");
    }
    assert!(cycles.values().filter(|names| names.len() == 3).count() >= 3);
    let physics = slots
        .iter()
        .find(|slot| &*slot.name == "physics")
        .expect("physics");
    assert_eq!(physics.misses, physics.runs, "every physics run overran");
    assert!(physics.worst >= Duration::from_millis(3));
    let input = slots
        .iter()
        .find(|slot| &*slot.name == "input")
        .expect("input");
    assert!(input.runs >= 5);
}

#[test]
fn deadline_misses_are_counted_and_named_in_the_metrics() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition(
        "ctl",
        [core],
        Policy::frame(Duration::from_millis(50)),
    ));
    let ctl = runtime.partition("ctl").expect("ctl");
    // A generous budget: a loaded machine may preempt even a slot that
    // does nothing.
    ctl.add_slot("steady", Duration::from_millis(40), |_| {})
        .expect("fits");
    ctl.add_slot("slow", Duration::from_micros(100), |_| {
        std::thread::sleep(Duration::from_millis(2));
    })
    .expect("fits");
    let metrics = common::eventually("two misses", || {
        let metrics = runtime.metrics();
        let core = &metrics.partition("ctl")?.cores[0];
        (core.deadline_misses >= 2 && core.recent_misses.len() >= 2).then_some(metrics)
    });
    let core = &metrics.partition("ctl").expect("ctl").cores[0];
    assert!(core.recent_misses.iter().all(|miss| &*miss.slot == "slow"));
    assert!(core
        .recent_misses
        .iter()
        .all(|miss| miss.took >= Duration::from_millis(2)));
    let text = metrics.to_string();
    assert!(
        text.contains("missed: slot `slow` overran its 100µs budget in cycle"),
        "{text}"
    );
    let prometheus = metrics.to_prometheus();
    assert!(
        prometheus.contains(
            "partition_slot_deadline_misses_total{partition=\"ctl\",policy=\"frame\",core=\""
        ),
        "{prometheus}"
    );
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn slots_must_fit_the_cycle_and_need_a_frame_partition() {
    let (first, second) = common::cores();
    let runtime = common::start(
        Plan::builder()
            .partition("ui", [first], Policy::frame(Duration::from_millis(10)))
            .partition("app", [second], Policy::Api),
    );
    let ui = runtime.partition("ui").expect("ui");
    ui.add_slot("a", Duration::from_millis(6), |_| {})
        .expect("fits");
    let err = ui
        .add_slot("b", Duration::from_millis(6), |_| {})
        .expect_err("does not fit");
    assert_eq!(
        err.to_string(),
        "a slot of 6ms does not fit partition `ui`: its cycle is 10ms and the most room left on a core is 4ms"
    );
    let err = runtime
        .partition("app")
        .expect("app")
        .add_slot("a", Duration::from_millis(1), |_| {})
        .expect_err("not a frame partition");
    assert!(matches!(err, SlotError::NotFrame { .. }));
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn a_panicking_task_is_reported_and_its_core_goes_on() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("app", [core], Policy::Api));
    let app = runtime.partition("app").expect("app");
    let crashed = app.run(|| -> u32 { panic!("boom") }).join();
    assert_eq!(
        crashed,
        Err(partition::JoinError::Panicked("boom".to_string()))
    );
    assert_eq!(app.run(|| 7).join(), Ok(7));
    assert_eq!(
        app.spawn_on(5, async {}).join(),
        Err(partition::JoinError::NoSuchCore { index: 5, cores: 1 })
    );
    let panics = runtime
        .metrics()
        .partition("app")
        .expect("app")
        .total(|c| c.panics);
    assert_eq!(panics, 1);
    runtime.shutdown(Duration::from_secs(5));
}
