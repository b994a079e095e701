//! Designated provinces: western region and north-east.

use super::*;

#[test]
fn western_region_provinces_are_designated() {
    for prefix in [
        "15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    ] {
        assert!(is_designated_province(prefix), "{prefix}");
    }
}

#[test]
fn north_east_provinces_are_designated() {
    for prefix in ["21", "22", "23"] {
        assert!(is_designated_province(prefix), "{prefix}");
    }
}

#[test]
fn eastern_and_central_provinces_are_not_designated() {
    // Beijing, Shanghai, Guangdong, Henan, Hainan.
    for prefix in ["11", "31", "44", "41", "46"] {
        assert!(!is_designated_province(prefix), "{prefix}");
    }
}

#[test]
fn only_an_exact_two_digit_prefix_matches() {
    for text in ["", "5", "510100", " 51", "51 ", "x1"] {
        assert!(!is_designated_province(text), "{text:?}");
    }
}
