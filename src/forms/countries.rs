//! ISO 3166-1 alpha-2 countries for `country` fields.

use std::sync::LazyLock;

/// `(code, name)` pairs, sorted by name.
pub static COUNTRIES: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    include_str!("countries.txt")
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .collect()
});

/// The English name of a country code, if it is one.
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_is_complete_enough() {
        assert!(super::COUNTRIES.len() >= 249);
        assert_eq!(super::country_name("GB"), Some("United Kingdom"));
        assert_eq!(super::country_name("XX"), None);
    }
}
