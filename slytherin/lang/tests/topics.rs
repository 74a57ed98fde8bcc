//! Topic blocks: coded diagnostics at the `.pt` span for every mistake,
//! and a program that produces and consumes typed messages through a real
//! broker, whose JSON another client reads.

mod support;

use std::time::Duration;

use slytherin_client::{ClientConfig, Consumer, ConsumerConfig, StartPosition, TopicPartition};

const CLICKS: &str = r#"record Click {
    page: string,
    user: i64,
    tags: list<string>,
    referrer: option<string>,
}

topic clicks {
    message: Click,
    partitions: 3,
    key: page,
}

function main() {
    let_var producer = connect_clicks_producer("").expect("a producer");
    let_mut_var batch: list<Click> = list_of();
    for user in range(0, 30) {
        batch.push(Click {
            page: format("/page/{}", user % 4),
            user: user,
            tags: list_of("new"),
            referrer: None,
        });
    }
    let_var offsets = send_all_clicks(producer, batch).expect("stored");
    print_line("stored {}", offsets.length());
    let_var one = send_clicks(producer, Click {
        page: "/last",
        user: 99,
        tags: list_of(),
        referrer: Some("/page/1"),
    }).expect("stored");
    print_line("last stored: {}", one >= 0);
    let_mut_var consumer = connect_clicks_consumer("", "readers").expect("a consumer");
    let_mut_var seen = 0;
    let_mut_var total_users = 0;
    while seen < 31 {
        let_var clicks = receive_clicks(consumer, 2000).expect("received");
        for click in clicks {
            seen += 1;
            total_users += click.user;
        }
    }
    print_line("received {} with users summing to {}", seen, total_users);
    print_line("committed {}", commit_clicks(consumer).expect("committed"));
}
"#;

fn with_topic(settings: &str) -> String {
    CLICKS.replace(
        "    message: Click,\n    partitions: 3,\n    key: page,\n",
        settings,
    )
}

#[test]
fn a_valid_topic_has_no_diagnostic() {
    let diagnostics = support::diagnostics(CLICKS);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn each_mistake_in_a_topic_is_coded_at_its_span() {
    let cases: &[(&str, (&str, &str))] = &[
        (
            "    message: Click,\n    partition: 3,\n",
            ("PT1001", "partition"),
        ),
        ("    message: Click,\n    partitions: 0,\n", ("PT1001", "0")),
        (
            "    message: Click,\n    partitions: -2,\n",
            ("PT1001", "-2"),
        ),
        (
            "    message: Click,\n    partitions: \"3\",\n",
            ("PT1001", "\"3\""),
        ),
        (
            "    message: Click,\n    message: Click,\n",
            ("PT1001", "message"),
        ),
        ("    partitions: 3,\n", ("PT1001", "clicks")),
        ("    message: Clik,\n", ("PT0102", "Clik")),
        (
            "    message: Click,\n    key: pages,\n",
            ("PT1003", "pages"),
        ),
        ("    message: Click,\n    key: tags,\n", ("PT1003", "tags")),
        (
            "    message: Click,\n    encoding: xml,\n",
            ("PT1001", "xml"),
        ),
        ("    message: Click,\n    verifiable: 1,\n", ("PT1001", "1")),
        (
            "    message: Click,\n    retention_hours: 0,\n",
            ("PT1001", "0"),
        ),
    ];
    for (settings, expected) in cases {
        let got = support::errors(&with_topic(settings));
        assert!(
            got.contains(&(expected.0.to_string(), expected.1.to_string())),
            "settings {settings:?}: expected {expected:?}, got {got:?}"
        );
    }
}

#[test]
fn a_misspelt_setting_gets_the_right_name_as_a_fix() {
    let text = with_topic("    message: Click,\n    partiton: 3,\n");
    let diagnostic = support::diagnostics(&text)
        .into_iter()
        .find(|d| d.code.to_string() == "PT1001")
        .expect("PT1001");
    let shown = format!("{diagnostic:?}");
    assert!(shown.contains("did you mean `partitions`?"), "{shown}");
}

#[test]
fn a_message_with_a_handle_inside_cannot_be_encoded() {
    let text = CLICKS.replace(
        "    referrer: option<string>,\n}",
        "    referrer: option<string>,\n    worker: list<option<task<i64>>>,\n}",
    );
    let got = support::errors(&text);
    assert!(
        got.iter()
            .any(|(code, at)| code == "PT1002" && at == "Click"),
        "{got:?}"
    );
    let message = support::diagnostics(&text)
        .into_iter()
        .find(|d| d.code.to_string() == "PT1002")
        .expect("PT1002")
        .message;
    assert!(message.contains("Click.worker[…][…]"), "{message}");
}

#[test]
fn a_topic_declared_twice_is_reported_once() {
    let text = CLICKS.replace(
        "function main()",
        "topic clicks {\n    message: Click,\n}\n\nfunction main()",
    );
    let got = support::errors(&text);
    assert_eq!(got, vec![("PT0103".to_string(), "clicks".to_string())]);
}

#[test]
fn calls_of_a_topic_s_functions_are_typed_by_its_message() {
    let text = CLICKS.replace(
        "let_var offsets = send_all_clicks(producer, batch)",
        "let_var offsets = send_all_clicks(producer, list_of(1, 2))",
    );
    let got = support::errors(&text);
    assert_eq!(
        got,
        vec![
            ("PT0201".to_string(), "1".to_string()),
            ("PT0201".to_string(), "2".to_string())
        ]
    );
}

#[test]
fn a_program_produces_and_consumes_typed_messages_through_the_broker() {
    let broker = support::TestBroker::start();
    let binary = support::build("clicks_round_trip", &support::rust_of(CLICKS));
    let output = support::run(&binary, broker.address());
    assert_eq!(
        output,
        "stored 30\nlast stored: true\nreceived 31 with users summing to 534\ncommitted 31\n"
    );
    // Another client reads the documented JSON, and the key is the page.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let records = runtime.block_on(async {
        let config = ConsumerConfig::new(ClientConfig::new([broker.address().to_string()]));
        let mut consumer = Consumer::assign(
            config,
            (0..3).map(|p| (TopicPartition::new("clicks", p), StartPosition::Earliest)),
        )
        .await
        .expect("a consumer");
        let mut records = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while records.len() < 31 && std::time::Instant::now() < deadline {
            records.extend(consumer.poll().await.expect("fetched"));
        }
        records
    });
    assert_eq!(records.len(), 31);
    let last = records
        .iter()
        .find(|r| r.key.as_deref() == Some(b"/last".as_slice()))
        .expect("the last click, keyed by its page");
    let json = std::str::from_utf8(last.value.as_deref().expect("a value")).expect("UTF-8");
    assert_eq!(
        json,
        r#"{"page":"/last","user":99,"tags":[],"referrer":"/page/1"}"#
    );
}
