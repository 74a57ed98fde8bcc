//! Idiomatic hand-written Rust for each workload.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Counts words of at least `minimum` bytes.
pub fn long_words(text: &str, minimum: i64) -> i64 {
    let mut count = 0;
    for line in text.lines() {
        for word in line.split(' ') {
            if word.len() as i64 >= minimum {
                count += 1;
            }
        }
    }
    count
}

/// Upper-cases the words starting with `p`, space-separated.
pub fn shout(words: &[String]) -> String {
    let mut out = String::new();
    for word in words {
        if word.starts_with('p') {
            out = format!("{out}{} ", word.to_uppercase());
        }
    }
    out.trim().to_string()
}

/// Sum of Collatz sequence lengths below `limit`.
pub fn collatz_total(limit: i64) -> i64 {
    let mut total = 0;
    for start in 1..limit {
        let mut n = start;
        let mut steps = 0;
        while n != 1 {
            n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
            steps += 1;
        }
        total += steps;
    }
    total
}

/// Numerical integration of x² on [0, 1].
pub fn integrate(slices: i64) -> f64 {
    let width = 1.0 / slices as f64;
    let mut sum = 0.0;
    for i in 0..slices {
        let x = (i as f64 + 0.5) * width;
        sum += x * x * width;
    }
    sum
}

/// An order.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// Who ordered.
    pub customer: String,
    /// How much.
    pub amount: i64,
    /// Express delivery.
    pub express: bool,
}

/// Builds `count` orders, one push at a time (the same algorithm as the
/// Parseltongue program, so the comparison measures the lowering).
pub fn make_orders(count: i64) -> Vec<Order> {
    let names = ["ada", "grace", "alan", "linus", "barbara"];
    let mut orders = Vec::new();
    for i in 0..count {
        orders.push(Order {
            customer: names[(i % 5) as usize].to_string(),
            amount: i % 97 + 1,
            express: i % 3 == 0,
        });
    }
    orders
}

/// Total amount per customer, express orders doubled.
pub fn totals(orders: &[Order]) -> HashMap<String, i64> {
    let mut result = HashMap::new();
    for order in orders {
        let weight = if order.express { 2 } else { 1 };
        *result.entry(order.customer.clone()).or_insert(0) += order.amount * weight;
    }
    result
}

/// `workers` threads each sum their share of a shared list, then add the
/// share to a shared total under its lock.
pub fn parallel_sum(values: &[i64], workers: i64) -> i64 {
    let shared = Arc::new(values.to_vec());
    let total = Arc::new(Mutex::new(0i64));
    let mut handles = Vec::new();
    for worker in 0..workers {
        let shared = Arc::clone(&shared);
        let total = Arc::clone(&total);
        handles.push(std::thread::spawn(move || {
            let mut sum = 0;
            let mut i = worker;
            while i < shared.len() as i64 {
                sum += shared[i as usize] * shared[i as usize] % 7;
                i += workers;
            }
            *total.lock().expect("not poisoned") += sum;
            sum
        }));
    }
    let mut joined = 0;
    for handle in handles {
        joined += handle.join().expect("thread finished");
    }
    assert_eq!(*total.lock().expect("not poisoned"), joined);
    joined
}
