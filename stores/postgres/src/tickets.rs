//! Checkout tickets in the PostgreSQL store. The unique key on
//! `(user_id, idempotency_key)` makes one ticket per key across every node.

use souk_actors::store::{StoreError, TicketStore};
use souk_models::{Ticket, TicketStatus, UserId};
use tokio_postgres::types::Json;
use uuid::Uuid;

use std::collections::HashSet;

use super::PostgresStore;
use super::batch::{Outcomes, Run};
use super::db::{column, doc, docs, opt, rows};

/// Sets a ticket's status (inside its stored document) and whether it is
/// still queued.
const SET_STATUS: &str =
    "UPDATE tickets SET queued = $3, doc = jsonb_set(doc, '{status}', $2) WHERE id = $1";

/// Stores tickets in one statement, each unless its user already has one
/// with its idempotency key; answers the ids stored.
const CREATE: &str = "INSERT INTO tickets (id, user_id, idempotency_key, queued, doc) \
                      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[], \
                      $5::jsonb[]) ON CONFLICT DO NOTHING RETURNING id";

/// The batch runner that creates tickets.
pub(super) fn create_tickets(store: PostgresStore, tickets: Vec<Ticket>) -> Run<Ticket> {
    Box::pin(async move { store.create(tickets).await })
}

impl PostgresStore {
    /// Each ticket as stored: itself if it was, or the one its user already
    /// had with its key.
    async fn create(&self, tickets: Vec<Ticket>) -> Outcomes<Ticket> {
        let mut sorted: Vec<&Ticket> = tickets.iter().collect();
        sorted.sort_by_key(|t| (t.user_id, t.idempotency_key.as_str()));
        let ids: Vec<Uuid> = sorted.iter().map(|t| t.id).collect();
        let users: Vec<Uuid> = sorted.iter().map(|t| t.user_id.0).collect();
        let keys: Vec<&str> = sorted.iter().map(|t| t.idempotency_key.as_str()).collect();
        let queued: Vec<bool> = sorted.iter().map(|t| !t.status.is_done()).collect();
        let docs: Vec<Json<&Ticket>> = sorted.into_iter().map(Json).collect();
        let stored = self
            .write_rows(CREATE, &[&ids, &users, &keys, &queued, &docs])
            .await?;
        let stored: HashSet<Uuid> = stored
            .iter()
            .map(|row| column(row, 0))
            .collect::<Result<_, _>>()?;
        let mut outcomes = Vec::with_capacity(tickets.len());
        for ticket in tickets {
            if stored.contains(&ticket.id) {
                outcomes.push(Ok(ticket));
                continue;
            }
            outcomes.push(
                match self
                    .find_ticket(ticket.user_id, &ticket.idempotency_key)
                    .await
                {
                    Ok(Some(existing)) => Ok(existing),
                    Ok(None) => Err(StoreError::Conflict("ticket id already exists".into())),
                    Err(e) => Err(e),
                },
            );
        }
        Ok(outcomes)
    }
}

#[async_trait::async_trait]
impl TicketStore for PostgresStore {
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket, StoreError> {
        self.batched(|b| &b.tickets, create_tickets, ticket.clone())
            .await
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
