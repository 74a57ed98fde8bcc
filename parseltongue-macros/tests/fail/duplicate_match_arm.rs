// From the error corpus (duplicate_match_arm.pt): expects PT0402.
// A warning is reported as a deprecation warning on its token; denying
// `deprecated` turns it into an error so the test can see it.
#![deny(deprecated)]

parseltongue_macros::parseltongue! {
    function describe(n: i64) returns string {
        match n {
            0 => "zero",
            1 => "one",
            0 => "nothing",
            _ => "many",
        }
    }

    function main() {
        print_line("{}", describe(1));
    }
}
