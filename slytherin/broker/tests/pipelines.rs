//! Pipelines hosted in the broker, end to end: the `examples/clickstream`
//! program's windowed click count and its join with the `pages` table,
//! compiled to a library and deployed into a running broker's data folder;
//! table rows and clicks produced with kcat, counts and joined clicks
//! consumed with kcat; and a SIGKILL of the broker mid-stream, after which
//! no click is lost, none is counted or joined twice, and each met the row
//! its page had when it was stored.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use parseltongue_core::extension::Extensions;
use parseltongue_core::source::{SourceFile, SourceMap};
use slytherin_broker::admin::Admin;
use support::kcat_tool::kcat;
use support::{wait_until, BrokerProcess};

/// The example's program: what its README deploys.
const PROGRAM: &str = include_str!("../../../examples/clickstream/src/main.pt");

/// The example's window, in milliseconds.
const WINDOW_MS: i64 = 60_000;

/// The program compiled as the library a broker hosts.
fn library(dir: &Path) -> PathBuf {
    library_of(PROGRAM, dir)
}

/// `program` compiled as `libclicks` in `dir`.
fn library_of(program: &str, dir: &Path) -> PathBuf {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("clicks.pt", program));
    let extensions = Extensions::of([slytherin_lang::extension()]);
    let compiled =
        parseltongue_core::compile_with(&sources, &extensions).expect("the lowering succeeds");
    let rust = compiled
        .rust
        .unwrap_or_else(|| panic!("{:#?}", compiled.diagnostics));
    let source = dir.join("clicks.rs");
    std::fs::write(&source, rust).expect("written");
    let output = dir.join(format!(
        "libclicks.{}",
        slytherin_broker::pipelines::LIBRARY_EXTENSION
    ));
    let link = parseltongue_build::runtime_crates::link_arguments_for(&["slytherin_runtime"])
        .expect("the run-time crate is built beside the tests");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let built = Command::new(rustc)
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "cdylib",
            "-C",
            "debuginfo=0",
        ])
        .args(&link)
        .arg("-o")
        .arg(&output)
        .arg(&source)
        .output()
        .expect("rustc runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    output
}

/// `slytherin pipelines ACTION … --data DATA`: its standard output, or a
/// failed test with its error.
fn pipelines_command(data: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_slytherin"))
        .arg("pipelines")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("slytherin runs")
}

/// Deploys the library into the broker's data folder with the command an
/// operator uses.
fn deploy(library: &Path, data: &Path) {
    let deployed = pipelines_command(data, &["deploy".as_ref(), library.as_os_str()]);
    assert!(
        deployed.status.success(),
        "{}",
        String::from_utf8_lossy(&deployed.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&deployed.stdout),
        "deployed page_counter: clicks → page_counts\n\
         deployed sectioner: clicks → section_clicks, joining pages\n"
    );
}

/// `count` human clicks (user > 0) and robots (user 0) spread over pages
/// `/0`…`/3`, every 250 ms of event time from `start_ms`, as kcat lines.
fn clicks(from: usize, to: usize) -> Vec<(String, String)> {
    (from..to)
        .map(|i| {
            let page = format!("/{}", i % 4);
            let user = if i % 7 == 0 { 0 } else { i };
            let at = i as i64 * 250;
            (
                page.clone(),
                format!(r#"{{"page":"{page}","user":{user},"at_ms":{at}}}"#),
            )
        })
        .collect()
}

/// The counts the pipeline must write for clicks `0..n`: per (page,
/// window start), humans only.
fn expected(n: usize) -> BTreeMap<(String, i64), i64> {
    let mut counts = BTreeMap::new();
    for i in 0..n {
        if i % 7 == 0 {
            continue;
        }
        let at = i as i64 * 250;
        *counts
            .entry((format!("/{}", i % 4), at / WINDOW_MS * WINDOW_MS))
            .or_insert(0) += 1;
    }
    counts
}

/// Clicks far in the future on every page: they close every window
/// before them.
fn closers() -> Vec<(String, String)> {
    (0..4)
        .map(|p| {
            (
                format!("/{p}"),
                format!(r#"{{"page":"/{p}","user":1,"at_ms":100000000}}"#),
            )
        })
        .collect()
}

/// The counts in `page_counts`, failing on a window written twice.
fn counts(broker: std::net::SocketAddr) -> BTreeMap<(String, i64), i64> {
    let kcat = kcat().expect("kcat");
    let mut counts = BTreeMap::new();
    for (_, value, offset) in kcat.consume(broker, "page_counts") {
        let count: serde_json::Value = serde_json::from_str(&value).expect("JSON");
        let key = (
            count["page"].as_str().expect("page").to_owned(),
            count["window_start_ms"].as_i64().expect("start"),
        );
        let clicks = count["clicks"].as_i64().expect("clicks");
        let previous = counts.insert(key.clone(), clicks);
        assert!(
            previous.is_none(),
            "window {key:?} written twice (again at offset {offset})"
        );
    }
    counts
}

fn create_topics(broker: std::net::SocketAddr) {
    let mut admin = Admin::connect(broker).expect("admin");
    admin.create("clicks", 3, &[]).expect("clicks created");
    admin
        .create("page_counts", 1, &[])
        .expect("page_counts created");
    admin.create("pages", 2, &[]).expect("pages created");
    admin
        .create("section_clicks", 1, &[])
        .expect("section_clicks created");
}

/// Rows of the `pages` table, as kcat lines.
fn page_rows(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(page, section)| {
            (
                (*page).to_owned(),
                format!(r#"{{"page":"{page}","section":"{section}"}}"#),
            )
        })
        .collect()
}

/// The joined clicks in `section_clicks`: (page, user, at_ms) → section,
/// failing on a click joined twice.
fn joined(broker: std::net::SocketAddr) -> BTreeMap<(String, i64, i64), String> {
    let kcat = kcat().expect("kcat");
    let mut joined = BTreeMap::new();
    for (_, value, offset) in kcat.consume(broker, "section_clicks") {
        let click: serde_json::Value = serde_json::from_str(&value).expect("JSON");
        let key = (
            click["page"].as_str().expect("page").to_owned(),
            click["user"].as_i64().expect("user"),
            click["at_ms"].as_i64().expect("at_ms"),
        );
        let section = click["section"].as_str().expect("section").to_owned();
        let previous = joined.insert(key.clone(), section);
        assert!(
            previous.is_none(),
            "click {key:?} joined twice (again at offset {offset})"
        );
    }
    joined
}

/// The section each click must be joined with: `/3` had no row until
/// `blog_from` (a click index), and `/0`'s first row was replaced.
fn expected_sections(
    clicks: &[(String, String)],
    blog_from: usize,
) -> BTreeMap<(String, i64, i64), String> {
    clicks
        .iter()
        .enumerate()
        .map(|(i, (_, value))| {
            let click: serde_json::Value = serde_json::from_str(value).expect("JSON");
            let page = click["page"].as_str().expect("page").to_owned();
            let section = match page.as_str() {
                "/0" => "news",
                "/1" => "docs",
                "/2" => "shop",
                _ if i >= blog_from => "blog",
                _ => "other",
            };
            (
                (
                    page,
                    click["user"].as_i64().expect("user"),
                    click["at_ms"].as_i64().expect("at_ms"),
                ),
                section.to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_deployed_pipeline_counts_clicks_from_kcat_exactly_once_across_sigkill() {
    if kcat().is_none() {
        eprintln!("kcat is not installed: scripts/test.sh installs it");
        return;
    }
    let work = tempfile::tempdir().expect("a folder");
    let library = library(work.path());
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).expect("data");
    let broker = BrokerProcess::start(&data, &[]);
    create_topics(broker.address());
    let kcat = kcat().expect("kcat");
    // The table before the pipelines start: they take it in first. `/0`'s
    // newest row wins.
    kcat.produce(
        broker.address(),
        "pages",
        &page_rows(&[
            ("/0", "old"),
            ("/1", "docs"),
            ("/2", "shop"),
            ("/0", "news"),
        ]),
        &["-X", "acks=all"],
    );
    deploy(&library, &data);

    // The first half, then wait until some windows closed and were written.
    let total = 1200;
    kcat.produce(
        broker.address(),
        "clicks",
        &clicks(0, total / 2),
        &["-X", "acks=all"],
    );
    let address = broker.address();
    wait_until(
        "the first windows' counts",
        Duration::from_secs(60),
        &|| broker.log(),
        || !counts(address).is_empty(),
    );
    // A crash with windows open and outputs since the last checkpoint.
    broker.kill_hard();
    let broker = BrokerProcess::start_at(&data, &[], address);
    // The first half joined (before the crash or after it, with the table
    // as it was) before the table changes.
    wait_until(
        "the first half's joined clicks",
        Duration::from_secs(60),
        &|| broker.log(),
        || joined(address).len() >= total / 2,
    );
    // `/3` gets a row; the clicks stored once it is taken in meet it.
    kcat.produce(
        broker.address(),
        "pages",
        &page_rows(&[("/3", "blog")]),
        &["-X", "acks=all"],
    );
    let list = || {
        String::from_utf8_lossy(&pipelines_command(&data, &["list".as_ref()]).stdout).into_owned()
    };
    let rows_taken_in = |listed: &str| -> Vec<i64> {
        listed
            .lines()
            .filter_map(|line| line.split("table pages read to ").nth(1))
            .map(|read| {
                read.split(' ')
                    .filter_map(|at| at.split(':').nth(1)?.parse::<i64>().ok())
                    .sum()
            })
            .collect()
    };
    wait_until(
        "every partition of `sectioner` to take in the new row",
        Duration::from_secs(30),
        &|| format!("{}\n{}", list(), broker.log()),
        || {
            let taken = rows_taken_in(&list());
            taken.len() == 3 && taken.iter().all(|rows| *rows == 5)
        },
    );
    kcat.produce(
        broker.address(),
        "clicks",
        &clicks(total / 2, total),
        &["-X", "acks=all"],
    );
    kcat.produce(broker.address(), "clicks", &closers(), &["-X", "acks=all"]);
    let wanted = expected(total);
    wait_until(
        "every window's count",
        Duration::from_secs(60),
        &|| format!("{:?}\n{}", counts(address), broker.log()),
        || counts(address).len() >= wanted.len(),
    );
    assert_eq!(counts(address), wanted);
    // Every click joined once, with the row its page had.
    let all_clicks: Vec<(String, String)> = clicks(0, total).into_iter().chain(closers()).collect();
    let sections = expected_sections(&all_clicks, total / 2);
    wait_until(
        "every joined click",
        Duration::from_secs(60),
        &|| broker.log(),
        || joined(address).len() >= sections.len(),
    );
    assert_eq!(joined(address), sections);
    // Checkpoints follow within a second; `list` shows them.
    wait_until(
        "checkpoints of every partition",
        Duration::from_secs(10),
        &|| format!("{}\n{}", list(), broker.log()),
        || list().contains("partition 2: next offset"),
    );
    // Every click processed once, across the crash (the counters are part
    // of the state the checkpoints restore), none undecodable.
    let processed = |listed: &str| -> u64 {
        listed
            .split("processed ")
            .skip(1)
            .filter_map(|rest| rest.split(',').next()?.parse::<u64>().ok())
            .sum()
    };
    let clicks = total as u64 + closers().len() as u64;
    wait_until(
        "the checkpoints to count every click",
        Duration::from_secs(10),
        &|| format!("{}\n{}", list(), broker.log()),
        // Both pipelines read every click.
        || processed(&list()) == 2 * clicks,
    );
    assert!(list().contains("undecodable 0"), "{}", list());
    let listed = list();
    assert!(
        listed.starts_with("libclicks.") && listed.contains("page_counter (clicks → page_counts)"),
        "{listed}"
    );
    // The replay after the crash met outputs stored before it.
    wait_until(
        "the replay's report",
        Duration::from_secs(10),
        &|| broker.log(),
        || {
            broker
                .log()
                .contains("outputs already stored were not written again")
        },
    );
}

#[test]
fn deploying_something_that_is_not_a_pipeline_library_is_refused_clearly() {
    let work = tempfile::tempdir().expect("a folder");
    let data = work.path().join("data");
    let not_a_library = work.path().join("notes.so");
    std::fs::write(&not_a_library, "not a library").expect("written");
    let refused = pipelines_command(&data, &["deploy".as_ref(), not_a_library.as_os_str()]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("cannot load") && stderr.contains("notes.so"),
        "{stderr}"
    );
    assert!(!data
        .join(slytherin_broker::pipelines::FOLDER)
        .join("notes.so")
        .exists());
    let missing = pipelines_command(&data, &["undeploy".as_ref(), "nothing.so".as_ref()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no library `nothing.so` is deployed")
    );
    let listed = pipelines_command(&data, &["list".as_ref()]);
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("no pipelines deployed"));
}

#[test]
fn a_broken_library_in_the_folder_is_reported_once_and_the_broker_serves_on() {
    let work = tempfile::tempdir().expect("a folder");
    let data = work.path().join("data");
    std::fs::create_dir_all(data.join(slytherin_broker::pipelines::FOLDER)).expect("folder");
    let broker = BrokerProcess::start(&data, &[]);
    let broken = data.join(slytherin_broker::pipelines::FOLDER).join(format!(
        "broken.{}",
        slytherin_broker::pipelines::LIBRARY_EXTENSION
    ));
    std::fs::write(&broken, "not a library").expect("written");
    wait_until(
        "the report of the broken library",
        Duration::from_secs(10),
        &|| broker.log(),
        || broker.log().contains("cannot load pipelines"),
    );
    // Three more looks at the folder: no new report for the same file.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        broker.log().matches("cannot load pipelines").count(),
        1,
        "{}",
        broker.log()
    );
    let mut admin = Admin::connect(broker.address()).expect("the broker answers");
    admin.create("still_serving", 1, &[]).expect("created");
}

#[test]
fn a_library_deployed_again_under_its_name_runs_its_new_code_from_where_the_old_stopped() {
    if kcat().is_none() {
        eprintln!("kcat is not installed: scripts/test.sh installs it");
        return;
    }
    let work = tempfile::tempdir().expect("a folder");
    let first = library(&work.path().join("v1").tap_create());
    // The second version counts robots too.
    let counting_robots = PROGRAM.replacen("    filter: is_human,\n", "", 1);
    assert_ne!(counting_robots, PROGRAM);
    let second = library_of(&counting_robots, &work.path().join("v2").tap_create());
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).expect("data");
    let broker = BrokerProcess::start(&data, &[]);
    let address = broker.address();
    create_topics(address);
    deploy(&first, &data);
    let kcat = kcat().expect("kcat");
    // Minute 0 (clicks 0..240), closed by the first clicks of minute 1.
    kcat.produce(address, "clicks", &clicks(0, 260), &["-X", "acks=all"]);
    let humans_only = expected(240);
    wait_until(
        "minute 0 counted by the first version",
        Duration::from_secs(60),
        &|| broker.log(),
        || counts(address).len() >= humans_only.len(),
    );
    assert_eq!(counts(address), humans_only);
    deploy(&second, &data);
    wait_until(
        "the first version to stop and the second to start",
        Duration::from_secs(30),
        &|| broker.log(),
        || {
            let log = broker.log();
            log.contains("pipelines stopped")
                && log
                    .matches("starting pipeline pipeline=page_counter")
                    .count()
                    == 2
        },
    );
    // The rest of minute 1, closed by the closers: counted with robots.
    kcat.produce(address, "clicks", &clicks(260, 480), &["-X", "acks=all"]);
    kcat.produce(address, "clicks", &closers(), &["-X", "acks=all"]);
    let mut wanted = humans_only.clone();
    for i in 240..480 {
        *wanted
            .entry((format!("/{}", i % 4), WINDOW_MS))
            .or_insert(0) += 1;
    }
    wait_until(
        "minute 1 counted by the second version",
        Duration::from_secs(60),
        &|| format!("{:?}\n{}", counts(address), broker.log()),
        || counts(address).len() >= wanted.len(),
    );
    // Minute 1's windows were open across the swap: the clicks the first
    // version saw before it were counted without robots, the rest with.
    let got = counts(address);
    for (key, count) in &humans_only {
        assert_eq!(got.get(key), Some(count), "{key:?}");
    }
    let minute_one: i64 = got
        .iter()
        .filter(|((_, start), _)| *start == WINDOW_MS)
        .map(|(_, c)| c)
        .sum();
    let humans_before_swap = (240..260).filter(|i| i % 7 != 0).count() as i64;
    assert_eq!(minute_one, humans_before_swap + 220, "{got:?}");
}

/// Creating a folder as a step of an expression.
trait TapCreate {
    fn tap_create(self) -> Self;
}

impl TapCreate for PathBuf {
    fn tap_create(self) -> Self {
        std::fs::create_dir_all(&self).expect("a folder");
        self
    }
}
