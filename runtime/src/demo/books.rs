//! Book listings: a title, an invented author, a format and a blurb drawn from the genres
//! in `super::vocabulary`.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{Draft, PER_CATEGORY};
use super::listing::{MAX_WORDS, word_count};
use super::random::{Rng, price};
use super::vocabulary::{FIRST_NAMES, GENRES, Genre, LAST_NAMES, SHOPS};

pub(super) fn book_drafts(
    shops: &[usize],
    rng: &mut Rng,
    titles: &mut BTreeSet<String>,
) -> Vec<Draft> {
    let mut pool: Vec<(&'static Genre, &'static str)> = GENRES
        .iter()
        .flat_map(|genre| genre.titles.iter().map(move |title| (genre, *title)))
        .collect();
    rng.shuffle(&mut pool);
    pool.into_iter()
        .filter_map(|(genre, head)| book(genre, head, shops, rng, titles))
        .take(PER_CATEGORY)
        .collect()
}

fn book(
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
            genre.shops.is_empty() || SHOPS.get(i).is_some_and(|s| genre.shops.contains(&s.name))
        })
        .collect();
    let shop = *rng.pick(if stockists.is_empty() {
        shops
    } else {
        &stockists
    })?;
    let author = format!("{} {}", rng.pick(FIRST_NAMES)?, rng.pick(LAST_NAMES)?);
    let &(format, range) = rng.pick(genre.formats)?;
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
    sentences.extend(genre.pitches.get(first).map(|p| (*p).to_owned()));
    if second != first {
        sentences.extend(genre.pitches.get(second).map(|p| (*p).to_owned()));
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
