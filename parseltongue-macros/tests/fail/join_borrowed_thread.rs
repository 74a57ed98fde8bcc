// From the error corpus (join_borrowed_thread.pt): expects PT0307.
parseltongue_macros::parseltongue! {
    function wait_for(worker: thread<i64>) returns i64 {
        worker.join()
    }

    function main() {
        let_var handle = spawn_thread { 1 };
        print_line("{}", wait_for(handle));
    }
}
