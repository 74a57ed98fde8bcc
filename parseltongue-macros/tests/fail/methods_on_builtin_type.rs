// From the error corpus (methods_on_builtin_type.pt): expects PT0102.
parseltongue_macros::parseltongue! {
    methods i64 {
        function double(self) returns i64 {
            self * 2
        }
    }

    function main() {
        print_line("{}", 2);
    }
}
