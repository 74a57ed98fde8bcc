//! Graceful shutdown: stop accepting, finish in time, report what was cut.

mod common;

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use partition::{JoinError, Plan, Policy};

#[test]
fn tasks_finish_within_the_deadline_and_the_rest_are_cut_by_name() {
    let (first, second) = common::cores();
    let runtime = common::start(
        Plan::builder()
            .partition("app", [first], Policy::Api)
            .partition("bg", [second], Policy::Batch),
    );
    let app = runtime.partition("app").expect("app");
    let bg = runtime.partition("bg").expect("bg");
    let quick = app.spawn_named("quick", async {
        partition::time::sleep(Duration::from_millis(100)).await;
        "done"
    });
    let stuck = app.spawn_named("stuck", async {
        partition::time::sleep(Duration::from_secs(3600)).await;
    });
    let endless = bg.spawn_named("endless", async {
        loop {
            partition::time::sleep(Duration::from_millis(10)).await;
        }
    });
    // Both have started before shutdown begins.
    common::eventually("the tasks to start", || {
        let m = runtime.metrics();
        (m.partition("app")?.total(|c| c.tasks_run) >= 2
            && m.partition("bg")?.total(|c| c.tasks_run) >= 1)
            .then_some(())
    });
    let report = runtime.shutdown(Duration::from_secs(3));
    assert_eq!(quick.join(), Ok("done"));
    assert_eq!(stuck.join(), Err(JoinError::Cut));
    assert_eq!(endless.join(), Err(JoinError::Cut));
    assert_eq!(report.finished(), 1, "{report}");
    let mut cut: Vec<String> = report
        .cut()
        .into_iter()
        .map(|(partition, _, task)| format!("{partition}/{task}"))
        .collect();
    cut.sort();
    assert_eq!(cut, ["app/stuck", "bg/endless"]);
    assert!(!report.is_clean());
    assert!(
        report.took >= Duration::from_secs(3),
        "waited for the deadline"
    );
    let text = report.to_string();
    assert!(text.contains("cut: `stuck` on app/core"), "{text}");
}

#[test]
fn a_quiet_runtime_stops_at_once_and_refuses_late_work() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("app", [core], Policy::Api));
    let app = runtime.partition("app").expect("app");
    assert_eq!(app.run(|| 1).join(), Ok(1));
    let report = runtime.shutdown(Duration::from_secs(30));
    assert!(report.is_clean());
    assert!(report.took < Duration::from_secs(30), "nothing to wait for");
    assert_eq!(app.run(|| 2).join(), Err(JoinError::Refused));
}

#[test]
fn shutdown_stops_accepting_and_lets_open_connections_finish() {
    use std::io::{Read, Write};
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("web", [core], Policy::Api));
    let web = runtime.partition("web").expect("web");
    let address = web
        .listen(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            |mut stream, _| async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut byte = [0u8; 1];
                // Answers one byte, whenever the client sends it.
                if stream.read_exact(&mut byte).await.is_ok() {
                    let _ = stream.write_all(&byte).await;
                }
            },
        )
        .expect("listens");
    let mut open = TcpStream::connect(address).expect("connects");
    common::eventually("the connection to be accepted", || {
        (runtime.metrics().partitions[0].cores[0].connections_accepted == 1).then_some(())
    });
    let client = std::thread::spawn(move || {
        // The answer comes during shutdown, from the connection in flight.
        std::thread::sleep(Duration::from_millis(200));
        open.write_all(b"x").expect("writes");
        let mut answer = [0u8; 1];
        open.read_exact(&mut answer).expect("answered");
        answer
    });
    let report = runtime.shutdown(Duration::from_secs(10));
    assert_eq!(&client.join().expect("client"), b"x");
    assert_eq!(report.cores[0].listeners_closed, 1);
    assert_eq!(report.finished(), 1, "{report}");
    assert!(report.is_clean(), "{report}");
    assert!(
        TcpStream::connect(address).is_err(),
        "still accepting after shutdown"
    );
}

#[test]
fn a_dropped_runtime_cuts_its_tasks_at_once() {
    let (core, _) = common::cores();
    let runtime = common::start(Plan::builder().partition("app", [core], Policy::Api));
    let stuck = runtime
        .partition("app")
        .expect("app")
        .spawn(std::future::pending::<()>());
    drop(runtime);
    assert_eq!(stuck.join(), Err(JoinError::Cut));
}
