// From the error corpus (missing_bool_arm.pt): expects PT0401.
parseltongue_macros::parseltongue! {
    function label(flag: bool) returns string {
        match flag {
            true => "yes",
        }
    }

    function main() {
        print_line("{}", label(true));
    }
}
