//! Book listings: a title, an invented author, a format and a blurb drawn from the genres
//! in `super::word_lists`.

use std::collections::{BTreeMap, BTreeSet};

use super::draft::{Draft, MAX_WORDS, PER_CATEGORY, word_count};
use super::random::{Rng, price};
use super::word_lists::{Genre, WordLists};

pub(super) fn book_drafts(
    words: &WordLists,
    shops: &[usize],
    rng: &mut Rng,
    titles: &mut BTreeSet<String>,
) -> Vec<Draft> {
    let mut pool: Vec<(&Genre, &str)> = words
        .books
        .genres
        .iter()
        .flat_map(|genre| {
            genre
                .titles
                .iter()
                .map(move |title| (genre, title.as_str()))
        })
        .collect();
    rng.shuffle(&mut pool);
    pool.into_iter()
        .filter_map(|(genre, head)| book(words, genre, head, shops, rng, titles))
        .take(PER_CATEGORY)
        .collect()
}

fn book(
    words: &WordLists,
    genre: &Genre,
    head: &str,
    shops: &[usize],
    rng: &mut Rng,
    titles: &mut BTreeSet<String>,
) -> Option<Draft> {
    let stockists: Vec<usize> = shops
        .iter()
        .copied()
        .filter(|&i| {
            genre.shops.is_empty()
                || words
                    .shops
                    .get(i)
                    .is_some_and(|s| genre.shops.contains(&s.name))
        })
        .collect();
    let shop = *rng.pick(if stockists.is_empty() {
        shops
    } else {
        &stockists
    })?;
    let author = format!(
        "{} {}",
        rng.pick(&words.books.first_names)?,
        rng.pick(&words.books.last_names)?
    );
    let format = rng.pick(&genre.formats)?;
    let (range, format) = (format.price, format.name.as_str());
    let title = if genre.novel && !head.contains(':') {
        format!("{head}: A Novel ({format})")
    } else {
        format!("{head} ({format})")
    };
    if !titles.insert(title.clone()) {
        return None;
    }
    let (lo, hi) = genre.pages;
    let pages = (lo + rng.below((hi - lo) as usize + 1) as u32) / 16 * 16;
    let pages = pages.max(lo);
    let short = head.split(':').next().unwrap_or(head);
    let first = rng.below(genre.pitches.len());
    let second =
        (first + 1 + rng.below(genre.pitches.len().saturating_sub(1))) % genre.pitches.len().max(1);
    let mut sentences = vec![format!("{short} is {} by {author}.", genre.label)];
    sentences.extend(genre.pitches.get(first).cloned());
    if second != first {
        sentences.extend(genre.pitches.get(second).cloned());
    }
    sentences.push(format!(
        "This {} edition runs to {pages} pages and makes a thoughtful gift for {}.",
        format.to_lowercase(),
        genre.readers
    ));
    while word_count(&sentences) > MAX_WORDS && sentences.len() > 2 {
        sentences.remove(1);
    }
    let attributes = BTreeMap::from([
        ("author".to_owned(), author),
        ("format".to_owned(), format.to_lowercase()),
        ("genre".to_owned(), genre.name.to_lowercase()),
        ("pages".to_owned(), pages.to_string()),
    ]);
    Some(Draft {
        shop,
        title,
        description: sentences.join(" "),
        attributes,
        cents: price(rng, range, None),
    })
}
