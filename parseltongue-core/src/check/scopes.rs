//! The locals in scope while a body is checked: one stack of local ids,
//! cut into nested scopes. A block opens a scope and closes it at its end;
//! one shared list means a block costs no allocation of its own.

use crate::ir::LocalId;

/// Nested scopes of locals, innermost last.
#[derive(Debug)]
pub(super) struct Scopes {
    /// Every local in scope, in the order declared.
    locals: Vec<LocalId>,
    /// Where each open scope starts in `locals`; the outermost is first.
    starts: Vec<usize>,
}

impl Default for Scopes {
    /// The outermost scope, open.
    fn default() -> Self {
        Scopes {
            locals: Vec::new(),
            starts: vec![0],
        }
    }
}

impl Scopes {
    /// Opens a scope inside the innermost one.
    pub(super) fn open(&mut self) {
        self.starts.push(self.locals.len());
    }

    /// Closes the innermost scope; its locals go out of scope.
    pub(super) fn close(&mut self) {
        debug_assert!(self.starts.len() > 1, "the outermost scope stays open");
        if let Some(start) = self.starts.pop() {
            self.locals.truncate(start);
        }
    }

    /// How many scopes are open.
    pub(super) fn depth(&self) -> usize {
        self.starts.len()
    }

    /// Puts `local` in the innermost scope.
    pub(super) fn declare(&mut self, local: LocalId) {
        self.locals.push(local);
    }

    /// The locals of the innermost scope, in the order declared.
    pub(super) fn innermost(&self) -> &[LocalId] {
        let start = self.starts.last().copied().unwrap_or(0);
        &self.locals[start..]
    }

    /// Every local in scope, outermost first.
    pub(super) fn all(&self) -> &[LocalId] {
        &self.locals
    }

    /// The last declared local that `matches`, innermost scope first, with
    /// the depth of its scope (0 for the outermost).
    pub(super) fn find_last(&self, matches: impl Fn(LocalId) -> bool) -> Option<(LocalId, usize)> {
        let at = self.locals.iter().rposition(|&id| matches(id))?;
        let depth = self.starts.partition_point(|&start| start <= at) - 1;
        Some((self.locals[at], depth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_scope_takes_its_locals_with_it() {
        let mut scopes = Scopes::default();
        scopes.declare(0);
        scopes.open();
        scopes.declare(1);
        scopes.declare(2);
        assert_eq!(scopes.depth(), 2);
        assert_eq!(scopes.innermost(), &[1, 2]);
        assert_eq!(scopes.all(), &[0, 1, 2]);
        scopes.close();
        assert_eq!(scopes.innermost(), &[0]);
        assert_eq!(scopes.depth(), 1);
    }

    #[test]
    fn the_innermost_binding_is_found_with_its_depth() {
        let mut scopes = Scopes::default();
        scopes.declare(0);
        scopes.open();
        scopes.open();
        // An empty scope between: depth counts open scopes, not locals.
        scopes.open();
        scopes.declare(1);
        scopes.declare(2);
        assert_eq!(scopes.find_last(|id| id == 0), Some((0, 0)));
        assert_eq!(scopes.find_last(|id| id == 1), Some((1, 3)));
        assert_eq!(scopes.find_last(|id| id < 3), Some((2, 3)));
        assert_eq!(scopes.find_last(|id| id == 7), None);
        scopes.close();
        scopes.close();
        assert_eq!(scopes.innermost(), &[] as &[LocalId]);
        assert_eq!(scopes.find_last(|id| id == 1), None);
    }
}
