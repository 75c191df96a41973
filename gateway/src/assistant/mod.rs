//! The shopping assistant in the running app: the product vector index kept
//! current from the catalog ([`indexer`]) along with the words the query parser
//! knows ([`vocabulary_refresh`]), hybrid search and similar products
//! ([`search`]), and the chat ([`chat`]), which carries out the cart actions
//! the pure pipeline in `souk_embeddings::chat` decides on.

mod attributes;
mod chat;
mod indexer;
mod loosen;
mod search;
mod slot;
mod vocabulary_refresh;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use souk_actors::{CartHandle, Catalog, Store};
use souk_embeddings::chat::{ConversationError, ConversationLimits, Conversations};
use souk_embeddings::index::VectorIndex;
use souk_embeddings::model::{ModelError, SharedEmbedder};
use souk_embeddings::query::Vocabulary;
use souk_embeddings::vector::Vector;
use souk_models::ProductId;
use uuid::Uuid;

use crate::config::AssistantConfig;
use crate::error::ApiError;

pub use chat::{ActionView, ChatReply};
pub use search::{Hit, SearchRequest};
pub use slot::AssistantSlot;

/// Why an assistant call failed.
#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Store(#[from] souk_actors::StoreError),
    #[error(transparent)]
    Conversation(#[from] ConversationError),
}

/// The assistant's errors as HTTP problems. It sits beside the error rather
/// than in `crate::error`, so that the error module, which every other module
/// uses, imports none of them.
impl From<AssistantError> for ApiError {
    fn from(e: AssistantError) -> Self {
        let detail = e.to_string();
        match e {
            AssistantError::Conversation(ConversationError::NotFound) => {
                Self::new(StatusCode::NOT_FOUND, "conversation_not_found", detail)
                    .with_field("conversation_id")
            }
            AssistantError::Conversation(ConversationError::TooLong { .. }) => {
                Self::conflict("conversation_full", detail).with_field("conversation_id")
            }
            AssistantError::Store(e) => e.into(),
            AssistantError::Model(e) => Self::internal(e),
        }
    }
}

/// Why the assistant is not serving on this node.
#[derive(Debug, Clone)]
pub enum AssistantOff {
    /// `assistant.enabled = false`.
    Disabled,
    /// The model is missing or damaged; the text says which file and the fix.
    Model(String),
    /// Loading its model and the stored product vectors; serving shortly.
    Starting,
    /// The stored product vectors could not be read; the text says why.
    Failed(String),
}

/// The assistant service; one per node, shared in an `Arc`.
pub struct Assistant {
    embedder: SharedEmbedder,
    index: Arc<VectorIndex<Uuid>>,
    /// Content hash of the text each indexed product was embedded from.
    hashes: Mutex<HashMap<ProductId, [u8; 32]>>,
    vocab: RwLock<Arc<Vocabulary>>,
    conversations: Mutex<Conversations>,
    catalog: Arc<Catalog>,
    store: Arc<dyn Store>,
    carts: CartHandle,
    config: AssistantConfig,
    /// Product embeddings computed by this node (not loaded from the store).
    embedded: AtomicU64,
    /// Set once the background work of [`Assistant::start`] is done.
    caught_up: tokio::sync::watch::Sender<bool>,
}

impl Assistant {
    /// An assistant with an empty index; call [`Assistant::start`] to fill it
    /// and keep it current.
    pub fn new(
        embedder: SharedEmbedder,
        catalog: Arc<Catalog>,
        store: Arc<dyn Store>,
        carts: CartHandle,
        config: AssistantConfig,
    ) -> Self {
        let limits = ConversationLimits {
            max_conversations: config.max_conversations,
            max_turns: config.max_turns,
            ttl: Duration::from_secs(config.conversation_ttl_secs),
        };
        Self {
            embedder,
            index: Arc::new(VectorIndex::new()),
            hashes: Mutex::new(HashMap::new()),
            vocab: RwLock::new(Arc::new(Vocabulary::new())),
            conversations: Mutex::new(Conversations::new(limits)),
            catalog,
            store,
            carts,
            config,
            embedded: AtomicU64::new(0),
            caught_up: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Product embeddings this node computed; vectors loaded from the store do
    /// not count.
    pub fn embeddings_computed(&self) -> u64 {
        self.embedded.load(Ordering::Relaxed)
    }

    /// Products in the vector index.
    pub fn indexed(&self) -> usize {
        self.index.len()
    }

    pub fn config(&self) -> &AssistantConfig {
        &self.config
    }

    fn vocabulary(&self) -> Arc<Vocabulary> {
        self.vocab.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Embeds a query, timing it.
    async fn embed_query(&self, text: &str) -> Result<Vector, AssistantError> {
        let started = Instant::now();
        let vector = self.embedder.embed_query(text.to_owned()).await?;
        metrics::histogram!("souk_embedding_seconds", "kind" => "query")
            .record(started.elapsed().as_secs_f64());
        Ok(vector)
    }

    /// The conversations, locked.
    fn conversations(&self) -> std::sync::MutexGuard<'_, Conversations> {
        self.conversations.lock().unwrap_or_else(|p| p.into_inner())
    }
}
