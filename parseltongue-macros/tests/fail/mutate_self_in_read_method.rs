// From the error corpus (mutate_self_in_read_method.pt): expects PT0302, PT0502.
parseltongue_macros::parseltongue! {
    record Counter {
        value: i64,
    }

    methods Counter {
        function increment(self) {
            self.value += 1;
        }
    }

    function main() {
        let_mut_var c = Counter { value: 0 };
        c.increment();
        print_line("{}", c.value);
    }
}
