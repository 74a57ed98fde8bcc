//! Joins of a stream with a table: each mistake coded at its `.pt` span,
//! and pipelines with joins (one plain, one feeding a window) run against a
//! real broker, in the program's process.

mod support;

use std::time::Duration;

use slytherin_client::{ClientConfig, Consumer, ConsumerConfig, StartPosition, TopicPartition};

const JOINS: &str = r#"record Click {
    page: string,
    user: i64,
    at_ms: i64,
}

record User {
    id: i64,
    country: string,
}

record CountryClick {
    page: string,
    country: string,
    at_ms: i64,
}

record CountryCount {
    country: string,
    window_start_ms: i64,
    clicks: i64,
}

topic clicks {
    message: Click,
    partitions: 2,
    key: page,
}

topic users {
    message: User,
    partitions: 3,
    key: id,
}

topic country_clicks {
    message: CountryClick,
    key: country,
}

topic country_counts {
    message: CountryCount,
    key: country,
}

function user_of(click: Click) returns i64 {
    click.user
}

function with_country(click: Click, user: option<User>) returns CountryClick {
    CountryClick {
        page: click.page,
        country: match user {
            Some(found) => found.country,
            None => "unknown",
        },
        at_ms: click.at_ms,
    }
}

function country_of(click: CountryClick) returns string {
    click.country
}

function time_of(click: CountryClick) returns i64 {
    click.at_ms
}

function to_count(country: string, start_ms: i64, end_ms: i64, clicks: i64) returns CountryCount {
    CountryCount {
        country: country,
        window_start_ms: start_ms + 0 * end_ms,
        clicks: clicks,
    }
}

pipeline by_country {
    from: clicks,
    join: users,
    join_key: user_of,
    join_with: with_country,
    to: country_clicks,
}

pipeline per_country {
    from: clicks,
    join: users,
    join_key: user_of,
    join_with: with_country,
    key_by: country_of,
    event_time: time_of,
    window: tumbling_seconds(60),
    aggregate: count,
    emit: to_count,
    to: country_counts,
}

function main() {
    let_var users = connect_users_producer("").expect("a producer");
    let_mut_var rows: list<User> = list_of();
    for id in range(1, 10) {
        // Users 1-9; user 9 moves from "xx" to "nl": its newest row counts.
        let_var country = if id == 9 { "xx" } else if id % 2 == 0 { "de" } else { "fr" };
        rows.push(User { id: id, country: country });
    }
    rows.push(User { id: 9, country: "nl" });
    send_all_users(users, rows).expect("stored");
    let_var producer = connect_clicks_producer("").expect("a producer");
    let_mut_var clicks: list<Click> = list_of();
    // Users 0-11 click once each, in the first minute; 0, 10 and 11 have no row.
    for user in range(0, 12) {
        clicks.push(Click { page: format("/{}", user % 3), user: user, at_ms: user * 1000 });
    }
    // A click on each page two minutes later closes the first minute's
    // windows on both partitions.
    for page in range(0, 3) {
        clicks.push(Click { page: format("/{}", page), user: 2, at_ms: 200000 });
    }
    send_all_clicks(producer, clicks).expect("stored");
    print_line("by_country {}", run_by_country_pipeline("", 3000).expect("ran"));
    print_line("per_country {}", run_per_country_pipeline("", 3000).expect("ran"));
}
"#;

#[test]
fn a_valid_join_has_no_diagnostic() {
    let diagnostics = support::diagnostics(JOINS);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn each_mistake_in_a_join_is_coded_at_its_span() {
    let by_country = "pipeline by_country {\n    from: clicks,\n    join: users,\n    join_key: user_of,\n    join_with: with_country,\n";
    let cases: &[(&str, &str, (&str, &str))] = &[
        // A table must exist …
        (by_country, &by_country.replace("join: users", "join: user"), ("PT1010", "user")),
        // … and have a key.
        (
            "    partitions: 3,\n    key: id,\n",
            "    partitions: 3,\n",
            ("PT1011", "users"),
        ),
        // `join_key` gives the table's key type (i64 here, not string).
        (
            by_country,
            &by_country.replace("join_key: user_of", "join_key: country_of"),
            ("PT1011", "country_of"),
        ),
        // `join_with` takes the message and an option of the row.
        (
            by_country,
            &by_country.replace("join_with: with_country", "join_with: user_of"),
            ("PT1011", "user_of"),
        ),
        // The parts come right after their `join`.
        (
            by_country,
            &by_country.replace("    join_key: user_of,\n", ""),
            ("PT1013", "join"),
        ),
        (
            by_country,
            &by_country.replace("    join: users,\n", ""),
            ("PT1013", "join_key"),
        ),
        // A join reads the stream before it is keyed.
        (
            "    key_by: country_of,\n",
            "    key_by: country_of,\n    join: users,\n    join_key: user_of,\n    join_with: with_country,\n",
            ("PT1013", "join"),
        ),
    ];
    support::assert_each_mistake_coded(JOINS, cases);
}

/// Every JSON value stored in `topic` (at least `wanted` of them).
fn consume(broker: &support::TestBroker, topic: &str, wanted: usize) -> Vec<serde_json::Value> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let config = ConsumerConfig::new(ClientConfig::new([broker.address().to_string()]));
        let mut consumer = Consumer::assign(
            config,
            [(TopicPartition::new(topic, 0), StartPosition::Earliest)],
        )
        .await
        .expect("a consumer");
        let mut records = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while records.len() < wanted && std::time::Instant::now() < deadline {
            records.extend(consumer.poll().await.expect("fetched"));
        }
        records
            .iter()
            .map(|r| serde_json::from_slice(r.value.as_deref().expect("a value")).expect("JSON"))
            .collect()
    })
}

#[test]
fn joined_pipelines_run_in_process_against_the_broker() {
    let broker = support::TestBroker::start();
    let binary = support::build("pipeline_joins", &support::rust_of(JOINS));
    let output = support::run(&binary, broker.address());
    assert_eq!(output, "by_country 15\nper_country 15\n");
    let country_of = |user: i64| match user {
        9 => "nl",
        1..=8 if user % 2 == 0 => "de",
        1..=8 => "fr",
        _ => "unknown",
    };
    let mut joined: Vec<(String, String)> = consume(&broker, "country_clicks", 15)
        .iter()
        .map(|c| {
            (
                c["page"].as_str().expect("page").to_owned(),
                c["country"].as_str().expect("country").to_owned(),
            )
        })
        .collect();
    joined.sort();
    let mut expected: Vec<(String, String)> = (0..12)
        .map(|user| (format!("/{}", user % 3), country_of(user).to_owned()))
        .chain((0..3).map(|page| (format!("/{page}"), "de".to_owned())))
        .collect();
    expected.sort();
    assert_eq!(joined, expected);
    let mut counts: Vec<(String, i64, i64)> = consume(&broker, "country_counts", 4)
        .iter()
        .map(|c| {
            (
                c["country"].as_str().expect("country").to_owned(),
                c["window_start_ms"].as_i64().expect("start"),
                c["clicks"].as_i64().expect("count"),
            )
        })
        .collect();
    counts.sort();
    // Per input partition (the clicks topic has two), so sum per country.
    let mut per_country: std::collections::BTreeMap<String, i64> = Default::default();
    for (country, start, clicks) in &counts {
        assert_eq!(*start, 0, "{counts:?}");
        *per_country.entry(country.clone()).or_default() += clicks;
    }
    let mut wanted: std::collections::BTreeMap<String, i64> = Default::default();
    for user in 0..12 {
        *wanted.entry(country_of(user).to_owned()).or_default() += 1;
    }
    assert_eq!(per_country, wanted, "{counts:?}");
}
