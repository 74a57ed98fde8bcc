//! binary-trees: allocate and walk many complete binary trees, depth 18.

const MAX_DEPTH: u32 = 18;
const MIN_DEPTH: u32 = 4;

struct Tree {
    children: Option<Box<(Tree, Tree)>>,
}

fn bottom_up(depth: u32) -> Tree {
    if depth == 0 {
        Tree { children: None }
    } else {
        Tree {
            children: Some(Box::new((bottom_up(depth - 1), bottom_up(depth - 1)))),
        }
    }
}

fn check(tree: &Tree) -> u32 {
    match &tree.children {
        None => 1,
        Some(children) => 1 + check(&children.0) + check(&children.1),
    }
}

fn main() {
    let stretch = MAX_DEPTH + 1;
    println!(
        "stretch tree of depth {stretch}\t check: {}",
        check(&bottom_up(stretch))
    );
    let long_lived = bottom_up(MAX_DEPTH);
    for depth in (MIN_DEPTH..=MAX_DEPTH).step_by(2) {
        let iterations = 1 << (MAX_DEPTH - depth + MIN_DEPTH);
        let mut total = 0;
        for _ in 0..iterations {
            total += check(&bottom_up(depth));
        }
        println!("{iterations}\t trees of depth {depth}\t check: {total}");
    }
    println!(
        "long lived tree of depth {MAX_DEPTH}\t check: {}",
        check(&long_lived)
    );
}
