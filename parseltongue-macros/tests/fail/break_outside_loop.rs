// From the error corpus (break_outside_loop.pt): expects PT0211.
parseltongue_macros::parseltongue! {
    function find(values: list<i64>, target: i64) returns bool {
        for value in values {
            if value == target {
                return true;
            }
        }
        break;
        false
    }

    function main() {
        print_line("{}", find(list_of(1, 2), 2));
    }
}
