// From the error corpus (multiple_statement_errors_one_function.pt): expects PT0004, PT0204, PT0205, all reported at once.
parseltongue_macros::parseltongue! {
    function main() {
        let_var prices = list_of(2.5, 4.0, 1.25);
        let_mut_var total = 0.0;
        for price in prices {
            total += price
        }
        let_var count = prices.length();
        if count > 0 {
            print_line("average {}", total / count);
        }
        let_var cheapest == prices.first();
        print_line("{}", total, count);
    }
}
