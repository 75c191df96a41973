//! The live WebSocket API (`GET /api/v1/ws`); see docs/websocket.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Open WebSocket connections on this node.
#[derive(Clone, Default)]
pub struct WsRegistry {
    open: Arc<AtomicUsize>,
}

impl WsRegistry {
    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
}
