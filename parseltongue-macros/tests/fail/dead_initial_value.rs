// From the error corpus (dead_initial_value.pt): expects PT0505.
// A warning is reported as a deprecation warning on its token; denying
// `deprecated` turns it into an error so the test can see it.
#![deny(deprecated)]

parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var label = "none";
        label = format("{} items", 3);
        print_line("{}", label);
    }
}
