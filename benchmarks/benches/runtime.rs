//! Generated Rust against hand-written Rust, timed side by side in one run.
//! Each pair runs interleaved several times; the best time of each is
//! compared. Run with `cargo bench -p parseltongue-benchmarks`.

use parseltongue_benchmarks::{generated as pt, hand_written as rs};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn best(rounds: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (Duration, Duration) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    let timed = |f: &mut dyn FnMut(), best: &mut Duration| {
        let start = Instant::now();
        f();
        *best = (*best).min(start.elapsed());
    };
    for round in 0..rounds {
        // Each goes first in every other round: whatever the one before
        // left behind (freed memory, cached thread stacks, a warm cache)
        // favours neither.
        if round % 2 == 0 {
            timed(&mut a, &mut best_a);
            timed(&mut b, &mut best_b);
        } else {
            timed(&mut b, &mut best_b);
            timed(&mut a, &mut best_a);
        }
    }
    (best_a, best_b)
}

fn report(name: &str, (generated, hand): (Duration, Duration)) {
    println!(
        "{name:<28} generated {:>9.3} ms   hand-written {:>9.3} ms   ratio {:.3}",
        generated.as_secs_f64() * 1e3,
        hand.as_secs_f64() * 1e3,
        generated.as_secs_f64() / hand.as_secs_f64()
    );
}

fn main() {
    let text: String = (0..20_000)
        .map(|i| format!("parseltongue speaks to snakes number {i} and pythons\n"))
        .collect();
    let words: Vec<String> = text
        .split_whitespace()
        .take(5_000)
        .map(str::to_string)
        .collect();
    assert_eq!(pt::strings::long_words(&text, 6), rs::long_words(&text, 6));
    assert_eq!(pt::strings::shout(&words), rs::shout(&words));
    report(
        "string processing: words",
        best(
            41,
            || {
                black_box(pt::strings::long_words(black_box(&text), 6));
            },
            || {
                black_box(rs::long_words(black_box(&text), 6));
            },
        ),
    );
    report(
        "string processing: build",
        best(
            41,
            || {
                black_box(pt::strings::shout(black_box(&words)));
            },
            || {
                black_box(rs::shout(black_box(&words)));
            },
        ),
    );

    assert_eq!(
        pt::numbers::collatz_total(10_000),
        rs::collatz_total(10_000)
    );
    report(
        "numeric loop: collatz",
        best(
            41,
            || {
                black_box(pt::numbers::collatz_total(black_box(100_000)));
            },
            || {
                black_box(rs::collatz_total(black_box(100_000)));
            },
        ),
    );
    report(
        "numeric loop: integrate",
        best(
            41,
            || {
                black_box(pt::numbers::integrate(black_box(2_000_000)));
            },
            || {
                black_box(rs::integrate(black_box(2_000_000)));
            },
        ),
    );

    let generated_orders = pt::records::make_orders(200_000);
    let hand_orders = rs::make_orders(200_000);
    assert_eq!(
        pt::records::totals(&generated_orders),
        rs::totals(&hand_orders)
    );
    report(
        "records: build list",
        best(
            41,
            || {
                black_box(pt::records::make_orders(black_box(200_000)));
            },
            || {
                black_box(rs::make_orders(black_box(200_000)));
            },
        ),
    );
    report(
        "records: group in map",
        best(
            41,
            || {
                black_box(pt::records::totals(black_box(&generated_orders)));
            },
            || {
                black_box(rs::totals(black_box(&hand_orders)));
            },
        ),
    );

    let values: Vec<i64> = (0..2_000_000).collect();
    assert_eq!(
        pt::threads::parallel_sum(&values, 2),
        rs::parallel_sum(&values, 2)
    );
    report(
        "shared state: 2 threads",
        best(
            41,
            || {
                black_box(pt::threads::parallel_sum(black_box(&values), 2));
            },
            || {
                black_box(rs::parallel_sum(black_box(&values), 2));
            },
        ),
    );
}
