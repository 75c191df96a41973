//! Rebuilding the words the assistant's parser knows (its `Vocabulary`) from the
//! live catalog: category names and the values of the attributes shoppers ask for.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use souk_embeddings::query::Vocabulary;
use souk_models::ProductStatus;

use super::Assistant;

/// Attributes whose values a shopper may name ("red", "size M", "Acme").
const ATTRIBUTES: &[&str] = &["colour", "color", "size", "brand", "material"];

impl Assistant {
    /// Rebuilds the vocabulary from the categories and the active products.
    pub(super) fn refresh_vocabulary(&self) {
        let mut vocab = Vocabulary::new().with_default_currency(self.catalog.currency());
        for (category, _) in self.catalog.categories() {
            if let Err(e) = vocab.add_category(category.slug.as_str(), &category.name) {
                tracing::debug!(error = %e, slug = category.slug.as_str(), "category left out of the vocabulary");
            }
        }
        let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for entry in self.catalog.all() {
            if entry.product.status != ProductStatus::Active {
                continue;
            }
            for (name, value) in entry.product.attributes.iter() {
                let name = name.to_lowercase();
                let name = if name == "color" {
                    "colour".to_owned()
                } else {
                    name
                };
                if !ATTRIBUTES.contains(&name.as_str()) {
                    continue;
                }
                let value = value.to_lowercase();
                // "only red" should find "Brick Red": a colour's last word is
                // a value too (matching is by words, see search.rs).
                if name == "colour"
                    && let Some(last) = value.split_whitespace().last().filter(|w| *w != value)
                {
                    values
                        .entry(name.clone())
                        .or_default()
                        .insert(last.to_owned());
                }
                values.entry(name).or_default().insert(value);
            }
        }
        for (name, values) in values {
            if let Err(e) = vocab.add_attribute_values(&name, values) {
                tracing::debug!(error = %e, attribute = name, "attribute left out of the vocabulary");
            }
        }
        *self.vocab.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(vocab);
    }
}
