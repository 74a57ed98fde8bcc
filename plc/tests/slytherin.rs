//! `plc` with Slytherin's blocks: `check` reports the extension's codes at
//! their `.pt` lines, `explain` knows them, and `plc run FILE.pt` links the
//! run-time crate and talks to a real broker.

mod support;

use std::net::SocketAddr;

use slytherin_broker::config::BrokerConfig;
use slytherin_broker::server::Server;
use support::{plc, scratch, text};

const ORDERS: &str = r#"record Order {
    id: i64,
    item: string,
}

topic orders {
    message: Order,
    partitions: 2,
    key: item,
}

function main() {
    let_var producer = connect_orders_producer("").expect("a producer");
    let_mut_var orders: list<Order> = list_of();
    for id in range(1, 11) {
        orders.push(Order { id: id, item: format("item-{}", id % 3) });
    }
    print_line("stored {}", send_all_orders(producer, orders).expect("stored").length());
    let_mut_var consumer = connect_orders_consumer("", "billing").expect("a consumer");
    let_mut_var total = 0;
    let_mut_var seen = 0;
    while seen < 10 {
        for order in receive_orders(consumer, 2000).expect("received") {
            total += order.id;
            seen += 1;
        }
    }
    print_line("total {}", total);
}
"#;

#[test]
fn check_reports_slytherin_codes_at_their_lines() {
    let file = scratch(
        "orders_wrong.pt",
        &ORDERS.replace("    key: item,", "    key: items,"),
    );
    let output = plc().arg("check").arg(&file).output().expect("plc runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("[PT1003] Error"), "{stderr}");
    assert!(stderr.contains("orders_wrong.pt:9:10"), "{stderr}");
    assert!(stderr.contains("did you mean `item`?"), "{stderr}");
}

#[test]
fn explain_knows_slytherin_codes() {
    let output = plc()
        .args(["explain", "PT1002"])
        .output()
        .expect("plc runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("# PT1002: "));
    let listed = plc()
        .args(["explain", "--list"])
        .output()
        .expect("plc runs");
    let listed = text(&listed.stdout);
    for info in slytherin_lang::CODES {
        assert!(
            listed.contains(&format!("{}  {}\n", info.code, info.title)),
            "{listed}"
        );
    }
}

#[test]
fn run_links_the_runtime_and_talks_to_the_broker() {
    let data = tempfile::tempdir().expect("a data folder");
    let config = BrokerConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data: data.path().to_path_buf(),
        cores: Some(1),
        ..BrokerConfig::default()
    };
    let server = Server::start(&config).expect("the broker starts");
    let file = scratch("orders.pt", ORDERS);
    let output = plc()
        .arg("run")
        .arg(&file)
        .env("SLYTHERIN_BROKERS", server.address().to_string())
        .output()
        .expect("plc runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "stored 10\ntotal 55\n");
    server.shutdown().expect("a clean stop");
}
