//! Rings between cores: order, back-pressure, closing.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use partition::ring::TrySendError;
use partition::{Plan, Policy};

#[test]
fn a_full_ring_pushes_back() {
    let (mut sender, mut receiver) = partition::ring::<u32>(4);
    for value in 0..4 {
        sender.try_send(value).expect("room");
    }
    assert_eq!(sender.room(), 0);
    assert_eq!(sender.try_send(4), Err(TrySendError::Full(4)));
    assert_eq!(receiver.try_recv(), Some(0));
    sender.try_send(4).expect("room again");
    assert_eq!(receiver.len(), 4);
}

#[test]
fn a_blocked_sender_waits_until_the_receiver_takes_a_message() {
    let (mut sender, mut receiver) = partition::ring::<u32>(2);
    sender.try_send(1).expect("room");
    sender.try_send(2).expect("room");
    let sent = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&sent);
    let blocked = std::thread::spawn(move || {
        sender.send_blocking(3).expect("the receiver is there");
        flag.store(true, Ordering::SeqCst);
        sender
    });
    // Nothing can make room but the receiver, so the sender must still wait.
    std::thread::sleep(Duration::from_millis(50));
    assert!(!sent.load(Ordering::SeqCst), "sent into a full ring");
    assert_eq!(receiver.recv_blocking(), Some(1));
    let _sender = blocked.join().expect("the sender finishes");
    assert!(sent.load(Ordering::SeqCst));
    assert_eq!(receiver.try_recv(), Some(2));
    assert_eq!(receiver.try_recv(), Some(3));
}

#[test]
fn closing_either_side_is_seen_by_the_other() {
    let (mut sender, mut receiver) = partition::ring::<u32>(4);
    sender.try_send(1).expect("room");
    drop(sender);
    assert!(receiver.is_closed());
    assert_eq!(
        receiver.recv_blocking(),
        Some(1),
        "what was sent is still delivered"
    );
    assert_eq!(receiver.recv_blocking(), None);

    let (mut sender, receiver) = partition::ring::<u32>(4);
    drop(receiver);
    assert_eq!(sender.try_send(1), Err(TrySendError::Closed(1)));
    assert!(sender.send_blocking(2).is_err());
}

#[test]
fn messages_cross_cores_in_order_under_back_pressure() {
    let (first, second) = common::cores();
    let runtime = common::start(
        Plan::builder()
            .partition("producer", [first], Policy::Api)
            .partition("consumer", [second], Policy::messaging()),
    );
    // A small ring and a slow consumer, so the producer keeps finding it full.
    let (mut sender, receiver) = partition::ring::<u64>(8);
    const COUNT: u64 = 20_000;
    let producer = runtime
        .partition("producer")
        .expect("producer")
        .spawn(async move {
            let mut waits = 0u64;
            for value in 0..COUNT {
                if sender.room() == 0 {
                    waits += 1;
                }
                sender.send(value).await.expect("the consumer is there");
            }
            waits
        });
    let mut expected = 0u64;
    let mut batches = 0u64;
    let consumer = runtime.partition("consumer").expect("consumer").consume(
        0,
        "numbers",
        receiver,
        move |batch| {
            for value in batch {
                assert_eq!(value, expected, "messages arrive in order");
                expected += 1;
            }
            batches += 1;
            if batches % 16 == 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
        },
    );
    let waits = producer.join().expect("producer ran");
    assert_eq!(consumer.join(), Ok(COUNT));
    assert!(waits > 0, "the producer never met a full ring");
    runtime.shutdown(Duration::from_secs(5));
}

#[test]
fn an_ordinary_thread_can_feed_a_core_and_read_its_answers() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("echo", [core], Policy::Api));
    let (mut to_core, mut core_in) = partition::ring::<u32>(16);
    let (mut core_out, mut from_core) = partition::ring::<u32>(16);
    let echo = runtime.partition("echo").expect("echo").spawn(async move {
        while let Some(value) = core_in.recv().await {
            core_out.send(value * 2).await.expect("reader is there");
        }
    });
    for value in 0..1000 {
        to_core.send_blocking(value).expect("core is there");
        assert_eq!(from_core.recv_blocking(), Some(value * 2));
    }
    drop(to_core);
    echo.join().expect("echo ends when its input closes");
    assert_eq!(from_core.recv_blocking(), None);
    runtime.shutdown(Duration::from_secs(5));
}
