//! Checkout tickets in the ScyllaDB store. A ticket's `(user,
//! Idempotency-Key)` is claimed in `tickets_by_key` with a lightweight
//! transaction, so one key has one ticket across every node. A queued
//! ticket is listed in its lane's series (`lane/<name>`) until it finishes.
//! A finished ticket, with its key, is kept for [`FINISHED_TTL`] and then
//! dropped by ScyllaDB: replaying a checkout's `Idempotency-Key` that much
//! later starts a new checkout.

use futures::stream::{self, StreamExt, TryStreamExt};
use souk_actors::store::{StoreError, TicketStore};
use souk_models::{Ticket, TicketStatus, UserId};
use time::Duration;
use uuid::Uuid;

use super::ScyllaStore;
use super::db::{Write, key, vals};
use super::docs::{from_doc, to_doc};
use super::series;

/// How long a finished ticket (and its idempotency key) is kept.
pub const FINISHED_TTL: Duration = Duration::days(30);

/// How many times (20 ms apart) a create that lost the claim of a key
/// looks for the winner's ticket before taking the claim over.
const CLAIM_WAITS: usize = 25;

/// The one partition the lanes are listed in.
const LANES: &str = "all";

fn lane_series(lane: &str) -> String {
    format!("lane/{lane}")
}

fn finished_ttl() -> i32 {
    i32::try_from(FINISHED_TTL.whole_seconds()).unwrap_or(i32::MAX)
}

/// The ticket row, its key and its lane listing, as `ticket.status` says:
/// listed while queued, kept for [`FINISHED_TTL`] once done.
pub(crate) fn ticket_writes(ticket: &Ticket) -> Result<Vec<Write>, StoreError> {
    let doc = to_doc(ticket)?;
    let (user, idempotency_key) = (ticket.user_id.0, ticket.idempotency_key.as_str());
    let name = lane_series(&ticket.lane);
    let bucket = series::bucket_of_id(ticket.id);
    let mut writes = Vec::new();
    if ticket.status.is_done() {
        writes.push(Write::new(
            "INSERT INTO tickets (id, doc) VALUES (?, ?) USING TTL ?",
            vals![ticket.id, doc, finished_ttl()],
        ));
        writes.push(Write::new(
            "INSERT INTO tickets_by_key (user_id, idempotency_key, id) VALUES (?, ?, ?) \
             USING TTL ?",
            vals![user, idempotency_key, ticket.id, finished_ttl()],
        ));
        writes.push(series::remove(&name, bucket, key(ticket.id)));
    } else {
        writes.push(Write::new(
            "INSERT INTO tickets (id, doc) VALUES (?, ?)",
            vals![ticket.id, doc],
        ));
        writes.push(Write::new(
            "INSERT INTO lanes (scope, lane) VALUES (?, ?)",
            vals![LANES, ticket.lane.as_str()],
        ));
        writes.extend(series::add(&name, bucket, key(ticket.id), None));
    }
    Ok(writes)
}

/// `ticket` with its status set to `status`, as writes.
pub(crate) fn status_writes(
    mut ticket: Ticket,
    status: TicketStatus,
) -> Result<Vec<Write>, StoreError> {
    ticket.status = status;
    ticket_writes(&ticket)
}

#[async_trait::async_trait]
impl TicketStore for ScyllaStore {
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket, StoreError> {
        let claim = self
            .lwt(
                "INSERT INTO tickets_by_key (user_id, idempotency_key, id) VALUES (?, ?, ?) \
                 IF NOT EXISTS",
                vals![ticket.user_id.0, ticket.idempotency_key.as_str(), ticket.id],
            )
            .await?;
        let mut stored = ticket.clone();
        if !claim.applied {
            let claimed = claim
                .column("id")
                .and_then(|v| v.as_uuid())
                .ok_or_else(|| StoreError::Corrupt("a ticket key names no ticket".into()))?;
            // The winner writes its ticket right after its claim.
            for _ in 0..CLAIM_WAITS {
                if let Some(existing) = self.get_ticket(claimed).await? {
                    return Ok(existing);
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            // Claimed by a create that stopped before writing its ticket:
            // this one is written under the claimed id.
            stored.id = claimed;
        }
        self.batch(ticket_writes(&stored)?).await?;
        Ok(stored)
    }

    async fn get_ticket(&self, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        let row: Option<(String,)> = self
            .db
            .opt("SELECT doc FROM tickets WHERE id = ?", vals![id])
            .await?;
        row.map(|(doc,)| from_doc(&doc)).transpose()
    }

    async fn find_ticket(
        &self,
        user: UserId,
        idempotency_key: &str,
    ) -> Result<Option<Ticket>, StoreError> {
        let claim: Option<(Uuid,)> = self
            .db
            .opt(
                "SELECT id FROM tickets_by_key WHERE user_id = ? AND idempotency_key = ?",
                vals![user.0, idempotency_key],
            )
            .await?;
        match claim {
            Some((id,)) => self.get_ticket(id).await,
            None => Ok(None),
        }
    }

    async fn finish_ticket(&self, id: Uuid, status: &TicketStatus) -> Result<(), StoreError> {
        let ticket = self.get_ticket(id).await?.ok_or(StoreError::NotFound)?;
        self.batch(status_writes(ticket, status.clone())?).await?;
        Ok(())
    }

    /// Every lane's series, each ticket checked against its record; oldest
    /// first across lanes.
    async fn list_queued_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        let lanes: Vec<(String,)> = self
            .db
            .scan("SELECT lane FROM lanes WHERE scope = ?", vals![LANES])
            .await?;
        let mut ids = Vec::new();
        for (lane,) in lanes {
            for (_, id, _) in self.series_all(&lane_series(&lane)).await? {
                ids.push(super::db::id(&id)?);
            }
        }
        let tickets: Vec<Option<Ticket>> =
            stream::iter(ids.into_iter().map(|id| self.get_ticket(id)))
                .buffered(super::READS_AT_ONCE)
                .try_collect()
                .await?;
        let mut queued: Vec<Ticket> = tickets
            .into_iter()
            .flatten()
            .filter(|t| !t.status.is_done())
            .collect();
        queued.sort_by_key(|t| t.id);
        Ok(queued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use souk_actors::store::conformance::address;
    use souk_models::OrderId;
    use time::OffsetDateTime;

    fn ticket(status: TicketStatus) -> Ticket {
        Ticket {
            id: Uuid::now_v7(),
            user_id: UserId::new(),
            idempotency_key: "key-1".into(),
            lane: "standard".into(),
            shipping_address: address(UserId::new(), "1 Main St").fields,
            status,
            created_at: OffsetDateTime::now_utc(),
        }
    }

    fn tables(writes: &[Write]) -> Vec<String> {
        writes
            .iter()
            .map(|w| {
                let words: Vec<&str> = w.cql.split_whitespace().collect();
                format!("{} {}", words[0], words[2])
            })
            .collect()
    }

    #[test]
    fn a_queued_ticket_is_listed_in_its_lane() {
        let writes = ticket_writes(&ticket(TicketStatus::Queued)).unwrap_or_default();
        assert_eq!(
            tables(&writes),
            [
                "INSERT tickets",
                "INSERT lanes",
                "INSERT series",
                "INSERT series_buckets"
            ]
        );
        assert!(!writes[0].cql.contains("TTL"));
    }

    #[test]
    fn a_finished_ticket_leaves_its_lane_and_expires_with_its_key() {
        let done = TicketStatus::Completed {
            order_id: OrderId::new(),
        };
        let writes = status_writes(ticket(TicketStatus::Queued), done).unwrap_or_default();
        assert_eq!(
            tables(&writes),
            ["INSERT tickets", "INSERT tickets_by_key", "DELETE series"]
        );
        assert!(writes[0].cql.ends_with("USING TTL ?"));
        assert!(writes[1].cql.ends_with("USING TTL ?"));
        assert_eq!(writes[0].values.last(), Some(&vals![2_592_000][0]));
    }
}
