//! `slytherin`: the broker's command line.

use std::io::{IsTerminal, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nix::sys::signal::{SigSet, Signal};
use slytherin_broker::admin::Admin;
use slytherin_broker::config::BrokerConfig;
use slytherin_broker::data_lock::DataLock;
use slytherin_broker::server::Server;
use slytherin_broker::storage::{Storage, SystemClock, Verification};

// mimalloc maps large blocks with MAP_NORESERVE, so a capacity reserved
// from a bogus array count on the wire costs address space, not memory,
// and cannot abort the broker (see "Known limits" in the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Slytherin, a Kafka-compatible streaming broker.
#[derive(Debug, Parser)]
#[command(name = "slytherin", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the broker until SIGINT or SIGTERM.
    Serve {
        #[command(flatten)]
        settings: Settings,
        /// Address to listen on (overrides the configuration).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Once listening, write the bound address to this file (useful
        /// with port 0).
        #[arg(long)]
        address_file: Option<PathBuf>,
    },
    /// Checks every partition of a topic: CRCs, offsets and, for verifiable
    /// topics, the hash chain. Exits with 1 if any partition is broken.
    /// Run it while the broker is stopped.
    Verify {
        /// The topic.
        topic: String,
        #[command(flatten)]
        settings: Settings,
    },
    /// Lists, creates, describes and deletes topics on a running broker.
    Topics {
        /// The broker's address.
        #[arg(long, default_value = "127.0.0.1:9092")]
        broker: String,
        #[command(subcommand)]
        action: TopicsAction,
    },
    /// Deploys, lists and removes the pipelines the broker runs: libraries
    /// built from Parseltongue programs with `pipeline` blocks, kept in the
    /// data folder (a running broker picks changes up within a second).
    Pipelines {
        #[command(flatten)]
        settings: Settings,
        #[command(subcommand)]
        action: PipelinesAction,
    },
    /// Lists and describes consumer groups on a running broker.
    Groups {
        /// The broker's address.
        #[arg(long, default_value = "127.0.0.1:9092")]
        broker: String,
        #[command(subcommand)]
        action: GroupsAction,
    },
}

#[derive(Debug, Subcommand)]
enum GroupsAction {
    /// Every group and its state.
    List,
    /// A group's members, committed offsets and lag per partition.
    Describe {
        /// The group.
        group: String,
    },
}

#[derive(Debug, Subcommand)]
enum PipelinesAction {
    /// Copies a pipeline library (`target/release/libNAME.so`) into the
    /// data folder, checking first that it holds pipelines this broker
    /// can host.
    Deploy {
        /// The library.
        library: PathBuf,
    },
    /// Every deployed library, its pipelines and how far each input
    /// partition has been processed.
    List,
    /// Stops and removes a deployed library (its checkpoints stay, so
    /// deploying it again resumes where it stopped).
    Undeploy {
        /// The library's file name, as `list` shows it.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum TopicsAction {
    /// Every topic and its partition count.
    List,
    /// Creates a topic.
    Create {
        /// The topic.
        topic: String,
        /// Partitions (the broker's default when not given).
        #[arg(long, default_value_t = -1)]
        partitions: i32,
        /// A topic setting, `KEY=VALUE` (retention.ms, retention.bytes,
        /// segment.bytes, segment.ms, max.message.bytes); repeatable.
        #[arg(long = "config", value_parser = key_value)]
        configs: Vec<(String, String)>,
    },
    /// A topic's partitions and their offsets.
    Describe {
        /// The topic.
        topic: String,
    },
    /// Deletes a topic and its data.
    Delete {
        /// The topic.
        topic: String,
    },
}

fn key_value(raw: &str) -> Result<(String, String), String> {
    raw.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{raw:?} is not KEY=VALUE"))
}

/// Where the configuration comes from.
#[derive(Debug, clap::Args)]
struct Settings {
    /// TOML configuration file (defaults apply without one; `SLYTHERIN_*`
    /// environment variables override it).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data folder (overrides the configuration).
    #[arg(long)]
    data: Option<PathBuf>,
}

impl Settings {
    fn load(&self) -> Result<BrokerConfig, String> {
        let mut config = BrokerConfig::load(self.config.as_deref(), std::env::vars())
            .map_err(|e| e.to_string())?;
        if let Some(data) = &self.data {
            config.data.clone_from(data);
        }
        Ok(config)
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let outcome = match Cli::parse().command {
        Command::Serve {
            settings,
            listen,
            address_file,
        } => settings.load().and_then(|mut config| {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            serve(&config, address_file.as_deref())
        }),
        Command::Verify { topic, settings } => {
            settings.load().and_then(|c| verify(&c.data, &topic))
        }
        Command::Topics { broker, action } => topics(&broker, action),
        Command::Pipelines { settings, action } => {
            settings.load().and_then(|c| pipelines(&c.data, action))
        }
        Command::Groups { broker, action } => groups(&broker, action),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::from(2)
        }
    }
}

fn serve(config: &BrokerConfig, address_file: Option<&Path>) -> Result<ExitCode, String> {
    // Blocked before any thread starts, so every runtime thread inherits the
    // mask and the signals wait for `wait` below instead of killing the
    // process mid-write.
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    signals
        .thread_block()
        .map_err(|e| format!("cannot block SIGINT and SIGTERM: {e}"))?;
    let server = Server::start(config).map_err(|e| e.to_string())?;
    if let Some(path) = address_file {
        write_address(path, server.address())?;
    }
    let signal = signals
        .wait()
        .map_err(|e| format!("cannot wait for a signal: {e}"))?;
    tracing::info!(?signal, "shutting down");
    server.shutdown().map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the address whole or not at all, so a reader polling for the
/// file never sees half of it.
fn write_address(path: &Path, address: SocketAddr) -> Result<(), String> {
    let staging = path.with_extension("partial");
    let write = || -> std::io::Result<()> {
        std::fs::File::create(&staging)?.write_all(address.to_string().as_bytes())?;
        std::fs::rename(&staging, path)
    };
    write().map_err(|e| format!("cannot write the address to {}: {e}", path.display()))
}

fn verify(data: &Path, topic: &str) -> Result<ExitCode, String> {
    let _lock = DataLock::acquire(data)?;
    let storage =
        Storage::open(data, std::sync::Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let found = storage
        .topic(topic)
        .ok_or_else(|| format!("no topic {topic:?} in {}", data.display()))?;
    let results = found.verify().map_err(|e| e.to_string())?;
    let mut intact = true;
    for (partition, result) in results.iter().enumerate() {
        match result {
            Verification::Intact {
                batches,
                next_offset,
                head,
            } => {
                let head = head
                    .map(|h| format!(", chain head {}", hex(&h)))
                    .unwrap_or_default();
                println!("{topic}/{partition}: intact ({batches} batches, offsets below {next_offset}{head})");
            }
            Verification::Broken {
                first_bad_offset,
                reason,
            } => {
                intact = false;
                println!("{topic}/{partition}: BROKEN at offset {first_bad_offset}: {reason}");
            }
        }
    }
    storage.close().map_err(|e| e.to_string())?;
    Ok(if intact {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn connect(broker: &str) -> Result<Admin, String> {
    let address = broker
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {broker}: {e}"))?
        .next()
        .ok_or_else(|| format!("{broker} resolves to no address"))?;
    Admin::connect(address)
}

fn groups(broker: &str, action: GroupsAction) -> Result<ExitCode, String> {
    let mut admin = connect(broker)?;
    match action {
        GroupsAction::List => {
            for (group, state) in admin.groups()? {
                println!("{group}\t{state}");
            }
        }
        GroupsAction::Describe { group } => {
            let description = admin.describe_group(&group)?;
            println!(
                "{group}: {}, {} members",
                description.state,
                description.members.len()
            );
            for (member, client) in &description.members {
                println!("  member {member} (client {client})");
            }
            println!(
                "  {:<30} {:>9} {:>12} {:>12} {:>8}",
                "topic", "partition", "committed", "end", "lag"
            );
            for (topic, partition, committed, end, lag) in &description.partitions {
                println!("  {topic:<30} {partition:>9} {committed:>12} {end:>12} {lag:>8}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `clicks → counts`, with the tables its joins read.
fn flow(pipeline: &slytherin_broker::pipelines::loader::LoadedPipeline) -> String {
    let mut flow = format!("{} → {}", pipeline.from, pipeline.to);
    if !pipeline.tables.is_empty() {
        flow.push_str(&format!(", joining {}", pipeline.tables.join(", ")));
    }
    flow
}

/// `; table pages read to 0:2 1:1`: how far each table was taken in, per
/// partition, at a checkpoint.
fn tables_read(
    tables: &std::collections::BTreeMap<String, std::collections::BTreeMap<i32, i64>>,
) -> String {
    tables
        .iter()
        .map(|(table, offsets)| {
            let offsets: Vec<String> = offsets.iter().map(|(p, o)| format!("{p}:{o}")).collect();
            format!("; table {table} read to {}", offsets.join(" "))
        })
        .collect()
}

fn pipelines(data: &Path, action: PipelinesAction) -> Result<ExitCode, String> {
    use slytherin_broker::pipelines::{checkpoint, deployed, loader, FOLDER};
    let folder = data.join(FOLDER);
    match action {
        PipelinesAction::Deploy { library } => {
            let found = loader::load(&library)?;
            if found.is_empty() {
                return Err(format!("`{}` exports no pipeline", library.display()));
            }
            let name = library
                .file_name()
                .ok_or_else(|| format!("`{}` is not a file", library.display()))?;
            std::fs::create_dir_all(&folder)
                .map_err(|e| format!("cannot create `{}`: {e}", folder.display()))?;
            // Copied beside, then renamed: a broker never loads half a file.
            let temporary = folder.join(".deploying");
            std::fs::copy(&library, &temporary)
                .map_err(|e| format!("cannot copy `{}`: {e}", library.display()))?;
            let target = folder.join(name);
            std::fs::rename(&temporary, &target)
                .map_err(|e| format!("cannot deploy into `{}`: {e}", target.display()))?;
            for pipeline in found {
                println!("deployed {}: {}", pipeline.name, flow(&pipeline));
            }
            Ok(ExitCode::SUCCESS)
        }
        PipelinesAction::List => {
            let libraries = deployed(data);
            if libraries.is_empty() {
                println!("no pipelines deployed in {}", folder.display());
            }
            for (path, _) in libraries {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                match loader::load(&path) {
                    Err(error) => println!("{file}: {error}"),
                    Ok(found) => {
                        for pipeline in found {
                            println!("{file}: {} ({})", pipeline.name, flow(&pipeline));
                            let state = folder.join("state");
                            for (input, at) in checkpoint::saved(&state, &pipeline.name) {
                                match checkpoint::load(&at) {
                                    Ok(Some(saved)) => println!(
                                        "  partition {input}: next offset {}; processed {}, emitted {}, late {}, undecodable {}{}",
                                        saved.next_offset,
                                        saved.counters.processed,
                                        saved.counters.emitted,
                                        saved.counters.late,
                                        saved.counters.undecodable,
                                        tables_read(&saved.tables),
                                    ),
                                    Ok(None) => {}
                                    Err(error) => println!("  partition {input}: {error}"),
                                }
                            }
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        PipelinesAction::Undeploy { name } => {
            let target = folder.join(&name);
            if name.contains('/') || !target.is_file() {
                return Err(format!(
                    "no library `{name}` is deployed in `{}` (`slytherin pipelines list` shows them)",
                    folder.display()
                ));
            }
            std::fs::remove_file(&target)
                .map_err(|e| format!("cannot remove `{}`: {e}", target.display()))?;
            println!("undeployed {name}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn topics(broker: &str, action: TopicsAction) -> Result<ExitCode, String> {
    let mut admin = connect(broker)?;
    match action {
        TopicsAction::List => {
            for (topic, partitions) in admin.list()? {
                println!("{topic}\t{partitions} partitions");
            }
        }
        TopicsAction::Create {
            topic,
            partitions,
            configs,
        } => {
            admin.create(&topic, partitions, &configs)?;
            println!("created {topic}");
        }
        TopicsAction::Describe { topic } => {
            let description = admin.describe(&topic)?;
            println!(
                "{}: {} partitions",
                description.name,
                description.partitions.len()
            );
            for (partition, start, end) in description.partitions {
                println!(
                    "  {partition}: offsets {start} to {end} ({} records)",
                    end - start
                );
            }
        }
        TopicsAction::Delete { topic } => {
            admin.delete(&topic)?;
            println!("deleted {topic}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
