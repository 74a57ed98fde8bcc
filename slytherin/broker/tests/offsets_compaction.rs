//! Committed offsets stay in proportion to the live ones: a long run of
//! generated commits compacts `__consumer_offsets`, every group still reads
//! its newest offsets, before and after a restart, and a crash between a
//! compaction's snapshot and its deletion loses nothing.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
use kafka_protocol::messages::{
    ApiKey, GroupId, OffsetCommitRequest, OffsetFetchRequest, RequestKind, ResponseKind,
};
use kafka_protocol::protocol::StrBytes;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use slytherin_broker::groups::persist::{
    self, Commit, GroupRecord, MemberRecord, Stored, COMPACTION_FACTOR, COMPACTION_MIN_RECORDS,
};
use slytherin_broker::server::Broker;
use slytherin_broker::storage::{Storage, SystemClock};
use support::{decode_answer, encode_request, in_process_broker, name, LOCAL};

/// (group, topic, partition) → newest committed offset.
type Model = BTreeMap<(String, String, i32), i64>;

const OFFSET_COMMIT_VERSION: i16 = 8;
const OFFSET_FETCH_VERSION: i16 = 7;

fn commit(
    rt: &tokio::runtime::Runtime,
    broker: &Broker,
    group: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) {
    let body = RequestKind::OffsetCommit(
        OffsetCommitRequest::default()
            .with_group_id(GroupId(StrBytes::from(group.to_owned())))
            .with_generation_id_or_member_epoch(-1)
            .with_topics(vec![OffsetCommitRequestTopic::default()
                .with_name(name(topic))
                .with_partitions(vec![OffsetCommitRequestPartition::default()
                    .with_partition_index(partition)
                    .with_committed_offset(offset)])]),
    );
    let frame = encode_request(ApiKey::OffsetCommit, OFFSET_COMMIT_VERSION, 1, &body);
    let (_, answer) = decode_answer(
        rt.block_on(broker.handle(frame, LOCAL)),
        ApiKey::OffsetCommit,
        OFFSET_COMMIT_VERSION,
    );
    let ResponseKind::OffsetCommit(answer) = answer else {
        panic!("not an OffsetCommit answer: {answer:?}");
    };
    assert_eq!(
        answer.topics[0].partitions[0].error_code, 0,
        "commit accepted"
    );
}

fn fetch(
    rt: &tokio::runtime::Runtime,
    broker: &Broker,
    group: &str,
    topic: &str,
    partition: i32,
) -> i64 {
    let body = RequestKind::OffsetFetch(
        OffsetFetchRequest::default()
            .with_group_id(GroupId(StrBytes::from(group.to_owned())))
            .with_topics(Some(vec![OffsetFetchRequestTopic::default()
                .with_name(name(topic))
                .with_partition_indexes(vec![partition])])),
    );
    let frame = encode_request(ApiKey::OffsetFetch, OFFSET_FETCH_VERSION, 2, &body);
    let (_, answer) = decode_answer(
        rt.block_on(broker.handle(frame, LOCAL)),
        ApiKey::OffsetFetch,
        OFFSET_FETCH_VERSION,
    );
    let ResponseKind::OffsetFetch(answer) = answer else {
        panic!("not an OffsetFetch answer: {answer:?}");
    };
    answer.topics[0].partitions[0].committed_offset
}

/// Records the offsets topic holds now.
fn stored_records(broker: &Broker) -> i64 {
    broker
        .with_storage(|storage| {
            let log = storage
                .topic(persist::OFFSETS_TOPIC)
                .and_then(|t| t.partition(0))
                .expect("the offsets topic exists");
            log.log_end_offset() - log.log_start_offset()
        })
        .expect("storage open")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn generated_commits_compact_and_every_group_keeps_its_newest_offsets() {
    let mut runner = TestRunner::new(Config {
        cases: 3,
        ..Config::default()
    });
    // A few groups over a few dozen partitions, committed far more often
    // than compaction's threshold.
    let commits =
        prop::collection::vec((0..3u8, 0..2u8, 0..40i32, 0..1_000_000i64), 25_000..30_000);
    runner
        .run(&commits, |commits| {
            let dir = tempfile::tempdir().expect("temp dir");
            let rt = runtime();
            let broker = in_process_broker(dir.path());
            let mut model = Model::new();
            let mut peak = 0;
            for (group, topic, partition, offset) in commits {
                let (group, topic) = (format!("group-{group}"), format!("topic-{topic}"));
                commit(&rt, &broker, &group, &topic, partition, offset);
                model.insert((group, topic, partition), offset);
                peak = peak.max(stored_records(&broker));
            }
            let bound = COMPACTION_MIN_RECORDS.max(COMPACTION_FACTOR * model.len() as i64)
                + model.len() as i64;
            prop_assert!(
                peak <= bound,
                "the offsets topic peaked at {peak} records; bound {bound}"
            );
            for ((group, topic, partition), offset) in &model {
                prop_assert_eq!(fetch(&rt, &broker, group, topic, *partition), *offset);
            }
            broker.close().expect("closes cleanly");
            drop(broker);

            let reopened = in_process_broker(dir.path());
            for ((group, topic, partition), offset) in &model {
                prop_assert_eq!(
                    fetch(&rt, &reopened, group, topic, *partition),
                    *offset,
                    "after a restart"
                );
            }
            reopened.close().expect("closes cleanly");
            Ok(())
        })
        .expect("compaction keeps the newest offsets");
}

/// A group record of `members` in `generation`.
fn membership(group: &str, generation: i32, members: &[&str]) -> GroupRecord {
    GroupRecord {
        group: group.to_owned(),
        generation,
        protocol_type: Some("consumer".to_owned()),
        protocol: Some("range".to_owned()),
        leader: members.first().map(|m| (*m).to_owned()),
        members: members
            .iter()
            .map(|id| MemberRecord {
                id: (*id).to_owned(),
                client_id: "c".to_owned(),
                session_timeout_ms: 10_000,
                rebalance_timeout_ms: 10_000,
                protocols: vec![("range".to_owned(), b"topics".to_vec())],
                assignment: Some(format!("{id} in {generation}").into_bytes()),
            })
            .collect(),
    }
}

#[test]
fn a_crash_between_snapshot_and_deletion_replays_the_same_offsets_and_groups() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut storage = Storage::open(dir.path(), Arc::new(SystemClock)).expect("storage opens");
    persist::ensure_topic(&mut storage).expect("offsets topic");
    let commit = |group: &str, offset: i64| Commit {
        group: group.to_owned(),
        topic: "t".to_owned(),
        partition: 0,
        offset,
        metadata: None,
    };
    let stale: Vec<Commit> = (0..50).map(|i| commit(&format!("g{}", i % 5), i)).collect();
    persist::append(&storage, &stale, 0).expect("appends");
    for generation in 1..=3 {
        let members: &[&str] = if generation == 2 {
            &["a-1"]
        } else {
            &["a-1", "b-2"]
        };
        persist::append_group(&storage, &membership("g0", generation, members), 0)
            .expect("appends a group");
    }
    let newest = persist::replay(&storage).expect("replays");
    // The snapshot a compaction appends, in a segment of its own, with
    // the old segments still there (the crash came before the deletion).
    storage
        .topic(persist::OFFSETS_TOPIC)
        .and_then(|t| t.partition(0))
        .expect("partition")
        .roll_now()
        .expect("rolls");
    let snapshot: Vec<Commit> = (45..50)
        .map(|i| commit(&format!("g{}", i % 5), i))
        .collect();
    persist::append(&storage, &snapshot, 0).expect("appends the snapshot");
    persist::append_group(&storage, &membership("g0", 3, &["a-1", "b-2"]), 0)
        .expect("appends the group snapshot");
    storage.close().expect("closes");

    let reopened = Storage::open(dir.path(), Arc::new(SystemClock)).expect("storage reopens");
    let newest_of = |stored: Vec<Stored>| {
        let mut commits = BTreeMap::new();
        let mut groups = BTreeMap::new();
        for record in stored {
            match record {
                Stored::Commit(c) => {
                    commits.insert((c.group, c.topic, c.partition), c.offset);
                }
                Stored::Group(g) => {
                    groups.insert(g.group.clone(), g);
                }
            }
        }
        (commits, groups)
    };
    let replayed = newest_of(persist::replay(&reopened).expect("replays"));
    assert_eq!(replayed, newest_of(newest));
    assert_eq!(replayed.1["g0"], membership("g0", 3, &["a-1", "b-2"]));
}
