// From the error corpus (map_key_float.pt): expects PT0209.
parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var prices: map<f64, string> = map_of();
        prices.insert(1.5, "cheap");
        print_line("{}", prices.length());
    }
}
