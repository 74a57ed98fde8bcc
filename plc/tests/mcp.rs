//! `plc mcp` driven by a real MCP client that no one here wrote: the
//! official Python SDK (`mcp` from PyPI, in the environment that
//! `scripts/python-env.sh` makes). The client script is `mcp_client.py`.

mod support;

use std::process::Command;

#[test]
fn an_mcp_client_checks_fixes_runs_and_reads_the_reference() {
    let python = Command::new(support::repo("scripts/python-env.sh"))
        .output()
        .expect("scripts/python-env.sh runs");
    assert!(
        python.status.success(),
        "scripts/python-env.sh failed: {}",
        support::text(&python.stderr)
    );
    let python = support::text(&python.stdout).trim().to_string();
    let work = support::fresh_dir("mcp-client");
    support::write(
        &work.join("disk/main.pt"),
        "function main() {\n    print_line(\"on disk\");\n}\n",
    );
    let plc = assert_cmd::cargo::cargo_bin("plc");
    let output = Command::new(python)
        .arg(support::repo("plc/tests/mcp_client.py"))
        .arg(&plc)
        .arg(&work)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("python runs");
    let stdout = support::text(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success() && stdout.contains("all steps passed"),
        "the MCP client failed:\n{stdout}\n{}",
        support::text(&output.stderr)
    );
}
