//! Bounded free text and the tokenizer shared by full-text search.

use crate::ParseError;

/// Text with a length bound in characters, stored trimmed.
pub struct BoundedText;

impl BoundedText {
    /// Checks `raw` as sent: `min..=max` characters, no control characters
    /// other than newlines and tabs (so stored text renders safely), and, when
    /// `min` is above 0, something besides white space. Returns it trimmed.
    /// The length counts what was sent, so [`crate::schema::text`] can state
    /// the rule exactly.
    pub fn parse(field: &str, raw: &str, min: usize, max: usize) -> Result<String, ParseError> {
        if raw
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ParseError::new(format!(
                "{field} must not contain control characters"
            )));
        }
        let len = raw.chars().count();
        let trimmed = raw.trim();
        if len < min || min > 0 && trimmed.is_empty() {
            return Err(ParseError::new(if min == 1 {
                format!("{field} must not be empty")
            } else {
                format!("{field} must be at least {min} characters")
            }));
        }
        if len > max {
            return Err(ParseError::new(format!(
                "{field} must be at most {max} characters"
            )));
        }
        Ok(trimmed.to_owned())
    }
}

/// Splits text into lower-case alphanumeric terms for full-text search. Terms shorter
/// than two characters carry no signal and are dropped; a plural `s` is stripped so
/// "boots" finds "boot" (the same rule runs on documents and queries).
pub fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() >= 2)
        .map(|t| {
            let mut term = t.to_lowercase();
            let plural = term.chars().count() > 3
                && term.ends_with('s')
                && !(term.ends_with("ss") || term.ends_with("us") || term.ends_with("is"));
            if plural {
                term.pop();
            }
            term
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_bounds() {
        assert_eq!(BoundedText::parse("title", " hi  ", 1, 5), Ok("hi".into()));
        assert!(BoundedText::parse("title", "   ", 1, 5).is_err());
        // The bound counts what was sent, white space included.
        assert!(BoundedText::parse("title", "  hi  ", 1, 5).is_err());
        assert_eq!(BoundedText::parse("text", "   ", 0, 5), Ok("".into()));
        assert!(BoundedText::parse("title", "\u{85}hi", 1, 5).is_err());
        assert!(BoundedText::parse("title", "toolong", 1, 5).is_err());
        assert!(BoundedText::parse("title", "a\u{0}b", 1, 5).is_err());
        assert_eq!(BoundedText::parse("t", "ééééé", 1, 5), Ok("ééééé".into()));
    }

    #[test]
    fn tokenize_lowercases_and_drops_noise() {
        let terms: Vec<_> = tokenize("Trail-Runner X 2, Waterproof BOOTS glass!").collect();
        assert_eq!(terms, ["trail", "runner", "waterproof", "boot", "glass"]);
    }
}
