// From the error corpus (calling_a_variable.pt): expects PT0210.
parseltongue_macros::parseltongue! {
    function main() {
        let_var total = 10;
        print_line("{}", total(2));
    }
}
