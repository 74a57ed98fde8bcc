//! The edits the reducer tries, read from the syntax tree of the program:
//! delete an item, a field, a statement or a match arm; replace an
//! expression with one of its parts (an operand, a branch, an arm's
//! body, a receiver, an argument); shorten a literal. Most of them break
//! the program's types, which the checker finds in a millisecond; the
//! others shrink it as C-Reduce's tree passes do, well below what removing
//! whole lines can reach when one line holds a deep expression.

use parseltongue_core::diagnostics::Diagnostics;
use parseltongue_core::source::{FileId, Span};
use parseltongue_core::syntax::ast::{
    Block, Expr, ExprKind as E, Item, ItemKind, Stmt, StmtKind as S,
};
use std::ops::Range;

/// Replace the bytes of `range` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced.
    pub range: Range<usize>,
    /// What replaces it.
    pub text: String,
}

impl Edit {
    /// `source` with this edit applied.
    pub fn apply(&self, source: &str) -> String {
        let mut out = String::with_capacity(source.len());
        out.push_str(&source[..self.range.start]);
        out.push_str(&self.text);
        out.push_str(&source[self.range.end..]);
        out
    }

    /// How many bytes the edit removes.
    pub fn shrinks_by(&self) -> usize {
        self.range.len().saturating_sub(self.text.len())
    }
}

/// Every edit that makes `source` shorter, by position in the text.
pub fn edits(source: &str) -> Vec<Edit> {
    let mut diagnostics = Diagnostics::new();
    let (module, _) = parseltongue_core::syntax::parse_file(source, FileId(0), &mut diagnostics);
    let mut found = Edits {
        source,
        edits: Vec::new(),
    };
    for item in &module.items {
        found.item(item);
    }
    found.edits.retain(|e| e.shrinks_by() > 0);
    found
        .edits
        .sort_by_key(|e| (e.range.start, std::cmp::Reverse(e.range.end)));
    found.edits.dedup();
    found.edits
}

struct Edits<'a> {
    source: &'a str,
    edits: Vec<Edit>,
}

impl Edits<'_> {
    fn text(&self, span: Span) -> &str {
        &self.source[span.start as usize..span.end as usize]
    }

    fn replace(&mut self, span: Span, text: String) {
        self.edits.push(Edit {
            range: span.start as usize..span.end as usize,
            text,
        });
    }

    /// Deletes `span` with a `,` right after it, if there is one.
    fn delete_listed(&mut self, span: Span) {
        let end = span.end as usize;
        let rest = &self.source[end..];
        let comma = rest
            .find(|c: char| !c.is_whitespace())
            .filter(|&i| rest[i..].starts_with(','))
            .map_or(0, |i| i + 1);
        self.edits.push(Edit {
            range: span.start as usize..end + comma,
            text: String::new(),
        });
    }

    /// Replaces `whole` with the text of `part`.
    fn hoist(&mut self, whole: Span, part: Span) {
        let text = self.text(part).to_string();
        self.replace(whole, text);
    }

    fn item(&mut self, item: &Item) {
        self.replace(item.span, String::new());
        match &item.kind {
            ItemKind::Function(f) => self.block(&f.body),
            ItemKind::Test(t) => self.block(&t.body),
            ItemKind::Methods(m) => m.functions.iter().for_each(|f| self.item(f)),
            ItemKind::Constant(c) => self.expr(&c.value),
            ItemKind::Record(r) => {
                for field in &r.fields {
                    self.delete_listed(field.name.span.to(field.ty.span));
                }
            }
            ItemKind::Enum(_)
            | ItemKind::RustFunction(_)
            | ItemKind::RustType(_)
            | ItemKind::UseModule(_)
            | ItemKind::Block(_)
            | ItemKind::Error => {}
        }
    }

    fn block(&mut self, block: &Block) {
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        if let Some(tail) = &block.tail {
            self.expr(tail);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.replace(stmt.span, String::new());
        match &stmt.kind {
            S::Let { value, .. } => self.expr(value),
            S::Assign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            S::Expr { expr, .. } => self.expr(expr),
            S::Return(value) => value.iter().for_each(|v| self.expr(v)),
            S::While { condition, body } => {
                self.expr(condition);
                self.block(body);
                self.hoist(stmt.span, body.span);
            }
            S::For { iterable, body, .. } => {
                self.expr(iterable);
                self.block(body);
                self.hoist(stmt.span, body.span);
            }
            S::Loop(body) => self.block(body),
            S::RustWhileLet { value, body, .. } => {
                self.expr(value);
                self.block(body);
            }
            S::Break | S::Continue | S::Error => {}
        }
    }

    fn expr(&mut self, expr: &Expr) {
        let whole = expr.span;
        match &expr.kind {
            E::Int(_) => self.replace(whole, "0".into()),
            E::Float(_) => self.replace(whole, "0.0".into()),
            E::Str(_) => self.replace(whole, "\"\"".into()),
            E::Bool(_) | E::Path(_) | E::SelfValue | E::Error => {}
            E::Call { args, .. } | E::Builtin { args, .. } | E::Unreadable(args) => {
                for arg in args {
                    self.hoist(whole, arg.span);
                    self.expr(arg);
                }
                if let E::Builtin { args, .. } = &expr.kind {
                    // A list or map literal keeps working with fewer entries.
                    args.iter().for_each(|a| self.delete_listed(a.span));
                }
            }
            E::MethodCall { receiver, args, .. } => {
                self.hoist(whole, receiver.span);
                self.expr(receiver);
                for arg in args {
                    self.hoist(whole, arg.span);
                    self.expr(arg);
                }
            }
            E::Field { base, .. } => {
                self.hoist(whole, base.span);
                self.expr(base);
            }
            E::Index { base, index } => {
                self.hoist(whole, base.span);
                self.expr(base);
                self.expr(index);
            }
            E::RecordLiteral { fields, .. } => fields.iter().for_each(|(_, v)| self.expr(v)),
            E::Unary { operand, .. } => {
                self.hoist(whole, operand.span);
                self.expr(operand);
            }
            E::Binary { first, rest } => {
                self.hoist(whole, first.span);
                self.expr(first);
                for (i, (_, _, operand)) in rest.iter().enumerate() {
                    self.hoist(whole, operand.span);
                    // The chain cut after this operand.
                    if i + 1 < rest.len() {
                        self.hoist(whole, first.span.to(operand.span));
                    }
                    self.expr(operand);
                }
            }
            E::Propagate(inner) | E::Paren(inner) | E::RustTry(inner) => {
                self.hoist(whole, inner.span);
                self.expr(inner);
            }
            E::RustCast { value, .. } => {
                self.hoist(whole, value.span);
                self.expr(value);
            }
            E::RustBitOperation { left, right, .. } => {
                for operand in [left, right] {
                    self.hoist(whole, operand.span);
                    self.expr(operand);
                }
            }
            E::If {
                branches,
                otherwise,
            } => {
                for (condition, block) in branches {
                    self.hoist(whole, block.span);
                    self.expr(condition);
                    self.block(block);
                }
                if let Some(block) = otherwise {
                    self.hoist(whole, block.span);
                    self.block(block);
                }
            }
            E::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.hoist(whole, arm.body.span);
                    self.delete_listed(arm.span);
                    self.expr(&arm.body);
                }
            }
            E::Block(block) | E::SpawnThread(block) | E::SpawnOn { body: block, .. } => {
                if let Some(tail) = &block.tail {
                    self.hoist(whole, tail.span);
                }
                self.block(block);
            }
            E::WithLock { body, .. } => self.block(body),
            E::WithEntry {
                key, default, body, ..
            } => {
                self.expr(key);
                self.expr(default);
                self.block(body);
            }
            E::RustIfLet {
                value,
                then,
                otherwise,
                ..
            } => {
                self.expr(value);
                self.block(then);
                if let Some(block) = otherwise {
                    self.block(block);
                }
            }
            E::RustRange { start, end, .. } => {
                self.expr(start);
                self.expr(end);
            }
        }
    }
}
