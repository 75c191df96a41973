//! Splitting a message into lower-cased tokens that remember where they came
//! from, so matched phrases can be cut out of the original text.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters (and apostrophes inside a word).
    Word,
    /// Digits, possibly with thousands commas and one decimal point.
    Number,
    /// A currency symbol: `$`, `€`, `£` or `¥`.
    Currency,
    /// Any other single non-space character.
    Punct,
}

/// One token of a message.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Lower-cased text (thousands commas removed from numbers).
    pub(crate) text: String,
    /// Byte range in the original message.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
}

impl Token {
    pub(crate) fn is(&self, word: &str) -> bool {
        self.text == word
    }

    pub(crate) fn is_any(&self, words: &[&str]) -> bool {
        words.contains(&self.text.as_str())
    }
}

/// A tokenised message plus which tokens have been used up by a matcher.
pub(crate) struct Tokens<'a> {
    pub(crate) source: &'a str,
    pub(crate) list: Vec<Token>,
    pub(crate) used: Vec<bool>,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        let list = tokenize(source);
        let used = vec![false; list.len()];
        Self { source, list, used }
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn get(&self, i: usize) -> Option<&Token> {
        self.list.get(i)
    }

    /// The token at `i` if it is not used yet.
    pub(crate) fn free(&self, i: usize) -> Option<&Token> {
        if self.used.get(i).copied().unwrap_or(true) {
            None
        } else {
            self.list.get(i)
        }
    }

    /// Marks `range` as consumed.
    pub(crate) fn consume(&mut self, range: std::ops::Range<usize>) {
        for i in range {
            if let Some(u) = self.used.get_mut(i) {
                *u = true;
            }
        }
    }

    /// True when tokens `i` and `i + 1` touch (no space between them).
    pub(crate) fn adjacent(&self, i: usize) -> bool {
        match (self.list.get(i), self.list.get(i + 1)) {
            (Some(a), Some(b)) => a.end == b.start,
            _ => false,
        }
    }

    /// Matches the words of `phrase` from token `i` on, skipping hyphens
    /// between words; returns the index after the match. Used tokens never match.
    pub(crate) fn phrase_at(&self, i: usize, phrase: &[&str]) -> Option<usize> {
        let mut at = i;
        for (n, word) in phrase.iter().enumerate() {
            if n > 0 && self.free(at).is_some_and(|t| t.is("-")) {
                at += 1;
            }
            if !self.free(at)?.is(word) {
                return None;
            }
            at += 1;
        }
        Some(at)
    }

    /// The first of `phrases` matching at `i` (list longer phrases first).
    pub(crate) fn any_phrase_at(&self, i: usize, phrases: &[&[&str]]) -> Option<usize> {
        phrases.iter().find_map(|p| self.phrase_at(i, p))
    }

    /// The unused tokens put back together: original spelling, tokens that
    /// touched still touching, one space elsewhere, and connector words or
    /// punctuation left dangling at either end trimmed.
    pub(crate) fn remaining(&self) -> String {
        let kept: Vec<usize> = (0..self.len()).filter(|&i| !self.used[i]).collect();
        let is_filler = |i: &usize| {
            let t = &self.list[*i];
            t.kind == Kind::Punct || t.is_any(DANGLING)
        };
        let first = kept.iter().position(|i| !is_filler(i));
        let last = kept.iter().rposition(|i| !is_filler(i));
        let (Some(first), Some(last)) = (first, last) else {
            return String::new();
        };
        let mut out = String::new();
        let mut previous: Option<usize> = None;
        for &i in &kept[first..=last] {
            let token = &self.list[i];
            if let Some(p) = previous
                && !(p + 1 == i && self.adjacent(p))
            {
                out.push(' ');
            }
            out.push_str(&self.source[token.start..token.end]);
            previous = Some(i);
        }
        out
    }
}

/// Words that mean nothing at the edge of the remaining text.
const DANGLING: &[&str] = &[
    "a", "an", "and", "are", "at", "but", "costing", "for", "from", "in", "is", "of", "or",
    "please", "priced", "that", "the", "which", "with", "within",
];

fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(source.len(), |(b, _)| *b);
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&(start, c)) = chars.get(i) {
        let (kind, next) = if c.is_whitespace() {
            i += 1;
            continue;
        } else if c.is_ascii_digit() || (c == '.' && next_is_digit(&chars, i)) {
            (Kind::Number, scan_number(&chars, i))
        } else if c.is_alphabetic() {
            (Kind::Word, scan_word(&chars, i))
        } else if matches!(c, '$' | '€' | '£' | '¥') {
            (Kind::Currency, i + 1)
        } else {
            (Kind::Punct, i + 1)
        };
        let end = end_of(next);
        let raw = &source[start..end];
        let text = match kind {
            Kind::Number => raw.replace(',', ""),
            _ => raw.to_lowercase().replace('’', "'"),
        };
        tokens.push(Token {
            text,
            start,
            end,
            kind,
        });
        i = next;
    }
    tokens
}

fn next_is_digit(chars: &[(usize, char)], i: usize) -> bool {
    chars.get(i + 1).is_some_and(|(_, c)| c.is_ascii_digit())
}

fn scan_number(chars: &[(usize, char)], mut i: usize) -> usize {
    let digit = |i: usize| chars.get(i).is_some_and(|(_, c)| c.is_ascii_digit());
    let mut seen_point = false;
    while let Some(&(_, c)) = chars.get(i) {
        let thousands_comma =
            c == ',' && digit(i + 1) && digit(i + 2) && digit(i + 3) && !digit(i + 4);
        if c.is_ascii_digit() || thousands_comma {
            i += 1;
        } else if c == '.' && !seen_point && digit(i + 1) {
            seen_point = true;
            i += 1;
        } else {
            break;
        }
    }
    i
}

fn scan_word(chars: &[(usize, char)], mut i: usize) -> usize {
    while let Some(&(_, c)) = chars.get(i) {
        let inner_apostrophe =
            matches!(c, '\'' | '’') && chars.get(i + 1).is_some_and(|(_, n)| n.is_alphabetic());
        if c.is_alphabetic() || inner_apostrophe {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// The value of a small number word ("one" … "twenty", tens, "hundred").
pub(crate) fn number_word(word: &str) -> Option<u32> {
    const WORDS: &[(&str, u32)] = &[
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("fifteen", 15),
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("seventy", 70),
        ("eighty", 80),
        ("ninety", 90),
        ("hundred", 100),
        ("couple", 2),
        ("pair", 2),
        ("dozen", 12),
    ];
    WORDS.iter().find(|(w, _)| *w == word).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_money_ranges_and_words() {
        assert_eq!(texts("$20-$40"), ["$", "20", "-", "$", "40"]);
        assert_eq!(
            texts("Men's 1,299.50€ T-shirt"),
            ["men's", "1299.50", "€", "t", "-", "shirt"]
        );
        assert_eq!(texts("the 2nd one"), ["the", "2", "nd", "one"]);
    }

    #[test]
    fn remaining_keeps_original_spelling() {
        let mut t = Tokens::new("Red T-shirt, under $20 please");
        t.consume(0..1);
        t.consume(5..9);
        assert_eq!(t.remaining(), "T-shirt");
    }
}
