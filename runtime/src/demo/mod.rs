//! `souk serve --demo`: seeds the demo marketplace once, and names the demo
//! accounts at every start.

mod books;
pub mod catalog;
mod draft;
mod listing;
mod public;
mod random;
mod template;
#[cfg(test)]
mod tests;
mod word_lists;

use std::sync::Arc;

use anyhow::Context;
use souk_actors::{Catalog, Store, StoreError};
use souk_models::{
    DisplayName, Email, Product, ProductId, ProductStatus, Role, StockLevel, Tier, User, UserId,
};
use time::{Duration, OffsetDateTime};

pub use public::{DemoPassword, secure};
pub use word_lists::WordListError;

/// The password of every demo account while the node listens on loopback
/// only (see [`secure`]). Demo data only: never use `--demo` for a real
/// marketplace.
pub const DEMO_PASSWORD: &str = "souk-demo-password";
const SEEDED: &str = "demo_seeded";

/// A demo login printed at start-up.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub email: Email,
}

/// Seeds categories, sellers, products and the demo accounts unless already done.
pub async fn seed(store: &Arc<dyn Store>, catalog: &Catalog) -> anyhow::Result<Vec<DemoAccount>> {
    let demo = catalog::demo_catalog()?;
    let first_seller = demo
        .sellers
        .first()
        .map(|s| s.email.clone())
        .context("the demo catalog has no sellers")?;
    let accounts = vec![
        DemoAccount {
            role: Role::Customer,
            email: Email::parse("customer@example.com")?,
        },
        DemoAccount {
            role: Role::Seller,
            email: first_seller,
        },
        DemoAccount {
            role: Role::Admin,
            email: Email::parse("admin@example.com")?,
        },
    ];
    if store.get_meta(SEEDED).await?.is_some() {
        return Ok(accounts);
    }
    let hash = souk_gateway::auth::password::hash(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure_user(
        store,
        &accounts[0].email,
        "Demo Customer",
        Role::Customer,
        &hash,
    )
    .await?;
    ensure_user(store, &accounts[2].email, "Demo Admin", Role::Admin, &hash).await?;
    let mut seller_ids = Vec::new();
    for seller in &demo.sellers {
        let name = seller.display_name.as_str();
        let id = ensure_user(store, &seller.email, name, Role::Seller, &hash).await?;
        ship_like_a_shop(store, id, catalog.currency()).await?;
        seller_ids.push(id);
    }
    // A crash between the catalog batch and the marker must not seed twice.
    if catalog.product_count() == 0 {
        let now = OffsetDateTime::now_utc();
        let products = demo
            .products
            .into_iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let seller_id = *seller_ids.get(p.seller)?;
                // Spread creation times so "newest" is a meaningful order.
                let created_at = now - Duration::minutes(i as i64 * 17);
                let product = Product {
                    id: ProductId::new(),
                    seller_id,
                    title: p.title,
                    description: p.description,
                    category: p.category,
                    attributes: p.attributes,
                    images: vec![],
                    price: p.price,
                    status: ProductStatus::Active,
                    rating: p.rating,
                    low_stock_threshold: None,
                    created_at,
                    updated_at: created_at,
                };
                let stock = StockLevel {
                    on_hand: u64::from(p.stock),
                    ..Default::default()
                };
                Some((product, stock))
            })
            .collect();
        catalog.seed(demo.categories, products).await?;
    }
    store.put_meta(SEEDED, "1").await?;
    Ok(accounts)
}

/// Demo sellers charge 4.99 per order, free from 50.00.
async fn ship_like_a_shop(
    store: &Arc<dyn Store>,
    seller: UserId,
    currency: souk_models::Currency,
) -> anyhow::Result<()> {
    let Some(mut user) = store.get_user(seller).await? else {
        return Ok(());
    };
    user.shipping = Some(souk_models::ShippingRates {
        per_order: souk_models::Money::new(499, currency)?,
        per_item: souk_models::Money::zero(currency),
        free_over: Some(souk_models::Money::new(5000, currency)?),
    });
    store.update_user(&user).await?;
    Ok(())
}

async fn ensure_user(
    store: &Arc<dyn Store>,
    email: &Email,
    name: &str,
    role: Role,
    hash: &str,
) -> anyhow::Result<UserId> {
    let now = OffsetDateTime::now_utc();
    let display_name = DisplayName::parse(name)?;
    let user = User {
        tier: if role == Role::Customer {
            Tier::Plus
        } else {
            Tier::Standard
        },
        ..User::new(email.clone(), display_name, role, hash.to_owned(), now)
    };
    match store.create_user(&user).await {
        Ok(()) => Ok(user.id),
        Err(StoreError::Conflict(_)) => store
            .find_user_by_email(email)
            .await?
            .map(|u| u.id)
            .context("demo user vanished"),
        Err(e) => Err(e.into()),
    }
}
