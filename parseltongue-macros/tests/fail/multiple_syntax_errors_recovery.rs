// From the error corpus (multiple_syntax_errors_recovery.pt): expects PT0004, PT0201, all reported at once.
parseltongue_macros::parseltongue! {
    function area(width: f64, height: f64) returns f64 {
        let_var result = width * ;
        width * height
    }

    function perimeter(width: f64, height: f64) returns f64 {
        let_var doubled = (width + height) * 2.0;
        print_line("perimeter {}" doubled);
        doubled
    }

    function main() {
        let_var label: string = area(2.0, 3.0);
        print_line("{} {}", label, perimeter(1.0, 1.0));
    }
}
