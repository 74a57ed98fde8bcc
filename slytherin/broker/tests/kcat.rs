//! The broker against a client nobody here wrote: kcat (librdkafka)
//! produces, consumes and lists metadata over the Kafka protocol, and bad
//! input on other connections does not disturb it.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use slytherin_broker::protocol::framed;
use support::{committed_offsets, kcat, messages, wait_until, BrokerProcess};

#[test]
fn kcat_produces_and_consumes_keyed_messages_in_order() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(&dir.path().join("data"), &[]);
    let sent = messages(1000, "first");
    kcat.produce(broker.address(), "orders", &sent, &[]);
    let got = kcat.consume(broker.address(), "orders");
    assert_eq!(got.len(), sent.len(), "every message comes back once");
    for (i, ((key, value), (got_key, got_value, offset))) in sent.iter().zip(&got).enumerate() {
        assert_eq!(
            (key, value, i as i64),
            (got_key, got_value, *offset),
            "message {i}"
        );
    }

    let listing = kcat.run(broker.address(), &["-L"], b"");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.contains("1 brokers:"), "{listing}");
    assert!(
        listing.contains(&format!("broker 0 at {} (controller)", broker.address())),
        "{listing}"
    );
    assert!(
        listing.contains("topic \"orders\" with 1 partitions"),
        "{listing}"
    );
    broker.stop();
}

#[test]
fn every_acks_setting_and_an_idempotent_producer_store_the_messages() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(&dir.path().join("data"), &[]);
    let mut expected = Vec::new();
    for acks in ["0", "1", "all"] {
        let batch = messages(50, &format!("acks{acks}"));
        kcat.produce(
            broker.address(),
            "acks",
            &batch,
            &["-X", &format!("acks={acks}")],
        );
        expected.extend(batch);
    }
    // An idempotent producer: InitProducerId, then batches with sequences.
    let batch = messages(50, "idempotent");
    kcat.produce(
        broker.address(),
        "acks",
        &batch,
        &["-X", "enable.idempotence=true"],
    );
    expected.extend(batch);
    let got: Vec<_> = kcat
        .consume(broker.address(), "acks")
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect();
    assert_eq!(got, expected);
    broker.stop();
}

#[test]
fn data_survives_a_restart_and_offsets_continue() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let broker = BrokerProcess::start(&data, &[]);
    let first = messages(300, "before");
    kcat.produce(broker.address(), "kept", &first, &[]);
    let log = broker.stop();
    assert!(log.contains("storage closed cleanly"), "{log}");

    let broker = BrokerProcess::start(&data, &[]);
    let second = messages(200, "after");
    kcat.produce(broker.address(), "kept", &second, &[]);
    let got = kcat.consume(broker.address(), "kept");
    let expected: Vec<_> = first.iter().chain(&second).cloned().collect();
    assert_eq!(got.len(), expected.len());
    for (i, ((key, value), (got_key, got_value, offset))) in expected.iter().zip(&got).enumerate() {
        assert_eq!(
            (key, value, i as i64),
            (got_key, got_value, *offset),
            "message {i}"
        );
    }
    broker.stop();

    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_slytherin"))
        .args(["verify", "kept", "--data"])
        .arg(&data)
        .output()
        .expect("slytherin verify runs");
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(report.contains("kept/0: intact"), "{report}");
}

/// What a raw connection sees after sending bad bytes.
#[derive(Debug, PartialEq)]
enum Seen {
    /// The broker closed the connection (EOF or reset).
    Closed,
    /// It answered: the bytes read.
    Answered(Vec<u8>),
}

fn send_raw(address: std::net::SocketAddr, bytes: &[u8], wait: Duration) -> (Seen, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).expect("connects");
    stream.set_read_timeout(Some(wait)).expect("timeout set");
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the broker neither answered nor closed within {wait:?}: {e}"),
        }
    }
    let seen = if answer.is_empty() {
        Seen::Closed
    } else {
        Seen::Answered(answer)
    };
    (seen, started.elapsed())
}

#[test]
fn malformed_frames_close_their_connection_and_others_are_still_served() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(
        &dir.path().join("data"),
        &[
            ("SLYTHERIN_FRAME_TIMEOUT_MS", "500"),
            ("SLYTHERIN_MAX_REQUEST_BYTES", "1048576"),
        ],
    );
    let kept = messages(100, "kept");
    kcat.produce(broker.address(), "kept", &kept, &[]);

    let wait = Duration::from_secs(10);
    let mut random = vec![0u8; 512];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for byte in &mut random {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    // Metadata v1 with a client ID but no topic array.
    let truncated_metadata = framed(&[0, 3, 0, 1, 0, 0, 0, 7, 0, 1, b'x']);
    let unknown_api = framed(&[0x7f, 0x00, 0, 0, 0, 0, 0, 9, 0, 0]);
    let unsupported_produce = framed(&[0, 0, 0, 99, 0, 0, 0, 9, 0, 0]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("random bytes", random),
        ("a body shorter than a request header", framed(&[0, 18])),
        ("a header whose body does not decode", truncated_metadata),
        ("a negative size", (-5i32).to_be_bytes().to_vec()),
        (
            "a size over the limit",
            (64 * 1024 * 1024i32).to_be_bytes().to_vec(),
        ),
        ("an unknown API key", unknown_api),
        ("an unsupported Produce version", unsupported_produce),
    ];
    for (what, bytes) in &cases {
        let (seen, _) = send_raw(broker.address(), bytes, wait);
        assert_eq!(seen, Seen::Closed, "{what}");
    }

    // Half a frame, then silence: cut after the frame timeout (500 ms).
    let (seen, took) = send_raw(broker.address(), &[0, 0, 1, 0, 0, 3, 0], wait);
    assert_eq!(seen, Seen::Closed, "half a frame");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(5),
        "cut after {took:?}"
    );

    // Half a frame, then the client closes its side: closed at once.
    let mut truncated = TcpStream::connect(broker.address()).expect("connects");
    truncated.set_read_timeout(Some(wait)).expect("timeout set");
    truncated
        .write_all(&[0, 0, 1, 0, 0, 3, 0, 1])
        .expect("sent");
    truncated
        .shutdown(std::net::Shutdown::Write)
        .expect("half closed");
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = truncated.read_to_end(&mut rest);
    assert!(
        rest.is_empty() && started.elapsed() < Duration::from_millis(400),
        "a truncated frame"
    );

    let mut stalled = TcpStream::connect(broker.address()).expect("connects");
    stalled.write_all(&[0, 0, 0, 50, 0, 3]).expect("sent");
    let more = messages(20, "more");
    kcat.produce(broker.address(), "kept", &more, &[]);
    let got: Vec<_> = kcat
        .consume(broker.address(), "kept")
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect();
    let expected: Vec<_> = kept.iter().chain(&more).cloned().collect();
    assert_eq!(
        got, expected,
        "the stored data is untouched and the broker still serves"
    );
    drop(stalled);
    let log = broker.stop();
    assert!(
        log.contains("closing connection"),
        "each closed connection is logged:\n{log}"
    );
}

/// A client that closes its connection with answers it did not read
/// resets it (as confluent-kafka's consumer does on `close()` while its
/// long-polling Fetch waits): it has simply gone. Neither the answer that
/// can no longer be written nor the reset seen while waiting for the next
/// request is a misbehaving client worth a warning.
#[test]
fn a_client_resetting_its_connection_is_logged_as_gone_not_as_misbehaving() {
    use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
    use kafka_protocol::messages::{ApiKey, FetchRequest, RequestKind};
    use support::{encode_request, name, request};

    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(&dir.path().join("data"), &[("RUST_LOG", "debug")]);
    let mut admin = slytherin_broker::admin::Admin::connect(broker.address()).expect("connects");
    admin
        .call(
            ApiKey::Metadata,
            12,
            &request(ApiKey::Metadata, 12, "quiet"),
        )
        .expect("the topic is created");
    let api_versions = framed(&encode_request(
        ApiKey::ApiVersions,
        3,
        1,
        &request(ApiKey::ApiVersions, 3, "quiet"),
    ));
    // Sends `frames`, waits for the first answer and closes without
    // reading it, which resets the connection; returns the client's address.
    let reset_after = |frames: &[u8]| {
        let mut stream = TcpStream::connect(broker.address()).expect("connects");
        stream.write_all(frames).expect("sent");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout set");
        stream.peek(&mut [0u8; 1]).expect("an answer");
        stream.local_addr().expect("an address")
    };

    // Between requests: the reset is the client's goodbye.
    let between = reset_after(&api_versions);
    // During a Fetch that waits for data (long enough for the close to
    // come first on a busy machine): its answer has nowhere to go.
    let fetch = RequestKind::Fetch(
        FetchRequest::default()
            .with_max_wait_ms(2000)
            .with_min_bytes(1)
            .with_max_bytes(1 << 20)
            .with_topics(vec![FetchTopic::default()
                .with_topic(name("quiet"))
                .with_partitions(vec![FetchPartition::default()
                    .with_partition(0)
                    .with_partition_max_bytes(1 << 20)])]),
    );
    let mut frames = api_versions.clone();
    frames.extend(framed(&encode_request(ApiKey::Fetch, 11, 2, &fetch)));
    let during = reset_after(&frames);

    wait_until(
        "both connections to be seen closed",
        Duration::from_secs(10),
        &|| broker.log(),
        || {
            let log = broker.log();
            log.contains(&format!("connection closed by the client peer={between}"))
                && log.contains(&format!(
                    "connection closed by the client before its answer peer={during}"
                ))
        },
    );
    let log = broker.stop();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(" WARN ") && !line.contains("shutting down"))
        .collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n"));
}

#[test]
fn api_versions_at_an_unknown_version_answers_unsupported_version_in_v0() {
    use kafka_protocol::messages::{ApiVersionsResponse, ResponseHeader};
    use kafka_protocol::protocol::Decodable;

    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(&dir.path().join("data"), &[]);
    // ApiVersions v42, correlation ID 7, a flexible-looking header.
    let request = framed(&[0, 18, 0, 42, 0, 0, 0, 7, 0, 3, b'c', b'l', b'i', 0]);
    let mut stream = TcpStream::connect(broker.address()).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout set");
    stream.write_all(&request).expect("sent");
    let mut size = [0u8; 4];
    stream.read_exact(&mut size).expect("an answer");
    let mut body = vec![0u8; i32::from_be_bytes(size) as usize];
    stream.read_exact(&mut body).expect("the whole answer");
    let mut body = bytes::Bytes::from(body);
    let header = ResponseHeader::decode(&mut body, 0).expect("a v0 response header");
    assert_eq!(header.correlation_id, 7);
    let answer = ApiVersionsResponse::decode(&mut body, 0).expect("a v0 ApiVersions body");
    assert_eq!(answer.error_code, 35, "UNSUPPORTED_VERSION");
    let api_versions = answer
        .api_keys
        .iter()
        .find(|k| k.api_key == 18)
        .expect("ApiVersions listed");
    assert_eq!((api_versions.min_version, api_versions.max_version), (0, 3));
    broker.stop();
}

#[test]
fn a_consumer_group_of_two_rebalances_when_one_leaves_and_loses_and_repeats_nothing() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [("SLYTHERIN_DEFAULT_PARTITIONS", "2")];
    let broker = BrokerProcess::start(&dir.path().join("data"), &env);
    let address = broker.address();
    let limit = Duration::from_secs(60);
    // Auto-commit runs every 5 s; a rebalance before a commit hands the
    // next owner uncommitted messages again (at-least-once, as in Kafka),
    // so each step waits for the commits before changing the group.
    let committed = |total: i64| {
        move || {
            committed_offsets(address, "readers", "grouped", 2)
                .iter()
                .sum::<i64>()
                == total
        }
    };
    let mut sent = messages(100, "one");
    kcat.produce(address, "grouped", &sent, &[]);

    let first = kcat.group_consumer(address, "readers", "grouped", &dir.path().join("first"));
    let context = || format!("first member:\n{}\nbroker:\n{}", first.log(), broker.log());
    wait_until(
        "the first member to read everything",
        limit,
        &context,
        || first.consumed().len() == 100,
    );
    wait_until("the first member's commit", limit, &context, committed(100));

    let second = kcat.group_consumer(address, "readers", "grouped", &dir.path().join("second"));
    let context = || {
        let (a, b) = (first.consumed(), second.consumed());
        format!(
            "first member ({} read: {:?}…):\n{}\nsecond member ({} read: {:?}…):\n{}\nbroker:\n{}",
            a.len(),
            a.iter().take(3).collect::<Vec<_>>(),
            first.log(),
            b.len(),
            b.iter().take(3).collect::<Vec<_>>(),
            second.log(),
            broker.log()
        )
    };
    wait_until(
        "the second member to get a partition",
        limit,
        &context,
        || second.assignments() >= 1,
    );
    wait_until(
        "the first member to be assigned again",
        limit,
        &context,
        || first.assignments() >= 2,
    );
    let more = messages(100, "two");
    kcat.produce(address, "grouped", &more, &[]);
    sent.extend(more);
    wait_until(
        "both members to read the new messages",
        limit,
        &context,
        || first.consumed().len() + second.consumed().len() == 200,
    );
    assert!(
        !second.consumed().is_empty(),
        "the second member got a share:\n{}",
        context()
    );
    wait_until("both members' commits", limit, &context, committed(200));

    let second_read = second.consumed();
    let second_log = second.log();
    second.stop();
    let context = || format!("first member:\n{}\nbroker:\n{}", first.log(), broker.log());
    wait_until("the first member to take over", limit, &context, || {
        first.assignments() >= 3
    });
    let last = messages(100, "three");
    kcat.produce(address, "grouped", &last, &[]);
    sent.extend(last);
    wait_until("the first member to read the rest", limit, &context, || {
        first.consumed().len() + second_read.len() == 300
    });

    let mut all: Vec<_> = first.consumed().into_iter().chain(second_read).collect();
    all.sort();
    let positions: std::collections::BTreeSet<_> =
        all.iter().map(|(p, o, _, _)| (*p, *o)).collect();
    assert_eq!(
        positions.len(),
        all.len(),
        "no message was consumed twice:\n{}\n{second_log}",
        context()
    );
    let mut got: Vec<_> = all.into_iter().map(|(_, _, k, v)| (k, v)).collect();
    got.sort();
    sent.sort();
    assert_eq!(got, sent, "every message was consumed");
    first.stop();
    broker.stop();
}

#[test]
fn slytherin_topics_creates_lists_describes_and_deletes() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(
        &dir.path().join("data"),
        &[("SLYTHERIN_AUTO_CREATE_TOPICS", "false")],
    );
    let topics = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_slytherin"))
            .args(["topics", "--broker", &broker.address().to_string()])
            .args(args)
            .output()
            .expect("slytherin topics runs");
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.success(), text)
    };
    let (ok, text) = topics(&[
        "create",
        "events",
        "--partitions",
        "3",
        "--config",
        "retention.ms=60000",
    ]);
    assert!(ok, "{text}");
    let (ok, text) = topics(&["create", "events"]);
    assert!(!ok && text.contains("TopicAlreadyExists"), "{text}");
    let (ok, text) = topics(&["create", "bad/name"]);
    assert!(!ok && text.contains("InvalidTopicException"), "{text}");

    kcat.produce(broker.address(), "events", &messages(30, "e"), &[]);
    let (ok, text) = topics(&["list"]);
    assert!(ok && text.contains("events\t3 partitions"), "{text}");
    let (ok, text) = topics(&["describe", "events"]);
    assert!(ok && text.contains("events: 3 partitions"), "{text}");
    let total: i64 = text
        .lines()
        .filter_map(|l| l.split('(').nth(1)?.split(' ').next()?.parse::<i64>().ok())
        .sum();
    assert_eq!(total, 30, "{text}");

    let (ok, text) = topics(&["delete", "events"]);
    assert!(ok, "{text}");
    let (ok, text) = topics(&["list"]);
    assert!(ok && !text.contains("events"), "{text}");
    let (ok, text) = topics(&["describe", "events"]);
    assert!(!ok && text.contains("UnknownTopicOrPartition"), "{text}");
    broker.stop();
}

#[test]
fn batches_in_every_librdkafka_codec_are_stored_and_served_unchanged() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(&dir.path().join("data"), &[]);
    for codec in ["gzip", "snappy", "lz4", "zstd"] {
        let topic = format!("compressed-{codec}");
        let sent = messages(200, codec);
        kcat.produce(broker.address(), &topic, &sent, &["-z", codec]);
        let got: Vec<_> = kcat
            .consume(broker.address(), &topic)
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect();
        assert_eq!(got, sent, "{codec}");
    }
    broker.stop();
}

#[test]
fn committed_offsets_survive_a_restart() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let broker = BrokerProcess::start(&data, &[]);
    let limit = Duration::from_secs(60);
    kcat.produce(broker.address(), "resumed", &messages(50, "before"), &[]);
    let reader = kcat.group_consumer(
        broker.address(),
        "resumers",
        "resumed",
        &dir.path().join("before"),
    );
    let address = broker.address();
    let context = || reader.log();
    wait_until("the reader to read everything", limit, &context, || {
        reader.consumed().len() == 50
    });
    wait_until("its commit", limit, &context, || {
        committed_offsets(address, "resumers", "resumed", 1) == [50]
    });
    reader.stop();
    broker.stop();

    let broker = BrokerProcess::start(&data, &[]);
    assert_eq!(
        committed_offsets(broker.address(), "resumers", "resumed", 1),
        [50]
    );
    let after = messages(10, "after");
    kcat.produce(broker.address(), "resumed", &after, &[]);
    let reader = kcat.group_consumer(
        broker.address(),
        "resumers",
        "resumed",
        &dir.path().join("after"),
    );
    let context = || reader.log();
    wait_until(
        "the reader to read the new messages",
        limit,
        &context,
        || reader.consumed().len() >= 10,
    );
    std::thread::sleep(Duration::from_millis(500));
    let got: Vec<_> = reader
        .consumed()
        .into_iter()
        .map(|(_, o, k, v)| (o, k, v))
        .collect();
    let expected: Vec<_> = after
        .iter()
        .enumerate()
        .map(|(i, (k, v))| (50 + i as i64, k.clone(), v.clone()))
        .collect();
    assert_eq!(got, expected, "only what came after the commit");
    let listing = kcat.run(broker.address(), &["-L"], b"");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("__consumer_offsets"),
        "the offsets topic is listed:\n{listing}"
    );
    reader.stop();
    broker.stop();
}

/// GETs `path` from `address` and returns the response.
fn http_get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout set");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    answer
}

#[test]
fn metrics_show_requests_bytes_partition_offsets_and_consumer_lag() {
    let Some(kcat) = kcat() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let broker = BrokerProcess::start(
        &dir.path().join("data"),
        &[("SLYTHERIN_METRICS_LISTEN", "127.0.0.1:0")],
    );
    let log = broker.log();
    let metrics = log
        .split("metrics on http://")
        .nth(1)
        .and_then(|rest| rest.split("/metrics").next())
        .unwrap_or_else(|| panic!("the metrics address is logged:\n{log}"))
        .to_owned();
    kcat.produce(broker.address(), "measured", &messages(100, "m"), &[]);
    let reader = kcat.group_consumer(
        broker.address(),
        "watchers",
        "measured",
        &dir.path().join("reader"),
    );
    let address = broker.address();
    let context = || reader.log();
    wait_until(
        "the reader's commit",
        Duration::from_secs(60),
        &context,
        || committed_offsets(address, "watchers", "measured", 1) == [100],
    );
    kcat.produce(broker.address(), "measured", &messages(7, "more"), &[]);
    reader.stop();

    let page = http_get(&metrics, "/metrics");
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    let value = |line_start: &str| -> f64 {
        page.lines()
            .find_map(|l| l.strip_prefix(line_start)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {line_start} in\n{page}"))
    };
    assert!(value("slytherin_request_duration_seconds_count{api=\"Produce\"}") >= 2.0);
    assert!(value("slytherin_request_duration_seconds_count{api=\"Fetch\"}") >= 1.0);
    assert!(value("slytherin_produced_bytes_total") > 1000.0);
    assert!(value("slytherin_fetched_bytes_total") > 1000.0);
    assert_eq!(
        value("slytherin_partition_log_end_offset{topic=\"measured\",partition=\"0\"}"),
        107.0
    );
    assert!(value("slytherin_partition_size_bytes{topic=\"measured\",partition=\"0\"}") > 1000.0);
    // The reader committed 100 and left; 7 more arrived after.
    let lag =
        value("slytherin_consumer_lag{group=\"watchers\",topic=\"measured\",partition=\"0\"}");
    assert!(lag == 7.0 || lag == 0.0, "lag {lag}");
    assert!(http_get(&metrics, "/elsewhere").starts_with("HTTP/1.1 404"));

    let groups = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_slytherin"))
            .args(["groups", "--broker", &broker.address().to_string()])
            .args(args)
            .output()
            .expect("slytherin groups runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let listing = groups(&["list"]);
    assert!(listing.contains("watchers\tEmpty"), "{listing}");
    let description = groups(&["describe", "watchers"]);
    let row: Vec<&str> = description
        .lines()
        .find(|l| l.trim_start().starts_with("measured "))
        .unwrap_or_else(|| panic!("a row for the topic:\n{description}"))
        .split_whitespace()
        .collect();
    let committed: i64 = row[2].parse().expect("committed");
    assert_eq!((row[1], row[3]), ("0", "107"), "{description}");
    assert_eq!(
        row[4].parse::<i64>().expect("lag"),
        107 - committed,
        "{description}"
    );
    broker.stop();
}

#[test]
fn a_data_folder_in_use_is_refused_to_a_second_broker_and_to_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let broker = BrokerProcess::start(&data, &[]);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_slytherin"))
            .args(args)
            .arg("--data")
            .arg(&data)
            .env("SLYTHERIN_LISTEN", "127.0.0.1:0")
            .output()
            .expect("slytherin runs")
    };
    for args in [&["serve"][..], &["verify", "anything"][..]] {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{args:?} must not run on a folder in use"
        );
        assert!(
            stderr.contains("is in use by another slytherin process"),
            "{args:?}: {stderr}"
        );
    }
    broker.stop();
    let output = run(&["verify", "anything"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no topic \"anything\""),
        "the folder is free once the broker stops: {stderr}"
    );
}
