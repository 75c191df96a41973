//! What the assistant embeds for a product, the hash that tells whether a
//! stored vector is still current, and the facts the index filters on.

use sha2::{Digest, Sha256};
use souk_models::Product;

use crate::index::ItemMeta;

/// Names the model and the text recipe; part of every content hash, so
/// changing either invalidates stored vectors.
pub const EMBEDDING_VERSION: &str = "all-MiniLM-L6-v2/product-text-v1";

/// Description words embedded: the opening says what the product is; the
/// rest costs encoder time (attention grows with length) for little recall.
pub const DESCRIPTION_WORDS: usize = 32;

/// The text a product is embedded from: title, category, attributes and the
/// first [`DESCRIPTION_WORDS`] words of the description, in that order.
pub fn product_text(product: &Product) -> String {
    let mut text = String::from(product.title.as_str());
    text.push_str(". Category: ");
    text.push_str(&product.category.as_str().replace('-', " "));
    text.push('.');
    for (name, value) in product.attributes.iter() {
        text.push(' ');
        text.push_str(name);
        text.push_str(": ");
        text.push_str(value);
        text.push('.');
    }
    for word in product
        .description
        .as_str()
        .split_whitespace()
        .take(DESCRIPTION_WORDS)
    {
        text.push(' ');
        text.push_str(word);
    }
    text
}

/// SHA-256 of [`EMBEDDING_VERSION`] and `text`.
pub fn content_hash(text: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(EMBEDDING_VERSION.as_bytes());
    hasher.update([0u8]);
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

/// The index metadata of `product` with `available` units in stock.
pub fn item_meta(product: &Product, available: u64) -> ItemMeta {
    ItemMeta {
        category: product.category.as_str().to_owned(),
        price_minor: product.price.amount(),
        currency: product.price.currency().code().to_owned(),
        in_stock: available > 0,
        seller: product.seller_id.as_uuid(),
    }
}
