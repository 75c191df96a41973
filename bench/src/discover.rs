//! Finds product ids and category slugs on the server and builds the scenarios' request paths.

use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::load::Connection;
use super::scenario::Paths;

/// Product list pages of 100 to read when collecting ids.
const DISCOVERY_PAGES: usize = 5;
/// Search words that occur in the demo catalog's titles and descriptions.
const SEARCH_TERMS: [&str; 5] = ["wireless", "leather", "organic", "steel", "gift"];
/// Category filters combined with each search term.
const CATEGORIES_PER_TERM: usize = 3;

#[derive(Deserialize)]
struct ProductPage {
    items: Vec<ProductItem>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct ProductItem {
    id: String,
}

/// The part of a search result that says where the term has matches.
#[derive(Deserialize)]
struct HitPage {
    items: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    category: String,
}

#[derive(Deserialize)]
struct CategoryList {
    items: Vec<CategoryItem>,
}

#[derive(Deserialize)]
struct CategoryItem {
    slug: String,
}

/// Collects up to 500 product ids and, per search term, categories to filter by, and
/// builds the request paths the scenarios cycle through.
pub async fn discover(authority: &Arc<str>) -> anyhow::Result<Paths> {
    let mut conn = Connection::open(authority.clone()).await?;
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..DISCOVERY_PAGES {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/products?limit=100&cursor={}", query_escape(cursor)),
            None => "/api/v1/products?limit=100".to_owned(),
        };
        let page: ProductPage = get_json(&mut conn, &path).await?;
        ids.extend(page.items.into_iter().map(|item| item.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    ensure!(!ids.is_empty(), "the server lists no products");
    let categories: CategoryList = get_json(&mut conn, "/api/v1/categories").await?;

    let mut searches = Vec::new();
    for (i, term) in SEARCH_TERMS.iter().enumerate() {
        // Pair each term with categories it has matches in, as a shopper would narrow a
        // search; terms with no matches at all go with categories from the list.
        let path = format!("/api/v1/products?q={term}&limit=100");
        let hits: HitPage = get_json(&mut conn, &path).await?;
        let mut slugs: Vec<String> = Vec::new();
        for hit in hits.items {
            if slugs.len() < CATEGORIES_PER_TERM && !slugs.contains(&hit.category) {
                slugs.push(hit.category);
            }
        }
        if slugs.is_empty() {
            let listed = categories
                .items
                .iter()
                .cycle()
                .skip(i * CATEGORIES_PER_TERM);
            slugs = listed
                .take(CATEGORIES_PER_TERM)
                .map(|c| c.slug.clone())
                .collect();
        }
        for slug in &slugs {
            let slug = query_escape(slug);
            searches.push(format!(
                "/api/v1/products?q={term}&category={slug}&in_stock=true&sort=price_asc"
            ));
        }
        if slugs.is_empty() {
            searches.push(format!(
                "/api/v1/products?q={term}&in_stock=true&sort=price_asc"
            ));
        }
    }
    Ok(Paths {
        first_page: "/api/v1/products".to_owned(),
        searches,
        by_id: ids
            .iter()
            .map(|id| format!("/api/v1/products/{}", query_escape(id)))
            .collect(),
    })
}

async fn get_json<T: DeserializeOwned>(conn: &mut Connection, path: &str) -> anyhow::Result<T> {
    let (status, body) = conn
        .get(path)
        .await
        .with_context(|| format!("GET {path}"))?;
    if !status.is_success() {
        bail!("GET {path}: {status}: {}", String::from_utf8_lossy(&body));
    }
    serde_json::from_slice(&body).with_context(|| format!("GET {path}: unexpected response body"))
}

/// Percent-encodes everything but unreserved characters, for a query value or path segment.
fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_escape_keeps_unreserved() {
        assert_eq!(query_escape("a-b_c.d~9"), "a-b_c.d~9");
        assert_eq!(query_escape("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
