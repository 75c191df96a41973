//! Starting the shopping assistant beside the node: finding and checking the
//! model, loading it, and loading the product vector index. Nothing is
//! fetched here: a missing or damaged model leaves the assistant off (503
//! naming `souk model fetch`) and the rest of the marketplace serving.

use std::path::PathBuf;
use std::sync::Arc;

use souk_actors::{CartHandle, Catalog, Store};
use souk_embeddings::model::{Matmul, SharedEmbedder, default_model_dir, verify};
use souk_gateway::assistant::{Assistant, AssistantOff, AssistantSlot};
use souk_gateway::config::AssistantConfig;

/// The configured model directory, or the default one.
pub fn model_dir(config: &AssistantConfig) -> PathBuf {
    if config.model_dir.trim().is_empty() {
        default_model_dir()
    } else {
        PathBuf::from(config.model_dir.trim())
    }
}

/// Checks every model file against its pinned SHA-256 and loads the model;
/// a missing or damaged model is [`AssistantOff::Model`] with the fix.
pub async fn load_model(config: &AssistantConfig) -> Result<SharedEmbedder, AssistantOff> {
    let dir = model_dir(config);
    let checked = dir.clone();
    let off = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "the shopping assistant is off: its model is not usable");
        AssistantOff::Model(e.to_string())
    };
    tokio::task::spawn_blocking(move || verify(&checked))
        .await
        .map_err(|e| off(&e))?
        .map_err(|e| off(&e))?;
    let matmul = if config.amx {
        Matmul::Auto
    } else {
        Matmul::F32
    };
    let embedder = SharedEmbedder::load_with(dir.clone(), matmul)
        .await
        .map_err(|e| off(&e))?;
    tracing::info!(
        dir = %dir.display(),
        amx = embedder.embedder().uses_amx(),
        "assistant model loaded"
    );
    Ok(embedder)
}

/// Starts the assistant beside the node: checks and loads the model, then
/// loads the stored product vectors, in a task of its own. The slot answers
/// `Starting` until then, and then the assistant or why it is off.
pub fn spawn(
    config: AssistantConfig,
    catalog: Arc<Catalog>,
    store: Arc<dyn Store>,
    carts: CartHandle,
) -> AssistantSlot {
    let slot = AssistantSlot::new(Err(AssistantOff::Starting));
    let setting = slot.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let embedder = match load_model(&config).await {
            Ok(embedder) => embedder,
            Err(off) => return setting.set(Err(off)),
        };
        let assistant = Arc::new(Assistant::new(embedder, catalog, store, carts, config));
        match assistant.start().await {
            Ok(()) => {
                tracing::info!(
                    products = assistant.indexed(),
                    seconds = started.elapsed().as_secs_f64(),
                    "assistant serving"
                );
                setting.set(Ok(assistant));
            }
            Err(e) => {
                tracing::error!(error = %e, "the shopping assistant is off: its product vectors could not be loaded");
                setting.set(Err(AssistantOff::Failed(e.to_string())));
            }
        }
    });
    slot
}
