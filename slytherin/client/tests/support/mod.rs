//! What the client tests share: a Slytherin broker in this process on
//! 127.0.0.1 with a free port, kcat, configurations with short timeouts,
//! and a proxy that can break a connection at a chosen moment.

#![allow(dead_code, missing_docs)]

pub mod proxy;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use slytherin_broker::config::BrokerConfig;
use slytherin_broker::server::Server;
use slytherin_broker::storage::Durability;
use slytherin_client::{Admin, ClientConfig, ConsumerConfig, NewTopic, ProducerConfig};

/// A broker serving on a free port of 127.0.0.1 from a fresh folder;
/// stopped (storage closed cleanly) on drop.
pub struct TestBroker {
    server: Option<Server>,
    _data: tempfile::TempDir,
}

impl TestBroker {
    pub fn start() -> TestBroker {
        let data = tempfile::tempdir().expect("a data folder");
        let mut config = BrokerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data: data.path().to_path_buf(),
            cores: Some(1),
            ..BrokerConfig::default()
        };
        config.log.durability = Durability::None;
        let server = Server::start(&config).expect("the broker starts");
        TestBroker {
            server: Some(server),
            _data: data,
        }
    }

    /// Stops the broker (as a shutdown would), leaving clients to find it
    /// gone.
    pub fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().expect("a clean stop");
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.server.as_ref().expect("running").address()
    }

    /// Client settings for this broker with short timeouts, so a test
    /// that goes wrong fails in seconds.
    pub fn client_config(&self) -> ClientConfig {
        client_config(self.address())
    }

    pub fn producer_config(&self) -> ProducerConfig {
        ProducerConfig::new(self.client_config())
    }

    pub fn consumer_config(&self) -> ConsumerConfig {
        consumer_config(self.client_config())
    }

    /// Creates `topic` with `partitions` partitions.
    pub async fn create_topic(&self, topic: &str, partitions: i32) {
        let admin = Admin::connect(self.client_config())
            .await
            .expect("admin connects");
        admin
            .create_topic(NewTopic::new(topic, partitions))
            .await
            .expect("the topic is created");
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.shutdown();
        }
    }
}

pub fn client_config(address: SocketAddr) -> ClientConfig {
    ClientConfig::new([address.to_string()])
        .with_client_id("client-tests")
        .with_timeouts(
            Duration::from_secs(5),
            Duration::from_secs(10),
            Duration::from_secs(20),
        )
}

/// A consumer configuration that reacts quickly to group changes.
pub fn consumer_config(client: ClientConfig) -> ConsumerConfig {
    let mut config = ConsumerConfig::new(client);
    config.fetch_max_wait = Duration::from_millis(100);
    config.session_timeout = Duration::from_secs(10);
    config.heartbeat_interval = Duration::from_millis(200);
    config.rebalance_timeout = Duration::from_secs(10);
    config
}

/// kcat, or `None` (the test is skipped) when `PARSELTONGUE_SKIP_KCAT=1`;
/// a missing kcat otherwise fails the test (scripts/test.sh installs it).
pub fn kcat() -> Option<Kcat> {
    if std::env::var("PARSELTONGUE_SKIP_KCAT").as_deref() == Ok("1") {
        eprintln!("skipped: PARSELTONGUE_SKIP_KCAT=1");
        return None;
    }
    let found = Command::new("kcat")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "kcat is needed (apt-get install kcat), or set PARSELTONGUE_SKIP_KCAT=1 to skip"
    );
    Some(Kcat)
}

/// Runs kcat.
pub struct Kcat;

impl Kcat {
    /// `kcat -b BROKER ARGS` fed `input`; fails the test after a minute.
    pub fn run(&self, broker: SocketAddr, args: &[&str], input: &[u8]) -> Output {
        let mut child = Command::new("kcat")
            .arg("-b")
            .arg(broker.to_string())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kcat starts");
        let mut stdin = child.stdin.take().expect("piped");
        let input = input.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let out = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stdout.read_to_end(&mut buf);
            buf
        });
        let err = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf);
            buf
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().expect("waitable") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kcat {args:?} did not finish within a minute");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let _ = feeder.join();
        let output = Output {
            status,
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        };
        assert!(
            output.status.success(),
            "kcat {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

/// A `kcat -G` group member in the background, its output in a file;
/// killed on drop.
pub struct KcatMember {
    child: std::process::Child,
    out: std::path::PathBuf,
    err: std::path::PathBuf,
    _files: tempfile::TempDir,
}

impl Kcat {
    /// Starts a member of `group` reading `topic` (from the beginning where
    /// nothing is committed).
    pub fn group_member(&self, broker: SocketAddr, group: &str, topic: &str) -> KcatMember {
        let files = tempfile::tempdir().expect("a folder");
        let out = files.path().join("out");
        let err = files.path().join("err");
        let child = Command::new("kcat")
            .arg("-b")
            .arg(broker.to_string())
            .args(["-u", "-G", group, "-X", "auto.offset.reset=earliest"])
            .args(["-f", "%p\t%o\t%k\t%s\n", topic])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("output file"))
            .stderr(std::fs::File::create(&err).expect("error file"))
            .spawn()
            .expect("kcat starts");
        KcatMember {
            child,
            out,
            err,
            _files: files,
        }
    }
}

impl KcatMember {
    /// What it read so far: (partition, offset, key, value).
    pub fn consumed(&self) -> Vec<(i32, i64, String, String)> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let mut f = line.split('\t');
                Some((
                    f.next()?.parse().ok()?,
                    f.next()?.parse().ok()?,
                    f.next()?.to_owned(),
                    f.next()?.to_owned(),
                ))
            })
            .collect()
    }

    /// Its log (assignments, errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }
}

impl Drop for KcatMember {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
