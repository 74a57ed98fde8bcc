//! The official extensions, in one registry: what `plc` (and so `plc lsp`,
//! `plc mcp` and `plc build-script`) and the `parseltongue-lsp` binary
//! check and compile with. The core never depends on this crate; a tool
//! that wants the core language alone passes `Extensions::none()`.

use std::sync::OnceLock;

use parseltongue_core::diagnostics::codes::{self, CodeInfo};
use parseltongue_core::extension::Extensions;
use parseltongue_core::source::SourceMap;
use parseltongue_core::{Checked, Compiled};

/// Every official extension: Slytherin (topics) for now; Basilisk and
/// Nagini join here.
pub fn official() -> Extensions {
    static OFFICIAL: OnceLock<Extensions> = OnceLock::new();
    OFFICIAL
        .get_or_init(|| Extensions::of([slytherin_lang::extension()]))
        .clone()
}

/// [`parseltongue_core::check`] with the official extensions.
pub fn check(sources: &SourceMap) -> Checked {
    parseltongue_core::check_with(sources, &official())
}

/// [`parseltongue_core::compile`] with the official extensions.
///
/// # Errors
/// As [`parseltongue_core::compile`]: only for a compiler bug.
pub fn compile(sources: &SourceMap) -> Result<Compiled, parseltongue_core::lower::LowerError> {
    parseltongue_core::compile_with(sources, &official())
}

/// The registry entry of a code (`PT0301`, `pt1001`), the core's or an
/// official extension's.
pub fn lookup_code(spelling: &str) -> Option<&'static CodeInfo> {
    codes::lookup(spelling).or_else(|| official().code(spelling))
}

/// Every code, the core's then each extension's, in numeric order.
pub fn all_codes() -> Vec<&'static CodeInfo> {
    let mut all: Vec<&'static CodeInfo> = codes::ALL.iter().chain(official().codes()).collect();
    all.sort_by_key(|info| info.code);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_extensions_share_a_block_kind_or_a_code() {
        let extensions = official();
        let mut kinds: Vec<&str> = extensions.block_kinds().map(|k| k.keyword).collect();
        let count = kinds.len();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), count, "a block kind is owned twice");
        let mut codes: Vec<u16> = extensions.codes().map(|c| c.code.0).collect();
        let count = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), count, "a code is defined twice");
        assert!(
            codes.iter().all(|&c| c >= 1000),
            "extension codes start at PT1000"
        );
        for kind in extensions.block_kinds() {
            assert!(
                !["partition", "partition_plan"].contains(&kind.keyword),
                "`{}` is the core's",
                kind.keyword
            );
        }
    }
}
