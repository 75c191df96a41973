//! Checkout tickets in the PostgreSQL store. The unique key on
//! `(user_id, idempotency_key)` makes one ticket per key across every node.

use souk_actors::store::{StoreError, TicketStore};
use souk_models::{Ticket, TicketStatus, UserId};
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{doc, docs, opt, rows};

/// Sets a ticket's status (inside its stored document) and whether it is
/// still queued.
const SET_STATUS: &str =
    "UPDATE tickets SET queued = $3, doc = jsonb_set(doc, '{status}', $2) WHERE id = $1";

#[async_trait::async_trait]
impl TicketStore for PostgresStore {
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket, StoreError> {
        let inserted = self
            .write_one(
                "INSERT INTO tickets (id, user_id, idempotency_key, queued, doc) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, idempotency_key) DO NOTHING",
                &[
                    &ticket.id,
                    &ticket.user_id.0,
                    &ticket.idempotency_key,
                    &!ticket.status.is_done(),
                    &Json(ticket),
                ],
            )
            .await?;
        if inserted == 1 {
            return Ok(ticket.clone());
        }
        self.find_ticket(ticket.user_id, &ticket.idempotency_key)
            .await?
            .ok_or_else(|| StoreError::Conflict("ticket id already exists".into()))
    }

    async fn get_ticket(&self, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        let client = self.client().await?;
        let row = opt(&client, "SELECT doc FROM tickets WHERE id = $1", &[&id]).await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn find_ticket(
        &self,
        user: UserId,
        idempotency_key: &str,
    ) -> Result<Option<Ticket>, StoreError> {
        let client = self.client().await?;
        let row = opt(
            &client,
            "SELECT doc FROM tickets WHERE user_id = $1 AND idempotency_key = $2",
            &[&user.0, &idempotency_key],
        )
        .await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn finish_ticket(&self, id: Uuid, status: &TicketStatus) -> Result<(), StoreError> {
        let changed = self
            .write_one(SET_STATUS, &[&id, &Json(status), &!status.is_done()])
            .await?;
        match changed {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn list_queued_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT doc FROM tickets WHERE queued ORDER BY id",
            &[],
        )
        .await?;
        docs(&found, 0)
    }
}
