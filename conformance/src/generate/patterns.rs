//! `match`: arms that cover every value exactly once (no unreachable arm,
//! no missing one), in expression and in statement position.

use super::expr::{Level, E};
use super::model::{Kind, Ty};
use super::Gen;

/// One arm's pattern: its text, with each binding written as a
/// placeholder until the arm's body shows whether it reads the binding.
pub(super) struct Arm {
    pub pattern: String,
    pub bindings: Vec<(String, Ty)>,
}

const HOLE: char = '\u{2}';

impl Gen {
    /// Arms covering every value of `ty`.
    pub(super) fn arms(&mut self, ty: &Ty) -> Vec<Arm> {
        let mut arms = Vec::new();
        match ty {
            Ty::I64 | Ty::Str => {
                let n = self.rng.below(4);
                let mut seen = Vec::new();
                for _ in 0..n {
                    let lit = self.literal(ty).text;
                    let value = literal_value(&lit);
                    if !seen.contains(&value) {
                        seen.push(value);
                        arms.push(Arm {
                            pattern: lit,
                            bindings: Vec::new(),
                        });
                    }
                }
                arms.push(self.catch_all(ty));
            }
            Ty::Bool => match self.rng.below(3) {
                0 => {
                    arms.push(plain("true"));
                    arms.push(plain("false"));
                }
                1 => {
                    arms.push(plain(if self.rng.chance(50) { "true" } else { "false" }));
                    arms.push(self.catch_all(ty));
                }
                _ => arms.push(self.catch_all(ty)),
            },
            Ty::Option(t) => {
                let inner = self.sub_pattern(t);
                arms.push(Arm {
                    pattern: format!("Some({})", inner.pattern),
                    bindings: inner.bindings,
                });
                if self.rng.chance(70) {
                    arms.push(plain("None"));
                    if self.rng.chance(30) {
                        arms.reverse();
                    }
                } else {
                    arms.push(self.catch_all(ty));
                }
            }
            Ty::Result(t, e) => {
                let ok = self.sub_pattern(t);
                let err = self.sub_pattern(e);
                arms.push(Arm {
                    pattern: format!("Ok({})", ok.pattern),
                    bindings: ok.bindings,
                });
                arms.push(Arm {
                    pattern: format!("Err({})", err.pattern),
                    bindings: err.bindings,
                });
                if self.rng.chance(30) {
                    arms.reverse();
                }
            }
            Ty::Enum(e) => {
                let en = self.items.enums[*e].clone();
                let cover_all = self.rng.chance(70);
                let mut covered = 0;
                for (variant, payload) in &en.variants {
                    if !cover_all && self.rng.chance(50) {
                        continue;
                    }
                    covered += 1;
                    if payload.is_empty() {
                        arms.push(plain(&format!("{}::{variant}", en.name)));
                    } else {
                        let subs: Vec<Arm> = payload.iter().map(|t| self.sub_pattern(t)).collect();
                        let text: Vec<&str> = subs.iter().map(|a| a.pattern.as_str()).collect();
                        let pattern = format!("{}::{variant}({})", en.name, text.join(", "));
                        let bindings = subs.iter().flat_map(|a| a.bindings.clone()).collect();
                        arms.push(Arm { pattern, bindings });
                    }
                }
                if covered < en.variants.len() {
                    arms.push(self.catch_all(ty));
                }
            }
            _ => arms.push(self.catch_all(ty)),
        }
        arms
    }

    /// A pattern inside a constructor: a binding, `_`, or a nested one
    /// that still matches everything.
    fn sub_pattern(&mut self, ty: &Ty) -> Arm {
        self.catch_all(ty)
    }

    fn catch_all(&mut self, ty: &Ty) -> Arm {
        if self.rng.chance(25) {
            return plain("_");
        }
        let name = self.fresh("bound");
        Arm {
            pattern: format!("{HOLE}{name}{HOLE}"),
            bindings: vec![(name, ty.clone())],
        }
    }

    /// Declares an arm's bindings as read-only views in a new scope.
    pub(super) fn bind_arm(&mut self, arm: &Arm) {
        for (name, ty) in &arm.bindings {
            self.declare(name, ty.clone(), Kind::View, None);
        }
    }

    /// The arm's pattern text once its body is written: bindings nothing
    /// read become `_`.
    pub(super) fn finish_pattern(&self, arm: &Arm) -> String {
        let mut text = arm.pattern.clone();
        let scope = self.scopes.last().cloned().unwrap_or_default();
        for (name, _) in &arm.bindings {
            let read = scope.iter().any(|v| v.name == *name && v.read);
            let hole = format!("{HOLE}{name}{HOLE}");
            text = text.replace(&hole, if read { name } else { "_" });
        }
        text
    }

    /// `match` as an expression of type `ty`.
    pub(super) fn match_expr(&mut self, ty: &Ty, d: usize) -> Option<E> {
        let scrutinee_ty = self.any_type(2);
        let scrutinee = self.expr(&scrutinee_ty, d).text;
        let arms = self.arms(&scrutinee_ty);
        let mut text = format!("match {scrutinee} {{");
        for arm in &arms {
            self.scopes.push(Vec::new());
            self.bind_arm(arm);
            // The first arm's value shows the match's type.
            let body = if text.ends_with('{') {
                self.expr(ty, d).text
            } else {
                self.typed(ty, d).text
            };
            let pattern = self.finish_pattern(arm);
            self.scopes.pop();
            text.push_str(&format!(" {pattern} => {body},"));
        }
        text.push_str(" }");
        Some(E::new(text, Level::Logic))
    }
}

fn plain(text: &str) -> Arm {
    Arm {
        pattern: text.to_string(),
        bindings: Vec::new(),
    }
}

/// The value a literal pattern stands for, so `0xff` and `255`, or
/// `"\u{1F40D}"` and `"🐍"`, count as one arm.
fn literal_value(text: &str) -> String {
    let digits = text.replace('_', "");
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, digits),
    };
    let parsed = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()
    } else {
        digits.parse::<i64>().ok()
    };
    match parsed {
        Some(v) => (if negative { -v } else { v }).to_string(),
        None => text.replace("\\u{1F40D}", "🐍"),
    }
}
