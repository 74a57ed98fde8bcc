// From the error corpus (with_lock_on_plain_variable.pt): expects PT0303, PT0502.
parseltongue_macros::parseltongue! {
    function main() {
        let_mut_var count = 0;
        with_lock count as value {
            value = value + 1;
        }
        print_line("{}", count);
    }
}
