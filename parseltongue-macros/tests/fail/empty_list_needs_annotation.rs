// From the error corpus (empty_list_needs_annotation.pt): expects PT0203.
parseltongue_macros::parseltongue! {
    function main() {
        let_var values = list_of();
        print_line("{}", values.length());
    }
}
