//! Sentence templates of the word lists: `{name}` stands for a value, filled in one
//! pass so that a value is never read as a template.

/// `template` with every `{name}` replaced by its value; a name without one is kept.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let Some((name, tail)) = after.split_once('}') else {
            out.push('{');
            rest = after;
            break;
        };
        match values.iter().find(|(key, _)| *key == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The names a template fills in, in order.
pub(super) fn names(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_each_name_once_and_keeps_unknown_ones() {
        let values = [("brand", "Cairn {brand}"), ("is", "are")];
        assert_eq!(
            fill("{brand} {is} {odd} {", &values),
            "Cairn {brand} are {odd} {"
        );
        assert_eq!(
            names("{brand} {is} {odd} {").collect::<Vec<_>>(),
            ["brand", "is", "odd"]
        );
    }
}
