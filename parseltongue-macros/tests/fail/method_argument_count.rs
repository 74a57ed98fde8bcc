// From the error corpus (method_argument_count.pt): expects PT0202.
parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var names = list_of("Ada");
        names.push("Grace", "Linus");
        print_line("{:?}", names);
    }
}
