// From the error corpus (propagate_in_unit_function.pt): expects PT0206.
parseltongue_macros::parseltongue! {
    function main() {
        let_var value = propagate "42".parse_int();
        print_line("{}", value);
    }
}
