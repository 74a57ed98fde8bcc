// From the error corpus (assign_to_shared_var.pt): expects PT0304.
parseltongue_macros::parseltongue! {
    function main() {
        let_shared_var limit = 10;
        limit = 20;
        print_line("{}", limit);
    }
}
