//! Keeping the vector index current: loaded at start-up from the vectors
//! stored with the products (embedding only products whose text changed, in
//! the background), then updated as sellers create, edit, archive or restock
//! products. Graph insertion always runs on the blocking pool, beside the
//! searches.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use souk_actors::ProductEntry;
use souk_actors::store::ProductVector;
use souk_embeddings::background;
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
    /// Loads the stored vectors of the catalog's active products into the
    /// index, where they are searchable at once (scored exactly until the
    /// graph holds them), and answers. A background task then inserts them
    /// into the graph, embeds the products whose vector is missing or stale,
    /// and keeps the index current as the catalog changes;
    /// [`Assistant::caught_up`] tells when the first two are done.
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
        drop(stored);
        self.load_stored(loaded);
        self.count_items();
        self.refresh_vocabulary();
        tracing::info!(
            loaded = self.index.len(),
            to_embed = pending.len(),
            "product vectors loaded; building the graph and embedding the rest in the background"
        );
        let me = Arc::clone(self);
        tokio::spawn(async move {
            me.insert_in_background();
            let ids: Vec<ProductId> = pending.iter().map(|p| p.entry.product.id).collect();
            if let Err(e) = me.embed_and_put(pending).await {
                // The products stay queued: the change loop retries them.
                tracing::warn!(error = %e, "embedding products at start-up failed; retrying");
                for id in ids {
                    me.catalog.touch(id);
                }
            }
            me.refresh_vocabulary();
            me.maintain_index().await;
            me.count_items();
            me.caught_up.send_replace(true);
            tracing::info!(
                products = me.index.len(),
                embedded = me.embeddings_computed(),
                "assistant caught up"
            );
            me.follow_changes().await;
        });
        Ok(())
    }

    /// Waits until the work [`Assistant::start`] left to the background is
    /// done: every product loaded at start in the graph, every missing or
    /// stale vector embedded.
    pub async fn caught_up(&self) {
        let mut caught_up = self.caught_up.subscribe();
        let _ = caught_up.wait_for(|done| *done).await;
    }

    /// Inserts what the graph lacks in the [`background`], without waiting:
    /// searches find those entries exactly meanwhile. If an insertion is
    /// already running, it takes them too.
    fn insert_in_background(&self) {
        let index = Arc::clone(&self.index);
        background::spawn(move || {
            index.catch_up();
            index.refresh_search_copy();
        });
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
            self.count_items();
            self.maintain_index().await;
        }
    }

    /// Compacts the graph when enough of it is dead, and renews its search
    /// copy when enough is new, in the [`background`].
    async fn maintain_index(self: &Arc<Self>) {
        let index = Arc::clone(&self.index);
        let _ = background::run(move || {
            index.catch_up();
            index.compact();
            index.refresh_search_copy();
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
            let vectors = self.embedder.embed_catalog(texts).await?;
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
            self.insert_in_background();
            self.count_items();
        }
        Ok(())
    }

    /// Products in the index, searchable, on `/metrics`: it grows batch by
    /// batch while the catalog is embedded (at the lowest CPU priority, so
    /// slowly while the node is busy).
    fn count_items(&self) {
        metrics::gauge!("souk_vector_index_items").set(self.index.len() as f64);
    }

    /// Writes the stored vectors into the index without the graph (quick
    /// whatever their number); if the index refuses one, each is written on
    /// its own so only the bad one is left out.
    fn load_stored(&self, loaded: Vec<(Arc<ProductEntry>, Vector, [u8; 32])>) {
        let items = loaded
            .iter()
            .map(|(entry, vector, _)| {
                let meta = item_meta(&entry.product, entry.stock.available());
                (entry.product.id.as_uuid(), vector.clone(), meta)
            })
            .collect();
        if self.index.add_many(items).is_ok() {
            let mut hashes = self.hashes();
            for (entry, _, hash) in &loaded {
                hashes.insert(entry.product.id, *hash);
            }
            return;
        }
        for (entry, vector, hash) in &loaded {
            self.put(entry, vector, *hash);
        }
    }

    /// Writes one product's vector; the graph gets it from the next
    /// insertion in the background.
    fn put(&self, entry: &ProductEntry, vector: &Vector, hash: [u8; 32]) {
        let meta = item_meta(&entry.product, entry.stock.available());
        let key = entry.product.id.as_uuid();
        match self.index.add_many(vec![(key, vector.clone(), meta)]) {
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
