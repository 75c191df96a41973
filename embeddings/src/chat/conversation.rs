//! Conversations kept in memory: owned, bounded in number and length, and
//! forgotten after a time without use.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use thiserror::Error;
use uuid::Uuid;

use super::plan::Context;

/// Bounds on what is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationLimits {
    /// Conversations kept at once; the least recently used is forgotten first.
    pub max_conversations: usize,
    /// Messages one conversation may hold; then a new one must be started.
    pub max_turns: usize,
    /// A conversation unused this long is forgotten.
    pub ttl: Duration,
}

/// Who a conversation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A signed-in user: only they can continue it.
    User(Uuid),
    /// Nobody signed in: whoever holds the conversation id can continue it.
    Anonymous,
}

/// Why a conversation cannot be continued.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConversationError {
    /// Unknown, expired, forgotten, or someone else's.
    #[error("conversation not found (unknown, expired, or not yours)")]
    NotFound,
    /// The conversation reached its message limit.
    #[error("this conversation reached its limit of {max} messages; start a new one")]
    TooLong { max: usize },
}

struct Conversation {
    owner: Owner,
    context: Context,
    turns: usize,
    last_used: Instant,
}

/// Every live conversation of this node.
pub struct Conversations {
    limits: ConversationLimits,
    live: HashMap<Uuid, Conversation>,
}

impl Conversations {
    pub fn new(limits: ConversationLimits) -> Self {
        Self {
            limits,
            live: HashMap::new(),
        }
    }

    pub fn limits(&self) -> ConversationLimits {
        self.limits
    }

    /// The context to continue conversation `id` as `owner`, or a fresh
    /// conversation (with a new id) when `id` is `None`. Does not count a
    /// turn; [`Conversations::save`] does.
    pub fn open(
        &mut self,
        id: Option<Uuid>,
        owner: Owner,
        now: Instant,
    ) -> Result<(Uuid, Option<Context>), ConversationError> {
        let Some(id) = id else {
            return Ok((Uuid::new_v4(), None));
        };
        let ttl = self.limits.ttl;
        let conversation = self.live.get(&id).ok_or(ConversationError::NotFound)?;
        if conversation.owner != owner {
            return Err(ConversationError::NotFound);
        }
        if now.saturating_duration_since(conversation.last_used) > ttl {
            self.live.remove(&id);
            return Err(ConversationError::NotFound);
        }
        if conversation.turns >= self.limits.max_turns {
            return Err(ConversationError::TooLong {
                max: self.limits.max_turns,
            });
        }
        Ok((id, Some(conversation.context.clone())))
    }

    /// Stores `context` as the state of conversation `id` after one more
    /// message, forgetting the least recently used conversation when full.
    pub fn save(&mut self, id: Uuid, owner: Owner, context: Context, now: Instant) {
        if let Some(conversation) = self.live.get_mut(&id) {
            if conversation.owner == owner {
                conversation.context = context;
                conversation.turns += 1;
                conversation.last_used = now;
            }
            return;
        }
        self.sweep(now);
        while self.live.len() >= self.limits.max_conversations.max(1) {
            let oldest = self
                .live
                .iter()
                .min_by_key(|(_, c)| c.last_used)
                .map(|(id, _)| *id);
            match oldest {
                Some(oldest) => self.live.remove(&oldest),
                None => break,
            };
        }
        self.live.insert(
            id,
            Conversation {
                owner,
                context,
                turns: 1,
                last_used: now,
            },
        );
    }

    /// Forgets every conversation unused for longer than the TTL.
    pub fn sweep(&mut self, now: Instant) {
        let ttl = self.limits.ttl;
        self.live
            .retain(|_, c| now.saturating_duration_since(c.last_used) <= ttl);
    }

    /// Conversations held.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn limits() -> ConversationLimits {
        ConversationLimits {
            max_conversations: 2,
            max_turns: 2,
            ttl: Duration::from_secs(60),
        }
    }

    #[test]
    fn owners_turns_ttl_and_capacity_are_enforced() {
        let mut all = Conversations::new(limits());
        let now = Instant::now();
        let alice = Owner::User(Uuid::new_v4());
        let (id, context) = all.open(None, alice, now).unwrap();
        assert!(context.is_none());
        all.save(id, alice, Context::default(), now);
        assert!(all.open(Some(id), alice, now).unwrap().1.is_some());
        assert_eq!(
            all.open(Some(id), Owner::Anonymous, now),
            Err(ConversationError::NotFound)
        );
        assert_eq!(
            all.open(Some(Uuid::new_v4()), alice, now),
            Err(ConversationError::NotFound)
        );
        all.save(id, alice, Context::default(), now);
        assert_eq!(
            all.open(Some(id), alice, now),
            Err(ConversationError::TooLong { max: 2 })
        );

        let later = now + Duration::from_secs(1);
        all.save(Uuid::new_v4(), Owner::Anonymous, Context::default(), later);
        all.save(Uuid::new_v4(), Owner::Anonymous, Context::default(), later);
        assert_eq!(all.len(), 2);
        assert_eq!(
            all.open(Some(id), alice, later),
            Err(ConversationError::NotFound)
        );

        all.sweep(later + Duration::from_secs(61));
        assert!(all.is_empty());
    }
}
