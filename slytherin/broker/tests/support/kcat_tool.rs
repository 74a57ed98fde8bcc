//! kcat (librdkafka) for tests: installed on demand, run with a time
//! limit, and kept running as a consumer-group member; and the bounded
//! child-process runs the other real clients use too. Shared by the
//! broker's tests and the client library's (`#[path]`), so both drive it
//! the same way.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a kcat run may take before the test fails.
const KCAT_TIMEOUT: Duration = Duration::from_secs(60);

/// kcat, installed with apt-get when missing and running as root. `None`
/// only when `PARSELTONGUE_SKIP_KCAT=1`; a missing kcat that cannot be
/// installed fails the test, so the client tests never skip silently.
pub fn kcat() -> Option<Kcat> {
    if std::env::var("PARSELTONGUE_SKIP_KCAT").as_deref() == Ok("1") {
        eprintln!("skipped: PARSELTONGUE_SKIP_KCAT=1");
        return None;
    }
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        if found("kcat") {
            return;
        }
        let root = nix::unistd::Uid::effective().is_root();
        assert!(
            root && found("apt-get"),
            "kcat is needed (apt-get install kcat); it is missing and cannot be installed here \
             (root: {root}). Set PARSELTONGUE_SKIP_KCAT=1 to skip the kcat tests."
        );
        let install = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        let installed = install(&["install", "-y", "-q", "kcat"])
            || (install(&["update", "-q"]) && install(&["install", "-y", "-q", "kcat"]));
        assert!(
            installed && found("kcat"),
            "apt-get install kcat failed; install kcat or set PARSELTONGUE_SKIP_KCAT=1"
        );
    });
    Some(Kcat)
}

fn found(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Runs `command` to its end, feeding `input`, and collects its output;
/// kills it and fails the test if it takes longer than `limit`.
pub fn run_bounded(command: &mut Command, input: &[u8], limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} starts: {e}"));
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
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = feeder.join();
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// Runs kcat.
pub struct Kcat;

impl Kcat {
    /// Runs `kcat -b BROKER ARGS`, feeding `input`; fails the test if it
    /// takes longer than a minute.
    pub fn run(&self, broker: SocketAddr, args: &[&str], input: &[u8]) -> Output {
        let mut command = Command::new("kcat");
        command.arg("-b").arg(broker.to_string()).args(args);
        run_bounded(&mut command, input, KCAT_TIMEOUT)
    }

    /// Produces `key:value` lines to `topic`; `extra` adds kcat options
    /// (`-X acks=all`).
    pub fn produce(
        &self,
        broker: SocketAddr,
        topic: &str,
        messages: &[(String, String)],
        extra: &[&str],
    ) {
        let input: String = messages.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
        let mut args = vec!["-P", "-t", topic, "-K:"];
        args.extend_from_slice(extra);
        let output = self.run(broker, &args, input.as_bytes());
        assert!(
            output.status.success(),
            "kcat -P failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Consumes `topic` from the beginning to its end: (key, value, offset).
    pub fn consume(&self, broker: SocketAddr, topic: &str) -> Vec<(String, String, i64)> {
        let output = self.run(
            broker,
            &[
                "-C",
                "-t",
                topic,
                "-o",
                "beginning",
                "-e",
                "-q",
                "-f",
                "%k\t%s\t%o\n",
            ],
            b"",
        );
        assert!(
            output.status.success(),
            "kcat -C failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                let mut fields = line.split('\t');
                let key = fields.next().unwrap_or_default().to_owned();
                let value = fields.next().unwrap_or_default().to_owned();
                let offset = fields.next().and_then(|o| o.parse().ok()).unwrap_or(-1);
                (key, value, offset)
            })
            .collect()
    }
}

/// A client process running in the background, its output in files;
/// killed on drop.
pub struct Background {
    child: Option<Child>,
    out: PathBuf,
    err: PathBuf,
}

impl Background {
    /// Starts `command` with its output in `files` with the extensions
    /// `out` and `err`.
    pub fn start(command: &mut Command, files: &Path) -> Background {
        Self::start_with_input(command, Stdio::null(), files)
    }

    /// Starts `command` reading `input`, with its output as
    /// [`Background::start`] keeps it.
    pub fn start_with_input(command: &mut Command, input: Stdio, files: &Path) -> Background {
        let out = files.with_extension("out");
        let err = files.with_extension("err");
        let child = command
            .stdin(input)
            .stdout(std::fs::File::create(&out).expect("output file"))
            .stderr(std::fs::File::create(&err).expect("error file"))
            .spawn()
            .unwrap_or_else(|e| panic!("{command:?} starts: {e}"));
        Background {
            child: Some(child),
            out,
            err,
        }
    }

    /// Its standard output so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    /// Its standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits for it to exit by itself: its exit status. Fails the test if
    /// it is still running after `limit` (and kills it).
    pub fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        exit_within(&mut child, limit).unwrap_or_else(|| {
            panic!(
                "a client did not finish within {limit:?}:\n{}",
                self.stderr()
            )
        })
    }

    /// Stops it with SIGTERM, as Ctrl-C would, and waits for it to exit:
    /// its exit status (its output stays readable). Fails the test if it is
    /// still running 20 s later.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        exit_within(&mut child, Duration::from_secs(20)).unwrap_or_else(|| {
            panic!(
                "a client did not stop within 20 s of SIGTERM:\n{}",
                self.stderr()
            )
        })
    }
}

/// The child's exit status once it exits, if that is within `limit`;
/// otherwise it is killed and `None`.
fn exit_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A `kcat -G` group member running in the background.
pub struct GroupConsumer {
    process: Background,
}

impl Kcat {
    /// Starts a member of `group` consuming `topic` from its committed
    /// offsets, or from the beginning where there are none. (`-o beginning`
    /// would make kcat ignore committed offsets.)
    pub fn group_consumer(
        &self,
        broker: SocketAddr,
        group: &str,
        topic: &str,
        files: &Path,
    ) -> GroupConsumer {
        let mut command = Command::new("kcat");
        command
            .arg("-b")
            .arg(broker.to_string())
            .args(["-u", "-G", group, "-X", "auto.offset.reset=earliest"])
            .args(["-f", "%p\t%o\t%k\t%s\n", topic]);
        GroupConsumer {
            process: Background::start(&mut command, files),
        }
    }
}

impl GroupConsumer {
    /// What it consumed so far: (partition, offset, key, value).
    pub fn consumed(&self) -> Vec<(i32, i64, String, String)> {
        self.process
            .stdout()
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

    /// Its messages about the group (assignments, revocations).
    pub fn log(&self) -> String {
        self.process.stderr()
    }

    /// How many times it was assigned partitions.
    pub fn assignments(&self) -> usize {
        self.log().matches("assigned:").count()
    }

    /// Stops it with SIGTERM, as Ctrl-C would: it leaves the group.
    pub fn stop(mut self) {
        self.process.stop();
    }
}
