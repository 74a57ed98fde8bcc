//! A listener per core with SO_REUSEPORT, and the metrics over real HTTP.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use partition::{Plan, Policy};

#[test]
fn every_core_accepts_and_serves_its_own_connections() {
    let usable = common::machine().usable();
    let runtime = common::start(Plan::builder().partition("web", usable.clone(), Policy::Api));
    let web = runtime.partition("web").expect("web");
    let address = web
        .listen(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            |mut stream, _peer| async move {
                use tokio::io::AsyncWriteExt;
                // Answers with the core that accepted the connection.
                let (_, core) = partition::current_core().expect("served on a partition core");
                let _ = stream.write_all(core.to_string().as_bytes()).await;
            },
        )
        .expect("listens");
    const CONNECTIONS: u64 = 64;
    let mut served_by = BTreeSet::new();
    for _ in 0..CONNECTIONS {
        let mut stream = TcpStream::connect(address).expect("connects");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answered");
        let core: usize = answer.parse().expect("a core number");
        assert!(
            usable.contains(core),
            "served by core {core}, not in {usable}"
        );
        served_by.insert(core);
    }
    let accepted = common::eventually("the accept counters", || {
        let metrics = runtime.metrics();
        let accepted = metrics
            .partition("web")?
            .total(|core| core.connections_accepted);
        (accepted == CONNECTIONS).then_some(accepted)
    });
    assert_eq!(accepted, CONNECTIONS);
    if usable.len() > 1 {
        // The kernel hashes each connection to one core's socket; 64 all on
        // one core would mean the sockets are not sharing the port.
        assert!(served_by.len() > 1, "only core {served_by:?} accepted");
    }
    let report = runtime.shutdown(Duration::from_secs(5));
    assert_eq!(
        report
            .cores
            .iter()
            .map(|c| c.listeners_closed)
            .sum::<usize>(),
        usable.len()
    );
}

#[test]
fn listening_on_a_taken_port_is_an_error() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("web", [core], Policy::Api));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let err = runtime
        .partition("web")
        .expect("web")
        .listen(taken.local_addr().expect("address"), |_, _| async {})
        .expect_err("the port is taken without SO_REUSEPORT");
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    runtime.shutdown(Duration::from_secs(5));
}

fn http_get(address: SocketAddr, path: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut response = agent
        .get(&format!("http://{address}{path}"))
        .call()
        .expect("the endpoint answers");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = response.body_mut().read_to_string().expect("a text body");
    (response.status().as_u16(), content_type, body)
}

#[test]
fn metrics_are_served_in_prometheus_text_format() {
    let (first, second) = common::cores();
    let runtime = common::start(
        Plan::builder()
            .partition("app", [first], Policy::Api)
            .partition("ui", [second], Policy::frame(Duration::from_millis(5))),
    );
    let app = runtime.partition("app").expect("app");
    for value in 0..10 {
        assert_eq!(app.run(move || value).join(), Ok(value));
    }
    runtime
        .partition("ui")
        .expect("ui")
        .add_slot("draw", Duration::from_millis(2), |_| {})
        .expect("fits");
    common::eventually("published latencies and cycles", || {
        let metrics = runtime.metrics();
        let app = metrics.partition("app")?;
        let ui = metrics.partition("ui")?;
        (app.wakeup_latency().len() >= 10 && ui.total(|c| c.cycles) >= 3).then_some(())
    });
    let server = runtime.serve_metrics("127.0.0.1:0").expect("serves");
    let (status, content_type, body) = http_get(server.local_addr(), "/metrics");
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert!(
        body.contains("# TYPE partition_tasks_run_total counter"),
        "{body}"
    );
    let app_runs = body
        .lines()
        .find(|line| {
            line.starts_with(&format!(
                "partition_tasks_run_total{{partition=\"app\",policy=\"api\",core=\"{first}\"}} "
            ))
        })
        .expect("the app core's task count");
    let runs: u64 = app_runs
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(runs >= 10, "{app_runs}");
    assert!(
        body.contains("partition_wakeup_latency_seconds{partition=\"app\""),
        "{body}"
    );
    assert!(body.contains("quantile=\"0.9999\""));
    assert!(body.contains("partition_frame_cycles_total{partition=\"ui\",policy=\"frame\""));
    assert!(body.contains(
        "partition_slot_deadline_misses_total{partition=\"ui\",policy=\"frame\",core=\""
    ));
    // Every sample line is `name{labels} number`.
    for line in body.lines().filter(|line| !line.starts_with('#')) {
        let value = line.rsplit(' ').next().expect("a value");
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
    }

    let (status, _, _) = http_get(server.local_addr(), "/nothing");
    assert_eq!(status, 404);
    // A client that sends garbage gets nothing, and the endpoint goes on.
    let mut rude = TcpStream::connect(server.local_addr()).expect("connects");
    rude.write_all(b"\x00\x01garbage\r\n\r\n").expect("writes");
    drop(rude);
    assert_eq!(http_get(server.local_addr(), "/metrics").0, 200);

    let printed = runtime.metrics().to_string();
    assert!(printed.contains("slot `draw`"), "{printed}");
    drop(server);
    runtime.shutdown(Duration::from_secs(5));
}
