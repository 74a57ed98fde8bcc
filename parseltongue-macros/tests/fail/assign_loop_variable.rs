// From the error corpus (assign_loop_variable.pt): expects PT0301.
parseltongue_macros::parseltongue! {
    function main() {
        let_var values = list_of(1, 2, 3);
        for value in values {
            value = value * 2;
            print_line("{}", value);
        }
    }
}
