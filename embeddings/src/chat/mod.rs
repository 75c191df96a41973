//! The assistant's chat pipeline, free of I/O: what a message asks for given the
//! conversation so far ([`plan`]), how two rankings are fused ([`fusion`]),
//! what is remembered between messages ([`conversation`]) and how the answer
//! is worded ([`reply`]).
//!
//! The assistant decides and the caller acts: [`Plan::AddToCart`] carries the
//! intended cart actions, which the gateway carries out through the cart
//! handle and reports back with [`reply::cart_outcomes`].

pub mod conversation;
pub mod fusion;
pub mod plan;
pub mod reply;

pub use conversation::{ConversationError, ConversationLimits, Conversations, Owner};
pub use fusion::reciprocal_rank_fusion;
pub use plan::{CartAction, Context, Plan, Query, Shown, plan};
pub use reply::{Offer, cart_outcomes, results};
