//! One chat message: plan it with the pure pipeline, then search or carry out
//! the cart actions, and remember what was shown for the follow-ups.

use std::time::Instant;

use souk_actors::LineChange;
use souk_embeddings::chat::{
    CartAction, Context, Offer, Owner, Plan, Query, Shown, cart_outcomes, plan, results,
};
use souk_models::{ProductId, ProductStatus, UserId};
use uuid::Uuid;

use super::search::{Hit, Vectors};
use super::{Assistant, AssistantError};
use crate::error::ApiError;

/// What the chat answers.
pub struct ChatReply {
    pub conversation_id: Uuid,
    pub answer: String,
    /// Every product the answer names, in the order named.
    pub products: Vec<Hit>,
    pub actions: Vec<ActionView>,
    /// For the metric: `results`, `no_match`, `cart`, `login_required`, `clarify`.
    pub outcome: &'static str,
}

/// A cart action the assistant attempted, and how it went.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ActionView {
    /// Always `add_to_cart`.
    pub kind: &'static str,
    pub product_id: ProductId,
    pub quantity: u32,
    /// `added`, `failed`, or `login_required` (anonymous shopper).
    pub status: &'static str,
    /// The cart's error code when `failed` (as the cart API would answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Assistant {
    /// Answers `message` in conversation `id` (a new one when `None`) for
    /// `user` (anonymous when `None`).
    pub async fn chat(
        &self,
        message: &str,
        id: Option<Uuid>,
        user: Option<UserId>,
    ) -> Result<ChatReply, AssistantError> {
        let started = Instant::now();
        let owner = user.map_or(Owner::Anonymous, |u| Owner::User(u.as_uuid()));
        let (id, context) = self.conversations().open(id, owner, Instant::now())?;
        let vocab = self.vocabulary();
        let mut context = context.unwrap_or_default();
        let reply = match plan(
            message,
            &vocab,
            Some(&context).filter(|c| !c.shown.is_empty() || !c.query.is_empty()),
        ) {
            Plan::Search(query) => self.answer_search(query, true, &mut context).await?,
            Plan::Refine(query) => self.answer_search(query, false, &mut context).await?,
            Plan::AddToCart(actions) => self.add_to_cart(&actions, user, &mut context).await,
            Plan::NothingShown => clarify(
                "I have not shown you any products yet. Tell me what you are looking for first.",
            ),
            Plan::NoSuchPosition { shown } => clarify(&format!(
                "I showed you {shown} product{}; say which one, e.g. \"add the first one\".",
                if shown == 1 { "" } else { "s" }
            )),
        };
        self.conversations()
            .save(id, owner, context, Instant::now());
        metrics::counter!("souk_assistant_chats_total", "outcome" => reply.outcome).increment(1);
        metrics::histogram!("souk_search_seconds", "kind" => "chat")
            .record(started.elapsed().as_secs_f64());
        Ok(ChatReply {
            conversation_id: id,
            ..reply
        })
    }

    /// Searches and remembers what was shown. A fresh search (`loose`) may
    /// read its category and attribute words as descriptions instead of
    /// filters; see [`Assistant::loosen`].
    async fn answer_search(
        &self,
        query: Query,
        loose: bool,
        context: &mut Context,
    ) -> Result<ChatReply, AssistantError> {
        if query.is_empty() {
            return Ok(clarify(
                "Tell me what you are looking for, e.g. \"waterproof hiking boots under $120\".",
            ));
        }
        let limit = self.config.chat_results;
        let mut vectors = Vectors::new();
        let (query, hits) = if loose && query.is_loose() {
            self.loosen(query, limit, &mut vectors).await?
        } else {
            let hits = self.rank(&query, limit, &mut vectors).await?;
            (query, hits)
        };
        let offers: Vec<Offer> = hits.iter().map(offer).collect();
        let answer = results(&query, &offers, self.catalog.currency());
        *context = Context {
            shown: hits
                .iter()
                .map(|h| Shown {
                    id: h.entry.product.id.as_uuid(),
                    price_minor: h.entry.product.price.amount(),
                })
                .collect(),
            focus: hits.first().map(|h| h.entry.product.id.as_uuid()),
            query,
        };
        Ok(ChatReply {
            conversation_id: Uuid::nil(),
            outcome: if hits.is_empty() {
                "no_match"
            } else {
                "results"
            },
            answer,
            products: hits,
            actions: Vec::new(),
        })
    }

    async fn add_to_cart(
        &self,
        actions: &[CartAction],
        user: Option<UserId>,
        context: &mut Context,
    ) -> ChatReply {
        let mut products = Vec::new();
        let mut views = Vec::new();
        let mut outcomes = Vec::new();
        for action in actions {
            let Some(entry) = self.catalog.get_any(ProductId(action.product)) else {
                continue;
            };
            let title = entry.product.title.as_str().to_owned();
            let result = match user {
                None => Err(None),
                Some(user) => self
                    .add_one(user, &entry, action.quantity)
                    .await
                    .map_err(Some),
            };
            let (status, error_code, error) = match &result {
                Ok(()) => ("added", None, None),
                Err(None) => ("login_required", None, None),
                Err(Some(e)) => ("failed", Some(e.code), Some(e.detail.clone())),
            };
            outcomes.push((
                title,
                action.quantity,
                result
                    .clone()
                    .map_err(|e| e.map(|e| e.detail).unwrap_or_default()),
            ));
            views.push(ActionView {
                kind: "add_to_cart",
                product_id: entry.product.id,
                quantity: action.quantity,
                status,
                error_code,
                error,
            });
            if result.is_ok() {
                context.focus = Some(action.product);
            }
            products.push(Hit {
                score: 1.0,
                similarity: None,
                lexical_rank: None,
                entry,
            });
        }
        let (answer, outcome) = if user.is_none() {
            let titles: Vec<String> = products
                .iter()
                .map(|h| h.entry.product.title.as_str().to_owned())
                .collect();
            (
                format!(
                    "Please log in to add {} to your cart; I cannot change a cart without an account.",
                    if titles.is_empty() {
                        "products".to_owned()
                    } else {
                        titles.join(" and ")
                    }
                ),
                "login_required",
            )
        } else {
            (cart_outcomes(&outcomes), "cart")
        };
        ChatReply {
            conversation_id: Uuid::nil(),
            answer,
            products,
            actions: views,
            outcome,
        }
    }

    /// Adds `quantity` of a listed product to `user`'s cart, as `POST
    /// /cart/items` would.
    async fn add_one(
        &self,
        user: UserId,
        entry: &souk_actors::ProductEntry,
        quantity: u32,
    ) -> Result<(), ApiError> {
        if entry.product.status == ProductStatus::Archived {
            return Err(ApiError::unprocessable(
                "product_unavailable",
                "this product is no longer sold",
            ));
        }
        self.carts
            .change(
                user,
                entry.product.id,
                LineChange::Add(quantity),
                entry.stock.available(),
            )
            .await
            .map(|_| ())
            .map_err(ApiError::from)
    }
}

fn offer(hit: &Hit) -> Offer {
    let p = &hit.entry.product;
    Offer {
        id: p.id.as_uuid(),
        title: p.title.as_str().to_owned(),
        price: p.price,
        category: p.category.as_str().to_owned(),
        attributes: p
            .attributes
            .iter()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect(),
        available: hit.entry.stock.available(),
    }
}

fn clarify(answer: &str) -> ChatReply {
    ChatReply {
        conversation_id: Uuid::nil(),
        answer: answer.to_owned(),
        products: Vec::new(),
        actions: Vec::new(),
        outcome: "clarify",
    }
}
