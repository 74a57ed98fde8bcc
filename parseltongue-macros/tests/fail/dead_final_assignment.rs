// From the error corpus (dead_final_assignment.pt): expects PT0501.
// A warning is reported as a deprecation warning on its token; denying
// `deprecated` turns it into an error so the test can see it.
#![deny(deprecated)]

parseltongue_macros::parseltongue! {
    //
    function main() {
        let_mut_var total = 0;
        for value in list_of(1, 2, 3) {
            total += value;
        }
        print_line("{}", total);
        let_mut_var steps = 0;
        steps = total * 2;
        print_line("done");
    }
}
