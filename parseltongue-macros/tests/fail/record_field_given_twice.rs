// From the error corpus (record_field_given_twice.pt): expects PT0207.
parseltongue_macros::parseltongue! {
    record Point {
        x: f64,
        y: f64,
    }

    function main() {
        let_var p = Point { x: 1.0, x: 2.0, y: 3.0 };
        print_line("{:?}", p);
    }
}
