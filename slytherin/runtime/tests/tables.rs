//! Joins with tables, on generated interleavings of table records and
//! stream messages: each message meets the newest row of its key (none
//! after a tombstone), rows that are not messages of the table topic are
//! ignored, and a snapshot taken anywhere carries the tables, so a
//! restored processor joins exactly as the original would have.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use slytherin_runtime::pipeline::{
    row_key, InputRecord, OutputRecord, Processor, Stateless, StatelessState, TableSpec, Tables,
};
use slytherin_runtime::{Encoding, MessageKey, TopicSpec};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Click {
    user: i64,
    page: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct User {
    id: i64,
    country: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Enriched {
    page: String,
    country: Option<String>,
}

const fn topic(name: &'static str, encoding: Encoding) -> TopicSpec {
    TopicSpec {
        name,
        partitions: 1,
        retention_ms: None,
        retention_bytes: None,
        verifiable: false,
        encoding,
    }
}

static CLICKS: TopicSpec = topic("clicks", Encoding::Json);
static USERS: TopicSpec = topic("users", Encoding::Binary);
static ENRICHED: TopicSpec = topic("enriched", Encoding::Json);

fn user_key(user: &User) -> Vec<u8> {
    user.id.key_bytes()
}

fn users_row_key(bytes: &[u8]) -> Option<Vec<u8>> {
    row_key::<User>(&USERS, bytes, user_key)
}

static TABLES: [TableSpec; 1] = [TableSpec {
    topic: &USERS,
    key_of: users_row_key,
}];

/// What generated code writes for `join: users, join_key: user_of,
/// join_with: enrich`.
fn steps(click: Click, tables: &Tables, out: &mut Vec<Enriched>) {
    let row: Option<User> = tables.lookup(0, &USERS, &click.user.key_bytes());
    out.push(Enriched {
        page: click.page,
        country: row.map(|u| u.country),
    });
}

fn processor() -> Stateless<Click, Enriched> {
    Stateless {
        input: &CLICKS,
        output: &ENRICHED,
        steps,
        output_key: None,
        table_specs: &TABLES,
        state: StatelessState::default(),
        buffer: Vec::new(),
    }
}

/// One step of a generated run.
#[derive(Debug, Clone)]
enum Event {
    /// A row of user `id` (a new country).
    Row { id: i64, country: u8 },
    /// A tombstone of user `id`.
    Delete { id: i64 },
    /// Bytes that are no user.
    Garbage,
    /// A click of user `user`.
    Click { user: i64 },
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => (0..6_i64, any::<u8>()).prop_map(|(id, country)| Event::Row { id, country }),
        1 => (0..6_i64).prop_map(|id| Event::Delete { id }),
        1 => Just(Event::Garbage),
        5 => (0..8_i64).prop_map(|user| Event::Click { user }),
    ]
}

fn apply(processor: &mut dyn Processor, event: &Event, offset: i64, out: &mut Vec<OutputRecord>) {
    match event {
        Event::Row { id, country } => {
            let row = postcard::to_stdvec(&User {
                id: *id,
                country: format!("c{country}"),
            })
            .expect("encodes");
            // The record key may be anything: the row's own key counts.
            processor.update_table(0, Some(b"ignored"), Some(&row));
        }
        Event::Delete { id } => processor.update_table(0, Some(&id.key_bytes()), None),
        Event::Garbage => processor.update_table(0, None, Some(&[0xff, 0xff, 0xff])),
        Event::Click { user } => {
            let bytes = serde_json::to_vec(&Click {
                user: *user,
                page: format!("/p{offset}"),
            })
            .expect("encodes");
            processor.process(
                InputRecord {
                    offset,
                    value: Some(&bytes),
                },
                out,
            );
        }
    }
}

fn run(processor: &mut dyn Processor, events: &[Event], first: i64) -> Vec<OutputRecord> {
    let mut out = Vec::new();
    for (i, event) in events.iter().enumerate() {
        apply(processor, event, first + i as i64, &mut out);
    }
    out
}

/// The model: a map of the newest country per user.
fn model(events: &[Event]) -> Vec<Enriched> {
    let mut users: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (offset, event) in events.iter().enumerate() {
        match event {
            Event::Row { id, country } => {
                users.insert(*id, format!("c{country}"));
            }
            Event::Delete { id } => {
                users.remove(id);
            }
            Event::Garbage => {}
            Event::Click { user } => out.push(Enriched {
                page: format!("/p{offset}"),
                country: users.get(user).cloned(),
            }),
        }
    }
    out
}

fn decoded(out: &[OutputRecord]) -> Vec<Enriched> {
    out.iter()
        .map(|r| serde_json::from_slice(&r.value).expect("decodes"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn each_message_meets_the_newest_row_of_its_key(events in prop::collection::vec(event(), 0..120)) {
        let mut joined = processor();
        let out = decoded(&run(&mut joined, &events, 0));
        prop_assert_eq!(out, model(&events));
    }

    #[test]
    fn a_restored_snapshot_joins_as_the_original(
        events in prop::collection::vec(event(), 0..120),
        cut in any::<prop::sample::Index>(),
    ) {
        let cut = if events.is_empty() { 0 } else { cut.index(events.len() + 1) };
        let mut whole = processor();
        let all = run(&mut whole, &events, 0);
        let mut first = processor();
        let mut out = run(&mut first, &events[..cut], 0);
        let mut second = processor();
        second.restore(&first.snapshot()).expect("restores");
        out.extend(run(&mut second, &events[cut..], cut as i64));
        prop_assert_eq!(out, all);
        prop_assert_eq!(second.counters(), whole.counters());
    }
}

#[test]
fn a_lookup_in_a_table_never_fed_finds_nothing() {
    let tables = Tables::default();
    assert!(tables.is_empty());
    assert_eq!(tables.len(0), 0);
    assert_eq!(tables.lookup::<User>(0, &USERS, b"1"), None);
}
