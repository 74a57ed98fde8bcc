// From the error corpus (field_on_builtin_type.pt): expects PT0104.
parseltongue_macros::parseltongue! {
    function main() {
        let_var names = list_of("Ada", "Grace");
        print_line("{}", names.length);
    }
}
