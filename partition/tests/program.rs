//! What generated programs call (`partition::program`): tasks and their
//! panics, mailboxes in order with back-pressure, frame slots by name,
//! the counters, and shutdown when `main`'s guard goes. One runtime per
//! process, as in a program: every test here uses the same plan.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use partition::program::{self, ProgramPartition, ProgramPlan, ProgramPolicy};

/// Three partitions, shrunk onto the cores there are (two on CI).
const PLAN: ProgramPlan = ProgramPlan {
    partitions: &[
        ProgramPartition {
            name: "app",
            cores: Some(&[0]),
            policy: ProgramPolicy::Api,
            realtime_priority: None,
        },
        ProgramPartition {
            name: "bus",
            cores: Some(&[1]),
            policy: ProgramPolicy::Messaging(16),
            realtime_priority: None,
        },
        ProgramPartition {
            name: "ui",
            cores: Some(&[2]),
            policy: ProgramPolicy::Frame(5),
            realtime_priority: None,
        },
    ],
    system_cores: &[],
    shrink: true,
};

#[test]
fn a_task_returns_its_value_and_runs_on_the_partition() {
    let task = program::spawn(&PLAN, "app", || {
        let (partition, _) = partition::current_core().expect("on a partition core");
        (partition.to_string(), (1..=100i64).sum::<i64>())
    });
    assert_eq!(task.join(), ("app".to_string(), 5050));
}

#[test]
fn joining_a_task_that_panicked_panics_with_a_clear_message() {
    let task = program::spawn(&PLAN, "app", || -> i64 { panic!("boom") });
    let joined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.join()));
    let message = joined.expect_err("join panics");
    let text = message
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| message.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert_eq!(text, "the task panicked");
    // The core survives a task's panic.
    assert_eq!(program::spawn(&PLAN, "app", || 7).join(), 7);
}

#[test]
fn a_mailbox_hands_every_message_over_in_order_from_every_copy() {
    let (seen, received) = mpsc::channel();
    let mailbox = program::mailbox_on(&PLAN, "bus", "record", move |n: u64| {
        seen.send(n).expect("the test listens");
    });
    let copy = mailbox.clone();
    assert_eq!(mailbox, copy);
    for n in 0..5_000u64 {
        if n % 2 == 0 {
            mailbox.send(n);
        } else {
            copy.send(n);
        }
    }
    drop((mailbox, copy));
    let got: Vec<u64> = received.iter().collect();
    assert_eq!(got, (0..5_000).collect::<Vec<_>>());
}

#[test]
fn a_full_mailbox_makes_send_wait_until_the_handler_catches_up() {
    let (gate_open, gate) = mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    let (seen, received) = mpsc::channel();
    let mailbox = program::mailbox_on(&PLAN, "bus", "slow", move |n: usize| {
        if n == 0 {
            // The handler stalls on the first message until the test says.
            let _ = gate.lock().expect("gate").recv();
        }
        seen.send(n).expect("the test listens");
    });
    let sent = Arc::new(AtomicUsize::new(0));
    let producer = {
        let sent = Arc::clone(&sent);
        std::thread::spawn(move || {
            for n in 0..3_000 {
                mailbox.send(n);
                sent.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let before_opening = sent.load(Ordering::SeqCst);
    assert!(
        before_opening < 3_000,
        "the producer sent all 3,000 past a stalled handler: no back-pressure"
    );
    assert!(
        before_opening >= 1_024,
        "only {before_opening} sent: the queue holds 1,024"
    );
    gate_open.send(()).expect("the handler waits");
    producer.join().expect("the producer ends");
    let got: Vec<usize> = received.iter().collect();
    assert_eq!(got, (0..3_000).collect::<Vec<_>>());
}

#[test]
fn a_frame_slot_runs_every_cycle_and_the_counters_name_it() {
    let (tick, ticks) = mpsc::channel();
    program::run_every_cycle(&PLAN, "ui", "draw", 2, move |cycle| {
        let _ = tick.send(cycle);
    });
    let first: Vec<i64> = ticks.iter().take(5).collect();
    assert!(
        first.windows(2).all(|w| w[0] < w[1]),
        "cycles count up: {first:?}"
    );
    let text = program::metrics(&PLAN);
    assert!(text.contains("slot `draw`"), "{text}");
    for partition in ["app", "bus", "ui"] {
        assert!(text.contains(partition), "{text}");
    }
}

#[test]
#[should_panic(expected = "`run_every_cycle`")]
fn a_slot_longer_than_the_cycle_panics_with_the_room_there_is() {
    program::run_every_cycle(&PLAN, "ui", "too long", 50, |_| {});
}
