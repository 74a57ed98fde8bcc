// From the error corpus (unknown_enum_variant.pt): expects PT0107.
parseltongue_macros::parseltongue! {
    enum Direction {
        North,
        South,
        East,
        West,
    }

    function main() {
        let_var heading = Direction::Nort;
        print_line("{:?}", heading);
    }
}
