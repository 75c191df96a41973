//! Starting the shopping assistant: finding (and on first start fetching) the
//! model, loading it, and building the product vector index.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use souk_actors::{CartHandle, Catalog, Store};
use souk_embeddings::model::{Matmul, SharedEmbedder, default_model_dir, ensure_fetched};
use souk_gateway::assistant::Assistant;
use souk_gateway::config::AssistantConfig;

/// The configured model directory, or the default one.
pub fn model_dir(config: &AssistantConfig) -> PathBuf {
    if config.model_dir.trim().is_empty() {
        default_model_dir()
    } else {
        PathBuf::from(config.model_dir.trim())
    }
}

/// Loads the model. The default model directory is fetched
/// (`scripts/fetch-model.sh`) when missing; a configured one is only read, and
/// a missing or corrupt model is an error naming the fix.
pub async fn load_model(config: &AssistantConfig) -> anyhow::Result<SharedEmbedder> {
    let dir = model_dir(config);
    if config.model_dir.trim().is_empty() {
        let fetch_dir = dir.clone();
        tokio::task::spawn_blocking(move || ensure_fetched(&fetch_dir))
            .await?
            .with_context(|| format!("the assistant's model is missing from {}", dir.display()))?;
    }
    let matmul = if config.amx {
        Matmul::Auto
    } else {
        Matmul::F32
    };
    let embedder = SharedEmbedder::load_with(dir.clone(), matmul).await.with_context(|| {
        format!(
            "cannot load the assistant's model from {} (set assistant.enabled = false to run without it)",
            dir.display()
        )
    })?;
    tracing::info!(
        dir = %dir.display(),
        amx = embedder.embedder().uses_amx(),
        "assistant model loaded"
    );
    Ok(embedder)
}

/// Builds the assistant and fills its index from the catalog.
pub async fn start(
    embedder: SharedEmbedder,
    config: &AssistantConfig,
    catalog: Arc<Catalog>,
    store: Arc<dyn Store>,
    carts: CartHandle,
) -> anyhow::Result<Arc<Assistant>> {
    let assistant = Arc::new(Assistant::new(
        embedder,
        catalog,
        store,
        carts,
        config.clone(),
    ));
    assistant
        .start()
        .await
        .context("cannot build the product vector index")?;
    tracing::info!(
        products = assistant.indexed(),
        embedded = assistant.embeddings_computed(),
        "assistant ready"
    );
    Ok(assistant)
}
