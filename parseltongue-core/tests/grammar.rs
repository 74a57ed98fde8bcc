//! The grammars `plc grammar` prints are held against the parser, so they
//! can never drift from it: every valid program (the corpus, the examples,
//! the references' ```pt blocks and a batch of the program generator's
//! programs) is accepted, and every program with a syntax error in the
//! error corpus is rejected. The Lark grammar is run by llguidance, the
//! library that constrained decoding uses; the GBNF grammar is first read
//! by llguidance's own GBNF converter (from PyPI, in the environment
//! `scripts/python-env.sh` makes), so a third party's reader checks that
//! it is well-formed GBNF.

mod support;

use llguidance::{api::TopLevelGrammar, Matcher, ParserFactory};
use parseltongue_core::diagnostics::{codes, Diagnostics};
use parseltongue_core::grammar::{self, Format};
use parseltongue_core::source::FileId;
use std::path::{Path, PathBuf};
use toktrie::{ApproximateTokEnv, InferenceCapabilities};

/// A compiled grammar that reads programs byte by byte, as a sampler
/// with a one-byte-per-token vocabulary would.
struct Constrained {
    matcher: Matcher,
}

impl Constrained {
    fn new(lark: &str) -> Constrained {
        let env = ApproximateTokEnv::single_byte_env();
        let mut factory = ParserFactory::new(&env, InferenceCapabilities::default(), &[])
            .expect("llguidance parser factory");
        factory.quiet();
        let matcher =
            Matcher::new(factory.create_parser(TopLevelGrammar::from_lark(lark.to_string())));
        assert!(
            !matcher.is_error(),
            "the grammar does not compile: {:?}",
            matcher.get_error()
        );
        Constrained { matcher }
    }

    /// `None` if the whole program is accepted, else the byte where the
    /// grammar stops it.
    fn stops_at(&mut self, program: &str) -> Option<usize> {
        self.matcher.reset().expect("reset");
        let bytes: Vec<u32> = program.bytes().map(u32::from).collect();
        let taken = self.matcher.try_consume_tokens(&bytes).unwrap_or(0);
        if taken < bytes.len() {
            return Some(taken);
        }
        (!self.matcher.is_accepting().unwrap_or(false)).then_some(bytes.len())
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The GBNF grammar read by llguidance's GBNF converter, as Lark.
fn gbnf_read_by_llguidance() -> String {
    let env_script = root().join("scripts/python-env.sh");
    let python = std::process::Command::new(&env_script)
        .output()
        .expect("scripts/python-env.sh runs");
    assert!(
        python.status.success(),
        "scripts/python-env.sh failed: {}",
        String::from_utf8_lossy(&python.stderr)
    );
    let python = String::from_utf8(python.stdout)
        .expect("a path")
        .trim()
        .to_string();
    let gbnf_file = support::work_dir().join("parseltongue.gbnf");
    std::fs::write(&gbnf_file, grammar::render(Format::Gbnf)).expect("write the GBNF");
    let converted = std::process::Command::new(python)
        .args([
            "-c",
            "import sys\nfrom llguidance.gbnf_to_lark import gbnf_to_lark\nprint(gbnf_to_lark(open(sys.argv[1]).read()))",
        ])
        .arg(&gbnf_file)
        .output()
        .expect("python runs");
    assert!(
        converted.status.success(),
        "llguidance's converter rejects the GBNF: {}",
        String::from_utf8_lossy(&converted.stderr)
    );
    String::from_utf8(converted.stdout).expect("UTF-8 Lark")
}

/// Every valid program: `(where it comes from, text)`.
fn valid_programs() -> Vec<(String, String)> {
    let mut out = support::written_programs(&support::Written {
        corpora: &["valid"],
        blocks: |info| info == "pt",
        examples: true,
    });
    // The generator's programs use every construct, in combinations no one
    // wrote by hand.
    for seed in 0..120u64 {
        let size = parseltongue_conformance::generate::Size::from_knob((seed % 4) as usize);
        let program = parseltongue_conformance::generate::generate(9_000 + seed, size);
        for (name, text) in program.files {
            out.push((format!("generated seed {} {name}", 9_000 + seed), text));
        }
    }
    out
}

/// What a grammar cannot see: code nested deeper than the compiler
/// accepts is well-formed text.
fn beyond_a_grammar(diagnostics: &Diagnostics) -> bool {
    diagnostics
        .iter()
        .all(|d| d.code == codes::NESTING_TOO_DEEP)
}

/// Programs of the error corpus (and the references' wrong examples) whose
/// syntax is wrong: the lexer or the parser reports them.
fn syntax_errors() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let candidates = support::written_programs(&support::Written {
        corpora: &["errors"],
        blocks: |info| info.starts_with("pt wrong"),
        examples: false,
    });
    for (origin, text) in candidates {
        let mut diagnostics = Diagnostics::new();
        let _ = parseltongue_core::syntax::parse_file(&text, FileId(0), &mut diagnostics);
        if diagnostics.has_errors() && !beyond_a_grammar(&diagnostics) {
            out.push((origin, text));
        }
    }
    out
}

fn context(text: &str, at: usize) -> String {
    let line = text[..at.min(text.len())].matches('\n').count() + 1;
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| at + i);
    format!(
        "line {line}: {:?} (stopped at column {})",
        &text[start..end],
        at - start + 1
    )
}

fn holds_against_the_parser(name: &str, lark: &str) {
    let mut grammar = Constrained::new(lark);
    let valid = valid_programs();
    let mut failures = Vec::new();
    for (origin, text) in &valid {
        if let Some(at) = grammar.stops_at(text) {
            failures.push(format!(
                "{origin} is valid but rejected at {}",
                context(text, at)
            ));
        }
    }
    let invalid = syntax_errors();
    for (origin, text) in &invalid {
        if grammar.stops_at(text).is_none() {
            failures.push(format!("{origin} has a syntax error but is accepted"));
        }
    }
    println!(
        "{name}: {} valid programs accepted, {} with syntax errors rejected",
        valid.len() - failures.iter().filter(|f| f.contains("is valid")).count(),
        invalid.len()
            - failures
                .iter()
                .filter(|f| f.contains("is accepted"))
                .count(),
    );
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    assert!(
        valid.len() > 250 && invalid.len() > 40,
        "{} valid, {} invalid",
        valid.len(),
        invalid.len()
    );
}

/// Runs `work` with a deep stack: the corpus nests deeply on purpose, and
/// both the parser and llguidance's parser recurse.
fn with_deep_stack(work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(work)
        .expect("thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

#[test]
fn the_lark_grammar_accepts_every_valid_program_and_rejects_syntax_errors() {
    with_deep_stack(|| holds_against_the_parser("lark", &grammar::render(Format::Lark)));
}

#[test]
fn the_gbnf_grammar_accepts_every_valid_program_and_rejects_syntax_errors() {
    let lark = gbnf_read_by_llguidance();
    with_deep_stack(move || holds_against_the_parser("gbnf", &lark));
}

/// A small deterministic generator (xorshift), so a failure names a seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// `text` with one token-level edit: a token deleted, doubled, swapped
/// with the next, replaced by another token of the program, or joined to
/// the next (the space between them taken out; then also the token before
/// the join).
fn mutate(text: &str, rng: &mut Rng) -> Option<(String, Option<String>)> {
    let mut diagnostics = Diagnostics::new();
    let (_, lexed) = parseltongue_core::syntax::parse_file(text, FileId(0), &mut diagnostics);
    let tokens: Vec<(usize, usize)> = lexed
        .tokens
        .iter()
        .map(|t| (t.start as usize, t.end as usize))
        .filter(|(start, end)| end > start)
        .collect();
    if tokens.len() < 2 {
        return None;
    }
    let i = rng.below(tokens.len() - 1);
    let (start, end) = tokens[i];
    let (next_start, next_end) = tokens[i + 1];
    let other = tokens[rng.below(tokens.len())];
    let piece = |(a, b): (usize, usize)| &text[a..b];
    let mutant = match rng.below(5) {
        0 => format!("{}{}", &text[..start], &text[end..]),
        1 => format!("{} {}", &text[..end], &text[start..]),
        2 => format!(
            "{}{}{}{}{}",
            &text[..start],
            piece((next_start, next_end)),
            &text[end..next_start],
            piece((start, end)),
            &text[next_end..]
        ),
        3 => format!("{} {} {}", &text[..start], piece(other), &text[end..]),
        _ => {
            let joined = format!("{}{}", &text[..end], &text[next_start..]);
            return Some((joined, Some(piece((start, end)).to_string())));
        }
    };
    Some((mutant, None))
}

fn has_errors(program: &str) -> bool {
    let mut sources = parseltongue_core::source::SourceMap::new();
    sources.add(parseltongue_core::source::SourceFile::new(
        "main.pt", program,
    ));
    parseltongue_core::check(&sources).has_errors()
}

/// Programs one edit away from valid ones: the grammar must give the
/// parser's verdict. It may be stricter than the parser only on programs
/// the checker rejects anyway (`list<>`, `Some()`), and looser only where
/// a word runs into the next after one of the words that may be followed
/// by a word or a symbol (`for i inrange(3)`).
fn mutants_agree(name: &str, lark: &str) {
    let mut grammar = Constrained::new(lark);
    let run_on = grammar::words_that_may_run_on();
    let programs = support::written_programs(&support::Written {
        corpora: &["valid"],
        blocks: |_| false,
        examples: false,
    });
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut agree, mut stricter, mut looser) = (0, 0, 0);
    let mut failures = Vec::new();
    for (origin, text) in &programs {
        for _ in 0..40 {
            let Some((mutant, joined_after)) = mutate(text, &mut rng) else {
                continue;
            };
            let mut diagnostics = Diagnostics::new();
            let _ = parseltongue_core::syntax::parse_file(&mutant, FileId(0), &mut diagnostics);
            let parser_accepts = !diagnostics.has_errors();
            let stopped = grammar.stops_at(&mutant);
            match (parser_accepts, stopped) {
                (true, None) | (false, Some(_)) => agree += 1,
                (true, Some(at)) => {
                    stricter += 1;
                    if !has_errors(&mutant) {
                        failures.push(format!(
                            "{origin}: a valid edit is rejected at {}",
                            context(&mutant, at)
                        ));
                    }
                }
                (false, None) => {
                    looser += 1;
                    let allowed = joined_after.as_ref().is_some_and(|word| {
                        run_on.contains(word) || word.starts_with(|c: char| c.is_ascii_digit())
                    });
                    if !allowed {
                        let what: Vec<String> = diagnostics
                            .iter()
                            .map(|d| format!("{} {}", d.code, d.message))
                            .collect();
                        failures.push(format!("{origin}: an edit with {what:?} is accepted"));
                    }
                }
            }
        }
    }
    println!(
        "{name}: of {} edited programs, {agree} get the parser's verdict, {stricter} are rejected though only the checker would reject them, {looser} run a word on after {run_on:?} or a number",
        agree + stricter + looser
    );
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    assert!(agree > 1500, "only {agree} edited programs");
}

#[test]
fn edited_programs_get_the_parsers_verdict_from_the_lark_grammar() {
    with_deep_stack(|| mutants_agree("lark", &grammar::render(Format::Lark)));
}

#[test]
fn edited_programs_get_the_parsers_verdict_from_the_gbnf_grammar() {
    let lark = gbnf_read_by_llguidance();
    with_deep_stack(move || mutants_agree("gbnf", &lark));
}

#[test]
fn the_references_show_the_description_itself() {
    for doc in ["docs/reference.md", "docs/llms.txt"] {
        let text = std::fs::read_to_string(root().join(doc)).expect("doc exists");
        assert!(
            text.contains(grammar::DESCRIPTION),
            "{doc} must show parseltongue-core/src/grammar/parseltongue.ebnf verbatim in a ```text block"
        );
    }
}
