//! Attribute constraints ("red", "size M") checked against a product.

use souk_actors::ProductEntry;

/// Whether the product has, for each attribute named, one of the values asked.
pub(super) fn has_attributes(entry: &ProductEntry, wanted: &[(String, String)]) -> bool {
    let mut names: Vec<&str> = wanted.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.iter().all(|name| {
        let value = entry.product.attributes.iter().find_map(|(n, v)| {
            let n = n.to_lowercase();
            (n == *name || (*name == "colour" && n == "color")).then_some(v)
        });
        value.is_some_and(|v| wanted.iter().any(|(n, w)| n == name && same_value(v, w)))
    })
}

/// "Brick Red" has the value "red": every word asked for is a word of the value.
fn same_value(value: &str, wanted: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let have = words(value);
    let want = words(wanted);
    !want.is_empty() && want.iter().all(|w| have.contains(w))
}
