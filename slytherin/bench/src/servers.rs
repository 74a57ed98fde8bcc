//! The servers under test, each started as its own process on the server
//! cores (`taskset`), on a free loopback port, with its data in a fresh
//! folder, and killed when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{Durability, System};

/// How long a server gets to start accepting connections.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// A running server.
pub struct ServerProcess {
    child: Child,
    address: SocketAddr,
    _data: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `system` with `durability`, pinned to `cores` (a `taskset`
    /// core list such as `1` or `2-3`).
    pub fn start(
        system: System,
        durability: Durability,
        cores: &str,
        slytherin: &Path,
    ) -> Result<ServerProcess> {
        let data = tempfile::tempdir().context("cannot make a data folder")?;
        let address = free_loopback_address()?;
        let mut command = Command::new("taskset");
        command.arg("-c").arg(cores);
        match system {
            System::Slytherin => {
                let config = data.path().join("slytherin.toml");
                let durability = match durability {
                    Durability::Off => "none",
                    Durability::On => "every_batch",
                };
                std::fs::write(
                    &config,
                    format!(
                        "listen = \"{address}\"\ndata = \"{}\"\n[log]\ndurability = \"{durability}\"\n",
                        data.path().join("data").display()
                    ),
                )?;
                command
                    .arg(slytherin)
                    .arg("serve")
                    .arg("--config")
                    .arg(&config)
                    .env("RUST_LOG", "warn");
            }
            System::Nats => {
                // nats-server before 2.10 (Debian 12 has 2.9) has no
                // per-message fsync setting: there JetStream runs the same
                // way in both modes, and the report leaves it out of the
                // fsync-on comparison.
                let sync = if durability == Durability::On && nats_syncs_each_write()? {
                    ", sync_interval: always"
                } else {
                    ""
                };
                let config = data.path().join("nats.conf");
                std::fs::write(
                    &config,
                    format!(
                        "listen: {address}\njetstream {{ store_dir: \"{}\"{sync} }}\n",
                        data.path().join("js").display()
                    ),
                )?;
                command
                    .arg(find_program("nats-server")?)
                    .arg("-c")
                    .arg(&config)
                    .env("GOMAXPROCS", crate::cores::parse(cores)?.len().to_string());
            }
            System::Redis => {
                let appendfsync = match durability {
                    Durability::Off => "no",
                    Durability::On => "always",
                };
                command
                    .arg(find_program("redis-server")?)
                    .args(["--bind", "127.0.0.1", "--port"])
                    .arg(address.port().to_string())
                    .arg("--dir")
                    .arg(data.path())
                    .args(["--save", "", "--appendonly", "yes", "--appendfsync"])
                    .arg(appendfsync);
            }
        }
        let log_path = data.path().join("server.log");
        let log = std::fs::File::create(&log_path)?;
        let child = command
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {system} (is `taskset` installed?)"))?;
        let mut server = ServerProcess {
            child,
            address,
            _data: data,
        };
        if let Err(error) = server.wait_until_listening(system) {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            bail!("{error:#}\n{system}'s output:\n{log}");
        }
        Ok(server)
    }

    /// The address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Slytherin's data folder (where pipelines are deployed).
    pub fn slytherin_data(&self) -> PathBuf {
        self._data.path().join("data")
    }

    /// CPU time the server has used so far (user and system).
    pub fn cpu_time(&self) -> Result<Duration> {
        cpu_time_of(&format!("/proc/{}/stat", self.child.id()))
    }

    fn wait_until_listening(&mut self, system: System) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("{system} exited while starting: {status}");
            }
            if TcpStream::connect_timeout(&self.address, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "{system} did not listen on {} within {START_TIMEOUT:?}",
                    self.address
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `slytherin` binary: `given`, or the one beside the running program.
pub fn slytherin_binary(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(path) => Ok(path.to_path_buf()),
        None => std::env::current_exe()?
            .with_file_name("slytherin")
            .canonicalize()
            .context("no `slytherin` binary beside this one: build it with `cargo build --release -p slytherin-broker`, or pass --slytherin"),
    }
}

/// Whether the installed nats-server can sync every write
/// (`sync_interval: always`, from version 2.10 on).
pub fn nats_syncs_each_write() -> Result<bool> {
    let output = Command::new(find_program("nats-server")?)
        .arg("--version")
        .output()
        .context("cannot run nats-server --version")?;
    let text = String::from_utf8_lossy(&output.stdout);
    // "nats-server: v2.9.10"
    let version = text.trim().rsplit('v').next().unwrap_or_default();
    let mut numbers = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    Ok((major, minor) >= (2, 10))
}

/// A loopback address with a port nobody listens on now.
fn free_loopback_address() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?)
}

/// The path of `name` on `PATH`, or how to install it.
fn find_program(name: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .with_context(|| format!("`{name}` is not installed: run slytherin/bench/run.sh, which installs it, or `apt-get install {name}`"))
}

/// CPU time this process has used so far (user and system).
pub fn own_cpu_time() -> Result<Duration> {
    cpu_time_of("/proc/self/stat")
}

/// User plus system time from a `/proc/PID/stat` file.
fn cpu_time_of(path: &str) -> Result<Duration> {
    let stat = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    // The command name (field 2) may hold spaces; fields after its closing
    // parenthesis are numbers, utime and stime being the 12th and 13th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| -> Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .with_context(|| format!("{path} has no CPU time field {i}"))
    };
    let per_second = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)?
        .filter(|&t| t > 0)
        .unwrap_or(100) as u64;
    let total = ticks(11)? + ticks(12)?;
    Ok(Duration::from_micros(total * 1_000_000 / per_second))
}
