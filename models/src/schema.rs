//! The JSON Schema of the text rules, for the OpenAPI document: each pattern
//! accepts exactly what the matching parser accepts, so a client (or a fuzzer)
//! that follows the document is never refused.
//!
//! Patterns are ECMA-262 regular expressions, written with `\uXXXX` escapes
//! rather than `\s` or `\p{..}`, whose meaning differs between engines.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// Control characters [`crate::BoundedText`] refuses: every `Cc` character
/// except tab, line feed and carriage return.
const CONTROL: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";

/// Unicode `White_Space` characters that are not in [`CONTROL`]: what `trim`
/// strips once control characters are ruled out.
const SPACE: &str = r"\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Every Unicode `White_Space` character (what `str::trim` strips).
const ANY_SPACE: &str =
    r"\t\n\u000B\u000C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// No refused control character.
pub fn no_control_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

/// No refused control character, and something besides white space.
pub fn not_blank_pattern() -> String {
    format!("^[^{CONTROL}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$")
}

/// Something besides white space, anywhere (control characters allowed).
pub fn has_text_pattern() -> String {
    format!("[^{ANY_SPACE}]")
}

/// Text checked by [`crate::BoundedText::parse`] with `min` 0 or 1 and `max`.
pub fn text(min: usize, max: usize) -> Object {
    let pattern = if min == 0 {
        no_control_pattern()
    } else {
        not_blank_pattern()
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(pattern))
        .build()
}

/// [`text`] that may also be `null` (or left out).
pub fn optional_text(max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
        .max_length(Some(max))
        .pattern(Some(no_control_pattern()))
        .build()
}

/// Free text of `min..=max` characters that must not be only white space
/// (passwords, chat messages, search queries).
pub fn has_text(min: usize, max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(has_text_pattern()))
        .build()
}

/// A whole number in `min..=max`.
pub fn integer(min: i64, max: i64, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
            utoipa::openapi::schema::KnownFormat::Int64,
        )))
        .minimum(Some(min))
        .maximum(Some(max))
        .description(Some(description))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns' classes name the same characters the parsers test.
    #[test]
    fn classes_match_the_parsers() {
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            let control = c.is_control() && !matches!(c, '\t' | '\n' | '\r');
            let in_control = in_class(CONTROL, c);
            assert_eq!(in_control, control, "{c:?} control");
            if !control {
                assert_eq!(in_class(SPACE, c), c.is_whitespace(), "{c:?} space");
            }
            assert_eq!(in_class(ANY_SPACE, c), c.is_whitespace(), "{c:?} any space");
        }
    }

    fn pattern_of(schema: &Object) -> regex::Regex {
        regex::Regex::new(schema.pattern.as_deref().expect("a pattern")).expect("a valid pattern")
    }

    fn length_ok(schema: &Object, s: &str) -> bool {
        let len = s.chars().count();
        schema.min_length.is_none_or(|min| len >= min)
            && schema.max_length.is_none_or(|max| len <= max)
    }

    /// Strings at the edges of the text rules.
    fn samples() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            " ",
            "a",
            " a ",
            "\u{85}a",
            "a\u{0}",
            "a\u{7f}",
            "\t\n",
            "\u{3000}",
            "\u{a0}b",
            "\u{1c}",
            "a\u{1c}",
            "\u{feff}",
            "é",
            "line\none",
            "\u{2028}",
            "x\u{9f}",
            "https://x",
            "https://",
            "https://.",
            "https://a..b",
            "/media/a.b.",
            " https://x",
            "/media/",
            "/media/x y",
            "+44 20 7946 0958",
            "1234",
            "12345",
            "   ",
            " 12345 ",
            "(0)1-2.3+45",
            "\t12345",
            "GB",
            "gb",
            " GB",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for n in [4, 5, 6, 199, 200, 201] {
            out.push("x".repeat(n));
            out.push(format!(" {}", "x".repeat(n.saturating_sub(1))));
        }
        out
    }

    #[test]
    fn text_schemas_accept_what_the_parser_accepts() {
        for (min, max) in [(0, 5), (1, 5), (1, 200), (0, 200)] {
            let schema = text(min, max);
            let pattern = pattern_of(&schema);
            for s in samples() {
                let documented = pattern.is_match(&s) && length_ok(&schema, &s);
                let parsed = crate::BoundedText::parse("f", &s, min, max).is_ok();
                assert_eq!(documented, parsed, "{s:?} with {min}..={max}");
            }
        }
    }

    #[test]
    fn password_schema_accepts_what_the_parser_accepts() {
        use utoipa::PartialSchema;
        let utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(schema)) =
            crate::Password::schema()
        else {
            panic!("an object schema");
        };
        let pattern = pattern_of(&schema);
        for s in samples().into_iter().chain([
            "        ".into(),
            "\u{85}\u{85}\u{85}\u{85}\u{85}\u{85}\u{85}\u{85}".into(),
        ]) {
            let documented = pattern.is_match(&s) && length_ok(&schema, &s);
            assert_eq!(documented, crate::Password::parse(&s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn image_url_pattern_accepts_what_the_parser_accepts() {
        let pattern = regex::Regex::new(crate::ImageUrl::PATTERN).expect("a valid pattern");
        for s in samples() {
            let documented = pattern.is_match(&s) && s.chars().count() <= crate::ImageUrl::MAX;
            assert_eq!(documented, crate::ImageUrl::parse(&s).is_ok(), "{s:?}");
        }
    }

    /// Whether `c` is in a class body made of `\uXXXX`, `\t`, `\n`, `\r`,
    /// literal characters and `a-b` ranges.
    fn in_class(class: &str, c: char) -> bool {
        let mut chars = Vec::new();
        let mut rest = class;
        while let Some(first) = rest.chars().next() {
            if let Some(hex) = rest.strip_prefix("\\u") {
                let code = u32::from_str_radix(&hex[..4], 16).expect("four hex digits");
                chars.push(char::from_u32(code).expect("a char"));
                rest = &hex[4..];
            } else if let Some(tail) = rest.strip_prefix('\\') {
                let escaped = tail.chars().next().expect("an escape");
                chars.push(match escaped {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    other => other,
                });
                rest = &tail[escaped.len_utf8()..];
            } else {
                chars.push(if first == '-' { '\u{1}' } else { first });
                rest = &rest[first.len_utf8()..];
            }
        }
        // '\u{1}' marks a range dash (no class here contains U+0001 literally
        // next to a dash).
        let mut i = 0;
        while i < chars.len() {
            if i + 2 < chars.len() && chars[i + 1] == '\u{1}' {
                if (chars[i]..=chars[i + 2]).contains(&c) {
                    return true;
                }
                i += 3;
            } else {
                if chars[i] == c {
                    return true;
                }
                i += 1;
            }
        }
        false
    }
}
