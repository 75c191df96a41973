//! Checkout tickets in the embedded store.

use souk_actors::store::{StoreError, TicketStore};
use souk_models::{Ticket, TicketStatus, UserId};
use uuid::Uuid;

use super::EmbeddedStore;
use super::tables::{QUEUED_TICKETS, TICKET_KEYS, TICKETS, decode, encode, io, key};
use super::tx::Tx;

pub(super) fn idempotency(user: UserId, idempotency_key: &str) -> String {
    format!("{}:{idempotency_key}", user.0.simple())
}

#[async_trait::async_trait]
impl TicketStore for EmbeddedStore {
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket, StoreError> {
        let (ticket, bytes) = (ticket.clone(), encode(ticket)?);
        self.write(move |txn| {
            let mut keys = txn.open_table(TICKET_KEYS).map_err(io)?;
            let mut tickets = txn.open_table(TICKETS).map_err(io)?;
            let idem = idempotency(ticket.user_id, &ticket.idempotency_key);
            if let Some(existing) = keys.get(idem.as_str()).map_err(io)?.map(|v| v.value()) {
                let stored = tickets
                    .get(existing)
                    .map_err(io)?
                    .ok_or(StoreError::Corrupt("ticket key without ticket".into()))?;
                return decode(stored.value());
            }
            keys.insert(idem.as_str(), key(ticket.id)).map_err(io)?;
            tickets
                .insert(key(ticket.id), bytes.as_slice())
                .map_err(io)?;
            if !ticket.status.is_done() {
                txn.open_table(QUEUED_TICKETS)
                    .map_err(io)?
                    .insert(key(ticket.id), ())
                    .map_err(io)?;
            }
            Ok(ticket)
        })
        .await
    }

    async fn get_ticket(&self, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(TICKETS).map_err(io)?;
            let found = table.get(key(id)).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn find_ticket(
        &self,
        user: UserId,
        idempotency_key: &str,
    ) -> Result<Option<Ticket>, StoreError> {
        let idem = idempotency(user, idempotency_key);
        self.read(move |txn| {
            let keys = txn.open_table(TICKET_KEYS).map_err(io)?;
            let Some(id) = keys.get(idem.as_str()).map_err(io)?.map(|v| v.value()) else {
                return Ok(None);
            };
            let table = txn.open_table(TICKETS).map_err(io)?;
            let found = table.get(id).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn finish_ticket(&self, id: Uuid, status: &TicketStatus) -> Result<(), StoreError> {
        let status = status.clone();
        self.write(move |txn| {
            let mut tickets = txn.open_table(TICKETS).map_err(io)?;
            let mut ticket: Ticket = match tickets.get(key(id)).map_err(io)? {
                Some(v) => decode(v.value())?,
                None => return Err(StoreError::NotFound),
            };
            ticket.status = status;
            let bytes = encode(&ticket)?;
            tickets.insert(key(id), bytes.as_slice()).map_err(io)?;
            if ticket.status.is_done() {
                txn.open_table(QUEUED_TICKETS)
                    .map_err(io)?
                    .remove(key(id))
                    .map_err(io)?;
            }
            Ok(())
        })
        .await
    }

    async fn list_queued_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        self.read(|txn| {
            let queued = txn.open_table(QUEUED_TICKETS).map_err(io)?;
            let tickets = txn.open_table(TICKETS).map_err(io)?;
            let mut out = Vec::new();
            for row in queued.iter().map_err(io)? {
                let (id, _) = row.map_err(io)?;
                if let Some(v) = tickets.get(id.value()).map_err(io)? {
                    out.push(decode(v.value())?);
                }
            }
            Ok(out)
        })
        .await
    }
}

/// Marks the ticket with `id`, if there is one, completed by the order with
/// the same id, inside the order's own transaction.
pub(super) fn complete(txn: &Tx, id: u128) -> Result<(), StoreError> {
    let mut tickets = txn.open_table(TICKETS).map_err(io)?;
    let stored: Option<Ticket> = match tickets.get(id).map_err(io)? {
        Some(v) => Some(decode(v.value())?),
        None => None,
    };
    let Some(mut ticket) = stored else {
        return Ok(());
    };
    ticket.status = TicketStatus::Completed {
        order_id: ticket.order_id(),
    };
    let bytes = encode(&ticket)?;
    tickets.insert(id, bytes.as_slice()).map_err(io)?;
    txn.open_table(QUEUED_TICKETS)
        .map_err(io)?
        .remove(id)
        .map_err(io)?;
    Ok(())
}
