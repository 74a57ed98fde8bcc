// From the error corpus (duplicate_enum_variant.pt): expects PT0103.
parseltongue_macros::parseltongue! {
    enum Color {
        Red,
        Green,
        Red,
    }

    function main() {
        let_var c = Color::Green;
        print_line("{:?}", c);
    }
}
