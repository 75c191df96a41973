//! Keeping the vector index current: built at start-up from the vectors
//! stored with the products (embedding only products whose text changed),
//! then updated as sellers create, edit, archive or restock products.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use souk_actors::ProductEntry;
use souk_actors::store::ProductVector;
use souk_embeddings::model::BATCH_SIZE;
use souk_embeddings::product::{content_hash, item_meta, product_text};
use souk_embeddings::vector::Vector;
use souk_models::{ProductId, ProductStatus};

use super::{Assistant, AssistantError};

/// A product whose stored vector is missing or stale.
struct Pending {
    entry: Arc<ProductEntry>,
    text: String,
    hash: [u8; 32],
}

impl Assistant {
    /// Fills the index from the catalog and the stored vectors, embedding
    /// what is missing or stale, then keeps it current in a background task.
    pub async fn start(self: &Arc<Self>) -> Result<(), AssistantError> {
        self.catalog.watch_changes();
        let stored: HashMap<ProductId, ProductVector> = self
            .store
            .list_product_vectors()
            .await?
            .into_iter()
            .collect();
        let entries = self.catalog.all();
        let mut pending = Vec::new();
        let mut loaded = Vec::new();
        for entry in entries {
            if entry.product.status != ProductStatus::Active {
                continue;
            }
            let text = product_text(&entry.product);
            let hash = content_hash(&text);
            let current = stored
                .get(&entry.product.id)
                .filter(|v| v.content_hash == hash)
                .and_then(|v| Vector::from_bytes(&v.vector).ok());
            match current {
                Some(vector) => loaded.push((entry, vector, hash)),
                None => pending.push(Pending { entry, text, hash }),
            }
        }
        self.load_stored(loaded).await;
        tracing::info!(
            loaded = self.index.len(),
            to_embed = pending.len(),
            "building the product vector index"
        );
        self.embed_and_put(pending).await?;
        self.refresh_vocabulary();
        self.maintain_index().await;
        metrics::gauge!("souk_vector_index_items").set(self.index.len() as f64);
        let me = Arc::clone(self);
        tokio::spawn(async move { me.follow_changes().await });
        Ok(())
    }

    /// Applies catalog changes as they come, until the process ends.
    async fn follow_changes(self: Arc<Self>) {
        loop {
            let changed = self.catalog.changed().await;
            if let Err(e) = self.apply(&changed).await {
                tracing::warn!(error = %e, products = changed.len(), "vector index update failed; retrying later");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                for id in changed {
                    self.catalog.touch(id);
                }
                continue;
            }
            metrics::gauge!("souk_vector_index_items").set(self.index.len() as f64);
            self.maintain_index().await;
        }
    }

    /// Compacts the graph when enough of it is dead, and renews its search
    /// copy when enough is new, on the blocking pool.
    async fn maintain_index(self: &Arc<Self>) {
        let me = Arc::clone(self);
        let _ = tokio::task::spawn_blocking(move || {
            me.index.compact();
            me.index.refresh_search_copy();
        })
        .await;
    }

    /// Brings the index in line with the catalog for `ids`.
    async fn apply(&self, ids: &[ProductId]) -> Result<(), AssistantError> {
        let mut pending = Vec::new();
        let mut text_changed = false;
        for id in ids {
            let entry = self
                .catalog
                .get_any(*id)
                .filter(|e| e.product.status == ProductStatus::Active);
            let Some(entry) = entry else {
                text_changed |= self.index.remove(id.as_uuid());
                self.hashes().remove(id);
                continue;
            };
            let text = product_text(&entry.product);
            let hash = content_hash(&text);
            if self.hashes().get(id) == Some(&hash) {
                let meta = item_meta(&entry.product, entry.stock.available());
                self.index.update_meta(id.as_uuid(), meta);
                continue;
            }
            let stored = self.store.get_product_vector(*id).await?;
            let current = stored
                .filter(|v| v.content_hash == hash)
                .and_then(|v| Vector::from_bytes(&v.vector).ok());
            match current {
                Some(vector) => self.put(&entry, &vector, hash),
                None => pending.push(Pending { entry, text, hash }),
            }
            text_changed = true;
        }
        self.embed_and_put(pending).await?;
        if text_changed {
            self.refresh_vocabulary();
        }
        Ok(())
    }

    /// Embeds `pending` in batches, stores each batch, then indexes it.
    async fn embed_and_put(&self, pending: Vec<Pending>) -> Result<(), AssistantError> {
        for batch in pending.chunks(BATCH_SIZE) {
            let texts: Vec<String> = batch.iter().map(|p| p.text.clone()).collect();
            let started = Instant::now();
            let vectors = self.embedder.embed(texts).await?;
            metrics::histogram!("souk_embedding_seconds", "kind" => "products")
                .record(started.elapsed().as_secs_f64());
            metrics::counter!("souk_embeddings_computed_total").increment(vectors.len() as u64);
            self.embedded
                .fetch_add(vectors.len() as u64, Ordering::Relaxed);
            let rows: Vec<(ProductId, ProductVector)> = batch
                .iter()
                .zip(&vectors)
                .map(|(p, v)| {
                    let row = ProductVector {
                        content_hash: p.hash,
                        vector: v.to_bytes(),
                    };
                    (p.entry.product.id, row)
                })
                .collect();
            self.store.put_product_vectors(&rows).await?;
            for (p, vector) in batch.iter().zip(&vectors) {
                // The entry may have changed while embedding; the newest
                // metadata wins, and a newer text is queued by the catalog.
                let entry = self
                    .catalog
                    .get_any(p.entry.product.id)
                    .unwrap_or_else(|| p.entry.clone());
                if entry.product.status == ProductStatus::Active {
                    self.put(&entry, vector, p.hash);
                }
            }
        }
        Ok(())
    }

    /// Indexes the stored vectors at start-up in one bulk insertion on the
    /// blocking pool (every core); if the index refuses one, each is put on
    /// its own so only the bad one is left out.
    async fn load_stored(self: &Arc<Self>, loaded: Vec<(Arc<ProductEntry>, Vector, [u8; 32])>) {
        let me = Arc::clone(self);
        let bulk = tokio::task::spawn_blocking(move || {
            let items = loaded
                .iter()
                .map(|(entry, vector, _)| {
                    let meta = item_meta(&entry.product, entry.stock.available());
                    (entry.product.id.as_uuid(), vector.clone(), meta)
                })
                .collect();
            match me.index.upsert_many(items) {
                Ok(()) => {
                    let mut hashes = me.hashes();
                    for (entry, _, hash) in &loaded {
                        hashes.insert(entry.product.id, *hash);
                    }
                }
                Err(_) => {
                    for (entry, vector, hash) in &loaded {
                        me.put(entry, vector, *hash);
                    }
                }
            }
        });
        if let Err(e) = bulk.await {
            tracing::error!(error = %e, "loading the stored product vectors failed");
        }
    }

    fn put(&self, entry: &ProductEntry, vector: &Vector, hash: [u8; 32]) {
        let meta = item_meta(&entry.product, entry.stock.available());
        match self.index.upsert(entry.product.id.as_uuid(), vector, meta) {
            Ok(()) => {
                self.hashes().insert(entry.product.id, hash);
            }
            Err(e) => {
                tracing::warn!(error = %e, product = %entry.product.id, "product vector refused by the index")
            }
        }
    }

    fn hashes(&self) -> std::sync::MutexGuard<'_, HashMap<ProductId, [u8; 32]>> {
        self.hashes.lock().unwrap_or_else(|p| p.into_inner())
    }
}
