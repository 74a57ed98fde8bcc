//! `plc` with Slytherin's blocks: `check` reports the extension's codes at
//! their `.pt` lines, `explain` knows them, and `plc run FILE.pt` links the
//! run-time crate and talks to a real broker.

mod support;

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
    let server = Server::start(&BrokerConfig::embedded(data.path())).expect("the broker starts");
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

#[test]
fn the_slytherin_template_builds_tests_and_runs_against_a_broker() {
    let work = support::fresh_dir("slytherin-template");
    let made = support::plc_with_cargo()
        .args(["new", "views", "--template", "slytherin"])
        .current_dir(&work)
        .output()
        .expect("plc runs");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let package = work.join("views");
    let manifest = std::fs::read_to_string(package.join("Cargo.toml")).expect("a manifest");
    assert!(manifest.contains("slytherin-runtime = "), "{manifest}");
    // The template is in the canonical layout.
    let formatted = plc()
        .args(["fmt", "--check"])
        .current_dir(&package)
        .output()
        .expect("plc runs");
    assert!(formatted.status.success(), "{}", text(&formatted.stdout));
    let tested = support::plc_with_cargo()
        .arg("test")
        .current_dir(&package)
        .output()
        .expect("plc runs");
    assert!(tested.status.success(), "{}", text(&tested.stderr));
    assert!(
        text(&tested.stdout).contains("totals_add_up"),
        "{}",
        text(&tested.stdout)
    );

    let data = tempfile::tempdir().expect("a data folder");
    let server = Server::start(&BrokerConfig::embedded(data.path())).expect("the broker starts");
    let ran = support::plc_with_cargo()
        .arg("run")
        .current_dir(&package)
        .env("SLYTHERIN_BROKERS", server.address().to_string())
        .output()
        .expect("plc runs");
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    assert_eq!(
        text(&ran.stdout),
        "stored 2 views\nread 2 views, 42 seconds in all\n"
    );
    server.shutdown().expect("a clean stop");

    // Without the run-time crate, plc says which line to add, before Cargo.
    let without: String = manifest
        .lines()
        .filter(|l| !l.starts_with("slytherin-runtime"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(package.join("Cargo.toml"), without).expect("write");
    let refused = support::plc_with_cargo()
        .arg("build")
        .current_dir(&package)
        .output()
        .expect("plc runs");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("[dependencies]\nslytherin-runtime = "),
        "{}",
        text(&refused.stderr)
    );
}
