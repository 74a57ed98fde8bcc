// From the error corpus (thread_captures_list.pt): expects PT0305.
parseltongue_macros::parseltongue! {
    function main() {
        let_var numbers = list_of(1, 2, 3);
        let_var handle = spawn_thread {
            numbers.length()
        };
        print_line("{}", handle.join());
    }
}
