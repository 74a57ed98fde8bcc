//! Helpers for the tests that run the `slytherin` binary and talk to it
//! with real clients: a broker process that is killed when dropped, and
//! kcat, installed on demand.

#![allow(dead_code, missing_docs)]

/// Record batches from an independent encoder, shared with the storage tests.
#[path = "../common/mod.rs"]
pub mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `slytherin serve` process on 127.0.0.1 with a free port; killed on drop.
pub struct BrokerProcess {
    child: Option<Child>,
    address: SocketAddr,
    log: PathBuf,
    data: PathBuf,
    env: Vec<(String, String)>,
}

impl BrokerProcess {
    /// Starts the broker on `data`; `env` adds `SLYTHERIN_*` settings.
    pub fn start(data: &Path, env: &[(&str, &str)]) -> BrokerProcess {
        Self::start_at(data, env, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Starts the broker on `data` listening on `listen` (port 0: a free
    /// one); `env` adds `SLYTHERIN_*` settings.
    pub fn start_at(data: &Path, env: &[(&str, &str)], listen: SocketAddr) -> BrokerProcess {
        let run = data.with_extension(format!("run-{}", unique()));
        std::fs::create_dir_all(&run).expect("a folder for the run's files");
        let address_file = run.join("address");
        let log = run.join("broker.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_slytherin"));
        command
            .args(["serve", "--listen", &listen.to_string(), "--data"])
            .arg(data)
            .arg("--address-file")
            .arg(&address_file)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("a log file"));
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("the slytherin binary starts");
        let mut broker = BrokerProcess {
            child: Some(child),
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
            data: data.to_owned(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(text) = std::fs::read_to_string(&address_file) {
                broker.address = text
                    .trim()
                    .parse()
                    .expect("the address file holds an address");
                return broker;
            }
            if let Some(status) = broker
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "the broker exited with {status} before listening:\n{}",
                    broker.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the broker did not listen within 20 s:\n{}",
                broker.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The broker's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the broker with SIGTERM (a graceful shutdown) and checks it
    /// exits successfully.
    pub fn stop(mut self) -> String {
        let mut child = self.child.take().expect("running");
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM sent");
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().expect("waitable") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "the broker did not stop within 20 s of SIGTERM:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let log = self.log();
        assert!(status.success(), "the broker exited with {status}:\n{log}");
        log
    }

    /// Stops the broker as [`BrokerProcess::stop`] does and starts it again
    /// on the same data, address and settings, so that running clients
    /// reconnect to it.
    pub fn restart(self) -> BrokerProcess {
        let (data, env, address) = (self.data.clone(), self.env.clone(), self.address);
        self.stop();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        BrokerProcess::start_at(&data, &env, address)
    }

    /// Kills the broker with SIGKILL: no shutdown, no flush, like a crash.
    pub fn kill_hard(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }
}

impl Drop for BrokerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// kcat and bounded child processes: installed on demand, run with a time
/// limit, a group member.
pub mod kcat_tool;
#[allow(unused_imports)] // not every test binary uses each of them
pub use kcat_tool::{kcat, run_bounded, Background, GroupConsumer, Kcat};

/// The offsets `group` has committed for partitions `0..partitions` of
/// `topic` (-1 where none), asked over the protocol.
pub fn committed_offsets(
    broker: SocketAddr,
    group: &str,
    topic: &str,
    partitions: i32,
) -> Vec<i64> {
    use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
    let request = RequestKind::OffsetFetch(
        OffsetFetchRequest::default()
            .with_group_id(GroupId(StrBytes::from(group.to_owned())))
            .with_topics(Some(vec![OffsetFetchRequestTopic::default()
                .with_name(name(topic))
                .with_partition_indexes((0..partitions).collect())])),
    );
    let mut admin = slytherin_broker::admin::Admin::connect(broker).expect("connects");
    match admin
        .call(ApiKey::OffsetFetch, 5, &request)
        .expect("an OffsetFetch answer")
    {
        ResponseKind::OffsetFetch(answer) => answer.topics[0]
            .partitions
            .iter()
            .map(|p| p.committed_offset)
            .collect(),
        other => panic!("an OffsetFetch request got {other:?}"),
    }
}

/// Waits until `ready` holds, failing the test after `limit` with `what`
/// and what `context` says (logs, typically).
pub fn wait_until(
    what: &str,
    limit: Duration,
    context: &dyn Fn() -> String,
    mut ready: impl FnMut() -> bool,
) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "gave up after {limit:?} waiting for {what}:\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `n` keyed messages: `key-i`, `value-i-…` (varying lengths).
pub fn messages(n: usize, tag: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("key-{i}"),
                format!("{tag}-{i}-{}", "x".repeat(i % 37)),
            )
        })
        .collect()
}

/// A broker in this process on a fresh storage in `dir` (no sockets): for
/// tests that call [`slytherin_broker::server::Broker::handle`] directly.
/// Appends are not synced, which keeps fuzzing fast.
pub fn in_process_broker(dir: &Path) -> std::sync::Arc<slytherin_broker::server::Broker> {
    use slytherin_broker::config::BrokerConfig;
    use slytherin_broker::server::{Broker, Settings};
    use slytherin_broker::storage::{Durability, Storage, SystemClock};
    let mut config = BrokerConfig::default();
    config.log.durability = Durability::None;
    let storage = Storage::open(dir, std::sync::Arc::new(SystemClock)).expect("storage opens");
    Broker::new(storage, Settings::from_config(&config)).expect("the broker starts")
}

/// The address in-process requests pretend to arrive on.
pub const LOCAL: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9092);

/// A request frame body (no size prefix), encoded by `kafka-protocol`.
pub fn encode_request(
    api: kafka_protocol::messages::ApiKey,
    version: i16,
    correlation_id: i32,
    body: &kafka_protocol::messages::RequestKind,
) -> Vec<u8> {
    slytherin_broker::protocol::encode_request(api, version, correlation_id, "slytherin", body)
        .expect("the request encodes")
}

/// Decodes an answer: its correlation ID and body.
pub fn decode_answer(
    outcome: slytherin_broker::server::Outcome,
    api: kafka_protocol::messages::ApiKey,
    version: i16,
) -> (i32, kafka_protocol::messages::ResponseKind) {
    let slytherin_broker::server::Outcome::Respond(framed) = outcome else {
        panic!("{api:?} v{version}: expected an answer, got {outcome:?}");
    };
    let body = bytes::Bytes::from(framed.to_vec()).split_off(4);
    slytherin_broker::protocol::decode_response(api, version, body)
        .unwrap_or_else(|e| panic!("{e}"))
}

use bytes::Bytes;
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::delete_topics_request::DeleteTopicState;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DescribeGroupsRequest,
    FetchRequest, FindCoordinatorRequest, GroupId, HeartbeatRequest, InitProducerIdRequest,
    JoinGroupRequest, LeaveGroupRequest, ListGroupsRequest, ListOffsetsRequest, MetadataRequest,
    OffsetCommitRequest, OffsetFetchRequest, ProduceRequest, ProducerId, RequestKind, ResponseKind,
    SyncGroupRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;

pub fn name(topic: &str) -> TopicName {
    TopicName(StrBytes::from(topic.to_owned()))
}

/// A well-formed request of `api` at `version` touching `topic`.
pub fn request(api: ApiKey, version: i16, topic: &str) -> RequestKind {
    match api {
        ApiKey::ApiVersions => RequestKind::ApiVersions(ApiVersionsRequest::default()),
        ApiKey::Metadata => RequestKind::Metadata(
            MetadataRequest::default()
                .with_topics(Some(vec![
                    MetadataRequestTopic::default().with_name(Some(name(topic)))
                ]))
                .with_allow_auto_topic_creation(true),
        ),
        ApiKey::Produce => {
            produce_request(topic, common::simple_batch(3, 1_000, 10, version as u64))
        }
        ApiKey::Fetch => RequestKind::Fetch(
            FetchRequest::default()
                .with_max_wait_ms(0)
                .with_max_bytes(1 << 20)
                .with_topics(vec![FetchTopic::default()
                    .with_topic(name(topic))
                    .with_partitions(vec![FetchPartition::default()
                        .with_partition(0)
                        .with_partition_max_bytes(1 << 20)])]),
        ),
        ApiKey::ListOffsets => {
            RequestKind::ListOffsets(ListOffsetsRequest::default().with_topics(vec![
            ListOffsetsTopic::default().with_name(name(topic)).with_partitions(vec![
                ListOffsetsPartition::default().with_partition_index(0).with_timestamp(-1),
                ListOffsetsPartition::default().with_partition_index(0).with_timestamp(-2),
                ListOffsetsPartition::default().with_partition_index(0).with_timestamp(0),
            ]),
        ]))
        }
        ApiKey::CreateTopics => {
            RequestKind::CreateTopics(CreateTopicsRequest::default().with_topics(vec![
            CreatableTopic::default()
                .with_name(name(&format!("{topic}-created")))
                .with_num_partitions(2)
                .with_replication_factor(1),
        ]))
        }
        ApiKey::DeleteTopics => {
            let doomed = name(&format!("{topic}-created"));
            let body = if version >= 6 {
                DeleteTopicsRequest::default()
                    .with_topics(vec![DeleteTopicState::default().with_name(Some(doomed))])
            } else {
                DeleteTopicsRequest::default().with_topic_names(vec![doomed])
            };
            RequestKind::DeleteTopics(body)
        }
        ApiKey::InitProducerId => RequestKind::InitProducerId(
            InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_transaction_timeout_ms(60_000)
                .with_producer_id(ProducerId(-1))
                .with_producer_epoch(-1),
        ),
        other => panic!("no test request for {other:?}"),
    }
}

/// One step of a consumer's life in a group, with what earlier answers
/// told it.
pub fn group_request(
    api: ApiKey,
    version: i16,
    group: &str,
    member: &str,
    generation: i32,
) -> RequestKind {
    use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
    use kafka_protocol::messages::leave_group_request::MemberIdentity;
    use kafka_protocol::messages::offset_commit_request::{
        OffsetCommitRequestPartition, OffsetCommitRequestTopic,
    };
    use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
    use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
    let group_id = GroupId(StrBytes::from(group.to_owned()));
    let member_id = StrBytes::from(member.to_owned());
    match api {
        ApiKey::FindCoordinator => RequestKind::FindCoordinator(
            FindCoordinatorRequest::default().with_key(StrBytes::from(group.to_owned())),
        ),
        ApiKey::JoinGroup => RequestKind::JoinGroup(
            JoinGroupRequest::default()
                .with_group_id(group_id)
                .with_session_timeout_ms(10_000)
                .with_rebalance_timeout_ms(10_000)
                .with_member_id(member_id)
                .with_protocol_type(StrBytes::from_static_str("consumer"))
                .with_protocols(vec![JoinGroupRequestProtocol::default()
                    .with_name(StrBytes::from_static_str("range"))
                    .with_metadata(Bytes::from_static(b"subscription"))]),
        ),
        ApiKey::SyncGroup => {
            let body = SyncGroupRequest::default()
                .with_group_id(group_id)
                .with_generation_id(generation)
                .with_member_id(member_id.clone())
                .with_assignments(vec![SyncGroupRequestAssignment::default()
                    .with_member_id(member_id)
                    .with_assignment(Bytes::from_static(b"assignment"))]);
            let body = if version >= 5 {
                body.with_protocol_type(Some(StrBytes::from_static_str("consumer")))
                    .with_protocol_name(Some(StrBytes::from_static_str("range")))
            } else {
                body
            };
            RequestKind::SyncGroup(body)
        }
        ApiKey::Heartbeat => RequestKind::Heartbeat(
            HeartbeatRequest::default()
                .with_group_id(group_id)
                .with_generation_id(generation)
                .with_member_id(member_id),
        ),
        ApiKey::OffsetCommit => RequestKind::OffsetCommit(
            OffsetCommitRequest::default()
                .with_group_id(group_id)
                .with_generation_id_or_member_epoch(generation)
                .with_member_id(member_id)
                .with_topics(vec![OffsetCommitRequestTopic::default()
                    .with_name(name("committed"))
                    .with_partitions(vec![OffsetCommitRequestPartition::default()
                        .with_partition_index(0)
                        .with_committed_offset(42)])]),
        ),
        ApiKey::OffsetFetch => RequestKind::OffsetFetch(
            OffsetFetchRequest::default()
                .with_group_id(group_id)
                .with_topics(Some(vec![OffsetFetchRequestTopic::default()
                    .with_name(name("committed"))
                    .with_partition_indexes(vec![0])])),
        ),
        ApiKey::LeaveGroup => {
            let body = if version >= 3 {
                LeaveGroupRequest::default()
                    .with_group_id(group_id)
                    .with_members(vec![MemberIdentity::default().with_member_id(member_id)])
            } else {
                LeaveGroupRequest::default()
                    .with_group_id(group_id)
                    .with_member_id(member_id)
            };
            RequestKind::LeaveGroup(body)
        }
        ApiKey::ListGroups => RequestKind::ListGroups(ListGroupsRequest::default()),
        ApiKey::DescribeGroups => RequestKind::DescribeGroups(
            DescribeGroupsRequest::default().with_groups(vec![group_id]),
        ),
        other => panic!("not a group API: {other:?}"),
    }
}

/// The consumer-group APIs, in the order a consumer uses them.
pub const GROUP_APIS: [ApiKey; 9] = [
    ApiKey::FindCoordinator,
    ApiKey::JoinGroup,
    ApiKey::SyncGroup,
    ApiKey::Heartbeat,
    ApiKey::ListGroups,
    ApiKey::DescribeGroups,
    ApiKey::OffsetCommit,
    ApiKey::OffsetFetch,
    ApiKey::LeaveGroup,
];

/// An acks=all Produce of `batch` to partition 0 of `topic`.
pub fn produce_request(topic: &str, batch: impl Into<Bytes>) -> RequestKind {
    let partition = PartitionProduceData::default()
        .with_index(0)
        .with_records(Some(batch.into()));
    let topic = TopicProduceData::default()
        .with_name(name(topic))
        .with_partition_data(vec![partition]);
    RequestKind::Produce(
        ProduceRequest::default()
            .with_acks(-1)
            .with_timeout_ms(30_000)
            .with_topic_data(vec![topic]),
    )
}

/// The error code and base offset of the first partition of a Produce
/// answer.
pub fn produce_outcome(answer: &ResponseKind) -> (i16, i64) {
    let ResponseKind::Produce(answer) = answer else {
        panic!("not a produce answer: {answer:?}")
    };
    let partition = &answer.responses[0].partition_responses[0];
    (partition.error_code, partition.base_offset)
}

/// The python of the environment `scripts/python-env.sh` makes (the
/// packages in `scripts/python-requirements.txt`, confluent-kafka among
/// them), made on first use.
pub fn python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/python-env.sh");
            let output = Command::new(&script)
                .output()
                .expect("scripts/python-env.sh runs");
            assert!(
                output.status.success(),
                "scripts/python-env.sh failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
        })
        .clone()
}
