//! A Fetch over many partitions, whose reads run on each partition's
//! owning core, keeps Kafka's byte budget: partitions are answered in
//! request order, the first batch of the response is always whole, and
//! once the budget is spent later partitions report their offsets only.

mod support;

use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{ApiKey, FetchRequest, RequestKind, ResponseKind};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use slytherin_broker::storage::LogConfig;
use support::{common, decode_answer, encode_request, in_process_broker, name, LOCAL};

const FETCH_VERSION: i16 = 11;
const PARTITIONS: u32 = 6;

#[test]
fn the_byte_budget_is_spent_in_request_order() {
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    // Each partition holds one batch of a generated size; the fetch asks
    // for the partitions in a generated order with a generated budget.
    let case = (
        prop::collection::vec(1usize..400, PARTITIONS as usize),
        Just((0..PARTITIONS as i32).collect::<Vec<_>>()).prop_shuffle(),
        1i32..20_000,
    );
    runner
        .run(&case, |(value_lens, order, max_bytes)| {
            let dir = tempfile::tempdir().expect("temp dir");
            let broker = in_process_broker(dir.path());
            let sizes: Vec<usize> = broker
                .with_storage(|storage| {
                    let topic = storage
                        .create_topic("budget", PARTITIONS, LogConfig::default())
                        .expect("topic");
                    value_lens
                        .iter()
                        .enumerate()
                        .map(|(p, &len)| {
                            let mut batch = common::simple_batch(10, 1_000, len, p as u64);
                            let size = batch.len();
                            topic
                                .partition(p as u32)
                                .expect("partition")
                                .append(&mut batch)
                                .expect("appended");
                            size
                        })
                        .collect()
                })
                .expect("storage open");
            let request = RequestKind::Fetch(
                FetchRequest::default()
                    .with_max_wait_ms(0)
                    .with_max_bytes(max_bytes)
                    .with_topics(vec![FetchTopic::default()
                        .with_topic(name("budget"))
                        .with_partitions(
                            order
                                .iter()
                                .map(|&p| {
                                    FetchPartition::default()
                                        .with_partition(p)
                                        .with_partition_max_bytes(1 << 20)
                                })
                                .collect(),
                        )]),
            );
            let frame = encode_request(ApiKey::Fetch, FETCH_VERSION, 1, &request);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let (_, answer) = decode_answer(
                runtime.block_on(broker.handle(frame, LOCAL)),
                ApiKey::Fetch,
                FETCH_VERSION,
            );
            let ResponseKind::Fetch(answer) = answer else {
                panic!("not a Fetch answer");
            };
            let got = &answer.responses[0].partitions;
            // The model: whole batches in request order while they fit,
            // the first one whatever its size.
            let mut budget = max_bytes as usize;
            let mut total = 0;
            for (answer, &p) in got.iter().zip(&order) {
                prop_assert_eq!(answer.partition_index, p);
                prop_assert_eq!(answer.error_code, 0);
                prop_assert_eq!(answer.high_watermark, 10);
                let size = sizes[p as usize];
                let expected = if size <= budget || total == 0 {
                    size
                } else {
                    0
                };
                let records = answer.records.as_ref().map_or(0, |r| r.len());
                prop_assert_eq!(records, expected, "partition {} of order {:?}", p, order);
                budget = budget.saturating_sub(expected);
                total += expected;
            }
            prop_assert_eq!(got.len(), order.len());
            broker.close().expect("closes");
            Ok(())
        })
        .expect("the budget holds");
}
