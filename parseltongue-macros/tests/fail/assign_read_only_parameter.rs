// From the error corpus (assign_read_only_parameter.pt): expects PT0302, PT0501.
parseltongue_macros::parseltongue! {
    function reset(count: i64) {
        count = 0;
    }

    function main() {
        reset(5);
    }
}
