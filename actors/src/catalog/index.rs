//! Full-text index over products: an inverted index with BM25 ranking.
//!
//! Title terms weigh more than category and attribute terms, which weigh more than
//! description terms. Every query term must match; the last one also matches as a
//! prefix, so results follow a shopper's typing.

use std::collections::{BTreeMap, HashMap};

use souk_models::{Product, ProductId, tokenize};

const TITLE_WEIGHT: f32 = 3.0;
const TAG_WEIGHT: f32 = 2.0;
const BODY_WEIGHT: f32 = 1.0;
const K1: f64 = 1.2;
const B: f64 = 0.75;

#[derive(Default)]
pub(crate) struct TextIndex {
    /// term → product → weighted term frequency.
    postings: BTreeMap<String, HashMap<ProductId, f32>>,
    /// product → (its distinct terms, its weighted length).
    docs: HashMap<ProductId, (Vec<String>, f32)>,
    total_len: f64,
}

impl TextIndex {
    /// Indexes `product`, replacing what was indexed for it before.
    pub(crate) fn upsert(&mut self, product: &Product) {
        self.remove(product.id);
        let mut tf: HashMap<String, f32> = HashMap::new();
        let mut add = |text: &str, weight: f32| {
            for term in tokenize(text) {
                *tf.entry(term).or_default() += weight;
            }
        };
        add(product.title.as_str(), TITLE_WEIGHT);
        add(product.category.as_str(), TAG_WEIGHT);
        for (key, value) in product.attributes.iter() {
            add(key, TAG_WEIGHT);
            add(value, TAG_WEIGHT);
        }
        add(product.description.as_str(), BODY_WEIGHT);
        let len: f32 = tf.values().sum();
        for (term, weight) in &tf {
            self.postings
                .entry(term.clone())
                .or_default()
                .insert(product.id, *weight);
        }
        self.total_len += f64::from(len);
        self.docs
            .insert(product.id, (tf.into_keys().collect(), len));
    }

    pub(crate) fn remove(&mut self, id: ProductId) {
        let Some((terms, len)) = self.docs.remove(&id) else {
            return;
        };
        self.total_len -= f64::from(len);
        for term in terms {
            if let Some(list) = self.postings.get_mut(&term) {
                list.remove(&id);
                if list.is_empty() {
                    self.postings.remove(&term);
                }
            }
        }
    }

    /// Products matching every term of `query`, with their BM25 score. An empty
    /// query (no usable terms) matches nothing.
    pub(crate) fn search(&self, query: &str) -> HashMap<ProductId, f64> {
        let terms: Vec<String> = tokenize(query).collect();
        let Some((last, exact)) = terms.split_last() else {
            return HashMap::new();
        };
        let mut groups: Vec<Vec<(&String, &HashMap<ProductId, f32>)>> = exact
            .iter()
            .map(|t| self.postings.get_key_value(t).into_iter().collect())
            .collect();
        groups.push(
            self.postings
                .range(last.clone()..)
                .take_while(|(t, _)| t.starts_with(last.as_str()))
                .collect(),
        );
        let mut scores: Option<HashMap<ProductId, f64>> = None;
        for group in groups {
            let mut group_scores: HashMap<ProductId, f64> = HashMap::new();
            for (term, list) in group {
                let exact_bonus = if term == last || exact.contains(term) {
                    1.0
                } else {
                    0.7
                };
                let idf = self.idf(list.len());
                for (id, tf) in list {
                    let s = exact_bonus * idf * self.saturate(*id, f64::from(*tf));
                    let best = group_scores.entry(*id).or_default();
                    *best = best.max(s);
                }
            }
            scores = Some(match scores {
                None => group_scores,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(id, s)| group_scores.get(&id).map(|g| (id, s + g)))
                    .collect(),
            });
        }
        scores.unwrap_or_default()
    }

    fn idf(&self, doc_freq: usize) -> f64 {
        let n = self.docs.len() as f64;
        let df = doc_freq as f64;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    fn saturate(&self, id: ProductId, tf: f64) -> f64 {
        let avg = if self.docs.is_empty() {
            1.0
        } else {
            self.total_len / self.docs.len() as f64
        };
        let len = self.docs.get(&id).map_or(avg, |(_, l)| f64::from(*l));
        tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use souk_models::{
        Attributes, CategorySlug, Currency, Description, Money, ProductStatus, Rating, Title,
        UserId,
    };
    use time::OffsetDateTime;

    use super::*;

    fn product(title: &str, colour: &str, description: &str) -> Product {
        let now = OffsetDateTime::now_utc();
        let attrs = BTreeMap::from([("colour".to_owned(), colour.to_owned())]);
        Product {
            id: ProductId::new(),
            seller_id: UserId::new(),
            title: Title::parse(title).expect("a valid title"),
            description: Description::parse(description).expect("a valid description"),
            category: CategorySlug::parse("footwear").expect("a valid category slug"),
            attributes: Attributes::parse(attrs).expect("valid attributes"),
            images: vec![],
            price: Money::new(100, Currency::USD).expect("a valid price"),
            status: ProductStatus::Active,
            rating: Rating::default(),
            low_stock_threshold: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn every_term_must_match_and_title_beats_description() {
        let mut index = TextIndex::default();
        let boots = product("Waterproof hiking boots", "brown", "Leather boots.");
        let sandal = product("Trail sandal", "red", "Not waterproof, great for hiking.");
        let kettle = product("Pour-over kettle", "red", "Stainless steel.");
        for p in [&boots, &sandal, &kettle] {
            index.upsert(p);
        }
        let hits = index.search("waterproof hiking");
        assert_eq!(hits.len(), 2);
        assert!(hits[&boots.id] > hits[&sandal.id]);
        assert!(index.search("waterproof kettle").is_empty());
        assert_eq!(index.search("red").len(), 2);
        assert!(index.search("").is_empty());
    }

    #[test]
    fn last_term_matches_as_prefix_and_plural_matches_singular() {
        let mut index = TextIndex::default();
        let boots = product("Waterproof hiking boots", "brown", "");
        index.upsert(&boots);
        assert!(index.search("hik").contains_key(&boots.id));
        assert!(index.search("boot").contains_key(&boots.id));
        assert!(index.search("waterproof hik").contains_key(&boots.id));
        // Only the last term is a prefix: earlier terms are complete words.
        assert!(index.search("hik waterproof").is_empty());
        assert!(index.search("hik zzz").is_empty());
    }

    #[test]
    fn reindexing_forgets_old_terms() {
        let mut index = TextIndex::default();
        let mut p = product("Red scarf", "red", "");
        index.upsert(&p);
        p.title = Title::parse("Blue scarf").expect("a valid title");
        p.attributes = Attributes::default();
        index.upsert(&p);
        assert!(index.search("red").is_empty());
        assert!(index.search("blue").contains_key(&p.id));
        index.remove(p.id);
        assert!(index.search("scarf").is_empty());
        assert!(index.postings.is_empty());
    }
}
