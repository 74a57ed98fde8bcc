// From the error corpus (assign_wrong_type.pt): expects PT0201.
parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var total = 0;
        total = 2.5;
        print_line("{}", total);
    }
}
