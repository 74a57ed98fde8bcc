//! Completion and signature help. Both read the tokens just before the
//! cursor (which exist however broken the code is) and the checker's
//! types, so they work in a half-typed line.

use super::hover::keyword_row;
use super::Analysis;
use crate::check::builtins;
use crate::ir::{FunctionKind, Target, Ty, TypeDefKind};
use crate::source::FileId;
use crate::syntax::token::{Keyword, TokenKind};

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A keyword, usually with a snippet.
    Keyword,
    /// A function.
    Function,
    /// A method.
    Method,
    /// A record field.
    Field,
    /// An enum variant.
    Variant,
    /// A record, enum or Rust type.
    Type,
    /// A local binding or parameter.
    Variable,
    /// A constant.
    Constant,
    /// A module.
    Module,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A type or signature.
    pub detail: String,
    /// An LSP snippet (`$1`, `${2:name}`) to insert instead of the label.
    pub snippet: Option<String>,
}

/// The signature of the call around the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    /// The whole signature, e.g. `function area(width: f64, height: f64) returns f64`.
    pub label: String,
    /// Each parameter's text, as it appears in `label`.
    pub parameters: Vec<String>,
    /// The parameter the cursor is in.
    pub active: usize,
}

/// Snippets for the constructs people type most.
fn keyword_snippet(keyword: Keyword) -> Option<&'static str> {
    Some(match keyword {
        Keyword::Function => "function ${1:name}(${2}) returns ${3:i64} {\n\t$0\n}",
        Keyword::Record => "record ${1:Name} {\n\t${2:field}: ${3:i64},\n}",
        Keyword::Enum => "enum ${1:Name} {\n\t${2:Variant},\n}",
        Keyword::Methods => "methods ${1:Type} {\n\t$0\n}",
        Keyword::Test => "test ${1:name} {\n\t$0\n}",
        Keyword::LetVar => "let_var ${1:name} = ${2:value};",
        Keyword::LetMutVar => "let_mut_var ${1:name} = ${2:value};",
        Keyword::LetCowVar => "let_cow_var ${1:name} = ${2:value};",
        Keyword::LetSharedVar => "let_shared_var ${1:name} = ${2:value};",
        Keyword::LetMutSharedVar => "let_mut_shared_var ${1:name} = ${2:value};",
        Keyword::If => "if ${1:condition} {\n\t$0\n}",
        Keyword::Match => "match ${1:value} {\n\t$0\n}",
        Keyword::For => "for ${1:item} in ${2:items} {\n\t$0\n}",
        Keyword::While => "while ${1:condition} {\n\t$0\n}",
        Keyword::WithLock => "with_lock ${1:shared} as ${2:value} {\n\t$0\n}",
        Keyword::WithEntry => {
            "with_entry ${1:counts}[${2:key}] or_insert ${3:0} as ${4:count} {\n\t$0\n}"
        }
        Keyword::SpawnThread => "spawn_thread {\n\t$0\n}",
        Keyword::SpawnOn => "spawn_on ${1:app} {\n\t$0\n}",
        Keyword::RunEveryCycle => "run_every_cycle(${1:ui}, ${2:draw}, ${3:4});",
        Keyword::MailboxOn => "mailbox_on(${1:bus}, ${2:handle})",
        Keyword::PrintLine => "print_line(\"${1:{}}\", ${2:value});",
        Keyword::Constant => "constant ${1:NAME}: ${2:i64} = ${3:0};",
        Keyword::UseModule => "use_module ${1:name};",
        _ => return None,
    })
}

impl Analysis {
    /// Completions at `offset` in `file`.
    pub fn completions(&self, file: FileId, offset: u32) -> Vec<Completion> {
        let tokens = self.tokens(file);
        // The token the cursor is in or after; an identifier being typed
        // is the prefix, not the context.
        let mut i = tokens.partition_point(|t| t.end < offset);
        if tokens.get(i).is_some_and(|t| {
            t.start < offset && matches!(t.kind, TokenKind::Ident | TokenKind::Keyword(_))
        }) || tokens.get(i).is_some_and(|t| t.start >= offset)
        {
            // `i` is the word being typed (or the next token): look before it.
        } else {
            i += 1;
        }
        let before = |n: usize| i.checked_sub(n).and_then(|k| tokens.get(k));
        match (before(2).map(|t| t.kind), before(1).map(|t| t.kind)) {
            (_, Some(TokenKind::Punct('.', _))) => {
                let dot = before(1).map_or(offset, |t| t.start);
                return self.member_completions(file, dot);
            }
            (Some(TokenKind::Punct(':', _)), Some(TokenKind::Punct(':', _))) => {
                let name_token = before(3);
                if let Some(name) = name_token.filter(|t| t.kind == TokenKind::Ident) {
                    let text = self
                        .sources
                        .get(file)
                        .text
                        .get(name.start as usize..name.end as usize)
                        .unwrap_or("");
                    return self.path_completions(text);
                }
                return Vec::new();
            }
            _ => {}
        }
        if let Some(settings) = self.block_setting_completions(file, offset, before(1)) {
            return settings;
        }
        let mut out = self.scope_completions(file, offset);
        out.extend(self.block_kind_completions(file, offset));
        if let Some(ty) = self.match_scrutinee_at(file, offset) {
            out.splice(0..0, self.variant_completions(&ty));
        }
        out
    }

    /// Inside a block where an entry starts (after `{` or `,`): the
    /// settings its kind takes (the core's or an extension's), those not
    /// yet written first.
    fn block_setting_completions(
        &self,
        file: FileId,
        offset: u32,
        previous: Option<&crate::syntax::token::Token>,
    ) -> Option<Vec<Completion>> {
        use crate::syntax::ast::{BlockEntryKind, ItemKind};
        let at_entry_start = previous
            .is_some_and(|t| matches!(t.kind, TokenKind::Punct('{', _) | TokenKind::Punct(',', _)));
        let module = self.checked.modules.get(file.0 as usize)?;
        let block = module.items.iter().find_map(|item| match &item.kind {
            ItemKind::Block(block) if block.span.start < offset && offset < block.span.end => {
                Some(block)
            }
            _ => None,
        })?;
        if !at_entry_start {
            return Some(Vec::new());
        }
        let keyword = block.keyword.name.as_str();
        let written: Vec<&str> = block
            .entries
            .iter()
            .filter_map(|entry| match &entry.kind {
                BlockEntryKind::Setting { name, .. } => Some(name.name.as_str()),
                _ => None,
            })
            .collect();
        let settings: Vec<(&str, String)> = match self.program().extensions.block_kind(keyword) {
            Some((_, kind)) => kind
                .settings
                .iter()
                .map(|s| (s.name, s.description.to_string()))
                .collect(),
            None => crate::check::core_block_settings(keyword)
                .iter()
                .map(|name| {
                    let text = crate::check::describe_setting(keyword, name).unwrap_or("");
                    (*name, text.to_string())
                })
                .collect(),
        };
        let mut out: Vec<Completion> = settings
            .into_iter()
            .map(|(name, description)| Completion {
                label: name.to_string(),
                kind: CompletionKind::Field,
                detail: description,
                snippet: Some(format!("{name}: $0,")),
            })
            .collect();
        out.sort_by_key(|c| written.contains(&c.label.as_str()));
        Some(out)
    }

    /// Outside every item: the block kinds, each with a snippet of its
    /// name and first setting.
    fn block_kind_completions(&self, file: FileId, offset: u32) -> Vec<Completion> {
        let Some(module) = self.checked.modules.get(file.0 as usize) else {
            return Vec::new();
        };
        let inside_item = module
            .items
            .iter()
            .any(|item| item.span.start < offset && offset <= item.span.end);
        if inside_item {
            return Vec::new();
        }
        let core = crate::check::CORE_BLOCK_KINDS.iter().map(|keyword| {
            let first = crate::check::core_block_settings(keyword)
                .first()
                .copied()
                .unwrap_or("cores");
            let described = crate::check::describe_block(keyword).unwrap_or("");
            (*keyword, first, described)
        });
        let extensions = self.program().extensions.block_kinds().map(|kind| {
            let first = kind.settings.first().map_or("name", |s| s.name);
            (kind.keyword, first, kind.description)
        });
        core.chain(extensions)
            .map(|(keyword, first, description)| Completion {
                label: keyword.to_string(),
                kind: CompletionKind::Keyword,
                detail: description.to_string(),
                snippet: Some(format!(
                    "{keyword} ${{1:name}} {{\n\t{first}: ${{2:value}},\n\t$0\n}}"
                )),
            })
            .collect()
    }

    fn member_completions(&self, file: FileId, dot: u32) -> Vec<Completion> {
        let Some(ty) = self.receiver_type(file, dot) else {
            return Vec::new();
        };
        let program = self.program();
        let mut out = Vec::new();
        if let Ty::Named(id) = ty {
            if let Some(TypeDefKind::Record(fields)) = program.types.get(id).map(|t| &t.kind) {
                for (name, ty) in fields {
                    out.push(Completion {
                        label: name.to_string(),
                        kind: CompletionKind::Field,
                        detail: program.show_type(ty),
                        snippet: None,
                    });
                }
            }
            for (fid, f) in program.functions.iter().enumerate() {
                if matches!(f.kind, FunctionKind::Method { of, receiver: Some(_) } if of == id) {
                    out.push(Completion {
                        label: f.name.to_string(),
                        kind: CompletionKind::Method,
                        detail: self.signature(fid).unwrap_or_default(),
                        snippet: Some(format!("{}($0)", f.name)),
                    });
                }
            }
        } else {
            for name in builtins::names_for(&ty) {
                let detail = builtins::method(&ty, name).map_or_else(String::new, |sig| {
                    let params = sig.shown_params(&ty, |t| program.show_type(t));
                    format!(
                        "{name}({}) returns {}",
                        params.join(", "),
                        program.show_type(&sig.returns)
                    )
                });
                out.push(Completion {
                    label: (*name).to_string(),
                    kind: CompletionKind::Method,
                    detail,
                    snippet: Some(format!("{name}($0)")),
                });
            }
        }
        out
    }

    /// The type of what stands before the `.` at `dot`: the checked
    /// expression ending there, or a local of that name.
    pub(super) fn receiver_type(&self, file: FileId, dot: u32) -> Option<Ty> {
        let mut found: Option<(u32, Ty)> = None;
        let mut consider = |e: &crate::ir::Expr| {
            if e.span.file == file && e.span.end == dot && !matches!(e.ty, Ty::Error) {
                let length = e.span.end - e.span.start;
                if found.as_ref().is_none_or(|(l, _)| length > *l) {
                    found = Some((length, e.ty.clone()));
                }
            }
        };
        for function in &self.program().functions {
            if let Some(body) = &function.body {
                if function.extent.file == file {
                    crate::ir::walk_block(&body.block, &mut consider, &mut |_| {});
                }
            }
        }
        if let Some((_, ty)) = found {
            return Some(ty);
        }
        // The expression did not survive the error: use the name before the dot.
        let tokens = self.tokens(file);
        let at = tokens.partition_point(|t| t.end <= dot);
        let name = tokens.get(at.checked_sub(1)?).filter(|t| {
            t.kind == TokenKind::Ident || t.kind == TokenKind::Keyword(Keyword::SelfValue)
        })?;
        let text = self
            .sources
            .get(file)
            .text
            .get(name.start as usize..name.end as usize)?;
        let function = self.program().functions.get(self.function_at(file, dot)?)?;
        function
            .body
            .as_ref()?
            .locals
            .iter()
            .rev()
            .find(|l| l.name == text && l.span.start < dot && !l.generated)
            .map(|l| l.ty.clone())
    }

    fn path_completions(&self, prefix: &str) -> Vec<Completion> {
        let program = self.program();
        if let Some((id, def)) = program
            .types
            .iter()
            .enumerate()
            .find(|(_, t)| t.name == prefix)
        {
            if let TypeDefKind::Enum(_) = def.kind {
                return self.variant_completions(&Ty::Named(id));
            }
        }
        let Some(module) = program.modules.iter().position(|m| m.name == prefix) else {
            return Vec::new();
        };
        self.item_completions(module, true)
    }

    fn variant_completions(&self, ty: &Ty) -> Vec<Completion> {
        let program = self.program();
        let simple = |label: &str, detail: &str| Completion {
            label: label.to_string(),
            kind: CompletionKind::Variant,
            detail: detail.to_string(),
            snippet: None,
        };
        match ty {
            Ty::Named(id) => {
                let Some(def) = program.types.get(*id) else {
                    return Vec::new();
                };
                let TypeDefKind::Enum(variants) = &def.kind else {
                    return Vec::new();
                };
                variants
                    .iter()
                    .map(|(name, payload)| {
                        let full = format!("{}::{name}", def.name);
                        let snippet = if payload.is_empty() {
                            None
                        } else {
                            let holes: Vec<String> =
                                (1..=payload.len()).map(|n| format!("${{{n}}}")).collect();
                            Some(format!("{full}({})", holes.join(", ")))
                        };
                        Completion {
                            label: full,
                            kind: CompletionKind::Variant,
                            detail: def.name.to_string(),
                            snippet,
                        }
                    })
                    .collect()
            }
            Ty::Option(_) => vec![simple("Some", "option"), simple("None", "option")],
            Ty::Result(..) => vec![simple("Ok", "result"), simple("Err", "result")],
            Ty::Bool => vec![simple("true", "bool"), simple("false", "bool")],
            _ => Vec::new(),
        }
    }

    /// The scrutinee type of the `match` whose arms the cursor is among.
    fn match_scrutinee_at(&self, file: FileId, offset: u32) -> Option<Ty> {
        let mut best: Option<(u32, Ty)> = None;
        let mut consider = |e: &crate::ir::Expr| {
            if let crate::ir::ExprKind::Match { scrutinee, .. } = &e.kind {
                let inside =
                    e.span.file == file && scrutinee.span.end < offset && offset < e.span.end;
                let length = e.span.end - e.span.start;
                if inside && best.as_ref().is_none_or(|(l, _)| length < *l) {
                    best = Some((length, scrutinee.ty.clone()));
                }
            }
        };
        let function = self
            .program()
            .functions
            .get(self.function_at(file, offset)?)?;
        crate::ir::walk_block(&function.body.as_ref()?.block, &mut consider, &mut |_| {});
        best.map(|(_, ty)| ty)
    }

    fn item_completions(&self, module: usize, public_only: bool) -> Vec<Completion> {
        let program = self.program();
        let mut out = Vec::new();
        for (id, f) in program.functions.iter().enumerate() {
            let callable = matches!(f.kind, FunctionKind::Free | FunctionKind::Rust { .. });
            if f.module == module && callable && (!public_only || f.public) {
                out.push(Completion {
                    label: f.name.to_string(),
                    kind: CompletionKind::Function,
                    detail: self.signature(id).unwrap_or_default(),
                    snippet: Some(format!("{}($0)", f.name)),
                });
            }
        }
        for t in program
            .types
            .iter()
            .filter(|t| t.module == module && (!public_only || t.public))
        {
            out.push(Completion {
                label: t.name.to_string(),
                kind: CompletionKind::Type,
                detail: match t.kind {
                    TypeDefKind::Record(_) => "record".into(),
                    TypeDefKind::Enum(_) => "enum".into(),
                    TypeDefKind::Rust(ref path) => path.clone(),
                    TypeDefKind::Extension => "declared by an extension".into(),
                },
                snippet: None,
            });
        }
        for c in program
            .constants
            .iter()
            .filter(|c| c.module == module && (!public_only || c.public))
        {
            out.push(Completion {
                label: c.name.to_string(),
                kind: CompletionKind::Constant,
                detail: program.show_type(&c.ty),
                snippet: None,
            });
        }
        out
    }

    fn scope_completions(&self, file: FileId, offset: u32) -> Vec<Completion> {
        let program = self.program();
        let mut out = Vec::new();
        if let Some(function) = self
            .function_at(file, offset)
            .and_then(|f| program.functions.get(f))
        {
            if let Some(body) = &function.body {
                let mut seen = std::collections::HashSet::new();
                for local in body.locals.iter().rev() {
                    if local.span.start < offset
                        && !local.generated
                        && seen.insert(local.name.clone())
                    {
                        out.push(Completion {
                            label: local.name.to_string(),
                            kind: CompletionKind::Variable,
                            detail: program.show_type(&local.ty),
                            snippet: None,
                        });
                    }
                }
            }
        }
        let module = file.0 as usize;
        out.extend(self.item_completions(module, false));
        if let Some(m) = program.modules.get(module) {
            for import in &m.imports {
                if let Some(target) = program.modules.get(*import) {
                    out.push(Completion {
                        label: target.name.clone(),
                        kind: CompletionKind::Module,
                        detail: format!("module {}", target.file_name),
                        snippet: None,
                    });
                }
            }
        }
        for keyword in Keyword::ALL {
            let detail = keyword_row(*keyword)
                .map(|(what, _, _)| what)
                .unwrap_or_default();
            out.push(Completion {
                label: keyword.as_str().to_string(),
                kind: CompletionKind::Keyword,
                detail,
                snippet: keyword_snippet(*keyword).map(str::to_string),
            });
        }
        out
    }

    /// The signature of the call the cursor is in, if it calls a function
    /// or method of the program.
    pub fn signature_help(&self, file: FileId, offset: u32) -> Option<SignatureHelp> {
        let tokens = self.tokens(file);
        let end = tokens.partition_point(|t| t.start < offset);
        let mut depth = 0usize;
        let mut commas = 0usize;
        let mut open = None;
        for k in (0..end).rev() {
            match tokens[k].kind {
                TokenKind::Close(_) => depth += 1,
                TokenKind::Open(d) if depth == 0 => {
                    if d == crate::syntax::token::Delimiter::Paren {
                        open = Some(k);
                    }
                    break;
                }
                TokenKind::Open(_) => depth -= 1,
                TokenKind::Punct(',', _) if depth == 0 => commas += 1,
                _ => {}
            }
        }
        let open = open?;
        let callee = tokens.get(open.checked_sub(1)?)?;
        if callee.kind != TokenKind::Ident {
            return None;
        }
        // `function apply(…`: a declaration's parameters, not a call.
        let before = open.checked_sub(2).and_then(|i| tokens.get(i));
        if before.is_some_and(|t| t.kind == TokenKind::Keyword(Keyword::Function)) {
            return None;
        }
        let text = self
            .sources
            .get(file)
            .text
            .get(callee.start as usize..callee.end as usize)?;
        let callee_span =
            crate::source::Span::new(file, callee.start as usize, callee.end as usize);
        let id = match self.reference_at(file, callee.start) {
            Some(r) if r.span == callee_span => match r.target {
                Target::Function(id) => id,
                _ => return None,
            },
            _ => self
                .program()
                .functions
                .iter()
                .position(|f| f.name == text && !matches!(f.kind, FunctionKind::Test))?,
        };
        let label = self.signature(id)?;
        let inside = label.find('(')? + 1;
        let close = label.rfind(')')?;
        let parameters: Vec<String> = if close > inside {
            label[inside..close]
                .split(", ")
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        // A method's `self` is not an argument at the call.
        let skip = usize::from(parameters.first().is_some_and(|p| p.ends_with("self")));
        let active = (commas + skip).min(parameters.len().saturating_sub(1));
        Some(SignatureHelp {
            label,
            parameters,
            active,
        })
    }
}
