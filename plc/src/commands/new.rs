//! `plc new NAME`: a Cargo package whose program is written in
//! Parseltongue, ready to `plc run`.

use super::Outcome;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The templates `plc new` knows, and the ones that come with extensions.
const TEMPLATES: [&str; 2] = ["core", "slytherin"];
const EXTENSION_TEMPLATES: [&str; 2] = ["basilisk", "nagini"];

/// Words Cargo refuses as package names (they are Rust keywords or would
/// clash with the standard library's crates).
const RESERVED_NAMES: [&str; 40] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "std", "core", "alloc",
];

fn validate_name(name: &str) -> Result<(), String> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let starts_well = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if name.is_empty() || !valid_chars || !starts_well {
        return Err(format!(
            "`{name}` is not a valid package name; use letters, digits, `-` and `_`, starting with a letter (e.g. `my_program`)"
        ));
    }
    if RESERVED_NAMES.contains(&name) || name == "test" {
        return Err(format!(
            "`{name}` is reserved (a Rust keyword or standard crate); choose another package name"
        ));
    }
    Ok(())
}

fn validate_template(template: &str) -> Result<(), String> {
    if TEMPLATES.contains(&template) {
        Ok(())
    } else if EXTENSION_TEMPLATES.contains(&template) {
        Err(format!(
            "the `{template}` template comes with its extension, which this version of plc does not have yet; use `--template core` or `--template slytherin`"
        ))
    } else {
        Err(format!(
            "unknown template `{template}`; the templates are: {}",
            TEMPLATES.join(", ")
        ))
    }
}

/// A dependency line for one of this project's crates: the copy in the
/// source tree plc was built from when it is still there, else the
/// published crate of plc's version.
fn project_dependency(folder: &str, name: &str, options: &str) -> String {
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(folder);
    let source = match in_tree.canonicalize() {
        Ok(path) if path.join("Cargo.toml").is_file() => {
            let path = path.display().to_string().replace('\\', "/");
            format!("path = \"{path}\"")
        }
        _ => format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
    };
    format!("{name} = {{ {source}{options} }}")
}

/// How the new package depends on `parseltongue-build`: without its
/// `compiler` feature, so the build script runs the installed `plc`
/// instead of compiling the compiler (a first build in seconds, not half a
/// minute).
fn build_dependency() -> String {
    project_dependency(
        "parseltongue-build",
        "parseltongue-build",
        ", default-features = false",
    )
}

/// The `[dependencies]` line for the partition runtime, which a program
/// that runs work on partitions links.
pub fn runtime_dependency() -> String {
    project_dependency("partition", "partition", "")
}

/// The `[dependencies]` line for the run-time crate `package` (an
/// extension's), or `None` for a crate this project does not have.
pub fn extension_runtime_dependency(package: &str) -> Option<String> {
    match package {
        "slytherin-runtime" => Some(project_dependency(
            "slytherin/runtime",
            "slytherin-runtime",
            "",
        )),
        "partition" => Some(runtime_dependency()),
        _ => None,
    }
}

fn manifest(name: &str, standalone: bool, template: &str) -> String {
    let workspace = if standalone {
        "\n# Not part of the Cargo workspace around it.\n[workspace]\n"
    } else {
        ""
    };
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false
{runtime}
[build-dependencies]
{dependency}
{workspace}"#,
        runtime = match template {
            "slytherin" => format!(
                "\n[dependencies]\n{}\n",
                extension_runtime_dependency("slytherin-runtime").unwrap_or_default()
            ),
            _ => String::new(),
        },
        dependency = build_dependency()
    )
}

const BUILD_RS: &str = r#"//! Lowers the Parseltongue program in `src/` to Rust in `OUT_DIR`.
fn main() {
    parseltongue_build::compile_package();
}
"#;

const MAIN_RS: &str = r#"//! The program is written in Parseltongue (`main.pt`); the build script
//! lowers it to Rust, which is included here. `plc emit src` shows it.
include!(concat!(env!("OUT_DIR"), "/parseltongue/main.rs"));
"#;

fn main_pt(name: &str) -> String {
    format!(
        r#"/// A greeting, with a record, a method and a test to start from.
record Greeter {{
    name: string,
}}

methods Greeter {{
    function greeting(self) returns string {{
        format("Hello from {{}}!", self.name)
    }}
}}

function main() {{
    let_var greeter = Greeter {{ name: "{name}" }};
    print_line("{{}}", greeter.greeting());
}}

test greets_by_name {{
    let_var greeter = Greeter {{ name: "Nagini" }};
    assert_equal(greeter.greeting(), "Hello from Nagini!");
}}
"#
    )
}

/// The `slytherin` template: a topic of typed messages, produced and
/// consumed through a broker, with a test of the logic that needs none.
const SLYTHERIN_MAIN_PT: &str = r#"/// A page view: the message of topic `views`.
record View {
    page: string,
    seconds: i64,
}

/// Views of one page stay in order on one partition (the key).
topic views {
    message: View,
    partitions: 3,
    key: page,
}

/// How long the views in `views` lasted, in total.
function total_seconds(views: list<View>) returns i64 {
    let_mut_var total = 0;
    for view in views {
        total += view.seconds;
    }
    total
}

function main() {
    // "" reads SLYTHERIN_BROKERS, else a broker on 127.0.0.1:9092
    // (start one with `slytherin serve`).
    let_var producer = match connect_views_producer("") {
        Ok(producer) => producer,
        Err(problem) => {
            print_error_line("no broker: {}", problem);
            return;
        }
    };
    let_var home = View {
        page: "/home",
        seconds: 12,
    };
    let_var docs = View {
        page: "/docs",
        seconds: 30,
    };
    match send_all_views(producer, list_of(home, docs)) {
        Ok(offsets) => print_line("stored {} views", offsets.length()),
        Err(problem) => print_error_line("not stored: {}", problem),
    }
    let_mut_var readers = connect_views_consumer("", "readers").expect("joined the group");
    let_mut_var read: list<View> = list_of();
    while read.length() < 2 {
        for view in receive_views(readers, 2000).expect("received") {
            read.push(view);
        }
    }
    let_var count = read.length();
    let_var seconds = total_seconds(read);
    print_line("read {} views, {} seconds in all", count, seconds);
    commit_views(readers).expect("committed");
}

test totals_add_up {
    let_var short = View {
        page: "/",
        seconds: 1,
    };
    let_var long = View {
        page: "/a",
        seconds: 2,
    };
    assert_equal(total_seconds(list_of(short, long)), 3);
}
"#;

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// `plc new NAME`: a package in a new folder (or an empty one).
pub fn new(name: &str, template: &str) -> Outcome {
    validate_template(template)?;
    let folder = PathBuf::from(name);
    let empty = folder.is_dir()
        && std::fs::read_dir(&folder).is_ok_and(|mut entries| entries.next().is_none());
    if folder.exists() && !empty {
        return Err(format!(
            "`{}` already exists and is not empty; choose another name, or run `plc init` inside it",
            folder.display()
        ));
    }
    create(&folder, template, empty)
}

/// `plc init [PATH]`: a package in an existing folder, named after it.
pub fn init(folder: &Path, template: &str) -> Outcome {
    validate_template(template)?;
    if !folder.is_dir() {
        return Err(format!(
            "`{}` is not a folder; create a package in a new folder with `plc new NAME`",
            folder.display()
        ));
    }
    for taken in ["Cargo.toml", "src/main.pt", "src/main.rs", "build.rs"] {
        if folder.join(taken).exists() {
            return Err(format!(
                "`{}` already has `{taken}`; `plc init` only fills a folder without a package",
                folder.display()
            ));
        }
    }
    create(folder, template, true)
}

fn create(folder: &Path, template: &str, existed: bool) -> Outcome {
    let absolute = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    validate_name(&name)?;
    let parent = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    // Inside another Cargo project, the new package declares its own
    // workspace, so Cargo does not take it for a forgotten member.
    let enclosing = parent
        .ancestors()
        .find(|dir| dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf);
    if let Some(outer) = &enclosing {
        eprintln!(
            "warning: `{}` is inside the Cargo package in `{}`; the new package declares its own `[workspace]` so the two build apart",
            folder.display(),
            outer.display()
        );
    }
    let src = folder.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("cannot create `{}`: {e}", src.display()))?;
    write(
        &folder.join("Cargo.toml"),
        &manifest(&name, enclosing.is_some(), template),
    )?;
    write(&folder.join("build.rs"), BUILD_RS)?;
    if !folder.join(".gitignore").exists() {
        write(&folder.join(".gitignore"), "/target\n")?;
    }
    write(&src.join("main.rs"), MAIN_RS)?;
    let program = match template {
        "slytherin" => SLYTHERIN_MAIN_PT.to_string(),
        _ => main_pt(&name),
    };
    write(&src.join("main.pt"), &program)?;
    let repository = git_init(folder);
    let shown = folder.display();
    let how = if existed && folder == Path::new(".") {
        "run it with: plc run".to_string()
    } else {
        format!("run it with: cd {shown} && plc run")
    };
    eprintln!("created package `{name}` in `{shown}`{repository}; {how}");
    Ok(ExitCode::SUCCESS)
}

/// Starts a Git repository in `folder`, as `cargo new` does, unless it is
/// already inside one or Git is not installed. Says what it did.
fn git_init(folder: &Path) -> &'static str {
    let inside = std::process::Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(folder)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match inside {
        // Already versioned (or Git is missing): leave it.
        Ok(status) if status.success() => "",
        Err(_) => "",
        Ok(_) => {
            let created = std::process::Command::new("git")
                .arg("init")
                .arg("--quiet")
                .current_dir(folder)
                .status()
                .is_ok_and(|s| s.success());
            if created {
                " with a Git repository"
            } else {
                ""
            }
        }
    }
}
