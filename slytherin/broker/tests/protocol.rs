//! Every API at every advertised version, and Fetch's long polling, through
//! `Broker::handle` with requests encoded by `kafka-protocol`.

mod support;

use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::*;
use slytherin_broker::protocol::SUPPORTED_APIS;
use slytherin_broker::server::Broker;
use support::{
    common, decode_answer, encode_request, group_request, in_process_broker, name, produce_outcome,
    produce_request, request, GROUP_APIS, LOCAL,
};

/// Error codes anywhere in an answer, with where they were.
fn errors(answer: &ResponseKind) -> Vec<(String, i16)> {
    let mut found = Vec::new();
    let mut check = |what: &str, code: i16| {
        if code != 0 {
            found.push((what.to_owned(), code));
        }
    };
    match answer {
        ResponseKind::ApiVersions(r) => check("api versions", r.error_code),
        ResponseKind::Metadata(r) => r
            .topics
            .iter()
            .for_each(|t| check("metadata topic", t.error_code)),
        ResponseKind::Produce(r) => r
            .responses
            .iter()
            .flat_map(|t| &t.partition_responses)
            .for_each(|p| check("produce", p.error_code)),
        ResponseKind::Fetch(r) => r
            .responses
            .iter()
            .flat_map(|t| &t.partitions)
            .for_each(|p| check("fetch", p.error_code)),
        ResponseKind::ListOffsets(r) => r
            .topics
            .iter()
            .flat_map(|t| &t.partitions)
            .for_each(|p| check("list offsets", p.error_code)),
        ResponseKind::CreateTopics(r) => {
            r.topics.iter().for_each(|t| check("create", t.error_code))
        }
        ResponseKind::DeleteTopics(r) => r
            .responses
            .iter()
            .for_each(|t| check("delete", t.error_code)),
        _ => {}
    }
    found
}

/// A broker on a temporary folder (kept while the first value lives) and a
/// runtime to drive it.
fn fixture() -> (
    tempfile::TempDir,
    std::sync::Arc<Broker>,
    tokio::runtime::Runtime,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = in_process_broker(dir.path());
    (dir, broker, runtime())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
}

#[test]
fn every_supported_api_and_version_answers_a_well_formed_request() {
    let (_dir, broker, rt) = fixture();
    let order = [
        ApiKey::ApiVersions,
        ApiKey::Metadata,
        ApiKey::Produce,
        ApiKey::Fetch,
        ApiKey::ListOffsets,
        ApiKey::CreateTopics,
        ApiKey::DeleteTopics,
    ];
    let mut correlation = 0;
    for (api, range) in SUPPORTED_APIS.iter().filter(|(api, _)| order.contains(api)) {
        for version in range.min..=range.max {
            // A topic per API and version, so each request stands alone.
            let topic = format!("t-{}-{version}", *api as i16);
            for step in order {
                let (step_version, step_api) = if step == *api {
                    (version, step)
                } else {
                    (newest(step), step)
                };
                correlation += 1;
                let frame = encode_request(
                    step_api,
                    step_version,
                    correlation,
                    &request(step_api, step_version, &topic),
                );
                let outcome = rt.block_on(broker.handle(frame, LOCAL));
                let (echoed, answer) = decode_answer(outcome, step_api, step_version);
                assert_eq!(echoed, correlation);
                assert_eq!(
                    errors(&answer),
                    vec![],
                    "{step_api:?} v{step_version} (testing {api:?} v{version})"
                );
                if let (ApiKey::Fetch, ResponseKind::Fetch(fetch)) = (step_api, &answer) {
                    let records = fetch.responses[0].partitions[0]
                        .records
                        .clone()
                        .unwrap_or_default();
                    assert_eq!(
                        common::decode_records(&records).len(),
                        3,
                        "Fetch v{step_version} returns the produced batch"
                    );
                }
            }
        }
    }
}

fn newest(api: ApiKey) -> i16 {
    SUPPORTED_APIS
        .iter()
        .find(|(a, _)| *a == api)
        .map(|(_, r)| r.max)
        .expect("supported")
}

fn fetch_request(topic: &str, offset: i64, max_wait_ms: i32, min_bytes: i32) -> Vec<u8> {
    let body = RequestKind::Fetch(
        FetchRequest::default()
            .with_max_wait_ms(max_wait_ms)
            .with_min_bytes(min_bytes)
            .with_max_bytes(1 << 20)
            .with_topics(vec![FetchTopic::default()
                .with_topic(name(topic))
                .with_partitions(vec![FetchPartition::default()
                    .with_partition(0)
                    .with_fetch_offset(offset)
                    .with_partition_max_bytes(1 << 20)])]),
    );
    encode_request(ApiKey::Fetch, 11, 1, &body)
}

fn produce(broker: &Broker, rt: &tokio::runtime::Runtime, topic: &str) {
    let frame = encode_request(ApiKey::Produce, 9, 2, &request(ApiKey::Produce, 9, topic));
    let (_, answer) = decode_answer(rt.block_on(broker.handle(frame, LOCAL)), ApiKey::Produce, 9);
    assert_eq!(errors(&answer), vec![]);
}

fn fetched_bytes(answer: &ResponseKind) -> usize {
    let ResponseKind::Fetch(fetch) = answer else {
        panic!("not a fetch answer")
    };
    fetch.responses[0].partitions[0]
        .records
        .as_ref()
        .map_or(0, Bytes::len)
}

#[test]
fn fetch_waits_up_to_max_wait_for_min_bytes() {
    let (_dir, broker, rt) = fixture();
    produce(&broker, &rt, "poll");
    // Data is there: answered at once even with a long wait.
    let started = std::time::Instant::now();
    let (_, answer) = decode_answer(
        rt.block_on(broker.handle(fetch_request("poll", 0, 5_000, 1), LOCAL)),
        ApiKey::Fetch,
        11,
    );
    assert!(fetched_bytes(&answer) > 0);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    // At the log end: waits the whole max wait, then answers empty.
    let started = std::time::Instant::now();
    let (_, answer) = decode_answer(
        rt.block_on(broker.handle(fetch_request("poll", 3, 300, 1), LOCAL)),
        ApiKey::Fetch,
        11,
    );
    let took = started.elapsed();
    assert_eq!(fetched_bytes(&answer), 0);
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(3),
        "took {took:?}"
    );
}

/// A fetch of `topic` from `offset` waiting up to 20 s on its own thread:
/// how long it took and its answer.
fn waiting_fetch(
    broker: &std::sync::Arc<Broker>,
    topic: &'static str,
    offset: i64,
) -> std::thread::JoinHandle<(Duration, ResponseKind)> {
    let waiting = std::sync::Arc::clone(broker);
    std::thread::spawn(move || {
        let rt = runtime();
        let started = std::time::Instant::now();
        let outcome = rt.block_on(waiting.handle(fetch_request(topic, offset, 20_000, 1), LOCAL));
        (
            started.elapsed(),
            decode_answer(outcome, ApiKey::Fetch, 11).1,
        )
    })
}

#[test]
fn a_waiting_fetch_is_answered_as_soon_as_data_arrives() {
    let (_dir, broker, rt) = fixture();
    produce(&broker, &rt, "wake");
    let fetcher = waiting_fetch(&broker, "wake", 3);
    std::thread::sleep(Duration::from_millis(200));
    produce(&broker, &rt, "wake");
    let (took, answer) = fetcher.join().expect("the fetch returns");
    assert!(fetched_bytes(&answer) > 0, "the new batch is returned");
    assert!(
        took < Duration::from_secs(5),
        "woken by the produce, not the 20 s wait: {took:?}"
    );
}

#[test]
fn a_waiting_fetch_is_answered_by_its_own_partition_only() {
    let (_dir, broker, rt) = fixture();
    produce(&broker, &rt, "mine");
    produce(&broker, &rt, "theirs");
    let fetcher = waiting_fetch(&broker, "mine", 3);
    std::thread::sleep(Duration::from_millis(100));
    // Appends elsewhere leave the fetch waiting...
    for _ in 0..3 {
        produce(&broker, &rt, "theirs");
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(!fetcher.is_finished(), "answered without data of its own");
    // ...its partition's answers it, with the new batch.
    produce(&broker, &rt, "mine");
    let (took, answer) = fetcher.join().expect("the fetch returns");
    assert!(fetched_bytes(&answer) > 0, "the new batch is returned");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_waiting_fetch_of_a_deleted_topic_answers_that_it_is_gone() {
    let (_dir, broker, rt) = fixture();
    // The DeleteTopics request `request` writes deletes `NAME-created`.
    produce(&broker, &rt, "doomed-created");
    let fetcher = waiting_fetch(&broker, "doomed-created", 3);
    std::thread::sleep(Duration::from_millis(200));
    let frame = encode_request(
        ApiKey::DeleteTopics,
        newest(ApiKey::DeleteTopics),
        7,
        &request(ApiKey::DeleteTopics, newest(ApiKey::DeleteTopics), "doomed"),
    );
    let outcome = rt.block_on(broker.handle(frame, LOCAL));
    let (_, deleted) = decode_answer(outcome, ApiKey::DeleteTopics, newest(ApiKey::DeleteTopics));
    assert_eq!(errors(&deleted), vec![]);
    let (took, answer) = fetcher.join().expect("the fetch returns");
    assert_eq!(
        errors(&answer),
        vec![("fetch".to_owned(), 3)],
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
    assert!(took < Duration::from_secs(5), "not the 20 s wait: {took:?}");
}

#[test]
fn a_consumer_goes_through_the_group_apis_at_every_advertised_version() {
    let (_dir, broker, rt) = fixture();
    let mut correlation = 0;
    for (api, range) in SUPPORTED_APIS
        .iter()
        .filter(|(api, _)| GROUP_APIS.contains(api))
    {
        for version in range.min..=range.max {
            let group = format!("g-{}-{version}", *api as i16);
            let (mut member, mut generation) = (String::new(), -1);
            for step in GROUP_APIS {
                let step_version = if step == *api { version } else { newest(step) };
                correlation += 1;
                let body = group_request(step, step_version, &group, &member, generation);
                let frame = encode_request(step, step_version, correlation, &body);
                let outcome = rt.block_on(broker.handle(frame, LOCAL));
                let (echoed, answer) = decode_answer(outcome, step, step_version);
                assert_eq!(echoed, correlation);
                let context = format!("{step:?} v{step_version} (testing {api:?} v{version})");
                match answer {
                    ResponseKind::FindCoordinator(r) => {
                        assert_eq!(
                            (r.error_code, r.node_id.0, r.port),
                            (0, 0, 9092),
                            "{context}"
                        );
                    }
                    ResponseKind::JoinGroup(r) => {
                        assert_eq!(r.error_code, 0, "{context}");
                        assert_eq!(r.leader, r.member_id, "{context}: the only member leads");
                        assert_eq!(r.members.len(), 1, "{context}");
                        member = r.member_id.to_string();
                        generation = r.generation_id;
                    }
                    ResponseKind::SyncGroup(r) => {
                        assert_eq!(r.error_code, 0, "{context}");
                        assert_eq!(&r.assignment[..], b"assignment", "{context}");
                    }
                    ResponseKind::Heartbeat(r) => assert_eq!(r.error_code, 0, "{context}"),
                    ResponseKind::ListGroups(r) => {
                        assert!(
                            r.groups.iter().any(|g| g.group_id.as_str() == group),
                            "{context}"
                        );
                    }
                    ResponseKind::DescribeGroups(r) => {
                        let described = &r.groups[0];
                        assert_eq!(described.group_state.as_str(), "Stable", "{context}");
                        assert_eq!(described.members.len(), 1, "{context}");
                        assert_eq!(
                            &described.members[0].member_assignment[..],
                            b"assignment",
                            "{context}"
                        );
                    }
                    ResponseKind::OffsetCommit(r) => {
                        assert_eq!(r.topics[0].partitions[0].error_code, 0, "{context}");
                    }
                    ResponseKind::OffsetFetch(r) => {
                        assert_eq!(r.topics[0].partitions[0].committed_offset, 42, "{context}");
                    }
                    ResponseKind::LeaveGroup(r) => {
                        let code = r.members.first().map_or(r.error_code, |m| m.error_code);
                        assert_eq!(code, 0, "{context}");
                    }
                    other => panic!("{context}: unexpected {other:?}"),
                }
            }
        }
    }
    let tested = SUPPORTED_APIS
        .iter()
        .filter(|(api, _)| GROUP_APIS.contains(api))
        .count();
    assert_eq!(
        tested + 8,
        SUPPORTED_APIS.len(),
        "every supported API is tested in this file"
    );
}

/// A batch of `count` records from an idempotent producer.
fn idempotent_batch(producer_id: i64, epoch: i16, base_sequence: i32, count: i32) -> Bytes {
    use kafka_protocol::records::{
        Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
    };
    let records: Vec<Record> = (0..count)
        .map(|i| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id,
            producer_epoch: epoch,
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            sequence: base_sequence + i,
            timestamp: 1_000,
            key: None,
            value: Some(Bytes::from(format!("record {}", base_sequence + i))),
            headers: Default::default(),
        })
        .collect();
    let mut buf = bytes::BytesMut::new();
    let options = RecordEncodeOptions {
        version: 2,
        compression: Compression::None,
    };
    RecordBatchEncoder::encode(&mut buf, records.iter(), &options).expect("batch encodes");
    buf.freeze()
}

fn produce_batch(broker: &Broker, rt: &tokio::runtime::Runtime, records: Bytes) -> (i16, i64) {
    let frame = encode_request(
        ApiKey::Produce,
        7,
        1,
        &produce_request("idempotent", records),
    );
    let (_, answer) = decode_answer(rt.block_on(broker.handle(frame, LOCAL)), ApiKey::Produce, 7);
    produce_outcome(&answer)
}

#[test]
fn init_producer_id_at_every_version_and_a_retried_batch_is_stored_once() {
    let (_dir, broker, rt) = fixture();
    let range = SUPPORTED_APIS
        .iter()
        .find(|(api, _)| *api == ApiKey::InitProducerId)
        .map(|(_, r)| *r)
        .expect("supported");
    let mut ids = Vec::new();
    for version in range.min..=range.max {
        let request = RequestKind::InitProducerId(
            InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_transaction_timeout_ms(60_000)
                .with_producer_id(ProducerId(-1))
                .with_producer_epoch(-1),
        );
        let frame = encode_request(ApiKey::InitProducerId, version, 1, &request);
        let (_, answer) = decode_answer(
            rt.block_on(broker.handle(frame, LOCAL)),
            ApiKey::InitProducerId,
            version,
        );
        let ResponseKind::InitProducerId(answer) = answer else {
            panic!("not an InitProducerId answer")
        };
        assert_eq!(
            (answer.error_code, answer.producer_epoch),
            (0, 0),
            "v{version}"
        );
        ids.push(answer.producer_id.0);
    }
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "every producer gets its own ID");

    let id = ids[0];
    // The second round is a retry of the first: answered with the first
    // offsets, nothing stored.
    for round in ["first", "retry"] {
        for (sequence, count, offset) in [(0, 3, 0), (3, 2, 3)] {
            let batch = idempotent_batch(id, 0, sequence, count);
            assert_eq!(produce_batch(&broker, &rt, batch), (0, offset), "{round}");
        }
    }
    // A gap in the sequence is refused.
    let (code, _) = produce_batch(&broker, &rt, idempotent_batch(id, 0, 9, 1));
    assert_eq!(
        code,
        kafka_protocol::ResponseError::OutOfOrderSequenceNumber.code()
    );
    assert_eq!(
        produce_batch(&broker, &rt, idempotent_batch(id, 0, 5, 1)),
        (0, 5)
    );
    assert_eq!(
        log_end(&broker),
        Some(6),
        "three batches stored, six records, no duplicate"
    );
}

/// The log end offset of the idempotent tests' partition.
fn log_end(broker: &Broker) -> Option<i64> {
    broker
        .with_storage(|s| {
            s.topic("idempotent")?
                .partition(0)
                .map(|l| l.log_end_offset())
        })
        .expect("open")
}

#[test]
fn a_batch_retried_across_a_broker_restart_is_still_stored_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = runtime();
    let id = 4242;
    let broker = in_process_broker(dir.path());
    for (sequence, count, offset) in [(0, 3, 0), (3, 2, 3)] {
        let batch = idempotent_batch(id, 0, sequence, count);
        assert_eq!(produce_batch(&broker, &rt, batch), (0, offset));
    }
    broker.close().expect("closed");
    drop(broker);

    // The producer never saw the second answer and retries after the
    // restart, then goes on.
    let broker = in_process_broker(dir.path());
    for (sequence, count, offset) in [(3, 2, 3), (5, 1, 5)] {
        let batch = idempotent_batch(id, 0, sequence, count);
        assert_eq!(produce_batch(&broker, &rt, batch), (0, offset));
    }
    assert_eq!(log_end(&broker), Some(6));
}

#[test]
fn a_settled_group_goes_on_after_a_restart_without_rebalancing() {
    let (dir, broker, rt) = fixture();
    let mut correlation = 0;
    let mut call = |broker: &Broker, api: ApiKey, member: &str, generation: i32| {
        correlation += 1;
        let version = newest(api);
        let body = group_request(api, version, "steady", member, generation);
        let frame = encode_request(api, version, correlation, &body);
        decode_answer(rt.block_on(broker.handle(frame, LOCAL)), api, version).1
    };
    let ResponseKind::JoinGroup(joined) = call(&broker, ApiKey::JoinGroup, "", -1) else {
        panic!("not a JoinGroup answer")
    };
    let (member, generation) = (joined.member_id.to_string(), joined.generation_id);
    let ResponseKind::SyncGroup(synced) = call(&broker, ApiKey::SyncGroup, &member, generation)
    else {
        panic!("not a SyncGroup answer")
    };
    assert_eq!(synced.error_code, 0);
    broker.close().expect("closes cleanly");
    drop(broker);

    let restarted = in_process_broker(dir.path());
    let ResponseKind::Heartbeat(beat) = call(&restarted, ApiKey::Heartbeat, &member, generation)
    else {
        panic!("not a Heartbeat answer")
    };
    assert_eq!(beat.error_code, 0, "the member is known in its generation");
    let ResponseKind::OffsetCommit(committed) =
        call(&restarted, ApiKey::OffsetCommit, &member, generation)
    else {
        panic!("not an OffsetCommit answer")
    };
    let codes: Vec<i16> = committed
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.error_code)
        .collect();
    assert_eq!(codes, vec![0], "its commits are taken");
    // Once it leaves, a second restart does not bring it back.
    let ResponseKind::LeaveGroup(left) = call(&restarted, ApiKey::LeaveGroup, &member, generation)
    else {
        panic!("not a LeaveGroup answer")
    };
    assert_eq!(left.error_code, 0);
    restarted.close().expect("closes cleanly");
    drop(restarted);
    let again = in_process_broker(dir.path());
    let ResponseKind::Heartbeat(beat) = call(&again, ApiKey::Heartbeat, &member, generation) else {
        panic!("not a Heartbeat answer")
    };
    assert_eq!(beat.error_code, 25, "UNKNOWN_MEMBER_ID after leaving");
}
