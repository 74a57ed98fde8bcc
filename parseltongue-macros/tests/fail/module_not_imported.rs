// From the error corpus (module_not_imported.pt): expects PT0106.
parseltongue_macros::parseltongue! {
    function main() {
        print_line("{}", math::square(3));
    }
}
