//! Sellers' product writes: create, update and archive, each checked against
//! who may manage the product and serialised per product by a striped lock.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use souk_models::{
    Caller, CategorySlug, ImageUrl, Money, Product, ProductId, ProductStatus, Rating, Role,
    StockLevel, Timestamp,
};
use time::OffsetDateTime;

use super::{Catalog, CatalogError, NewProduct, ProductEntry, ProductPatch};

impl Catalog {
    /// Lists a new product owned by `caller`.
    pub async fn create(
        &self,
        caller: Caller,
        new: NewProduct,
    ) -> Result<Arc<ProductEntry>, CatalogError> {
        if caller.role == Role::Customer {
            return Err(CatalogError::NotSeller);
        }
        self.check_fields(Some(&new.category), Some(&new.price), Some(&new.images))?;
        let now = OffsetDateTime::now_utc();
        let product = Product {
            id: ProductId::new(),
            seller_id: caller.user_id,
            title: new.title,
            description: new.description,
            category: new.category,
            attributes: new.attributes,
            images: new.images,
            price: new.price,
            status: ProductStatus::Active,
            rating: Rating::default(),
            low_stock_threshold: new.low_stock_threshold,
            created_at: now,
            updated_at: now,
        };
        let stock = StockLevel::default().with_available(new.stock);
        self.store
            .put_catalog_batch(&[], &[(product.clone(), stock)])
            .await?;
        let entry = self.write().insert(ProductEntry::new(product, stock));
        self.changes.mark(entry.product.id);
        if let Some(feed) = self.feed() {
            feed.product(&entry);
        }
        Ok(entry)
    }

    /// Applies `patch` to a product `caller` manages.
    pub async fn update(
        &self,
        caller: Caller,
        id: ProductId,
        patch: ProductPatch,
    ) -> Result<Arc<ProductEntry>, CatalogError> {
        self.check_fields(
            patch.category.as_ref(),
            patch.price.as_ref(),
            patch.images.as_ref(),
        )?;
        self.modify(caller, id, |product, _| {
            let ProductPatch {
                title,
                description,
                category,
                attributes,
                images,
                price,
                status,
                low_stock_threshold,
            } = patch;
            set(&mut product.title, title);
            set(&mut product.description, description);
            set(&mut product.category, category);
            set(&mut product.attributes, attributes);
            set(&mut product.images, images);
            set(&mut product.price, price);
            set(&mut product.status, status);
            set(&mut product.low_stock_threshold, low_stock_threshold);
            true
        })
        .await
    }

    /// Archives a product (soft delete). Archiving twice is not an error.
    pub async fn archive(
        &self,
        caller: Caller,
        id: ProductId,
    ) -> Result<Arc<ProductEntry>, CatalogError> {
        self.modify(caller, id, |product, _| {
            let changed = product.status != ProductStatus::Archived;
            product.status = ProductStatus::Archived;
            changed
        })
        .await
    }

    async fn modify(
        &self,
        caller: Caller,
        id: ProductId,
        change: impl FnOnce(&mut Product, Timestamp) -> bool,
    ) -> Result<Arc<ProductEntry>, CatalogError> {
        let _guard = self.lock(id).await;
        let entry = self.managed(caller, id)?;
        let mut product = entry.product.clone();
        let now = OffsetDateTime::now_utc();
        if !change(&mut product, now) {
            return Ok(entry);
        }
        product.updated_at = now;
        self.store.put_product(&product).await?;
        let stock = entry.stock;
        let entry = self.write().insert(ProductEntry::new(product, stock));
        self.changes.mark(id);
        if let Some(feed) = self.feed() {
            feed.product(&entry);
        }
        Ok(entry)
    }

    /// The entry if `caller` may change it. Archived products of others are
    /// reported missing so their existence does not leak.
    pub fn managed(
        &self,
        caller: Caller,
        id: ProductId,
    ) -> Result<Arc<ProductEntry>, CatalogError> {
        let entry = self
            .read()
            .products
            .get(&id)
            .cloned()
            .ok_or(CatalogError::NotFound)?;
        if caller.may_manage(entry.product.seller_id) {
            Ok(entry)
        } else if entry.product.status == ProductStatus::Archived {
            Err(CatalogError::NotFound)
        } else {
            Err(CatalogError::NotOwner)
        }
    }

    fn check_fields(
        &self,
        category: Option<&CategorySlug>,
        price: Option<&Money>,
        images: Option<&Vec<ImageUrl>>,
    ) -> Result<(), CatalogError> {
        if let Some(slug) = category
            && !self.read().categories.contains_key(slug)
        {
            return Err(CatalogError::UnknownCategory(slug.clone()));
        }
        if price.is_some_and(|p| p.currency() != self.currency) {
            return Err(CatalogError::WrongCurrency {
                expected: self.currency,
            });
        }
        if images.is_some_and(|i| i.len() > Product::MAX_IMAGES) {
            return Err(CatalogError::TooManyImages {
                max: Product::MAX_IMAGES,
            });
        }
        Ok(())
    }

    async fn lock(&self, id: ProductId) -> tokio::sync::MutexGuard<'_, ()> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut hasher);
        let stripe = (hasher.finish() as usize) % self.write_locks.len();
        self.write_locks[stripe].lock().await
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}
