//! Checkout tickets, unique per (user, idempotency key).

use souk_models::{Ticket, TicketStatus, UserId};
use uuid::Uuid;

use super::StoreError;

#[async_trait::async_trait]
pub trait TicketStore: Send + Sync {
    /// Stores `ticket` unless its user already has one with the same
    /// idempotency key; returns whichever ticket is now stored.
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket, StoreError>;
    async fn get_ticket(&self, id: Uuid) -> Result<Option<Ticket>, StoreError>;
    async fn find_ticket(
        &self,
        user: UserId,
        idempotency_key: &str,
    ) -> Result<Option<Ticket>, StoreError>;
    /// Records a ticket's outcome; `NotFound` if there is no such ticket.
    async fn finish_ticket(&self, id: Uuid, status: &TicketStatus) -> Result<(), StoreError>;
    /// Tickets still queued, oldest first, for re-queueing after a restart.
    async fn list_queued_tickets(&self) -> Result<Vec<Ticket>, StoreError>;
}
