//! Fuzzing the frame reader and the request dispatcher with random bytes
//! and with mutations of well-formed requests: nothing panics, every input
//! is dealt with in bounded time and memory, and stored data is untouched.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kafka_protocol::messages::ApiKey;
use proptest::prelude::*;
use slytherin_broker::protocol::{read_frame, FrameLimits, SUPPORTED_APIS};
use slytherin_broker::server::{Broker, Outcome};
use support::{
    common, encode_request, group_request, in_process_broker, request, GROUP_APIS, LOCAL,
};

// The allocator the binary uses, so the fuzzer tests what runs (see
// "Known limits" in the README: a decoder reserves array capacity from the
// count on the wire).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Longest any single input may take (wall clock; fetch waits run on
/// paused time, so they cost nothing).
const PER_INPUT: Duration = Duration::from_secs(2);
/// Peak resident memory the whole run may reach.
const PEAK_RSS_BYTES: u64 = 1 << 30;

/// A topic the fuzzer's seeds never name; its bytes must never change.
const PROTECTED: &str = "protected";

struct Fixture {
    broker: Arc<Broker>,
    rt: tokio::runtime::Runtime,
    seeds: Vec<Vec<u8>>,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = in_process_broker(dir.path());
    broker
        .with_storage(|storage| {
            let config = slytherin_broker::storage::LogConfig::default();
            let topic = storage.create_topic(PROTECTED, 1, config).expect("created");
            let mut log = topic.partition(0).expect("partition 0");
            for seed in 0..3 {
                log.append(&mut common::simple_batch(5, 1_000, 20, seed))
                    .expect("appended");
            }
        })
        .expect("open");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let seeds = SUPPORTED_APIS
        .iter()
        .flat_map(|(api, range)| (range.min..=range.max).map(move |v| (*api, v)))
        .filter(|(api, _)| *api != ApiKey::DeleteTopics)
        .map(|(api, version)| {
            let body = if GROUP_APIS.contains(&api) {
                group_request(api, version, "fuzzed-group", "member-1", 1)
            } else {
                request(api, version, "fuzzed-topic")
            };
            encode_request(api, version, 1, &body)
        })
        .collect();
    Fixture {
        broker,
        rt,
        seeds,
        _dir: dir,
    }
}

fn protected_bytes(broker: &Broker) -> (Vec<u8>, i64) {
    broker
        .with_storage(|storage| {
            let log = storage
                .topic(PROTECTED)
                .and_then(|t| t.partition(0))
                .expect("there");
            (
                log.read(0, 1 << 20).expect("readable").records,
                log.log_end_offset(),
            )
        })
        .expect("open")
}

fn handle_in_time(fixture: &Fixture, frame: Vec<u8>) -> Outcome {
    let started = Instant::now();
    let outcome = fixture.rt.block_on(fixture.broker.handle(frame, LOCAL));
    assert!(
        started.elapsed() < PER_INPUT,
        "an input took {:?}",
        started.elapsed()
    );
    outcome
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        bit: u8,
    },
    Set {
        at: usize,
        byte: u8,
    },
    /// A large count or length where an array or string length may be.
    BigInt {
        at: usize,
        value: i32,
    },
    Truncate {
        at: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        (
            any::<usize>(),
            prop_oneof![Just(i32::MAX), Just(-2), Just(0x0100_0000), any::<i32>()]
        )
            .prop_map(|(at, value)| Mutation::BigInt { at, value }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
    ]
}

fn mutate(mut frame: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = frame.len().max(1);
        match m {
            Mutation::Flip { at, bit } => {
                if let Some(b) = frame.get_mut(at % len) {
                    *b ^= 1 << bit;
                }
            }
            Mutation::Set { at, byte } => {
                if let Some(b) = frame.get_mut(at % len) {
                    *b = *byte;
                }
            }
            Mutation::BigInt { at, value } => {
                let at = at % len;
                for (i, b) in value.to_be_bytes().into_iter().enumerate() {
                    if let Some(slot) = frame.get_mut(at + i) {
                        *slot = b;
                    }
                }
            }
            Mutation::Truncate { at } => frame.truncate(at % len),
            Mutation::Insert { at, bytes } => {
                let at = at % len;
                frame.splice(
                    at.min(frame.len())..at.min(frame.len()),
                    bytes.iter().copied(),
                );
            }
        }
    }
    frame
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[test]
fn random_and_mutated_requests_are_answered_or_refused_in_bounded_time_and_memory() {
    let fixture = fixture();
    let before = protected_bytes(&fixture.broker);
    let seeds = fixture.seeds.len();
    let config = ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let input = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600),
        (0..seeds, proptest::collection::vec(mutation(), 1..4))
            .prop_map(|(seed, mutations)| (seed, mutations))
            .prop_map({
                let seeds = fixture.seeds.clone();
                move |(seed, mutations)| mutate(seeds[seed].clone(), &mutations)
            }),
    ];
    let answered = std::cell::Cell::new(0u32);
    let refused = std::cell::Cell::new(0u32);
    runner
        .run(&input, |frame| {
            match handle_in_time(&fixture, frame) {
                Outcome::Respond(_) | Outcome::Silent => answered.set(answered.get() + 1),
                Outcome::Close(_) => refused.set(refused.get() + 1),
            }
            Ok(())
        })
        .expect("every input handled");
    eprintln!(
        "{} inputs answered, {} refused",
        answered.get(),
        refused.get()
    );
    // Mutations often leave a request valid: the handlers are exercised,
    // not only the decoder.
    assert!(
        answered.get() > 100,
        "only {} inputs were answered",
        answered.get()
    );
    assert_eq!(
        protected_bytes(&fixture.broker),
        before,
        "the protected topic is untouched"
    );
    let peak = peak_rss_bytes();
    assert!(peak < PEAK_RSS_BYTES, "peak resident memory {peak} bytes");
}

#[test]
fn the_frame_reader_accepts_only_whole_frames_within_the_limit() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let limits = FrameLimits {
        max_request_bytes: 4096,
        ..FrameLimits::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..6000), |bytes| {
            let mut reader: &[u8] = &bytes;
            let mut consumed = 0;
            loop {
                let result = rt.block_on(read_frame(&mut reader, &limits));
                match result {
                    Ok(Some(frame)) => {
                        let size = i32::from_be_bytes(
                            bytes[consumed..consumed + 4].try_into().expect("4 bytes"),
                        );
                        prop_assert_eq!(frame.len(), size as usize);
                        prop_assert!(frame.len() <= limits.max_request_bytes);
                        prop_assert_eq!(
                            &frame[..],
                            &bytes[consumed + 4..consumed + 4 + frame.len()]
                        );
                        consumed += 4 + frame.len();
                    }
                    Ok(None) => {
                        prop_assert_eq!(consumed, bytes.len(), "a clean end only between frames");
                        break;
                    }
                    Err(_) => break,
                }
            }
            Ok(())
        })
        .expect("the frame reader is exact");
}
