//! A real client that no one here wrote: Neovim, headless, starts the
//! server over stdio, opens a file with an error, receives the diagnostic,
//! hovers, goes to a definition and formats the buffer. The Lua script
//! writes what Neovim saw as JSON; the test checks it.
//!
//! `scripts/test.sh` installs Neovim (Debian's `neovim`) and sets
//! `PARSELTONGUE_REQUIRE_NVIM=1`, so there the test cannot be skipped.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const PROGRAM: &str = "function double(n: i64) returns i64 {
    n * 2
}

function main() {
  let_var value = double(21);
    let_var count = 0;
    count = 1;
    print_line(\"{} {}\", value, count);
}
";

const SCRIPT: &str = r#"
local out = { diagnostics = {} }
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({ name = 'parseltongue', cmd = { SERVER }, root_dir = ROOT })
vim.lsp.buf_attach_client(bufnr, client_id)
vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20)
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
  table.insert(out.diagnostics, { code = code, line = d.lnum, column = d.col, message = d.message })
end
local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(bufnr)
local function at(line, character)
  return { textDocument = { uri = uri }, position = { line = line, character = character } }
end
local hover = client.request_sync('textDocument/hover', at(5, 20), 10000, bufnr)
if hover and hover.result then out.hover = hover.result.contents.value end
local definition = client.request_sync('textDocument/definition', at(5, 20), 10000, bufnr)
if definition and definition.result then
  local result = definition.result
  if result[1] then result = result[1] end
  out.definition = { line = result.range.start.line, character = result.range.start.character }
end
local formatting = client.request_sync('textDocument/formatting',
  { textDocument = { uri = uri }, options = { tabSize = 4, insertSpaces = true } }, 10000, bufnr)
if formatting and formatting.result then
  vim.lsp.util.apply_text_edits(formatting.result, bufnr, 'utf-16')
end
out.formatted = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
local file = io.open(OUTPUT, 'w')
file:write(vim.fn.json_encode(out))
file:close()
vim.lsp.stop_client(client_id)
vim.cmd('qa!')
"#;

#[test]
fn neovim_gets_diagnostics_hover_definition_and_formatting() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("PARSELTONGUE_REQUIRE_NVIM").is_none(),
            "Neovim is required here: install it with `apt-get install neovim`"
        );
        eprintln!("skipped: Neovim (`nvim`) is not installed; scripts/test.sh installs it");
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("neovim-client");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let file = dir.join("main.pt");
    std::fs::write(&file, PROGRAM).expect("program");
    let output = dir.join("seen.json");
    let lua = |s: &std::path::Path| format!("{:?}", s.display().to_string());
    let script = SCRIPT
        .replace(
            "SERVER",
            &lua(std::path::Path::new(env!("CARGO_BIN_EXE_parseltongue-lsp"))),
        )
        .replace("ROOT", &lua(&dir))
        .replace("OUTPUT", &lua(&output));
    let script_path = dir.join("client.lua");
    std::fs::write(&script_path, script).expect("script");

    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {}", script_path.display()))
        .arg(&file)
        .current_dir(&dir)
        .spawn()
        .expect("nvim starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("nvim status").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let seen: Value =
        serde_json::from_str(&std::fs::read_to_string(&output).expect("Neovim wrote its results"))
            .expect("JSON");
    let diagnostics = seen["diagnostics"].as_array().expect("diagnostics");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "PT0301" && d["line"] == 7 && d["column"] == 4),
        "{seen}"
    );
    assert!(
        seen["hover"]
            .as_str()
            .is_some_and(|h| h.contains("function double(n: i64) returns i64")),
        "{seen}"
    );
    assert_eq!(seen["definition"]["line"], 0, "{seen}");
    assert_eq!(seen["definition"]["character"], 9, "{seen}");
    let formatted = seen["formatted"].as_str().expect("buffer text");
    assert!(
        formatted.contains("\n    let_var value = double(21);\n"),
        "{formatted}"
    );
}
