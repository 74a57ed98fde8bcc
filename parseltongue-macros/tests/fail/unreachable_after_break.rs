// From the error corpus (unreachable_after_break.pt): expects PT0504.
// A warning is reported as a deprecation warning on its token; denying
// `deprecated` turns it into an error so the test can see it.
#![deny(deprecated)]

parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var count = 0;
        loop {
            count += 1;
            break;
            count += 100;
        }
        print_line("{}", count);
    }
}
