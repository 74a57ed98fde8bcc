// From the error corpus (mut_shared_read_without_lock.pt): expects PT0303.
parseltongue_macros::parseltongue! {
    function main() {
        let_mut_shared_var total = 10;
        print_line("{}", total);
    }
}
