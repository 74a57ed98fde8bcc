//! The windowed processor against a model, on generated streams: every
//! message is counted in each open window it falls in (late ones dropped
//! and counted), each window is written once, after the watermark passes
//! its end, in order of end then key; and a snapshot taken anywhere and
//! restored into a fresh processor continues exactly as if nothing
//! happened (what exactly-once recovery rests on).

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use slytherin_runtime::pipeline::{
    Aggregate, InputRecord, OutputRecord, Processor, Tables, WindowState, Windowed,
};
use slytherin_runtime::{Encoding, TopicSpec};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Event {
    key: i64,
    at: i64,
    value: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Out {
    key: i64,
    start: i64,
    end: i64,
    value: i64,
}

static INPUT: TopicSpec = TopicSpec {
    name: "in",
    partitions: 1,
    retention_ms: None,
    retention_bytes: None,
    verifiable: false,
    encoding: Encoding::Json,
};

static OUTPUT: TopicSpec = TopicSpec {
    name: "out",
    partitions: 1,
    retention_ms: None,
    retention_bytes: None,
    verifiable: false,
    encoding: Encoding::Binary,
};

fn steps(event: Event, _tables: &Tables, out: &mut Vec<Event>) {
    // A filter, as pipelines have: odd values only.
    if event.value % 2 != 0 {
        out.push(event);
    }
}

fn processor(
    size_ms: i64,
    every_ms: i64,
    lateness_ms: i64,
    aggregate: Aggregate,
) -> Windowed<Event, Event, i64, Out> {
    Windowed {
        input: &INPUT,
        output: &OUTPUT,
        steps,
        key: |e| e.key,
        event_time: |e| e.at,
        value: |e| e.value,
        aggregate,
        emit: |key, start, end, value| Out {
            key: *key,
            start,
            end,
            value,
        },
        output_key: None,
        size_ms,
        every_ms,
        lateness_ms,
        table_specs: &[],
        state: WindowState::default(),
        buffer: Vec::new(),
    }
}

fn run(processor: &mut dyn Processor, events: &[Event]) -> Vec<OutputRecord> {
    let mut out = Vec::new();
    for (offset, event) in events.iter().enumerate() {
        let bytes = serde_json::to_vec(event).expect("encodes");
        processor.process(
            InputRecord {
                offset: offset as i64,
                value: Some(&bytes),
            },
            &mut out,
        );
    }
    out
}

/// What the outputs say: (key, start, end, value) in order.
fn decoded(out: &[OutputRecord]) -> Vec<Out> {
    out.iter()
        .map(|r| postcard::from_bytes(&r.value).expect("decodes"))
        .collect()
}

/// The model: the same rules, written plainly.
fn model(events: &[Event], size: i64, every: i64, lateness: i64, aggregate: Aggregate) -> Vec<Out> {
    let mut open: BTreeMap<(i64, i64, i64), i64> = BTreeMap::new();
    let mut newest: Option<i64> = None;
    let mut out = Vec::new();
    for event in events.iter().filter(|e| e.value % 2 != 0) {
        let watermark = newest.map(|n| n - lateness);
        let mut start = event.at.div_euclid(every) * every - (size / every - 1) * every;
        while start <= event.at {
            let end = start + size;
            if end > event.at && watermark.is_none_or(|w| end > w) {
                let slot = open.entry((end, event.key, start));
                let fold = |current: Option<i64>| match aggregate {
                    Aggregate::Count => current.unwrap_or(0) + 1,
                    Aggregate::Sum => current.unwrap_or(0) + event.value,
                    Aggregate::Min => current.map_or(event.value, |c| c.min(event.value)),
                    Aggregate::Max => current.map_or(event.value, |c| c.max(event.value)),
                };
                match slot {
                    std::collections::btree_map::Entry::Occupied(mut o) => {
                        let next = fold(Some(*o.get()));
                        o.insert(next);
                    }
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(fold(None));
                    }
                }
            }
            start += every;
        }
        newest = Some(newest.map_or(event.at, |n| n.max(event.at)));
        let watermark = newest.map(|n| n - lateness).unwrap_or(i64::MIN);
        let closed: Vec<_> = open
            .keys()
            .take_while(|(end, _, _)| *end <= watermark)
            .copied()
            .collect();
        for slot in closed {
            let value = open.remove(&slot).expect("present");
            out.push(Out {
                key: slot.1,
                start: slot.2,
                end: slot.0,
                value,
            });
        }
    }
    out
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    // Times wander forward with occasional steps back (late messages).
    prop::collection::vec((0i64..4, -3_000i64..5_000, 0i64..100), 0..300).prop_map(|steps| {
        let mut at = 0i64;
        steps
            .into_iter()
            .map(|(key, step, value)| {
                at = (at + step).max(0);
                Event { key, at, value }
            })
            .collect()
    })
}

fn window() -> impl Strategy<Value = (i64, i64)> {
    prop_oneof![
        (1i64..5).prop_map(|s| (s * 1000, s * 1000)),
        (1i64..4, 1i64..4).prop_map(|(every, times)| (every * times * 1000, every * 1000)),
    ]
}

fn aggregate() -> impl Strategy<Value = Aggregate> {
    prop_oneof![
        Just(Aggregate::Count),
        Just(Aggregate::Sum),
        Just(Aggregate::Min),
        Just(Aggregate::Max)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn windows_match_the_model(
        events in events(),
        (size, every) in window(),
        lateness in prop_oneof![Just(0i64), 0i64..3_000],
        aggregate in aggregate(),
    ) {
        let mut windowed = processor(size, every, lateness, aggregate);
        let out = decoded(&run(&mut windowed, &events));
        prop_assert_eq!(out, model(&events, size, every, lateness, aggregate));
    }

    #[test]
    fn a_snapshot_restored_anywhere_continues_the_same(
        events in events(),
        (size, every) in window(),
        lateness in 0i64..2_000,
        aggregate in aggregate(),
        cut in 0usize..300,
    ) {
        let cut = cut.min(events.len());
        let mut whole = processor(size, every, lateness, aggregate);
        let expected = run(&mut whole, &events);
        let mut first = processor(size, every, lateness, aggregate);
        let mut out = run(&mut first, &events[..cut]);
        let snapshot = first.snapshot();
        let mut second = processor(size, every, lateness, aggregate);
        second.restore(&snapshot).expect("restores");
        let rest: Vec<Event> = events[cut..].to_vec();
        out.extend(run(&mut second, &rest));
        prop_assert_eq!(out, expected);
        prop_assert_eq!(second.counters(), whole.counters());
    }
}

#[test]
fn an_undecodable_record_is_counted_and_skipped() {
    let mut windowed = processor(1000, 1000, 0, Aggregate::Count);
    let mut out = Vec::new();
    windowed.process(
        InputRecord {
            offset: 0,
            value: Some(b"not json"),
        },
        &mut out,
    );
    windowed.process(
        InputRecord {
            offset: 1,
            value: None,
        },
        &mut out,
    );
    assert!(out.is_empty());
    assert_eq!(windowed.counters().undecodable, 2);
    assert_eq!(windowed.counters().processed, 2);
}

#[test]
fn a_steady_stream_writes_every_closed_window_once() {
    let events: Vec<Event> = (0..60)
        .map(|i| Event {
            key: i % 3,
            at: i * 100,
            value: 2 * i + 1,
        })
        .collect();
    let mut windowed = processor(1000, 1000, 0, Aggregate::Count);
    let out = decoded(&run(&mut windowed, &events));
    // Windows 0-5 s close (the newest time is 5.9 s): 5 windows × 3 keys.
    assert_eq!(out.len(), 15, "{out:?}");
    assert!(out.iter().all(|o| o.value == 3 || o.value == 4), "{out:?}");
    assert_eq!(out, model(&events, 1000, 1000, 0, Aggregate::Count));
}
