//! The assistant of a node as it comes up. It starts beside the node rather
//! than before it: checking and loading the model and reading the stored
//! product vectors take longer the larger the catalog, and the rest of the
//! marketplace need not wait for them. Until it serves, its routes answer
//! 503 `assistant_starting` with `Retry-After`.

use std::sync::Arc;

use tokio::sync::watch;

use super::{Assistant, AssistantOff};

/// Serving, or why not (yet). Cheap to clone; every clone sees the same state.
#[derive(Clone)]
pub struct AssistantSlot(watch::Sender<Result<Arc<Assistant>, AssistantOff>>);

impl AssistantSlot {
    /// A slot in the given state.
    pub fn new(state: Result<Arc<Assistant>, AssistantOff>) -> Self {
        Self(watch::Sender::new(state))
    }

    /// The assistant, or why it is not serving.
    pub fn get(&self) -> Result<Arc<Assistant>, AssistantOff> {
        self.0.borrow().clone()
    }

    /// Moves the slot on (to serving, or off with the reason).
    pub fn set(&self, state: Result<Arc<Assistant>, AssistantOff>) {
        let _previous = self.0.send_replace(state);
    }

    /// Waits until the assistant serves or is off for good.
    pub async fn settled(&self) -> Result<Arc<Assistant>, AssistantOff> {
        let mut changes = self.0.subscribe();
        let settled = changes
            .wait_for(|state| !matches!(state, Err(AssistantOff::Starting)))
            .await;
        match settled {
            Ok(state) => state.clone(),
            // The sender is `self`, so it cannot be gone.
            Err(_) => self.get(),
        }
    }
}
