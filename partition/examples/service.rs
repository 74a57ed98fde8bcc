//! A small service on a partition plan read from TOML: an `api` partition
//! answering TCP connections on every core, a `frame` partition drawing at
//! 60 Hz, metrics on a Prometheus endpoint, then a graceful shutdown.
//!
//! `cargo run -p partition --example service`

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use partition::Runtime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/plan.toml");
    let runtime = Runtime::start_from_toml_file(plan)?;

    let web = runtime.partition("web")?;
    let address = web.listen(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        |mut stream, _| async move {
            use tokio::io::AsyncWriteExt;
            let (partition, core) = partition::current_core().unwrap_or(("?".into(), 0));
            let answer = format!("hello from {partition} on core {core}\n");
            let _ = stream.write_all(answer.as_bytes()).await;
        },
    )?;
    for _ in 0..4 {
        let mut answer = String::new();
        TcpStream::connect(address)?.read_to_string(&mut answer)?;
        print!("{answer}");
    }

    let ui = runtime.partition("ui")?;
    ui.add_slot("input", Duration::from_millis(2), |_| {})?;
    ui.add_slot("draw", Duration::from_millis(8), |frame| {
        if frame.cycle % 60 == 0 {
            println!(
                "frame {} started {:?} late",
                frame.cycle,
                frame.started - frame.intended_start
            );
        }
    })?;

    // Ordinary code runs work on a partition and waits for the result.
    let sum = web.run(|| (1..=1000u64).sum::<u64>()).join()?;
    println!("sum computed on the web partition: {sum}");

    let server = runtime.serve_metrics("127.0.0.1:0")?;
    println!("metrics at {}", server.url());
    std::thread::sleep(Duration::from_secs(1));
    println!("{}", runtime.metrics());
    drop(server);
    print!("{}", runtime.shutdown(Duration::from_secs(2)));
    Ok(())
}
