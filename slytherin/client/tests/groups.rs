//! Consumer groups against the broker: two members split the partitions,
//! a member leaving hands its partitions over with nothing lost or read
//! twice, and committed offsets outlive the consumer.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use slytherin_client::{
    Assignor, Consumer, ConsumerRecord, OffsetReset, StartPosition, TopicPartition,
};
use support::TestBroker;

async fn produce(broker: &TestBroker, topic: &str, from: usize, to: usize) {
    broker.produce_numbered(topic, "key-", from..to).await;
}

fn numbers(records: &[ConsumerRecord]) -> Vec<usize> {
    records
        .iter()
        .map(|r| {
            String::from_utf8_lossy(r.value.as_deref().unwrap_or_default())
                .parse()
                .expect("a number")
        })
        .collect()
}

/// Polls `consumer` until `done` says so, failing after 30 s.
async fn poll_until(
    consumer: &mut Consumer,
    into: &mut Vec<ConsumerRecord>,
    what: &str,
    mut done: impl FnMut(&Consumer, &[ConsumerRecord]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(consumer, into) {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what}: {consumer:?}"
        );
        into.extend(consumer.poll().await.expect("poll"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_range_members_split_the_partitions_and_one_leaving_loses_nothing() {
    split_and_hand_over(Assignor::Range).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_round_robin_members_split_the_partitions_and_one_leaving_loses_nothing() {
    split_and_hand_over(Assignor::RoundRobin).await;
}

async fn split_and_hand_over(assignor: Assignor) {
    let broker = TestBroker::start();
    broker.create_topic("jobs", 4).await;
    let mut config = broker
        .consumer_config()
        .with_group("workers")
        .with_offset_reset(OffsetReset::Earliest);
    config.assignors = vec![assignor];
    let mut first = Consumer::subscribe(config.clone(), ["jobs"])
        .await
        .expect("joins");
    assert_eq!(first.assignment().len(), 4, "alone, it has every partition");

    // The second member's join makes the first rejoin: both must poll
    // while the group rebalances.
    let joining = tokio::spawn(Consumer::subscribe(config.clone(), ["jobs"]));
    let mut first_records = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !joining.is_finished() {
        assert!(Instant::now() < deadline, "the second member did not join");
        first_records.extend(first.poll().await.expect("poll"));
    }
    let mut second = joining.await.expect("joined").expect("joins");
    poll_until(&mut first, &mut first_records, "the split", |c, _| {
        c.assignment().len() == 2
    })
    .await;
    let mine: BTreeSet<TopicPartition> = first.assignment().into_iter().collect();
    let theirs: BTreeSet<TopicPartition> = second.assignment().into_iter().collect();
    assert_eq!(theirs.len(), 2);
    assert!(mine.is_disjoint(&theirs), "{mine:?} and {theirs:?} overlap");

    produce(&broker, "jobs", 0, 200).await;
    let mut second_records = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while first_records.len() + second_records.len() < 200 {
        assert!(
            Instant::now() < deadline,
            "only {} of 200 arrived",
            first_records.len() + second_records.len()
        );
        first_records.extend(first.poll().await.expect("poll"));
        second_records.extend(second.poll().await.expect("poll"));
    }
    for record in &first_records {
        assert!(
            mine.contains(&TopicPartition::new("jobs", record.partition)),
            "{record:?}"
        );
    }
    for record in &second_records {
        assert!(
            theirs.contains(&TopicPartition::new("jobs", record.partition)),
            "{record:?}"
        );
    }

    // The second leaves (committing what it read); the first takes its
    // partitions over from there.
    second.close().await.expect("leaves");
    produce(&broker, "jobs", 200, 300).await;
    poll_until(
        &mut first,
        &mut first_records,
        "the take-over",
        |c, records| c.assignment().len() == 4 && records.len() + second_records.len() >= 300,
    )
    .await;
    // A moment more: nothing is read twice later either.
    for _ in 0..3 {
        first_records.extend(first.poll().await.expect("poll"));
    }
    let mut all = numbers(&first_records);
    all.extend(numbers(&second_records));
    all.sort_unstable();
    assert_eq!(all, (0..300).collect::<Vec<_>>(), "every record once");
    first.close().await.expect("leaves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_offsets_survive_a_consumer_restart() {
    let broker = TestBroker::start();
    broker.create_topic("ledger", 2).await;
    produce(&broker, "ledger", 0, 100).await;
    let mut config = broker
        .consumer_config()
        .with_group("auditors")
        .with_offset_reset(OffsetReset::Earliest);
    config.auto_commit = false;

    let mut consumer = Consumer::subscribe(config.clone(), ["ledger"])
        .await
        .expect("joins");
    let mut first_run = Vec::new();
    poll_until(&mut consumer, &mut first_run, "the first 100", |_, r| {
        r.len() >= 100
    })
    .await;
    consumer.commit().await.expect("committed");
    consumer.close().await.expect("leaves");

    produce(&broker, "ledger", 100, 150).await;
    let mut consumer = Consumer::subscribe(config.clone(), ["ledger"])
        .await
        .expect("joins again");
    let mut second_run = Vec::new();
    poll_until(&mut consumer, &mut second_run, "the next 50", |_, r| {
        r.len() >= 50
    })
    .await;
    for _ in 0..3 {
        second_run.extend(consumer.poll().await.expect("poll"));
    }
    let mut resumed = numbers(&second_run);
    resumed.sort_unstable();
    assert_eq!(
        resumed,
        (100..150).collect::<Vec<_>>(),
        "resumed after the commit"
    );

    // Explicit partitions from the group's committed offsets, without
    // joining: nothing committed since, so it starts at 100 in total.
    consumer.close().await.expect("leaves without committing");
    let explicit = Consumer::assign(
        config,
        (0..2).map(|p| (TopicPartition::new("ledger", p), StartPosition::Committed)),
    )
    .await
    .expect("starts");
    let positions: BTreeMap<i32, i64> = (0..2)
        .map(|p| {
            (
                p,
                explicit
                    .position(&TopicPartition::new("ledger", p))
                    .expect("assigned"),
            )
        })
        .collect();
    assert_eq!(positions.values().sum::<i64>(), 100, "{positions:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_vanishes_is_replaced_after_its_session_times_out() {
    let broker = TestBroker::start();
    broker.create_topic("tasks", 2).await;
    let mut config = broker
        .consumer_config()
        .with_group("crashing")
        .with_offset_reset(OffsetReset::Earliest);
    config.session_timeout = Duration::from_secs(6);
    // The survivor commits what it read before rejoining (auto-commit);
    // the member that vanishes committed by hand before it did.
    let mut survivor = Consumer::subscribe(config.clone(), ["tasks"])
        .await
        .expect("joins");
    config.auto_commit = false;
    let joining = tokio::spawn(Consumer::subscribe(config.clone(), ["tasks"]));
    let mut survivor_records = Vec::new();
    while !joining.is_finished() {
        survivor_records.extend(survivor.poll().await.expect("poll"));
    }
    let mut doomed = joining.await.expect("joined").expect("joins");
    poll_until(&mut survivor, &mut survivor_records, "the split", |c, _| {
        c.assignment().len() == 1
    })
    .await;
    produce(&broker, "tasks", 0, 40).await;
    let mut doomed_records = Vec::new();
    poll_until(
        &mut doomed,
        &mut doomed_records,
        "the doomed member's share",
        |_, r| !r.is_empty(),
    )
    .await;
    doomed.commit().await.expect("committed");
    // Gone without a word: no LeaveGroup, no more heartbeats.
    drop(doomed);
    let started = Instant::now();
    poll_until(
        &mut survivor,
        &mut survivor_records,
        "the take-over",
        |c, r| c.assignment().len() == 2 && r.len() + doomed_records.len() >= 40,
    )
    .await;
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "waited for the session to end"
    );
    let mut all = numbers(&survivor_records);
    all.extend(numbers(&doomed_records));
    all.sort_unstable();
    assert_eq!(
        all,
        (0..40).collect::<Vec<_>>(),
        "committed records are not read again, none lost"
    );
    survivor.close().await.expect("leaves");
}
