// From the error corpus (needless_let_mut_var.pt): expects PT0502.
// A warning is reported as a deprecation warning on its token; denying
// `deprecated` turns it into an error so the test can see it.
#![deny(deprecated)]

parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var greeting = "hello";
        print_line("{}", greeting);
    }
}
