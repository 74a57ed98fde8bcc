// From the error corpus (unused_constant.pt): expects PT0503.
// A warning is reported as a deprecation warning on its token; denying
// `deprecated` turns it into an error so the test can see it.
#![deny(deprecated)]

parseltongue_macros::parseltongue! {
    constant LIMIT: i64 = 10;

    function main() {
        print_line("no limits");
    }
}
