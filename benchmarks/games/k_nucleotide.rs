//! A k-nucleotide-like count: every 1-, 2- and 4-letter substring of a
//! generated 2,000,000-letter sequence, counted in a map, printed by
//! descending count.

use std::collections::HashMap;

const LENGTH: usize = 2_000_000;

fn sequence(length: usize) -> String {
    let mut seed: u64 = 42;
    let mut text = String::with_capacity(length);
    for _ in 0..length {
        seed = (seed * 3877 + 29573) % 139_968;
        text.push(['A', 'C', 'G', 'T'][(seed * 4 / 139_968) as usize]);
    }
    text
}

fn counts(sequence: &str, k: usize) -> HashMap<&str, u64> {
    let mut counts = HashMap::new();
    for start in 0..=sequence.len() - k {
        *counts.entry(&sequence[start..start + k]).or_insert(0) += 1;
    }
    counts
}

fn main() {
    let sequence = sequence(LENGTH);
    for k in [1, 2, 4] {
        let mut sorted: Vec<(&str, u64)> = counts(&sequence, k).into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let total = (sequence.len() - k + 1) as f64;
        for (key, count) in sorted.iter().take(16) {
            println!("{key} {count} {:.3}", 100.0 * *count as f64 / total);
        }
        println!();
    }
}
