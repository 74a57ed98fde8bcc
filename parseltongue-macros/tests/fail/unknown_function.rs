// From the error corpus (unknown_function.pt): expects PT0101.
parseltongue_macros::parseltongue! {
    function compute_area(width: f64, height: f64) returns f64 {
        width * height
    }

    function main() {
        print_line("{}", compute_aera(2.0, 3.0));
    }
}
