// From the error corpus (format_named_placeholder.pt): expects PT0205.
parseltongue_macros::parseltongue! {
    function main() {
        let_var name = "Ada";
        print_line("hello {name}");
    }
}
