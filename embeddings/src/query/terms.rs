//! Finding catalog terms in a message: the category and attribute values of a
//! [`Vocabulary`].

use super::tokens::{Kind, Tokens};
use super::vocabulary::{Vocabulary, same_word};

/// Words after a category word that make it describe a person, not the
/// product: "a coffee lover", "tea drinkers".
const PERSON_NOUNS: &[&str] = &[
    "lover",
    "lovers",
    "fan",
    "fans",
    "enthusiast",
    "enthusiasts",
    "addict",
    "addicts",
    "drinker",
    "drinkers",
    "snob",
    "snobs",
    "nerd",
    "nerds",
    "geek",
    "geeks",
    "buff",
    "buffs",
];

/// Words that negate the attribute value after them ("not red").
const NEGATIONS: &[&str] = &["not", "no", "without", "except", "but", "non"];

/// Finds the first category named in the message (longest phrase wins at a
/// position), consumes it and returns its slug.
pub(crate) fn take_category(tokens: &mut Tokens<'_>, vocab: &Vocabulary) -> Option<String> {
    for i in 0..tokens.len() {
        let mut best: Option<(usize, &str)> = None;
        for category in &vocab.categories {
            for phrase in &category.phrases {
                let Some(end) = words_at(tokens, i, phrase, true) else {
                    continue;
                };
                let names_a_person = tokens.get(end).is_some_and(|t| t.is_any(PERSON_NOUNS));
                if !names_a_person && best.is_none_or(|(e, _)| end > e) {
                    best = Some((end, category.slug.as_str()));
                }
            }
        }
        if let Some((end, slug)) = best {
            let slug = slug.to_owned();
            tokens.consume(i..end);
            return Some(slug);
        }
    }
    None
}

/// Finds every known attribute value in the message and consumes it with an
/// optional "in" before it and the attribute's name before or after it
/// ("in red", "colour: navy", "size 42", "red colour").
///
/// Values that are numbers or at most two characters ("42", "M", "XL") count
/// only after their attribute name ("size M"), or when written in capitals
/// ("XL"), since bare they are usually something else. A value right after a
/// negation ("not red") is left alone.
pub(crate) fn take_attributes(
    tokens: &mut Tokens<'_>,
    vocab: &Vocabulary,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some((start, end, name, value)) = attribute_at(tokens, vocab, i) else {
            i += 1;
            continue;
        };
        let mut start = start;
        if start > 0 && tokens.free(start - 1).is_some_and(|t| t.is("in")) {
            start -= 1;
        }
        tokens.consume(start..end);
        found.push((name, value));
        i = end;
    }
    found
}

/// The attribute value starting at `i` (directly, or after its name):
/// `(start, end, name, value)`.
fn attribute_at(
    tokens: &Tokens<'_>,
    vocab: &Vocabulary,
    i: usize,
) -> Option<(usize, usize, String, String)> {
    let negated = |at: usize| at > 0 && tokens.get(at - 1).is_some_and(|t| t.is_any(NEGATIONS));
    for attribute in &vocab.attributes {
        let named_end = name_at(tokens, i, &attribute.name);
        let (value_start, named) = match named_end {
            Some(end) => (end, true),
            None => (i, false),
        };
        let Some(end) = words_at(tokens, value_start, &attribute.words, false) else {
            continue;
        };
        if negated(i) {
            continue;
        }
        if !named && is_short(&attribute.words) && !written_in_capitals(tokens, value_start) {
            continue;
        }
        let end = if named {
            end
        } else {
            name_at(tokens, end, &attribute.name).unwrap_or(end)
        };
        return Some((i, end, attribute.name.clone(), attribute.value.clone()));
    }
    None
}

/// Matches the attribute name (colour/color interchangeable) at `i`, with an
/// optional colon after it.
fn name_at(tokens: &Tokens<'_>, i: usize, name: &str) -> Option<usize> {
    let token = tokens.free(i)?;
    let is_name = token.text == name
        || (matches!(name, "colour" | "color") && token.is_any(&["colour", "color"]));
    if !is_name {
        return None;
    }
    Some(if tokens.free(i + 1).is_some_and(|t| t.is(":")) {
        i + 2
    } else {
        i + 1
    })
}

fn is_short(words: &[String]) -> bool {
    match words {
        [only] => only.chars().count() <= 2 || only.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Whether the single-token value at `at` was typed in capitals, and is not a
/// lone capital that merely starts the message.
fn written_in_capitals(tokens: &Tokens<'_>, at: usize) -> bool {
    let Some(token) = tokens.get(at) else {
        return false;
    };
    if token.kind != Kind::Word {
        return false;
    }
    let raw = &tokens.source[token.start..token.end];
    let capitals = raw.chars().all(|c| c.is_uppercase());
    capitals && (raw.chars().count() >= 2 || at > 0)
}

/// Matches `phrase` at token `i`, skipping hyphens between words; with
/// `inflect`, words may differ by a plural ending. Used tokens never match.
fn words_at(tokens: &Tokens<'_>, i: usize, phrase: &[String], inflect: bool) -> Option<usize> {
    let mut at = i;
    for (n, word) in phrase.iter().enumerate() {
        if n > 0 && tokens.free(at).is_some_and(|t| t.is("-")) {
            at += 1;
        }
        let token = tokens.free(at)?;
        let matched = if inflect && token.kind == Kind::Word {
            same_word(&token.text, word)
        } else {
            token.text == *word
        };
        if !matched {
            return None;
        }
        at += 1;
    }
    (at > i).then_some(at)
}
