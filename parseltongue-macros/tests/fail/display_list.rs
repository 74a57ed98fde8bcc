// From the error corpus (display_list.pt): expects PT0208.
parseltongue_macros::parseltongue! {
    function main() {
        let_var values = list_of(1, 2, 3);
        print_line("values: {}", values);
    }
}
