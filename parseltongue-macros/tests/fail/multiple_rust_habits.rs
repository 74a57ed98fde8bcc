// From the error corpus (multiple_rust_habits.pt): expects PT0007, PT0102, all reported at once.
parseltongue_macros::parseltongue! {
    fn average(values: Vec<f64>) -> f64 {
        let mut total = 0.0;
        for value in values {
            total += value;
        }
        total / values.len() as f64
    }

    function main() {
        let_var values = vec![1.0, 2.0, 3.0];
        println!("{}", average(values));
    }
}
