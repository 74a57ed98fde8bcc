// From the error corpus (rust_iter_method.pt): expects PT0105.
parseltongue_macros::parseltongue! {
    function main() {
        let_var values = list_of(1, 2, 3);
        for value in values.iter() {
            print_line("{}", value);
        }
    }
}
