//! Pipeline blocks: each mistake coded at its `.pt` span, and a windowed
//! count run against a real broker, in the program's process.

mod support;

use std::time::Duration;

use slytherin_client::{ClientConfig, Consumer, ConsumerConfig, StartPosition, TopicPartition};

const COUNTS: &str = r#"record Click {
    page: string,
    user: i64,
    at_ms: i64,
}

record PageCount {
    page: string,
    window_start_ms: i64,
    window_end_ms: i64,
    clicks: i64,
}

topic clicks {
    message: Click,
    partitions: 2,
    key: page,
}

topic page_counts {
    message: PageCount,
    key: page,
}

function is_human(click: Click) returns bool {
    click.user > 0
}

function page_of(click: Click) returns string {
    click.page
}

function time_of(click: Click) returns i64 {
    click.at_ms
}

function to_count(page: string, start_ms: i64, end_ms: i64, clicks: i64) returns PageCount {
    PageCount {
        page: page,
        window_start_ms: start_ms,
        window_end_ms: end_ms,
        clicks: clicks,
    }
}

pipeline counts {
    from: clicks,
    filter: is_human,
    key_by: page_of,
    event_time: time_of,
    window: tumbling_seconds(60),
    aggregate: count,
    emit: to_count,
    to: page_counts,
}

function click(page: string, user: i64, at_ms: i64) returns Click {
    Click {
        page: page,
        user: user,
        at_ms: at_ms,
    }
}

function main() {
    let_var producer = connect_clicks_producer("").expect("a producer");
    let_mut_var clicks: list<Click> = list_of();
    for i in range(0, 90) {
        // Pages /0, /1, /2; every tenth click is a robot (user 0); all in
        // the first minute but the last ten, in the second.
        let_var user = if i % 10 == 0 { 0 } else { i };
        let_var at = if i < 80 { i * 500 } else { 60000 + i };
        clicks.push(click(format("/{}", i % 3), user, at));
    }
    // Two minutes later, on every page: closes the first two windows.
    for page in range(0, 3) {
        clicks.push(click(format("/{}", page), 1, 200000));
    }
    send_all_clicks(producer, clicks).expect("stored");
    print_line("processed {}", run_counts_pipeline("", 3000).expect("ran"));
}
"#;

#[test]
fn a_valid_pipeline_has_no_diagnostic() {
    let diagnostics = support::diagnostics(COUNTS);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn each_mistake_in_a_pipeline_is_coded_at_its_span() {
    let cases: &[(&str, &str, (&str, &str))] = &[
        ("    from: clicks,", "    from: click,", ("PT1010", "click")),
        (
            "    to: page_counts,",
            "    to: page_count,",
            ("PT1010", "page_count"),
        ),
        (
            "    filter: is_human,",
            "    filter: page_of,",
            ("PT1011", "page_of"),
        ),
        (
            "    filter: is_human,",
            "    filter: is_humn,",
            ("PT0101", "is_humn"),
        ),
        (
            "    key_by: page_of,",
            "    key_by: is_human,",
            ("PT1011", "is_human"),
        ),
        (
            "    event_time: time_of,",
            "    event_time: page_of,",
            ("PT1011", "page_of"),
        ),
        (
            "    emit: to_count,",
            "    emit: page_of,",
            ("PT1011", "page_of"),
        ),
        ("    key_by: page_of,\n", "", ("PT1012", "event_time")),
        (
            "    window: tumbling_seconds(60),",
            "    window: tumbling_seconds(0),",
            ("PT1012", "0"),
        ),
        (
            "    window: tumbling_seconds(60),",
            "    window: sliding_seconds(60, 25),",
            ("PT1012", "sliding_seconds(60, 25)"),
        ),
        (
            "    window: tumbling_seconds(60),",
            "    window: hourly,",
            ("PT1012", "hourly"),
        ),
        (
            "    aggregate: count,",
            "    aggregate: average,",
            ("PT1012", "average"),
        ),
        (
            "    filter: is_human,",
            "    filtr: is_human,",
            ("PT1013", "filtr"),
        ),
        (
            "    to: page_counts,",
            "    to: page_counts,\n    to: page_counts,",
            ("PT1013", "to"),
        ),
        ("    from: clicks,\n", "", ("PT1013", "counts")),
        (
            "    from: clicks,",
            "    from: page_counts,",
            ("PT1013", "page_counts"),
        ),
        (
            "    emit: to_count,",
            "    emit: to_count,\n    filter: is_human,",
            ("PT1013", "filter"),
        ),
    ];
    support::assert_each_mistake_coded(COUNTS, cases);
}

#[test]
fn a_stateless_pipeline_writes_the_stream_s_own_type() {
    let stateless = COUNTS.replace(
        "pipeline counts {\n    from: clicks,\n    filter: is_human,\n    key_by: page_of,\n    event_time: time_of,\n    window: tumbling_seconds(60),\n    aggregate: count,\n    emit: to_count,\n    to: page_counts,\n}",
        "pipeline counts {\n    from: clicks,\n    filter: is_human,\n    to: page_counts,\n}",
    );
    let got = support::errors(&stateless);
    assert!(
        got.contains(&("PT1014".to_string(), "page_counts".to_string())),
        "{got:?}"
    );
}

#[test]
fn a_windowed_count_runs_in_process_against_the_broker() {
    let broker = support::TestBroker::start();
    let binary = support::build("pipeline_counts", &support::rust_of(COUNTS));
    let output = support::run(&binary, broker.address());
    assert_eq!(output, "processed 93\n");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let counts: Vec<serde_json::Value> = runtime.block_on(async {
        let config = ConsumerConfig::new(ClientConfig::new([broker.address().to_string()]));
        let mut consumer = Consumer::assign(
            config,
            (0..1).map(|p| {
                (
                    TopicPartition::new("page_counts", p),
                    StartPosition::Earliest,
                )
            }),
        )
        .await
        .expect("a consumer");
        let mut records = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while records.len() < 6 && std::time::Instant::now() < deadline {
            records.extend(consumer.poll().await.expect("fetched"));
        }
        records
            .iter()
            .map(|r| serde_json::from_slice(r.value.as_deref().expect("a value")).expect("JSON"))
            .collect()
    });
    let mut seen: Vec<(String, i64, i64)> = counts
        .iter()
        .map(|c| {
            (
                c["page"].as_str().expect("page").to_string(),
                c["window_start_ms"].as_i64().expect("start"),
                c["clicks"].as_i64().expect("count"),
            )
        })
        .collect();
    seen.sort();
    // First minute: i < 80, robots (i % 10 == 0) dropped: 72 humans over
    // three pages; second minute: i in 80..90, 9 humans.
    let expected_first: i64 = seen.iter().filter(|s| s.1 == 0).map(|s| s.2).sum();
    let expected_second: i64 = seen.iter().filter(|s| s.1 == 60000).map(|s| s.2).sum();
    assert_eq!((expected_first, expected_second), (72, 9), "{seen:?}");
    assert_eq!(seen.len(), 6, "{seen:?}");
}
