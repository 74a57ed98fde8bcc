// From the error corpus (self_outside_method.pt): expects PT0212.
parseltongue_macros::parseltongue! {
    record Counter {
        value: i64,
    }

    function increment() returns i64 {
        self.value + 1
    }

    function main() {
        print_line("{}", increment());
    }
}
