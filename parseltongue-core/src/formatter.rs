//! The one canonical layout of Parseltongue source, used by `plc fmt` and
//! the language server.
//!
//! The formatter prints the syntax tree, not the tokens: indentation,
//! spacing, commas and line breaks are decided here, so two programs that
//! parse the same print the same. What the tree does not hold comes from
//! the source text: literals keep their spelling (`1_000`, `0.50`, escapes)
//! and comments keep their text. A comment is printed before the item,
//! statement, field, argument or arm it precedes, or after the code it
//! trails on the same line; one inside an expression that stays on one
//! line moves to the next line boundary. No comment is ever dropped. One
//! blank line the author left between statements or items is kept.
//!
//! Breaking: an argument list, record literal or parameter list that would
//! pass [`MAX_WIDTH`] columns (or holds a comment) is written one element
//! per line with a trailing comma. A file with syntax errors is not
//! formatted: its diagnostics are returned instead.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::token::Comment;

/// The column limit that decides when a list is broken over lines.
pub const MAX_WIDTH: usize = 100;

/// The longest argument list written on one line (rustfmt's `fn_call_width`).
const MAX_ARGUMENTS_WIDTH: usize = 60;

/// The longest record literal body written on one line (rustfmt's
/// `struct_lit_width`): `Point { x: 1, y: 2 }` stays, larger records
/// get one field per line.
const MAX_RECORD_WIDTH: usize = 18;

const INDENT: &str = "    ";

/// Formats one file. `Err` holds the syntax errors that prevent it.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    crate::on_compiler_stack_for_text(text, || format_here(text))
}

fn format_here(text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut diagnostics = Diagnostics::new();
    let file = FileId(0);
    let (module, lexed) = crate::syntax::parse_file(text, file, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(diagnostics
            .into_sorted()
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect());
    }
    let mut printer = Printer {
        src: text,
        comments: lexed.comments,
        next_comment: 0,
        out: String::with_capacity(text.len() + text.len() / 8),
    };
    printer.module(&module);
    Ok(printer.out)
}

struct Printer<'a> {
    src: &'a str,
    comments: Vec<Comment>,
    next_comment: usize,
    out: String,
}

/// What kind of item, for the blank lines between items.
fn is_one_liner(item: &Item) -> bool {
    matches!(
        item.kind,
        ItemKind::UseModule(_)
            | ItemKind::Constant(_)
            | ItemKind::RustFunction(_)
            | ItemKind::RustType(_)
    )
}

impl Printer<'_> {
    // ---- output and comments ----

    fn text_of(&self, span: Span) -> &str {
        self.src.get(span.range()).unwrap_or("")
    }

    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && !self.out.ends_with("{\n") {
            self.out.push('\n');
        }
    }

    fn pending_comment(&self) -> Option<Comment> {
        self.comments.get(self.next_comment).copied()
    }

    /// Whether a comment lies inside `span` (so the code there cannot be
    /// written on one line without moving it).
    fn has_comment_within(&self, span: Span) -> bool {
        self.comments[self.next_comment..]
            .iter()
            .take_while(|c| c.start < span.end)
            .any(|c| c.start >= span.start)
    }

    fn has_blank_line_between(&self, from: u32, to: u32) -> bool {
        let gap = self.src.get(from as usize..to as usize).unwrap_or("");
        let mut newlines = 0;
        for c in gap.chars() {
            match c {
                '\n' => {
                    newlines += 1;
                    if newlines >= 2 {
                        return true;
                    }
                }
                c if c.is_whitespace() => {}
                _ => newlines = 0,
            }
        }
        false
    }

    /// Writes the comments that come before `pos` on lines of their own,
    /// keeping one blank line where the author left one. `previous_end` is
    /// where the code before them ended.
    fn leading_comments(&mut self, pos: u32, indent: usize, previous_end: u32) {
        let mut end = previous_end;
        while let Some(comment) = self.pending_comment().filter(|c| c.start < pos) {
            if self.has_blank_line_between(end, comment.start) {
                self.blank_line();
            }
            let text = self.src[comment.start as usize..comment.end as usize]
                .trim_end()
                .to_string();
            self.line(indent, &text);
            self.next_comment += 1;
            end = comment.end;
        }
    }

    /// Appends a comment that follows `end` on the same source line to the
    /// line just written.
    fn trailing_comment(&mut self, end: u32) {
        let Some(comment) = self.pending_comment() else {
            return;
        };
        let gap = self
            .src
            .get(end as usize..comment.start as usize)
            .unwrap_or("\n");
        if comment.start >= end
            && !gap.contains('\n')
            && gap
                .chars()
                .all(|c| c.is_whitespace() || c == ',' || c == ';')
        {
            let text = self.src[comment.start as usize..comment.end as usize].trim_end();
            if text.starts_with("//") {
                if self.out.ends_with('\n') {
                    self.out.pop();
                }
                self.out.push(' ');
                self.out.push_str(text);
                self.out.push('\n');
                self.next_comment += 1;
            }
        }
    }

    // ---- items ----

    fn module(&mut self, module: &Module) {
        let mut previous: Option<&Item> = None;
        for item in &module.items {
            let start = self.item_start(item);
            if let Some(before) = previous {
                let blank = !(is_one_liner(before) && is_one_liner(item))
                    || self.has_blank_line_between(before.span.end, start);
                if blank {
                    self.blank_line();
                }
            }
            let previous_end = previous.map_or(0, |p| p.span.end);
            self.leading_comments(start, 0, previous_end);
            self.item(item, 0);
            previous = Some(item);
        }
        let end = self.src.len() as u32;
        let previous_end = previous.map_or(0, |p| p.span.end);
        if self.pending_comment().is_some() && !self.out.is_empty() {
            let first = self.pending_comment().map_or(end, |c| c.start);
            if self.has_blank_line_between(previous_end, first) {
                self.blank_line();
            }
        }
        self.leading_comments(end + 1, 0, previous_end);
    }

    /// Where an item's text starts: its doc comment, or its first keyword.
    fn item_start(&self, item: &Item) -> u32 {
        item.span.start
    }

    fn docs(&mut self, docs: &[String], indent: usize) {
        for doc in docs {
            if doc.is_empty() {
                self.line(indent, "///");
            } else {
                self.line(indent, &format!("/// {doc}"));
            }
        }
    }

    fn item(&mut self, item: &Item, indent: usize) {
        self.docs(&item.docs, indent);
        let public = if item.public.is_some() { "public " } else { "" };
        match &item.kind {
            ItemKind::Function(f) => {
                let head = format!("{public}function {}", f.name.name);
                self.function(&head, &f.params, f.returns.as_ref(), &f.body, indent);
            }
            ItemKind::Test(t) => {
                let head = format!("{public}test {} {{", t.name.name);
                self.block_body(&head, &t.body, indent, "}");
            }
            ItemKind::Record(r) => {
                self.line(indent, &format!("{public}record {} {{", r.name.name));
                let mut previous_end = None;
                for field in &r.fields {
                    let start = field.name.span.start;
                    self.member_gap(previous_end, start, indent + 1);
                    self.docs(&field.docs, indent + 1);
                    let line = format!("{}: {},", field.name.name, self.ty(&field.ty));
                    self.line(indent + 1, &line);
                    self.trailing_comment(field.ty.span.end);
                    previous_end = Some(field.ty.span.end);
                }
                self.close(item.span.end, indent, previous_end, "}");
            }
            ItemKind::Enum(e) => {
                self.line(indent, &format!("{public}enum {} {{", e.name.name));
                let mut previous_end = None;
                for variant in &e.variants {
                    let start = variant.name.span.start;
                    self.member_gap(previous_end, start, indent + 1);
                    self.docs(&variant.docs, indent + 1);
                    let mut line = variant.name.name.to_string();
                    let mut end = variant.name.span.end;
                    if !variant.payload.is_empty() {
                        let types: Vec<String> =
                            variant.payload.iter().map(|t| self.ty(t)).collect();
                        line.push_str(&format!("({})", types.join(", ")));
                        end = variant.payload.last().map_or(end, |t| t.span.end + 1);
                    }
                    line.push(',');
                    self.line(indent + 1, &line);
                    self.trailing_comment(end);
                    previous_end = Some(end);
                }
                self.close(item.span.end, indent, previous_end, "}");
            }
            ItemKind::Constant(c) => {
                let head = format!("{public}constant {}: {} = ", c.name.name, self.ty(&c.ty));
                let value = self.expr(&c.value, indent, head.len() + indent * 4);
                self.line(indent, &format!("{head}{value};"));
                self.trailing_comment(item.span.end);
            }
            ItemKind::Methods(m) => {
                self.line(indent, &format!("methods {} {{", m.target.name));
                let mut previous_end = None;
                for function in &m.functions {
                    if previous_end.is_some() {
                        self.blank_line();
                    }
                    self.leading_comments(
                        function.span.start,
                        indent + 1,
                        previous_end.unwrap_or(function.span.start),
                    );
                    self.item(function, indent + 1);
                    previous_end = Some(function.span.end);
                }
                self.close(item.span.end, indent, previous_end, "}");
            }
            ItemKind::RustFunction(r) => {
                let path = join_path(&r.path);
                let head = format!("{public}rust_function {}", r.name.name);
                let params = self.params(&r.params);
                let returns = r
                    .returns
                    .as_ref()
                    .map(|t| format!(" returns {}", self.ty(t)))
                    .unwrap_or_default();
                self.line(indent, &format!("{head}({params}){returns} = {path};"));
                self.trailing_comment(item.span.end);
            }
            ItemKind::RustType(r) => {
                self.line(
                    indent,
                    &format!(
                        "{public}rust_type {} = {};",
                        r.name.name,
                        join_path(&r.path)
                    ),
                );
                self.trailing_comment(item.span.end);
            }
            ItemKind::UseModule(name) => {
                self.line(indent, &format!("{public}use_module {};", name.name));
                self.trailing_comment(item.span.end);
            }
            ItemKind::Block(block) => self.extension_block(block, indent),
            ItemKind::Error => {
                let text = self.text_of(item.span).to_string();
                self.line(indent, &text);
            }
        }
    }

    /// `word name { entries }`, one entry a line, each ended by `,`
    /// (a nested block by its brace alone).
    fn extension_block(&mut self, block: &ExtensionBlock, indent: usize) {
        let head = match &block.name {
            Some(name) => format!("{} {} {{", block.keyword.name, name.name),
            None => format!("{} {{", block.keyword.name),
        };
        self.line(indent, &head);
        let mut previous_end = None;
        for entry in &block.entries {
            self.member_gap(previous_end, entry.span.start, indent + 1);
            let column = (indent + 1) * 4;
            match &entry.kind {
                BlockEntryKind::Setting { name, value } => {
                    let head = format!("{}: ", name.name);
                    let value = self.expr(value, indent + 1, column + head.len());
                    self.line(indent + 1, &format!("{head}{value},"));
                    self.trailing_comment(entry.span.end);
                }
                BlockEntryKind::Declaration {
                    keyword,
                    name,
                    ty,
                    value,
                } => {
                    let mut line = format!("{} {}: {}", keyword.name, name.name, self.ty(ty));
                    if let Some(value) = value {
                        line.push_str(" = ");
                        let value = self.expr(value, indent + 1, column + line.len());
                        line.push_str(&value);
                    }
                    line.push(',');
                    self.line(indent + 1, &line);
                    self.trailing_comment(entry.span.end);
                }
                BlockEntryKind::Block(nested) => self.extension_block(nested, indent + 1),
                BlockEntryKind::Error => {
                    let text = self.text_of(entry.span).to_string();
                    self.line(indent + 1, &text);
                }
            }
            previous_end = Some(entry.span.end);
        }
        self.close(block.span.end, indent, previous_end, "}");
    }

    /// Before a field, variant or statement: one kept blank line and the
    /// comments that precede it.
    fn member_gap(&mut self, previous_end: Option<u32>, start: u32, indent: usize) {
        if let Some(end) = previous_end {
            let first = self
                .pending_comment()
                .filter(|c| c.start < start)
                .map_or(start, |c| c.start);
            if self.has_blank_line_between(end, first) {
                self.blank_line();
            }
        }
        let from = previous_end.unwrap_or(start);
        self.leading_comments(start, indent, from);
    }

    /// The comments before the closing brace at `end - 1`, then the brace.
    fn close(&mut self, end: u32, indent: usize, previous_end: Option<u32>, closer: &str) {
        let brace = end.saturating_sub(1);
        let from = previous_end.unwrap_or(brace);
        self.leading_comments(brace, indent + 1, from);
        self.line(indent, closer);
    }

    fn params(&self, params: &[Param]) -> String {
        params
            .iter()
            .map(|p| self.param(p))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn param(&self, param: &Param) -> String {
        let mode = match param.mode {
            ParamMode::Read => "",
            ParamMode::Mutable => "mutable ",
            ParamMode::Owned => "owned ",
        };
        match &param.ty {
            Some(ty) => format!("{mode}{}: {}", param.name.name, self.ty(ty)),
            None => format!("{mode}{}", param.name.name),
        }
    }

    fn function(
        &mut self,
        head: &str,
        params: &[Param],
        returns: Option<&TypeExpr>,
        body: &Block,
        indent: usize,
    ) {
        let returns = returns
            .map(|t| format!(" returns {}", self.ty(t)))
            .unwrap_or_default();
        let flat = format!("{head}({}){returns} {{", self.params(params));
        let params_span = params
            .first()
            .map(|p| p.name.span)
            .zip(params.last().map(|p| p.name.span));
        let has_comment = params_span.is_some_and(|(a, b)| self.has_comment_within(a.to(b)));
        if indent * 4 + flat.len() <= MAX_WIDTH && !has_comment {
            self.block_body(&flat, body, indent, "}");
        } else {
            self.line(indent, &format!("{head}("));
            for param in params {
                self.leading_comments(param.name.span.start, indent + 1, param.name.span.start);
                let text = format!("{},", self.param(param));
                self.line(indent + 1, &text);
            }
            let open = format!("){returns} {{");
            self.block_body(&open, body, indent, "}");
        }
    }

    // ---- types ----

    fn ty(&self, ty: &TypeExpr) -> String {
        match &ty.kind {
            TypeExprKind::Named { path, args } => {
                let mut text = join_path(path);
                if !args.is_empty() {
                    let args: Vec<String> = args.iter().map(|a| self.ty(a)).collect();
                    text.push_str(&format!("<{}>", args.join(", ")));
                }
                text
            }
            TypeExprKind::RustReference(_) | TypeExprKind::Error => {
                self.text_of(ty.span).to_string()
            }
        }
    }

    // ---- blocks and statements ----

    /// Writes `head` (ending in `{`), the block's statements one level in,
    /// and `closer` (starting with `}`).
    fn block_body(&mut self, head: &str, block: &Block, indent: usize, closer: &str) {
        self.line(indent, head);
        // `{ // why` keeps its comment on the brace's line.
        self.trailing_comment(block.span.start + 1);
        self.block_contents(block, indent + 1);
        let brace = block.span.end.saturating_sub(1);
        let previous_end = content_end(block);
        self.leading_comments(brace, indent + 1, previous_end);
        self.line(indent, closer);
    }

    fn block_contents(&mut self, block: &Block, indent: usize) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.block_contents_here(block, indent)
        });
    }

    fn block_contents_here(&mut self, block: &Block, indent: usize) {
        let mut previous_end = None;
        for stmt in &block.stmts {
            self.member_gap(previous_end, stmt.span.start, indent);
            self.stmt(stmt, indent);
            self.trailing_comment(stmt.span.end);
            previous_end = Some(stmt.span.end);
        }
        if let Some(tail) = &block.tail {
            self.member_gap(previous_end, tail.span.start, indent);
            let text = if is_block_like(tail) {
                self.broken(tail, indent, indent * 4)
            } else {
                self.expr(tail, indent, indent * 4)
            };
            self.line(indent, &text);
            self.trailing_comment(tail.span.end);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, indent: usize) {
        let column = indent * 4;
        match &stmt.kind {
            StmtKind::Let {
                kind,
                name,
                ty,
                value,
                ..
            } => {
                let ty = ty
                    .as_ref()
                    .map(|t| format!(": {}", self.ty(t)))
                    .unwrap_or_default();
                let head = format!("{} {}{ty} = ", kind.keyword().as_str(), name.name);
                let value = self.expr(value, indent, column + head.len());
                self.line(indent, &format!("{head}{value};"));
            }
            StmtKind::Assign {
                target, op, value, ..
            } => {
                let target = self.expr(target, indent, column);
                let op = match op {
                    AssignOp::Set => "=".to_string(),
                    AssignOp::Update(op) => format!("{}=", op.as_str()),
                };
                let head = format!("{target} {op} ");
                let value = self.expr(value, indent, column + head.len());
                self.line(indent, &format!("{head}{value};"));
            }
            StmtKind::Expr { expr, semicolon } => {
                // A statement that is a block-like expression is never
                // squeezed onto one line.
                let text = if is_block_like(expr) {
                    self.broken(expr, indent, column)
                } else {
                    self.expr(expr, indent, column)
                };
                let semicolon = if *semicolon { ";" } else { "" };
                self.line(indent, &format!("{text}{semicolon}"));
            }
            StmtKind::Return(value) => match value {
                Some(value) => {
                    let value = self.expr(value, indent, column + 7);
                    self.line(indent, &format!("return {value};"));
                }
                None => self.line(indent, "return;"),
            },
            StmtKind::Break => self.line(indent, "break;"),
            StmtKind::Continue => self.line(indent, "continue;"),
            StmtKind::While { condition, body } => {
                let condition = self.expr(condition, indent, column + 6);
                self.block_body(&format!("while {condition} {{"), body, indent, "}");
            }
            StmtKind::For {
                binding,
                iterable,
                body,
            } => {
                let head = format!("for {} in ", binding.name);
                let iterable = self.expr(iterable, indent, column + head.len());
                self.block_body(&format!("{head}{iterable} {{"), body, indent, "}");
            }
            StmtKind::Loop(body) => self.block_body("loop {", body, indent, "}"),
            StmtKind::RustWhileLet { .. } | StmtKind::Error => {
                let text = self.text_of(stmt.span).to_string();
                self.line(indent, &text);
            }
        }
    }

    // ---- expressions ----

    /// The expression as it is written starting at `column` on a line
    /// indented `indent` levels: on one line when it fits, else broken.
    /// Lines after the first carry their own indentation; the first does not.
    fn expr(&mut self, expr: &Expr, indent: usize, column: usize) -> String {
        // Nested expressions recurse here (and in `flat`); grow the stack
        // as the rest of the compiler does, whatever thread calls us.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            if let Some(flat) = self.flat(expr) {
                if column + flat.len() <= MAX_WIDTH && !self.has_comment_within(expr.span) {
                    return flat;
                }
            }
            self.broken(expr, indent, column)
        })
    }

    /// The one-line form, if the expression has one.
    fn flat(&self, expr: &Expr) -> Option<String> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.flat_here(expr))
    }

    fn flat_here(&self, expr: &Expr) -> Option<String> {
        Some(match &expr.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) => {
                self.text_of(expr.span).to_string()
            }
            ExprKind::Path(path) => join_path(path),
            ExprKind::SelfValue => "self".to_string(),
            ExprKind::Call { callee, args } => {
                format!("{}({})", join_path(callee), self.flat_list(args)?)
            }
            ExprKind::Builtin { keyword, args, .. } => {
                format!("{}({})", keyword.as_str(), self.flat_list(args)?)
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => {
                format!(
                    "{}.{}({})",
                    self.flat(receiver)?,
                    method.name,
                    self.flat_list(args)?
                )
            }
            ExprKind::Field { base, field } => format!("{}.{}", self.flat(base)?, field.name),
            ExprKind::Index { base, index } => {
                format!("{}[{}]", self.flat(base)?, self.flat(index)?)
            }
            ExprKind::RecordLiteral { path, fields } => {
                let fields: Option<Vec<String>> = fields
                    .iter()
                    .map(|(name, value)| Some(format!("{}: {}", name.name, self.flat(value)?)))
                    .collect();
                let fields = fields?.join(", ");
                if fields.len() > MAX_RECORD_WIDTH {
                    return None;
                }
                format!("{} {{ {fields} }}", join_path(path))
            }
            ExprKind::Unary { op, operand } => {
                let op = match op {
                    UnaryOp::Negate => "-",
                    UnaryOp::Not => "!",
                };
                format!("{op}{}", self.flat(operand)?)
            }
            ExprKind::Binary { first, rest } => {
                let mut text = self.flat(first)?;
                for (op, _, operand) in rest {
                    text.push_str(&format!(" {} {}", op.as_str(), self.flat(operand)?));
                }
                text
            }
            ExprKind::Propagate(inner) => format!("propagate {}", self.flat(inner)?),
            ExprKind::Paren(inner) => format!("({})", self.flat(inner)?),
            ExprKind::If {
                branches,
                otherwise,
            } => {
                // Only a value choice stays on one line: `if c { a } else { b }`.
                let otherwise = otherwise.as_ref()?;
                if branches.len() > 1 {
                    return None;
                }
                let mut text = String::new();
                for (i, (condition, block)) in branches.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" else ");
                    }
                    text.push_str(&format!(
                        "if {} {}",
                        self.flat(condition)?,
                        self.flat_block(block)?
                    ));
                }
                text.push_str(&format!(" else {}", self.flat_block(otherwise)?));
                text
            }
            ExprKind::Block(block) => self.flat_block(block)?,
            // `spawn_on app { f(x) }`: a task is often one call.
            ExprKind::SpawnOn { partition, body } => {
                format!("spawn_on {} {}", partition.name, self.flat_block(body)?)
            }
            ExprKind::Match { .. }
            | ExprKind::SpawnThread(_)
            | ExprKind::WithLock { .. }
            | ExprKind::WithEntry { .. }
            | ExprKind::Unreadable(_)
            | ExprKind::RustCast { .. }
            | ExprKind::RustIfLet { .. }
            | ExprKind::RustTry(_)
            | ExprKind::RustRange { .. }
            | ExprKind::RustBitOperation { .. }
            | ExprKind::Error => return None,
        })
    }

    fn flat_list(&self, items: &[Expr]) -> Option<String> {
        let items: Option<Vec<String>> = items.iter().map(|a| self.flat(a)).collect();
        Some(items?.join(", ")).filter(|text| text.len() <= MAX_ARGUMENTS_WIDTH)
    }

    /// `{ value }` for a block that is only a simple value.
    fn flat_block(&self, block: &Block) -> Option<String> {
        if !block.stmts.is_empty() || self.has_comment_within(block.span) {
            return None;
        }
        let tail = block.tail.as_ref()?;
        if matches!(tail.kind, ExprKind::If { .. } | ExprKind::Block(_)) {
            return None;
        }
        Some(format!("{{ {} }}", self.flat(tail)?))
    }

    /// The form over several lines.
    fn broken(&mut self, expr: &Expr, indent: usize, column: usize) -> String {
        match &expr.kind {
            ExprKind::Call { callee, args } => {
                let head = join_path(callee);
                self.broken_list(&head, "(", ")", args, expr.span, indent)
            }
            ExprKind::Builtin { keyword, args, .. } => {
                self.broken_list(keyword.as_str(), "(", ")", args, expr.span, indent)
            }
            ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => {
                let receiver = self.expr(receiver, indent, column);
                let head = format!("{receiver}.{}", method.name);
                self.broken_list(&head, "(", ")", args, expr.span, indent)
            }
            ExprKind::RecordLiteral { path, fields } => {
                let mut text = format!("{} {{\n", join_path(path));
                let mut previous_end = None;
                for (name, value) in fields {
                    let comments =
                        self.capture(|p| p.member_gap(previous_end, name.span.start, indent + 1));
                    text.push_str(&comments);
                    let head = format!("{}: ", name.name);
                    let value_text = self.expr(value, indent + 1, (indent + 1) * 4 + head.len());
                    text.push_str(&format!("{}{head}{value_text},", INDENT.repeat(indent + 1)));
                    text.push_str(&self.capture_trailing(value.span.end));
                    text.push('\n');
                    previous_end = Some(value.span.end);
                }
                let closing = self.capture(|p| {
                    p.leading_comments(
                        expr.span.end.saturating_sub(1),
                        indent + 1,
                        previous_end.unwrap_or(expr.span.start),
                    )
                });
                text.push_str(&closing);
                text.push_str(&INDENT.repeat(indent));
                text.push('}');
                text
            }
            ExprKind::Field { base, field } => {
                format!("{}.{}", self.expr(base, indent, column), field.name)
            }
            ExprKind::Index { base, index } => {
                let base = self.expr(base, indent, column);
                let index = self.expr(index, indent, column);
                format!("{base}[{index}]")
            }
            ExprKind::Unary { op, operand } => {
                let op = match op {
                    UnaryOp::Negate => "-",
                    UnaryOp::Not => "!",
                };
                format!("{op}{}", self.expr(operand, indent, column + 1))
            }
            ExprKind::Binary { first, rest } => {
                let mut text = self.expr(first, indent, column);
                for (op, _, operand) in rest {
                    let operand = self.expr(
                        operand,
                        indent,
                        last_line_width(&text, column) + op.as_str().len() + 2,
                    );
                    text.push_str(&format!(" {} {operand}", op.as_str()));
                }
                text
            }
            ExprKind::Propagate(inner) => {
                format!("propagate {}", self.expr(inner, indent, column + 10))
            }
            ExprKind::Paren(inner) => format!("({})", self.expr(inner, indent, column + 1)),
            ExprKind::If {
                branches,
                otherwise,
            } => {
                let mut text = String::new();
                for (i, (condition, block)) in branches.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" else ");
                    }
                    let condition =
                        self.expr(condition, indent, last_line_width(&text, column) + 3);
                    text.push_str(&format!("if {condition} "));
                    text.push_str(&self.broken_block(block, indent));
                }
                if let Some(otherwise) = otherwise {
                    text.push_str(" else ");
                    text.push_str(&self.broken_block(otherwise, indent));
                }
                text
            }
            ExprKind::Match {
                scrutinee: matched,
                arms,
            } => {
                let scrutinee = self.expr(matched, indent, column + 6);
                // `match x { // why` keeps its comment on the brace's line.
                let brace = self.src[matched.span.end as usize..]
                    .find('{')
                    .map_or(matched.span.end, |at| matched.span.end + at as u32 + 1);
                let after_brace = self.capture_trailing(brace);
                let mut text = format!("match {scrutinee} {{{after_brace}\n");
                let mut previous_end = None;
                for arm in arms {
                    let comments =
                        self.capture(|p| p.member_gap(previous_end, arm.span.start, indent + 1));
                    text.push_str(&comments);
                    let pattern = self.pattern(&arm.pattern);
                    let head = format!("{pattern} => ");
                    let body = self.expr(&arm.body, indent + 1, (indent + 1) * 4 + head.len());
                    let comma = if matches!(arm.body.kind, ExprKind::Block(_)) {
                        ""
                    } else {
                        ","
                    };
                    text.push_str(&format!("{}{head}{body}{comma}", INDENT.repeat(indent + 1)));
                    text.push_str(&self.capture_trailing(arm.body.span.end));
                    text.push('\n');
                    previous_end = Some(arm.span.end);
                }
                let closing = self.capture(|p| {
                    p.leading_comments(
                        expr.span.end.saturating_sub(1),
                        indent + 1,
                        previous_end.unwrap_or(expr.span.start),
                    )
                });
                text.push_str(&closing);
                text.push_str(&INDENT.repeat(indent));
                text.push('}');
                text
            }
            ExprKind::Block(block) => self.broken_block(block, indent),
            ExprKind::SpawnThread(block) => {
                format!("spawn_thread {}", self.broken_block(block, indent))
            }
            ExprKind::SpawnOn { partition, body } => {
                format!(
                    "spawn_on {} {}",
                    partition.name,
                    self.broken_block(body, indent)
                )
            }
            ExprKind::WithLock {
                shared,
                guard,
                body,
            } => {
                format!(
                    "with_lock {} as {} {}",
                    shared.name,
                    guard.name,
                    self.broken_block(body, indent)
                )
            }
            ExprKind::WithEntry {
                map,
                key,
                default,
                name,
                body,
            } => {
                let map = self.expr(map, indent, column + 11);
                let key = self.expr(key, indent, column);
                let default = self.expr(default, indent, column);
                format!(
                    "with_entry {map}[{key}] or_insert {default} as {} {}",
                    name.name,
                    self.broken_block(body, indent)
                )
            }
            _ => self.text_of(expr.span).to_string(),
        }
    }

    fn broken_block(&mut self, block: &Block, indent: usize) -> String {
        let saved = std::mem::take(&mut self.out);
        self.out.push_str("{\n");
        self.trailing_comment(block.span.start + 1);
        self.block_contents(block, indent + 1);
        let brace = block.span.end.saturating_sub(1);
        let previous_end = content_end(block);
        self.leading_comments(brace, indent + 1, previous_end);
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
        self.out.push('}');
        std::mem::replace(&mut self.out, saved)
    }

    /// `head(` one element per line `)`, with the comments between them.
    fn broken_list(
        &mut self,
        head: &str,
        open: &str,
        close: &str,
        items: &[Expr],
        span: Span,
        indent: usize,
    ) -> String {
        if items.is_empty() {
            return format!("{head}{open}{close}");
        }
        // A last argument that is a block or a record hugs the parentheses:
        // `handles.push(spawn_thread {` … `})`.
        if let Some((last, before)) = items.split_last() {
            let overflows = matches!(
                last.kind,
                ExprKind::SpawnThread(_)
                    | ExprKind::SpawnOn { .. }
                    | ExprKind::WithLock { .. }
                    | ExprKind::WithEntry { .. }
                    | ExprKind::Match { .. }
                    | ExprKind::Block(_)
                    | ExprKind::RecordLiteral { .. }
            );
            let prefix = self.flat_list(before).filter(|_| {
                !self.has_comment_within(span.shrink_to_start().to(last.span.shrink_to_start()))
            });
            if let (true, Some(prefix)) = (overflows, prefix) {
                let prefix = if before.is_empty() {
                    prefix
                } else {
                    format!("{prefix}, ")
                };
                let column = indent * 4 + head.len() + open.len() + prefix.len();
                if column < MAX_WIDTH {
                    let last = self.broken(last, indent, column);
                    return format!("{head}{open}{prefix}{last}{close}");
                }
            }
        }
        let mut text = format!("{head}{open}\n");
        let mut previous_end = None;
        for item in items {
            let comments =
                self.capture(|p| p.member_gap(previous_end, item.span.start, indent + 1));
            text.push_str(&comments);
            let value = self.expr(item, indent + 1, (indent + 1) * 4);
            text.push_str(&format!("{}{value},", INDENT.repeat(indent + 1)));
            text.push_str(&self.capture_trailing(item.span.end));
            text.push('\n');
            previous_end = Some(item.span.end);
        }
        let closing = self.capture(|p| {
            p.leading_comments(
                span.end.saturating_sub(1),
                indent + 1,
                previous_end.unwrap_or(span.start),
            )
        });
        text.push_str(&closing);
        text.push_str(&INDENT.repeat(indent));
        text.push_str(close);
        text
    }

    /// What `write` prints, as a string instead of into the output.
    fn capture(&mut self, write: impl FnOnce(&mut Self)) -> String {
        let saved = std::mem::take(&mut self.out);
        write(self);
        std::mem::replace(&mut self.out, saved)
    }

    /// A trailing comment after `end`, as ` // text`, or nothing.
    fn capture_trailing(&mut self, end: u32) -> String {
        let saved = std::mem::replace(&mut self.out, String::from("x\n"));
        self.trailing_comment(end);
        let captured = std::mem::replace(&mut self.out, saved);
        captured
            .strip_prefix('x')
            .unwrap_or("")
            .trim_end_matches('\n')
            .to_string()
    }

    fn pattern(&self, pattern: &Pattern) -> String {
        match &pattern.kind {
            PatternKind::Wildcard => "_".to_string(),
            PatternKind::Binding(name) => name.name.to_string(),
            PatternKind::Int(_)
            | PatternKind::Str(_)
            | PatternKind::Bool(_)
            | PatternKind::Error => self.text_of(pattern.span).to_string(),
            PatternKind::Variant { path, args } => {
                let path = join_path(path);
                match args {
                    Some(args) => {
                        let args: Vec<String> = args.iter().map(|a| self.pattern(a)).collect();
                        format!("{path}({})", args.join(", "))
                    }
                    None => path,
                }
            }
        }
    }
}

/// Expressions that are written over several lines when they stand as a
/// statement or a block's value.
fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Block(_)
    )
}

/// Where a block's last statement or value ends (just inside `{` if empty).
fn content_end(block: &Block) -> u32 {
    block
        .tail
        .as_ref()
        .map(|t| t.span.end)
        .or_else(|| block.stmts.last().map(|s| s.span.end))
        .unwrap_or(block.span.start + 1)
}

fn join_path(path: &[Ident]) -> String {
    path.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

/// The column after the last line of `text`, which starts at `column`.
fn last_line_width(text: &str, column: usize) -> usize {
    match text.rfind('\n') {
        Some(i) => text.len() - i - 1,
        None => column + text.len(),
    }
}
