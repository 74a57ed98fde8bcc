//! Hover: the type of an expression, the signature of a named item, and
//! for a keyword what it means and the Rust it lowers to (taken from the
//! reference's keyword table, so the two never disagree).

use super::Analysis;
use crate::ir::{FunctionKind, Target, TypeDefKind};
use crate::source::{FileId, Span};
use crate::syntax::ast::ParamMode;
use crate::syntax::token::{Keyword, TokenKind};

/// The language reference, whose keyword table hover quotes.
const REFERENCE: &str = include_str!("../../../docs/reference.md");

/// The reference's row for `keyword`: (what it is, Rust it lowers to, example).
pub(crate) fn keyword_row(keyword: Keyword) -> Option<(String, String, String)> {
    // A row names its keyword first: `| `with_lock` … `as` |` too.
    let wanted = format!("| `{}` ", keyword.as_str());
    let row = REFERENCE.lines().find(|line| line.starts_with(&wanted))?;
    let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
    match cells.as_slice() {
        [_, what, rust, example, ..] => Some((
            (*what).to_string(),
            (*rust).to_string(),
            (*example).to_string(),
        )),
        _ => None,
    }
}

impl Analysis {
    /// Markdown for the hover at `offset`, with the span it describes.
    pub fn hover(&self, file: FileId, offset: u32) -> Option<(Span, String)> {
        if let Some(token) = self.token_at(file, offset) {
            if let TokenKind::Keyword(keyword) = token.kind {
                let (what, rust, example) = keyword_row(keyword)?;
                let span = Span::new(file, token.start as usize, token.end as usize);
                return Some((
                    span,
                    format!(
                        "**`{}`**: {what}\n\nLowers to Rust: {rust}\n\nExample: {example}",
                        keyword.as_str()
                    ),
                ));
            }
        }
        // A block's name is where what it declares is defined: describe
        // the block rather than the first of those.
        if let Some(found) = self.block_name_at(file, offset) {
            return Some(found);
        }
        if let Some(reference) = self.reference_at(file, offset) {
            let text = self.describe(reference.target)?;
            return Some((reference.span, text));
        }
        if let Some(found) = self.block_word_at(file, offset) {
            return Some(found);
        }
        if let Some(found) = self.builtin_method_at(file, offset) {
            return Some(found);
        }
        let (span, ty) = self.type_at(file, offset)?;
        Some((
            span,
            format!("```parseltongue\n{}\n```", self.program().show_type(&ty)),
        ))
    }

    /// A block's kind word or one of its settings, described by the block
    /// kind that reads it.
    fn block_word_at(&self, file: FileId, offset: u32) -> Option<(Span, String)> {
        use crate::extension::Extensions;
        use crate::syntax::ast::{BlockEntryKind, ExtensionBlock, ItemKind};
        fn find(
            block: &ExtensionBlock,
            offset: u32,
            extensions: &Extensions,
        ) -> Option<(Span, String)> {
            let on = |span: Span| span.start <= offset && offset <= span.end;
            let kind = block.keyword.name.as_str();
            let extension_kind = extensions.block_kind(kind).map(|(_, kind)| kind);
            if on(block.keyword.span) {
                let text =
                    crate::check::describe_block(kind).or(extension_kind.map(|k| k.description))?;
                return Some((block.keyword.span, text.to_string()));
            }
            for entry in &block.entries {
                match &entry.kind {
                    BlockEntryKind::Setting { name, .. } if on(name.span) => {
                        let text =
                            crate::check::describe_setting(kind, &name.name).or_else(|| {
                                let settings = extension_kind?.settings;
                                let setting = settings.iter().find(|s| s.name == name.name)?;
                                Some(setting.description)
                            })?;
                        return Some((name.span, text.to_string()));
                    }
                    BlockEntryKind::Block(nested) if on(nested.span) => {
                        return find(nested, offset, extensions)
                    }
                    _ => {}
                }
            }
            None
        }
        let module = self.checked.modules.get(file.0 as usize)?;
        module.items.iter().find_map(|item| match &item.kind {
            ItemKind::Block(block) if block.span.start <= offset && offset <= block.span.end => {
                find(block, offset, &self.program().extensions)
            }
            _ => None,
        })
    }

    /// A top-level block's own name (`topic clicks`): what its kind is, and
    /// the types and functions it declares for ordinary code (defined at
    /// that name).
    fn block_name_at(&self, file: FileId, offset: u32) -> Option<(Span, String)> {
        use crate::syntax::ast::ItemKind;
        let module = self.checked.modules.get(file.0 as usize)?;
        let (block, name) = module.items.iter().find_map(|item| match &item.kind {
            ItemKind::Block(block) => block
                .name
                .as_ref()
                .filter(|n| n.span.start <= offset && offset <= n.span.end)
                .map(|n| (block, n)),
            _ => None,
        })?;
        let program = self.program();
        let kind = block.keyword.name.as_str();
        let description = crate::check::describe_block(kind).or_else(|| {
            program
                .extensions
                .block_kind(kind)
                .map(|(_, kind)| kind.description)
        })?;
        let declared: Vec<String> = program
            .types
            .iter()
            .filter(|t| t.span == name.span && matches!(t.kind, TypeDefKind::Extension))
            .map(|t| format!("type {}", t.name))
            .chain(
                program
                    .functions
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.span == name.span && f.kind == FunctionKind::Extension)
                    .filter_map(|(id, _)| self.signature(id)),
            )
            .collect();
        let mut text = format!("**`{kind} {}`**: {description}", name.name);
        if !declared.is_empty() {
            text.push_str(&format!(
                "\n\nDeclares:\n```parseltongue\n{}\n```",
                declared.join("\n")
            ));
        }
        Some((name.span, text))
    }

    /// The signature of a built-in method named at `offset` (`.length()`).
    fn builtin_method_at(&self, file: FileId, offset: u32) -> Option<(Span, String)> {
        let token = self.token_at(file, offset)?;
        if token.kind != TokenKind::Ident {
            return None;
        }
        let tokens = self.tokens(file);
        let index = tokens.iter().position(|t| t.start == token.start)?;
        let dot = tokens.get(index.checked_sub(1)?)?;
        if !matches!(dot.kind, TokenKind::Punct('.', _)) {
            return None;
        }
        let receiver = self.receiver_type(file, dot.start)?;
        let name = self
            .sources
            .get(file)
            .text
            .get(token.start as usize..token.end as usize)?;
        let sig = crate::check::builtins::method(&receiver, name)?;
        let program = self.program();
        let params = sig.shown_params(&receiver, |t| program.show_type(t));
        let returns = match sig.returns {
            crate::ir::Ty::Unit => String::new(),
            ref ty => format!(" returns {}", program.show_type(ty)),
        };
        let span = Span::new(file, token.start as usize, token.end as usize);
        Some((
            span,
            format!(
                "```parseltongue\n{}.{name}({}){returns}\n```\n\nA built-in method of `{}`.",
                program.show_type(&receiver),
                params.join(", "),
                program.show_type(&receiver)
            ),
        ))
    }

    /// A signature or type line for `target`, then its docs.
    pub fn describe(&self, target: Target) -> Option<String> {
        let program = self.program();
        let (code, docs) = match target {
            Target::Local { function, local } => {
                let local = program
                    .functions
                    .get(function)?
                    .body
                    .as_ref()?
                    .locals
                    .get(local)?;
                (
                    format!("{}: {}", local.name, program.show_type(&local.ty)),
                    Vec::new(),
                )
            }
            Target::Function(id) => (self.signature(id)?, program.functions.get(id)?.docs.clone()),
            Target::Type(id) => {
                let def = program.types.get(id)?;
                let code = match &def.kind {
                    TypeDefKind::Record(fields) => {
                        let fields: Vec<String> = fields
                            .iter()
                            .map(|(name, ty)| format!("    {name}: {},", program.show_type(ty)))
                            .collect();
                        format!("record {} {{\n{}\n}}", def.name, fields.join("\n"))
                    }
                    TypeDefKind::Enum(variants) => {
                        let variants: Vec<String> = variants
                            .iter()
                            .map(|(name, payload)| {
                                if payload.is_empty() {
                                    format!("    {name},")
                                } else {
                                    let types: Vec<String> =
                                        payload.iter().map(|t| program.show_type(t)).collect();
                                    format!("    {name}({}),", types.join(", "))
                                }
                            })
                            .collect();
                        format!("enum {} {{\n{}\n}}", def.name, variants.join("\n"))
                    }
                    TypeDefKind::Rust(path) => format!("rust_type {} = {path};", def.name),
                    TypeDefKind::Extension => format!("type {}", def.name),
                };
                (code, def.docs.clone())
            }
            Target::Field(id, index) => {
                let def = program.types.get(id)?;
                let TypeDefKind::Record(fields) = &def.kind else {
                    return None;
                };
                let (name, ty) = fields.get(index)?;
                (
                    format!("{}.{name}: {}", def.name, program.show_type(ty)),
                    def.member_docs.get(index).cloned().unwrap_or_default(),
                )
            }
            Target::Variant(id, index) => {
                let def = program.types.get(id)?;
                let TypeDefKind::Enum(variants) = &def.kind else {
                    return None;
                };
                let (name, payload) = variants.get(index)?;
                let payload: Vec<String> = payload.iter().map(|t| program.show_type(t)).collect();
                let code = if payload.is_empty() {
                    format!("{}::{name}", def.name)
                } else {
                    format!("{}::{name}({})", def.name, payload.join(", "))
                };
                (
                    code,
                    def.member_docs.get(index).cloned().unwrap_or_default(),
                )
            }
            Target::Constant(id) => {
                let c = program.constants.get(id)?;
                (
                    format!("constant {}: {}", c.name, program.show_type(&c.ty)),
                    c.docs.clone(),
                )
            }
            Target::Module(id) => (
                format!("use_module {};", program.modules.get(id)?.name),
                Vec::new(),
            ),
            Target::Partition(id) => {
                let p = program.partitions.partitions.get(id)?;
                let cores = match &p.cores {
                    Some(cores) => format!(
                        "list_of({})",
                        cores
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => "every core the process may use".to_string(),
                };
                let policy = match p.policy {
                    crate::ir::PartitionPolicy::Messaging { batch } => {
                        format!("messaging (batch {batch})")
                    }
                    crate::ir::PartitionPolicy::Frame { cycle_ms } => {
                        format!("frame (cycle {cycle_ms} ms)")
                    }
                    other => other.name().to_string(),
                };
                let note = if program.partitions.declared {
                    Vec::new()
                } else {
                    vec!["The default plan's one partition: the program declares no `partition` blocks.".to_string()]
                };
                (
                    format!(
                        "partition {}
cores: {cores}
policy: {policy}",
                        p.name
                    ),
                    note,
                )
            }
        };
        let mut text = format!("```parseltongue\n{code}\n```");
        if !docs.is_empty() {
            text.push_str("\n\n");
            text.push_str(&docs.join("\n"));
        }
        Some(text)
    }

    /// A function's signature as it is declared.
    pub fn signature(&self, id: usize) -> Option<String> {
        let program = self.program();
        let f = program.functions.get(id)?;
        let mut params: Vec<String> = Vec::new();
        if let FunctionKind::Method {
            receiver: Some(mode),
            ..
        } = &f.kind
        {
            params.push(format!("{}self", mode_prefix(*mode)));
        }
        for p in &f.params {
            params.push(format!(
                "{}{}: {}",
                mode_prefix(p.mode),
                p.name,
                program.show_type(&p.ty)
            ));
        }
        let returns = match f.returns {
            crate::ir::Ty::Unit => String::new(),
            ref ty => format!(" returns {}", program.show_type(ty)),
        };
        let keyword = match f.kind {
            FunctionKind::Test => "test",
            FunctionKind::Rust { .. } => "rust_function",
            _ => "function",
        };
        let owner = match &f.kind {
            FunctionKind::Method { of, .. } => program
                .types
                .get(*of)
                .map(|t| format!("{}.", t.name))
                .unwrap_or_default(),
            _ => String::new(),
        };
        Some(format!(
            "{keyword} {owner}{}({}){returns}",
            f.name,
            params.join(", ")
        ))
    }
}

fn mode_prefix(mode: ParamMode) -> &'static str {
    match mode {
        ParamMode::Read => "",
        ParamMode::Mutable => "mutable ",
        ParamMode::Owned => "owned ",
    }
}
