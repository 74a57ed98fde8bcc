// From the error corpus (missing_return_semicolon.pt): expects PT0213.
parseltongue_macros::parseltongue! {
    function double(x: i64) returns i64 {
        x * 2;
    }

    function main() {
        print_line("{}", double(4));
    }
}
