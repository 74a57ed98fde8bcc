//! Records and enums that contain themselves. Through an `option` that is
//! allowed: the `option` of such a type is stored behind a pointer
//! (`Option<Box<T>>`), so its size stays finite, as a Rust engineer would
//! write it. Through fields, enum payloads and `result`s alone it is an
//! error: the value would be infinitely large. Lists and maps store their
//! elements elsewhere and never form a cycle.

use crate::ir::{Ty, TypeDefKind, TypeId};

/// A type that one value of another contains inline.
#[derive(Clone, Copy)]
pub(super) struct Containment {
    /// The contained type.
    pub to: TypeId,
    /// Reached through an `option` somewhere on the way.
    pub through_option: bool,
}

/// What each type contains inline, in declaration order.
pub(super) fn containments(kinds: &[&TypeDefKind]) -> Vec<Vec<Containment>> {
    fn walk(ty: &Ty, through_option: bool, out: &mut Vec<Containment>) {
        match ty {
            Ty::Named(to) => out.push(Containment {
                to: *to,
                through_option,
            }),
            Ty::Option(t) => walk(t, true, out),
            Ty::Result(a, b) => {
                walk(a, through_option, out);
                walk(b, through_option, out);
            }
            _ => {}
        }
    }
    kinds
        .iter()
        .map(|kind| {
            let mut out = Vec::new();
            match kind {
                TypeDefKind::Record(fields) => {
                    fields.iter().for_each(|(_, t)| walk(t, false, &mut out));
                }
                TypeDefKind::Enum(variants) => variants
                    .iter()
                    .flat_map(|(_, payload)| payload)
                    .for_each(|t| walk(t, false, &mut out)),
                TypeDefKind::Rust(_) | TypeDefKind::Extension => {}
            }
            out
        })
        .collect()
}

/// For each node of the graph, whether it lies on a cycle, with the
/// strongly connected component it belongs to (Kosaraju's algorithm, with
/// explicit stacks so a long chain of types cannot overflow the stack).
pub(super) fn on_cycle(edges: &[Vec<usize>]) -> Vec<Option<usize>> {
    let n = edges.len();
    // First pass: nodes in order of finishing.
    let mut finished = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&to) = edges[*node].get(*next) {
                *next += 1;
                if !visited[to] {
                    visited[to] = true;
                    stack.push((to, 0));
                }
            } else {
                finished.push(*node);
                stack.pop();
            }
        }
    }
    // Second pass, on the reversed graph, in reverse finishing order.
    let mut reversed = vec![Vec::new(); n];
    for (from, tos) in edges.iter().enumerate() {
        for &to in tos {
            reversed[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut sizes = Vec::new();
    for &root in finished.iter().rev() {
        if component[root] != usize::MAX {
            continue;
        }
        let id = sizes.len();
        let mut size = 0;
        component[root] = id;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            size += 1;
            for &from in &reversed[node] {
                if component[from] == usize::MAX {
                    component[from] = id;
                    stack.push(from);
                }
            }
        }
        sizes.push(size);
    }
    (0..n)
        .map(|node| {
            let c = component[node];
            (sizes[c] > 1 || edges[node].contains(&node)).then_some(c)
        })
        .collect()
}

/// A path `start → … → start` along `edges` inside `start`'s component.
pub(super) fn cycle_through(
    start: usize,
    edges: &[Vec<usize>],
    component: &[Option<usize>],
) -> Vec<usize> {
    let wanted = component[start];
    let mut came_from = vec![usize::MAX; edges.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &to in &edges[node] {
            if component[to] != wanted {
                continue;
            }
            if to == start {
                let mut path = vec![node];
                let mut at = node;
                while at != start {
                    at = came_from[at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if came_from[to] == usize::MAX {
                came_from[to] = node;
                queue.push_back(to);
            }
        }
    }
    vec![start]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_found_and_chains_are_not() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0.
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        let c = on_cycle(&edges);
        assert!(c[0].is_some() && c[0] == c[1] && c[1] == c[2]);
        assert!(c[3].is_some() && c[3] != c[0]);
        assert_eq!(c[4], None);
        assert_eq!(cycle_through(1, &edges, &c), vec![1, 2, 0]);
    }

    #[test]
    fn a_long_chain_does_not_overflow() {
        let n = 200_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        edges[n - 1] = vec![0];
        let c = on_cycle(&edges);
        assert!(c.iter().all(|x| *x == Some(0) || x.is_some()));
        assert_eq!(cycle_through(0, &edges, &c).len(), n);
    }
}
