//! The broker against confluent-kafka (librdkafka's Python binding, from
//! PyPI, in the environment `scripts/python-env.sh` makes): an idempotent
//! acks=all producer in every compression codec, a reader, and consumer
//! groups that commit explicitly, across a broker restart and a rebalance.
//! The client is `confluent/client.py`; it prints JSON lines, checked here.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;
use slytherin_broker::storage::batch::iter_batches;
use support::{
    committed_offsets, messages, python, run_bounded, wait_until, Background, BrokerProcess,
};

/// How long one client run may take, and how long a test waits for a
/// background member to get somewhere.
const LIMIT: Duration = Duration::from_secs(60);

/// The codecs librdkafka offers, with their IDs in a batch's attributes.
const CODECS: [(&str, u8); 4] = [("gzip", 1), ("snappy", 2), ("lz4", 3), ("zstd", 4)];

/// One line of the client's output. Some fields are only shown, in
/// the messages of failed assertions.
#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)]
enum Event {
    Delivered(Message),
    Failed {
        #[serde(flatten)]
        message: Message,
        error: String,
    },
    Flushed {
        sent: usize,
        undelivered: usize,
    },
    Message(Message),
    End {
        partitions: Vec<i32>,
    },
    Assigned {
        partitions: Vec<i32>,
    },
    Revoked {
        partitions: Vec<i32>,
    },
    /// Partitions taken away without a handover (the group no longer knows
    /// the member): not committed.
    Lost {
        partitions: Vec<i32>,
    },
    Committed {
        offsets: Vec<Committed>,
    },
    Closed,
    Error {
        error: String,
        fatal: bool,
    },
    Timeout,
}

/// A message where it was stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
struct Message {
    partition: i32,
    offset: i64,
    key: String,
    value: String,
}

/// A committed offset, as the client's commit reported it.
#[derive(Debug, Deserialize)]
struct Committed {
    partition: i32,
    offset: i64,
    error: Option<String>,
}

/// The events in a client's output so far (whole lines only: a background
/// client may be writing the last one).
fn events(stdout: &str) -> Vec<Event> {
    let whole = &stdout[..stdout.rfind('\n').map_or(0, |end| end + 1)];
    whole
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("the client printed {line:?}, not an event: {e}"))
        })
        .collect()
}

/// `events` for a failure message: each event but messages read or
/// delivered, which are counted per partition in between.
fn summary(events: &[Event]) -> String {
    let mut out = String::new();
    let mut counts: BTreeMap<(&str, i32), usize> = BTreeMap::new();
    for event in events {
        match event {
            Event::Message(m) => *counts.entry(("read", m.partition)).or_default() += 1,
            Event::Delivered(m) => *counts.entry(("delivered", m.partition)).or_default() += 1,
            _ => {
                if !counts.is_empty() {
                    out += &format!("  (what, partition): count {counts:?}\n");
                    counts.clear();
                }
                out += &format!("  {event:?}\n");
            }
        }
    }
    if !counts.is_empty() {
        out += &format!("  (what, partition): count {counts:?}\n");
    }
    out
}

/// The messages among `events`.
fn read_messages(events: &[Event]) -> Vec<Message> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Message(message) => Some(message.clone()),
            _ => None,
        })
        .collect()
}

/// The client with `args`, limited to `LIMIT` by itself too.
fn client(args: &[&str]) -> Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/confluent/client.py");
    let mut command = Command::new(python());
    command
        .arg(script)
        .args(["--seconds", &LIMIT.as_secs().to_string()])
        .args(args);
    command
}

/// Runs the client to its end and returns its events; fails the test if it
/// fails or reports an error.
fn run_client(args: &[&str], input: &[u8]) -> Vec<Event> {
    let output = run_bounded(&mut client(args), input, LIMIT + Duration::from_secs(10));
    let events = events(&String::from_utf8_lossy(&output.stdout));
    let report = format!(
        "client {args:?}:\n{}{}",
        summary(&events),
        tail(&String::from_utf8_lossy(&output.stderr))
    );
    assert!(
        output.status.success(),
        "exited with {}: {report}",
        output.status
    );
    assert_no_errors(&events, &report);
    events
}

/// The end of a client's log (librdkafka's messages), for a failure message.
fn tail(log: &str) -> &str {
    let start = log.len().saturating_sub(4000);
    let start = (start..log.len())
        .find(|&i| log.is_char_boundary(i))
        .unwrap_or(log.len());
    &log[start..]
}

/// Fails the test on an error event or a commit that failed.
fn assert_no_errors(events: &[Event], context: &str) {
    for event in events {
        match event {
            Event::Error { .. } | Event::Failed { .. } | Event::Lost { .. } | Event::Timeout => {
                panic!("{event:?} from {context}")
            }
            Event::Committed { offsets } => assert!(
                offsets.iter().all(|c| c.error.is_none()),
                "a failed commit: {event:?} from {context}"
            ),
            _ => {}
        }
    }
}

/// `sent` as the client's input: JSON lines.
fn input(sent: &[(String, String)]) -> String {
    sent.iter()
        .map(|(key, value)| serde_json::json!({"key": key, "value": value}).to_string() + "\n")
        .collect()
}

/// Produces `sent` to `topic` (acks=all, idempotent, in `codec`) and
/// returns the delivery reports in the order they came.
fn produce(
    broker: SocketAddr,
    topic: &str,
    codec: &str,
    sent: &[(String, String)],
) -> Vec<Message> {
    let events = run_client(
        &["produce", &broker.to_string(), topic, codec],
        input(sent).as_bytes(),
    );
    let flushed = events
        .iter()
        .filter(|e| matches!(e, Event::Flushed { sent: s, undelivered: 0 } if *s == sent.len()))
        .count();
    assert_eq!(
        flushed,
        1,
        "every message was sent and flushed:\n{}",
        summary(&events)
    );
    events
        .into_iter()
        .filter_map(|event| match event {
            Event::Delivered(message) => Some(message),
            _ => None,
        })
        .collect()
}

/// Every message of `topic`, read from the start to the end of each
/// partition, in the order read.
fn read_all(broker: SocketAddr, topic: &str) -> Vec<Message> {
    let events = run_client(&["read", &broker.to_string(), topic], b"");
    assert!(
        matches!(events.last(), Some(Event::End { .. })),
        "the reader reached the end:\n{}",
        summary(&events)
    );
    read_messages(&events)
}

/// Fails the test if the broker's log warns of anything but the
/// connections its shutdown closes: these clients behave, so nothing they
/// do is worth a warning.
fn assert_no_warnings(log: &str) {
    let warnings: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(" WARN ") || line.contains(" ERROR "))
        .filter(|line| !line.contains("reason=the broker is shutting down"))
        .collect();
    assert!(warnings.is_empty(), "warnings:\n{}", warnings.join("\n"));
}

/// Every batch stored in partition 0 of `topic` under `data`, in order.
fn stored_batches(data: &Path, topic: &str) -> Vec<slytherin_broker::storage::batch::BatchHeader> {
    let dir = data.join(topic).join("0");
    let mut segments: Vec<_> = std::fs::read_dir(&dir)
        .expect("the partition's folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "log"))
        .collect();
    segments.sort();
    let mut headers = Vec::new();
    for segment in segments {
        let bytes = std::fs::read(&segment).expect("a segment");
        for batch in iter_batches(&bytes) {
            headers.push(batch.expect("stored bytes are batches").0);
        }
    }
    headers
}

#[test]
fn an_idempotent_acks_all_producer_in_every_codec_is_stored_once_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let broker = BrokerProcess::start(&data, &[]);
    let count = 2000;
    for (codec, _) in CODECS {
        let topic = format!("confluent-{codec}");
        let sent = messages(count, codec);
        let expected: Vec<Message> = sent
            .iter()
            .enumerate()
            .map(|(i, (key, value))| Message {
                partition: 0,
                offset: i as i64,
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        let delivered = produce(broker.address(), &topic, codec, &sent);
        assert_eq!(
            delivered, expected,
            "{codec}: one delivery report per message, offsets contiguous in the order sent"
        );
        let read = read_all(broker.address(), &topic);
        assert_eq!(read, expected, "{codec}: read back in order, once each");
    }
    assert_no_warnings(&broker.stop());

    // What the broker stored: the producer's batches as they were sent, in
    // the codec, each carrying the producer ID and continuing its sequence.
    for (codec, id) in CODECS {
        let batches = stored_batches(&data, &format!("confluent-{codec}"));
        assert!(
            batches.len() < count,
            "{codec}: batches of several records ({} batches)",
            batches.len()
        );
        let mut next = 0;
        for batch in &batches {
            assert_eq!(batch.compression(), id, "{codec}: {batch:?}");
            assert!(batch.producer_id >= 0, "{codec}: idempotent: {batch:?}");
            assert_eq!(batch.producer_id, batches[0].producer_id, "{codec}");
            assert_eq!(
                (i64::from(batch.base_sequence), batch.base_offset),
                (next, next),
                "{codec}: sequences and offsets continue: {batch:?}"
            );
            next = batch.next_offset();
        }
        assert_eq!(next, count as i64, "{codec}: every record stored once");
    }
}

/// The committed offset of each partition in `events` (the last commit of
/// each). A commit lists every assigned partition; those with nothing read
/// have an invalid offset (-1001) and are not committed.
fn committed(events: &[Event]) -> BTreeMap<i32, i64> {
    let mut offsets = BTreeMap::new();
    for event in events {
        if let Event::Committed { offsets: list } = event {
            for c in list.iter().filter(|c| c.offset >= 0) {
                offsets.insert(c.partition, c.offset);
            }
        }
    }
    offsets
}

/// Each partition's log end after the messages `delivered`.
fn log_ends(delivered: &[Message]) -> BTreeMap<i32, i64> {
    let mut ends = BTreeMap::new();
    for m in delivered {
        let end = ends.entry(m.partition).or_insert(0);
        *end = (*end).max(m.offset + 1);
    }
    ends
}

/// Checks that `read` holds, per partition, the offsets `from[p]..to[p]`
/// in order, each with the message the producer stored there.
fn assert_reads_span(
    read: &[Message],
    stored: &BTreeMap<(i32, i64), Message>,
    from: &BTreeMap<i32, i64>,
    to: &BTreeMap<i32, i64>,
    what: &str,
) {
    for (&partition, &end) in to {
        let start = from.get(&partition).copied().unwrap_or(0);
        let got: Vec<_> = read.iter().filter(|m| m.partition == partition).collect();
        let expected: Vec<_> = (start..end)
            .map(|offset| &stored[&(partition, offset)])
            .collect();
        assert_eq!(got, expected, "{what}: partition {partition}");
    }
}

#[test]
fn a_group_resumes_right_after_its_committed_offsets_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let env = [("SLYTHERIN_DEFAULT_PARTITIONS", "3")];
    let broker = BrokerProcess::start(&data, &env);
    let (topic, group) = ("resumed", "resumers");
    let sent = messages(300, "resume");
    let delivered = produce(broker.address(), topic, "lz4", &sent);
    assert_eq!(delivered.len(), sent.len());
    let stored: BTreeMap<(i32, i64), Message> = delivered
        .iter()
        .map(|m| ((m.partition, m.offset), m.clone()))
        .collect();
    let ends = log_ends(&delivered);
    assert_eq!(
        ends.len(),
        3,
        "the keys spread over the partitions: {ends:?}"
    );

    let first = run_client(
        &[
            "group",
            &broker.address().to_string(),
            group,
            topic,
            "--take",
            "120",
        ],
        b"",
    );
    let first_read = read_messages(&first);
    assert_eq!(first_read.len(), 120, "{}", summary(&first));
    let mut consumed_to = BTreeMap::new();
    for m in &first_read {
        consumed_to.insert(m.partition, m.offset + 1);
    }
    assert_reads_span(
        &first_read,
        &stored,
        &BTreeMap::new(),
        &consumed_to,
        "first",
    );
    let first_committed = committed(&first);
    assert_eq!(
        first_committed,
        consumed_to,
        "the commit is where the reading stopped:\n{}",
        summary(&first)
    );

    assert_no_warnings(&broker.stop());
    let broker = BrokerProcess::start(&data, &env);
    let expected: Vec<i64> = (0..3)
        .map(|p| first_committed.get(&p).copied().unwrap_or(-1))
        .collect();
    assert_eq!(
        committed_offsets(broker.address(), group, topic, 3),
        expected,
        "the commits survive the restart"
    );

    let second = run_client(
        &[
            "group",
            &broker.address().to_string(),
            group,
            topic,
            "--idle",
            "3",
        ],
        b"",
    );
    let second_read = read_messages(&second);
    assert_reads_span(
        &second_read,
        &stored,
        &first_committed,
        &ends,
        "after the restart",
    );
    assert_eq!(
        first_read.len() + second_read.len(),
        sent.len(),
        "nothing lost, nothing read twice"
    );
    // A partition the first run read to its end has nothing new to commit.
    let mut now_committed = first_committed.clone();
    now_committed.extend(committed(&second));
    assert_eq!(now_committed, ends, "\n{}", summary(&second));

    // Commits are synced: a crash keeps them too.
    broker.kill_hard();
    let broker = BrokerProcess::start(&data, &env);
    assert_eq!(
        committed_offsets(broker.address(), group, topic, 3),
        ends.values().copied().collect::<Vec<_>>()
    );
    assert_no_warnings(&broker.stop());
}

/// A group member in the background.
struct Member {
    process: Background,
}

impl Member {
    /// Starts a member of `group` reading `topic` that uses the partition
    /// `assignment` strategy.
    fn start(
        broker: SocketAddr,
        group: &str,
        topic: &str,
        assignment: &str,
        files: &Path,
    ) -> Member {
        let broker = broker.to_string();
        let mut command = client(&["group", &broker, group, topic, "--assignment", assignment]);
        Member {
            process: Background::start(&mut command, files),
        }
    }

    fn events(&self) -> Vec<Event> {
        events(&self.process.stdout())
    }

    fn read(&self) -> Vec<Message> {
        read_messages(&self.events())
    }

    /// The partitions it holds now: those assigned and not revoked since.
    /// (An eager rebalance revokes all and assigns anew, a cooperative one
    /// only moves some.)
    fn partitions(&self) -> Vec<i32> {
        let mut held = BTreeSet::new();
        for event in self.events() {
            match event {
                Event::Assigned { partitions } => held.extend(partitions),
                Event::Revoked { partitions } | Event::Lost { partitions } => {
                    held.retain(|p| !partitions.contains(p))
                }
                _ => {}
            }
        }
        held.into_iter().collect()
    }

    fn report(&self, name: &str) -> String {
        format!(
            "{name}:\n{}{}",
            summary(&self.events()),
            tail(&self.process.stderr())
        )
    }

    /// Stops it (it commits what it read and leaves the group) and
    /// returns its events, errors included.
    fn stop(mut self, name: &str) -> Vec<Event> {
        let status = self.process.stop();
        assert!(
            status.success(),
            "{}\nexited with {status}",
            self.report(name)
        );
        let events = self.events();
        assert!(
            matches!(events.last(), Some(Event::Closed)),
            "{}",
            self.report(name)
        );
        events
    }
}

#[test]
fn two_members_split_the_partitions_and_hand_them_over_eagerly() {
    two_members_split_the_partitions_and_hand_them_over("range");
}

#[test]
fn two_members_split_the_partitions_and_hand_them_over_cooperatively() {
    two_members_split_the_partitions_and_hand_them_over("cooperative-sticky");
}

/// A member reads a topic of four partitions; a second joins and they split
/// them (the first commits what it read before giving any up); both read
/// new messages from their own partitions; the first leaves and the second
/// takes everything over from the first's commits. No message is lost or
/// read twice, and the group's commits end at the log ends.
fn two_members_split_the_partitions_and_hand_them_over(assignment: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [("SLYTHERIN_DEFAULT_PARTITIONS", "4")];
    let broker = BrokerProcess::start(&dir.path().join("data"), &env);
    let address = broker.address();
    let (topic, group) = ("shared", "sharers");
    let mut delivered = produce(address, topic, "zstd", &messages(100, "one"));

    let first = Member::start(address, group, topic, assignment, &dir.path().join("first"));
    let context = || format!("{}\nbroker:\n{}", first.report("first"), broker.log());
    wait_until(
        "the first member to read everything",
        LIMIT,
        &context,
        || first.partitions() == [0, 1, 2, 3] && first.read().len() == 100,
    );

    let second = Member::start(
        address,
        group,
        topic,
        assignment,
        &dir.path().join("second"),
    );
    let context = || {
        format!(
            "{}\n{}\nbroker:\n{}",
            first.report("first"),
            second.report("second"),
            broker.log()
        )
    };
    wait_until(
        "the members to split the partitions",
        LIMIT,
        &context,
        || {
            let (a, b) = (first.partitions(), second.partitions());
            a.len() == 2 && b.len() == 2 && a.iter().chain(&b).collect::<BTreeSet<_>>().len() == 4
        },
    );
    delivered.extend(produce(address, topic, "zstd", &messages(200, "two")));
    wait_until(
        "the members to read the new messages",
        LIMIT,
        &context,
        || first.read().len() + second.read().len() >= 300,
    );
    let second_partitions = second.partitions();
    assert!(
        second
            .read()
            .iter()
            .all(|m| second_partitions.contains(&m.partition)),
        "the second member read only its partitions:\n{}",
        context()
    );
    assert!(!second.read().is_empty(), "{}", context());

    let first_report = first.report("first");
    let first_events = first.stop("first");
    assert_no_errors(&first_events, &first_report);
    let context = || format!("{}\nbroker:\n{}", second.report("second"), broker.log());
    wait_until("the second member to take over", LIMIT, &context, || {
        second.partitions() == [0, 1, 2, 3]
    });
    delivered.extend(produce(address, topic, "zstd", &messages(100, "three")));
    let first_read = read_messages(&first_events);
    wait_until(
        "the second member to read the rest",
        LIMIT,
        &context,
        || first_read.len() + second.read().len() >= 400,
    );
    let second_report = second.report("second");
    let second_events = second.stop("second");
    assert_no_errors(&second_events, &second_report);

    // Every stored message was read by one member, once.
    let mut read: Vec<Message> = first_read
        .into_iter()
        .chain(read_messages(&second_events))
        .collect();
    read.sort();
    delivered.sort();
    assert_eq!(read, delivered, "every message read once");
    let ends = log_ends(&delivered);
    let expected: Vec<i64> = (0..4)
        .map(|p| ends.get(&p).copied().unwrap_or(-1))
        .collect();
    assert_eq!(
        committed_offsets(address, group, topic, 4),
        expected,
        "everything read is committed"
    );
    assert_no_warnings(&broker.stop());
}

/// Fails the test on a failed delivery or commit, a fatal error or a
/// timeout; errors that only say the broker could not be reached (while it
/// restarts) are expected.
fn assert_only_unreachable(events: &[Event], context: &str) {
    for event in events {
        match event {
            Event::Error { error, fatal } => assert!(
                !fatal && (error.contains("_TRANSPORT") || error.contains("_ALL_BROKERS_DOWN")),
                "{event:?} from {context}"
            ),
            Event::Failed { .. } | Event::Timeout => panic!("{event:?} from {context}"),
            Event::Committed { offsets } => assert!(
                offsets.iter().all(|c| c.error.is_none()),
                "a failed commit: {event:?} from {context}"
            ),
            _ => {}
        }
    }
}

#[test]
fn a_producer_and_a_group_member_ride_through_a_broker_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [("SLYTHERIN_DEFAULT_PARTITIONS", "2")];
    let broker = BrokerProcess::start(&dir.path().join("data"), &env);
    let address = broker.address();
    let (topic, group) = ("ridden", "riders");
    let mut delivered = produce(address, topic, "snappy", &messages(50, "before"));
    let member = Member::start(address, group, topic, "range", &dir.path().join("member"));
    let context = || format!("{}\nbroker:\n{}", member.report("member"), broker.log());
    wait_until(
        "the member to read the first messages",
        LIMIT,
        &context,
        || member.read().len() == 50,
    );

    // An idempotent producer sends a message every 10 ms (in batches of
    // what lingered) while the broker stops and starts again on the same
    // address: batches in flight at the stop are retried after it.
    let sent = messages(400, "during");
    let input_file = dir.path().join("producer.in");
    std::fs::write(&input_file, input(&sent)).expect("the producer's input");
    let mut command = client(&[
        "produce",
        &address.to_string(),
        topic,
        "snappy",
        "--interval",
        "0.01",
    ]);
    let mut producer = Background::start_with_input(
        &mut command,
        std::fs::File::open(&input_file).expect("the input").into(),
        &dir.path().join("producer"),
    );
    let delivered_so_far = |producer: &Background| {
        events(&producer.stdout())
            .iter()
            .filter(|e| matches!(e, Event::Delivered(_)))
            .count()
    };
    wait_until("the producer to be under way", LIMIT, &context, || {
        delivered_so_far(&producer) >= 100
    });
    let before_restart = delivered_so_far(&producer);
    let broker = broker.restart();
    assert!(
        before_restart < sent.len(),
        "the restart came while the producer was sending"
    );
    let status = producer.wait(LIMIT + Duration::from_secs(10));
    let producer_events = events(&producer.stdout());
    let producer_report = format!("{}{}", summary(&producer_events), tail(&producer.stderr()));
    assert!(
        status.success(),
        "the producer: {status}\n{producer_report}"
    );
    assert_only_unreachable(&producer_events, &producer_report);
    let during: Vec<Message> = producer_events
        .into_iter()
        .filter_map(|e| match e {
            Event::Delivered(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(during.len(), sent.len(), "{producer_report}");
    delivered.extend(during);
    delivered.sort();

    // Stored once each, and in each partition in the order sent.
    let stored = read_all(broker.address(), topic);
    let mut stored_sorted = stored.clone();
    stored_sorted.sort();
    assert_eq!(stored_sorted, delivered, "every message stored once");
    for partition in [0, 1] {
        let order: Vec<usize> = stored
            .iter()
            .filter(|m| m.partition == partition && m.value.starts_with("during-"))
            .map(|m| m.key["key-".len()..].parse().expect("a numbered key"))
            .collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "partition {partition} keeps the order sent: {order:?}"
        );
    }

    // The member, its membership kept across the restart, goes on where
    // it was: no rebalance, its partitions never lost, every message read
    // once.
    let context = || format!("{}\nbroker:\n{}", member.report("member"), broker.log());
    wait_until("the member to read everything", LIMIT, &context, || {
        member.read().iter().collect::<BTreeSet<_>>().len() == delivered.len()
    });
    let report = member.report("member");
    let member_events = member.stop("member");
    assert_only_unreachable(&member_events, &report);
    let rebalances: Vec<&Event> = member_events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Assigned { .. } | Event::Revoked { .. } | Event::Lost { .. }
            )
        })
        .collect();
    assert_eq!(
        rebalances.len(),
        2,
        "assigned once, revoked once on leaving: {rebalances:?}\n{report}"
    );
    let mut times_read: BTreeMap<(i32, i64), usize> = BTreeMap::new();
    for m in read_messages(&member_events) {
        *times_read.entry((m.partition, m.offset)).or_default() += 1;
    }
    assert!(times_read.values().all(|&n| n == 1), "{report}");
    let ends = log_ends(&delivered);
    assert_eq!(
        committed_offsets(broker.address(), group, topic, 2),
        ends.values().copied().collect::<Vec<_>>(),
        "the member committed everything it read"
    );
    assert_no_warnings(&broker.stop());
}
