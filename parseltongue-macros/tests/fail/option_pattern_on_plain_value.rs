// From the error corpus (option_pattern_on_plain_value.pt): expects PT0403.
parseltongue_macros::parseltongue! {
    function describe(n: i64) returns string {
        match n {
            Some(x) => "some",
            _ => "other",
        }
    }

    function main() {
        print_line("{}", describe(3));
    }
}
