//! Custom order: for each element type the program may sort (`i64`, `f64`,
//! `string` and every record), a comparison function and a key function,
//! written only if something names them, and the `sort_by`, `sort_by_key`,
//! `min_by`… calls that do. Comparisons are consistent orders (chains of
//! `compare` with `then` and `reverse`, or a `match` on an `ordering`), so
//! Rust's sort and the evaluator's agree on the one stable result.

use super::model::Ty;
use super::Gen;

/// The order functions of one element type.
pub(super) struct Order {
    element: Ty,
    compare: String,
    compare_text: String,
    compare_used: bool,
    key: Option<(String, String)>,
    key_used: bool,
}

impl Gen {
    /// Declares (unwritten) order functions for the element types of the
    /// root module; the module written before the records cannot name them.
    pub(super) fn orders(&mut self) {
        let mut elements = vec![Ty::I64, Ty::F64, Ty::Str];
        elements.extend((0..self.items.records.len()).map(Ty::Record));
        for element in elements {
            if self.comparable_parts(&element).is_empty() {
                continue;
            }
            let shown = self.items.show(&element);
            let compare = self.fresh("order");
            let body = self.comparison(&element);
            let compare_text = format!(
                "function {compare}(left: {shown}, right: {shown}) returns ordering {{\n    {body}\n}}\n"
            );
            let key = self.key_field(&element).map(|(access, ty)| {
                let name = self.fresh("key_of");
                let text = format!(
                    "function {name}(item: {shown}) returns {} {{\n    {access}\n}}\n",
                    self.items.show(&ty)
                );
                (name, text)
            });
            self.order_functions.push(Order {
                element,
                compare,
                compare_text,
                compare_used: false,
                key,
                key_used: false,
            });
        }
    }

    /// The order functions something named, to be written.
    pub(super) fn used_order_functions(&self) -> Vec<String> {
        let mut out = Vec::new();
        for order in &self.order_functions {
            if order.compare_used {
                out.push(order.compare_text.clone());
            }
            if let (true, Some((_, text))) = (order.key_used, &order.key) {
                out.push(text.clone());
            }
        }
        out
    }

    /// `sort_by(f)` or `sort_by_key(f)` for a list of `element`, if the
    /// element type has order functions.
    pub(super) fn sort_call(&mut self, element: &Ty) -> Option<String> {
        let by_key = self.rng.chance(40);
        let (method, function) = self.order_function(element, by_key)?;
        Some(format!("sort_{method}({function})"))
    }

    /// `min_by(f)`, `max_by_key(f)`… for a list of `element`.
    pub(super) fn min_max_call(&mut self, element: &Ty) -> Option<String> {
        let by_key = self.rng.chance(50);
        let (method, function) = self.order_function(element, by_key)?;
        let which = if self.rng.chance(50) { "min" } else { "max" };
        Some(format!("{which}_{method}({function})"))
    }

    /// The method suffix (`by` or `by_key`) and the function's name.
    fn order_function(&mut self, element: &Ty, by_key: bool) -> Option<(&'static str, String)> {
        let order = self
            .order_functions
            .iter_mut()
            .find(|o| o.element == *element)?;
        match &order.key {
            Some((name, _)) if by_key => {
                order.key_used = true;
                Some(("by_key", name.clone()))
            }
            _ => {
                order.compare_used = true;
                Some(("by", order.compare.clone()))
            }
        }
    }

    /// The fields (or the value itself) a comparison can look at.
    fn comparable_parts(&self, element: &Ty) -> Vec<(String, Ty)> {
        match element {
            Ty::Record(r) => self.items.records[*r]
                .fields
                .iter()
                .filter(|(_, t)| matches!(t, Ty::I64 | Ty::F64 | Ty::Str | Ty::Bool))
                .map(|(n, t)| (format!(".{n}"), t.clone()))
                .collect(),
            other => vec![(String::new(), other.clone())],
        }
    }

    /// The body of a comparison of `left` and `right`.
    fn comparison(&mut self, element: &Ty) -> String {
        let parts = self.comparable_parts(element);
        let count = 1 + self.rng.below(parts.len().min(3));
        let mut steps = Vec::new();
        for _ in 0..count {
            let (access, _) = self.rng.pick(&parts).clone();
            let step = if self.rng.chance(50) {
                format!("left{access}.compare(right{access})")
            } else if self.rng.chance(50) {
                format!("right{access}.compare(left{access})")
            } else {
                format!("left{access}.compare(right{access}).reverse()")
            };
            steps.push(step);
        }
        if steps.len() > 1 && self.rng.chance(40) && self.ordering_values_visible() {
            // The tie-breaker as a `match` on the first ordering.
            let first = steps.remove(0);
            let rest = steps.join(".then(") + &")".repeat(steps.len() - 1);
            return format!(
                "match {first} {{\n        Ordering::Equal => {rest},\n        Ordering::Less => Ordering::Less,\n        Ordering::Greater => Ordering::Greater,\n    }}"
            );
        }
        let first = steps.remove(0);
        steps
            .into_iter()
            .fold(first, |chain, step| format!("{chain}.then({step})"))
    }

    /// Whether `Ordering::Less` and its kin are the built-in values: a
    /// record or enum the program calls `Ordering` hides them.
    pub(super) fn ordering_values_visible(&self) -> bool {
        !self.items.records.iter().any(|r| r.name == "Ordering")
            && !self.items.enums.iter().any(|e| e.name == "Ordering")
    }

    /// A key of `item`: a field of a type with one order, or the value.
    fn key_field(&mut self, element: &Ty) -> Option<(String, Ty)> {
        let parts = self.comparable_parts(element);
        if parts.is_empty() {
            return None;
        }
        let (access, ty) = self.rng.pick(&parts).clone();
        Some((format!("item{access}"), ty))
    }
}
