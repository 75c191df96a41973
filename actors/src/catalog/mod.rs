//! The catalog read model: every product, category and stock level in memory,
//! written through to the store before any change becomes visible.
//!
//! Reads (browse, search, product pages) never touch the store. Writes to one
//! product are serialised by a striped lock so concurrent edits cannot lose each
//! other's fields; writes to different products proceed in parallel and are
//! group-committed by the store.

mod changes;
mod edit;
mod index;
mod query;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::value::RawValue;

use souk_models::{
    Attributes, Caller, Category, CategorySlug, Currency, Description, ImageUrl, Money, Product,
    ProductId, ProductStatus, StockCount, StockLevel, Title,
};
use tokio::sync::Mutex;

use crate::store::{Store, StoreError};
use changes::ChangeFeed;
use index::TextIndex;
pub use query::{Page, ProductQuery, Sort, SortKey};

const WRITE_STRIPES: usize = 64;

/// A product with its current stock. Entries are immutable snapshots: every
/// change replaces the entry, so anything cached on one never goes stale.
#[derive(Debug)]
pub struct ProductEntry {
    pub product: Product,
    pub stock: StockLevel,
    /// The entry's JSON as the API renders it, filled on first use so hot pages
    /// are not serialised again on every request.
    pub rendered: OnceLock<Box<RawValue>>,
}

impl ProductEntry {
    pub fn new(product: Product, stock: StockLevel) -> Self {
        Self {
            product,
            stock,
            rendered: OnceLock::new(),
        }
    }
}

/// A listing as a seller submits it; the seller is the caller.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub title: Title,
    pub description: Description,
    pub category: CategorySlug,
    pub attributes: Attributes,
    pub images: Vec<ImageUrl>,
    pub price: Money,
    pub stock: StockCount,
    /// `None`: the marketplace default.
    pub low_stock_threshold: Option<StockCount>,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    pub title: Option<Title>,
    pub description: Option<Description>,
    pub category: Option<CategorySlug>,
    pub attributes: Option<Attributes>,
    pub images: Option<Vec<ImageUrl>>,
    pub price: Option<Money>,
    pub status: Option<ProductStatus>,
    /// `Some(None)` goes back to the marketplace default.
    pub low_stock_threshold: Option<Option<StockCount>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("product not found")]
    NotFound,
    #[error("only the product's seller or an admin may change it")]
    NotOwner,
    #[error("only sellers and admins may list products")]
    NotSeller,
    #[error("category `{0}` does not exist")]
    UnknownCategory(CategorySlug),
    #[error("prices must be in {expected}, the marketplace currency")]
    WrongCurrency { expected: Currency },
    #[error("a product may have at most {max} images")]
    TooManyImages { max: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Default)]
struct State {
    products: HashMap<ProductId, Arc<ProductEntry>>,
    categories: BTreeMap<CategorySlug, Category>,
    text: TextIndex,
}

impl State {
    fn insert(&mut self, entry: ProductEntry) -> Arc<ProductEntry> {
        self.text.upsert(&entry.product);
        let entry = Arc::new(entry);
        self.products.insert(entry.product.id, entry.clone());
        entry
    }
}

/// The catalog service. Cheap to share behind an `Arc`.
pub struct Catalog {
    store: Arc<dyn Store>,
    currency: Currency,
    state: RwLock<State>,
    write_locks: Vec<Mutex<()>>,
    changes: ChangeFeed,
    /// In a cluster: told every change made on this node, so the other
    /// nodes' catalogs can show it.
    feed: OnceLock<Arc<dyn CatalogFeed>>,
}

/// Hears every catalog change made on this node: stock levels its shards
/// decide, products its sellers list or change, categories its admins put.
pub trait CatalogFeed: Send + Sync {
    fn stock(&self, product: ProductId, level: StockLevel);
    fn product(&self, entry: &ProductEntry);
    fn category(&self, category: &Category);
}

impl Catalog {
    /// Loads every category, product and stock level from `store`.
    pub async fn load(store: Arc<dyn Store>, currency: Currency) -> Result<Self, CatalogError> {
        let mut state = State::default();
        for category in store.list_categories().await? {
            state.categories.insert(category.slug.clone(), category);
        }
        let stock: HashMap<_, _> = store.list_stock().await?.into_iter().collect();
        for product in store.list_products().await? {
            let stock = stock.get(&product.id).copied().unwrap_or_default();
            state.insert(ProductEntry::new(product, stock));
        }
        Ok(Self {
            store,
            currency,
            state: RwLock::new(state),
            write_locks: (0..WRITE_STRIPES).map(|_| Mutex::new(())).collect(),
            changes: ChangeFeed::default(),
            feed: OnceLock::new(),
        })
    }

    /// Tells `feed` every change made on this node from now on (set once,
    /// by the cluster).
    pub fn feed_to(&self, feed: Arc<dyn CatalogFeed>) {
        let _ = self.feed.set(feed);
    }

    fn feed(&self) -> Option<&Arc<dyn CatalogFeed>> {
        self.feed.get()
    }

    /// Shows a level a shard on this node decided, and feeds it.
    pub(crate) fn stock_decided(&self, id: ProductId, stock: StockLevel) {
        self.mirror_stock(id, stock);
        if let Some(feed) = self.feed() {
            feed.stock(id, stock);
        }
    }

    /// Shows a product as another node listed or changed it. A product this
    /// node already shows keeps its stock level (levels arrive on their own);
    /// a new one starts from `stock`.
    pub fn mirror_product(&self, product: Product, stock: StockLevel) {
        let id = product.id;
        let mut state = self.write();
        let stock = state.products.get(&id).map_or(stock, |e| e.stock);
        state.insert(ProductEntry::new(product, stock));
        drop(state);
        self.changes.mark(id);
    }

    /// Shows a category as another node put it.
    pub fn mirror_category(&self, category: Category) {
        self.write()
            .categories
            .insert(category.slug.clone(), category);
    }

    /// The one currency every price in this marketplace uses.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn product_count(&self) -> usize {
        self.read().products.len()
    }

    /// Every product whatever its status, in no particular order (for
    /// building derived indexes).
    pub fn all(&self) -> Vec<Arc<ProductEntry>> {
        self.read().products.values().cloned().collect()
    }

    /// Starts recording product changes for [`Catalog::changed`]; call it
    /// before taking the [`Catalog::all`] snapshot a watcher starts from.
    pub fn watch_changes(&self) {
        self.changes.watch();
    }

    /// Waits for products to change (created, edited, archived, restocked),
    /// then returns the ids of every product changed since the last call.
    /// Meant for one watcher.
    pub async fn changed(&self) -> Vec<ProductId> {
        self.changes.next().await
    }

    /// Reports `id` as changed again (a watcher that failed to apply it).
    pub fn touch(&self, id: ProductId) {
        self.changes.mark(id);
    }

    /// A product whatever its status (for pricing carts and orders that already
    /// refer to it).
    pub fn get_any(&self, id: ProductId) -> Option<Arc<ProductEntry>> {
        self.read().products.get(&id).cloned()
    }

    /// A product as `caller` may see it: active products are public, archived ones
    /// only to their seller and admins.
    pub fn get(&self, id: ProductId, caller: Option<Caller>) -> Option<Arc<ProductEntry>> {
        let entry = self.read().products.get(&id).cloned()?;
        let visible = entry.product.status == ProductStatus::Active
            || caller.is_some_and(|c| c.may_manage(entry.product.seller_id));
        visible.then_some(entry)
    }

    /// Every category with the number of active products in it.
    pub fn categories(&self) -> Vec<(Category, usize)> {
        let state = self.read();
        let mut counts: HashMap<&CategorySlug, usize> = HashMap::new();
        for entry in state.products.values() {
            if entry.product.status == ProductStatus::Active {
                *counts.entry(&entry.product.category).or_default() += 1;
            }
        }
        state
            .categories
            .values()
            .map(|c| (c.clone(), counts.get(&c.slug).copied().unwrap_or(0)))
            .collect()
    }

    /// Creates or renames a category.
    pub async fn put_category(&self, category: Category) -> Result<(), CatalogError> {
        self.store.put_category(&category).await?;
        if let Some(feed) = self.feed() {
            feed.category(&category);
        }
        self.write()
            .categories
            .insert(category.slug.clone(), category);
        Ok(())
    }

    /// Shows a new stock level decided by the product's inventory shard
    /// (here, or on another node of a cluster).
    pub fn mirror_stock(&self, id: ProductId, stock: StockLevel) {
        let mut state = self.write();
        if let Some(entry) = state.products.get_mut(&id) {
            // Text is unchanged: swap the entry without re-indexing.
            *entry = Arc::new(ProductEntry::new(entry.product.clone(), stock));
            self.changes.mark(id);
        }
    }

    /// Writes a whole catalog in one batch (demo seeding).
    pub async fn seed(
        &self,
        categories: Vec<Category>,
        products: Vec<(Product, StockLevel)>,
    ) -> Result<(), CatalogError> {
        self.store.put_catalog_batch(&categories, &products).await?;
        let mut state = self.write();
        for category in categories {
            state.categories.insert(category.slug.clone(), category);
        }
        for (product, stock) in products {
            self.changes.mark(product.id);
            state.insert(ProductEntry::new(product, stock));
        }
        Ok(())
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
