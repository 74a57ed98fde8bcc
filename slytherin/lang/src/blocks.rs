//! What topic and pipeline blocks share: their names (each declared once
//! per file) and the names of their settings (known, and each written
//! once unless it may repeat).

use parseltongue_core::diagnostics::codes::{Code, DUPLICATE_DEFINITION};
use parseltongue_core::diagnostics::{Applicability, Diagnostic};
use parseltongue_core::extension::{BlockRef, ExtensionCx, SettingKind};
use parseltongue_core::ir::ModuleId;
use parseltongue_core::source::Span;
use parseltongue_core::syntax::ast::Ident;

/// The first block of each name in each module: the ones that declare
/// (a second of the same name is reported by the check, not declared again).
pub(crate) fn first_of_each_name<'a>(blocks: &[BlockRef<'a>]) -> Vec<(BlockRef<'a>, &'a Ident)> {
    let mut seen: Vec<(ModuleId, &str)> = Vec::new();
    let mut out = Vec::new();
    for block in blocks {
        let Some(name) = block.name() else { continue };
        if seen.contains(&(block.module, name.name.as_str())) {
            continue;
        }
        seen.push((block.module, name.name.as_str()));
        out.push((*block, name));
    }
    out
}

/// The named blocks, each name once per module; a block without a name
/// (`code`, with `example` as the fix) or a second of a name (PT0103) is
/// reported and left out. `ok` is false if anything was reported.
pub(crate) fn named<'a>(
    blocks: &[BlockRef<'a>],
    what: &str,
    example: &str,
    code: Code,
    cx: &mut ExtensionCx<'_, '_>,
) -> (Vec<(BlockRef<'a>, &'a Ident)>, bool) {
    let mut ok = true;
    let mut out: Vec<(BlockRef<'a>, &'a Ident)> = Vec::new();
    for block in blocks {
        let Some(name) = block.name() else {
            cx.error(
                Diagnostic::error(
                    code,
                    block.block.keyword.span,
                    format!("a {what} needs a name"),
                )
                .with_label(format!("`{what}` without a name"))
                .with_help(format!(
                    "write the {what}'s name after `{what}`: `{example}`"
                )),
            );
            ok = false;
            continue;
        };
        if let Some((_, first)) = out
            .iter()
            .find(|(b, n)| b.module == block.module && n.name == name.name)
        {
            cx.error(
                Diagnostic::error(
                    DUPLICATE_DEFINITION,
                    name.span,
                    format!("{what} `{}` is declared twice", name.name),
                )
                .with_label("declared again here")
                .with_secondary(first.span, "first declared here")
                .with_help("rename one of them"),
            );
            ok = false;
            continue;
        }
        out.push((*block, name));
    }
    (out, ok)
}

/// Reports every setting of `block` that `settings` does not have (with
/// the closest as the fix) and every one written twice that is not in
/// `repeatable`; true if there was none.
pub(crate) fn setting_names_are_known(
    block: BlockRef<'_>,
    what: &str,
    settings: &[SettingKind],
    repeatable: &[&str],
    code: Code,
    cx: &mut ExtensionCx<'_, '_>,
) -> bool {
    let mut ok = true;
    let mut written: Vec<(&str, Span)> = Vec::new();
    for (setting, _) in block.settings() {
        let Some(known) = settings.iter().find(|s| s.name == setting.name) else {
            let mut d = Diagnostic::error(
                code,
                setting.span,
                format!("a {what} has no setting `{}`", setting.name),
            )
            .with_label(format!("not a {what} setting"))
            .with_note(format!(
                "a {what}'s settings: {}",
                settings
                    .iter()
                    .map(|s| format!("`{}`", s.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if let Some(near) = cx.closest(&setting.name, settings.iter().map(|s| s.name)) {
                d = d.with_suggestion(
                    format!("did you mean `{near}`?"),
                    setting.span,
                    near,
                    Applicability::MaybeIncorrect,
                );
            }
            cx.error(d);
            ok = false;
            continue;
        };
        if !repeatable.contains(&known.name) {
            if let Some(&(_, first)) = written.iter().find(|(n, _)| *n == known.name) {
                cx.error(
                    Diagnostic::error(code, setting.span, format!("`{}` is set twice", known.name))
                        .with_label("set again here")
                        .with_secondary(first, "first set here")
                        .with_help("keep one of them"),
                );
                ok = false;
            }
        }
        written.push((known.name, setting.span));
    }
    ok
}
