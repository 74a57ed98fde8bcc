// From the error corpus (compound_assign_on_string.pt): expects PT0204.
parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var message = "hello";
        message += " world";
        print_line("{}", message);
    }
}
