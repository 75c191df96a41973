//! What to do with a message, given what the conversation showed before.

use uuid::Uuid;

use crate::index::Filter;
use crate::query::{
    CartIntent, Constraints, FollowUp, Pick, Refinement, Vocabulary, parse, parse_follow_up,
};

/// A product search: free text for ranking plus the constraints understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Text for lexical and semantic matching; may be empty.
    pub text: String,
    /// Hard constraints: category, price bounds, currency, stock.
    pub filter: Filter,
    /// Attribute values a product must have, `(name, value)`; several values
    /// of one name mean any of them.
    pub attributes: Vec<(String, String)>,
    /// Order the relevant results cheapest first.
    pub cheap: bool,
    /// Order the relevant results dearest first.
    pub pricier: bool,
    /// The message without its price and stock phrases but with the category
    /// and attribute words left in: the text to search when those words
    /// turn out to describe the product rather than filter it ("green tea",
    /// "an e-reader for books"). Empty for refinements.
    pub loose_text: String,
}

impl Query {
    /// The search a parsed message asks for.
    pub fn from_constraints(c: Constraints) -> Self {
        Self {
            filter: c.to_filter(),
            text: c.remaining_text,
            attributes: c.attributes,
            cheap: c.cheap,
            pricier: false,
            loose_text: String::new(),
        }
    }

    /// A fresh search for `message`: [`Query::from_constraints`] plus the
    /// [`Query::loose_text`] to fall back on.
    pub fn from_message(message: &str, constraints: Constraints, vocab: &Vocabulary) -> Self {
        let bare = Vocabulary::new().with_default_currency(vocab.default_currency);
        Self {
            loose_text: parse(message, &bare).remaining_text,
            ..Self::from_constraints(constraints)
        }
    }

    /// Whether the category or attribute filters came from words that may
    /// name the product instead.
    pub fn is_loose(&self) -> bool {
        !self.loose_text.is_empty()
            && (self.filter.category.is_some() || !self.attributes.is_empty())
    }

    /// True when the query has neither text nor any constraint.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.filter.is_empty()
            && self.attributes.is_empty()
            && !self.cheap
            && !self.pricier
    }
}

/// One product shown to the shopper, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub id: Uuid,
    /// Its price when shown, in minor units.
    pub price_minor: i64,
}

/// What a conversation remembers for its next message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The search behind the products shown last.
    pub query: Query,
    /// The products shown last, best first.
    pub shown: Vec<Shown>,
    /// The product "it" refers to: the last one added, else the first shown.
    pub focus: Option<Uuid>,
}

/// Put `quantity` of `product` in the shopper's cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartAction {
    pub product: Uuid,
    pub quantity: u32,
}

/// What the caller should do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Run this fresh search and show its results. Category and attribute
    /// words were read as filters; see [`Query::is_loose`].
    Search(Query),
    /// Run this narrowed search (a refinement of the last one) as it is.
    Refine(Query),
    /// Carry out these cart actions.
    AddToCart(Vec<CartAction>),
    /// A cart request that refers to products, but none were shown yet.
    NothingShown,
    /// A cart request for positions beyond the `shown` products.
    NoSuchPosition { shown: usize },
}

/// Decides what `message` asks for. With a `context` that showed products,
/// cart requests ("add the second one") and refinements ("cheaper ones",
/// "only red") apply to them; anything else is a new search.
pub fn plan(message: &str, vocab: &Vocabulary, context: Option<&Context>) -> Plan {
    match parse_follow_up(message, vocab) {
        FollowUp::AddToCart(intent) => match context.filter(|c| !c.shown.is_empty()) {
            Some(context) => resolve(&intent, context),
            None => Plan::NothingShown,
        },
        FollowUp::Refine(refinements) => match context {
            Some(context) => Plan::Refine(refine(context, &refinements)),
            None => Plan::Search(Query::from_message(message, parse(message, vocab), vocab)),
        },
        FollowUp::NewQuery(constraints) => {
            Plan::Search(Query::from_message(message, constraints, vocab))
        }
    }
}

fn resolve(intent: &CartIntent, context: &Context) -> Plan {
    let shown = &context.shown;
    let n = shown.len();
    let positions: Vec<usize> = match &intent.pick {
        Pick::Nth(i) => vec![*i],
        Pick::Several(list) => list.clone(),
        Pick::FirstN(k) => (1..=*k).collect(),
        Pick::LastN(k) => (n.saturating_sub(*k) + 1..=n).collect(),
        Pick::Last => vec![n],
        Pick::All => (1..=n).collect(),
        Pick::Current => {
            let focus = context.focus.or_else(|| shown.first().map(|s| s.id));
            let actions = focus
                .map(|product| CartAction {
                    product,
                    quantity: intent.quantity,
                })
                .into_iter()
                .collect();
            return Plan::AddToCart(actions);
        }
    };
    if positions.is_empty() || positions.iter().any(|&p| p == 0 || p > n) {
        return Plan::NoSuchPosition { shown: n };
    }
    let mut actions: Vec<CartAction> = Vec::new();
    for p in positions {
        let product = shown[p - 1].id;
        if !actions.iter().any(|a| a.product == product) {
            actions.push(CartAction {
                product,
                quantity: intent.quantity,
            });
        }
    }
    Plan::AddToCart(actions)
}

/// The previous search narrowed or re-ranked by `refinements`.
fn refine(context: &Context, refinements: &[Refinement]) -> Query {
    let mut query = context.query.clone();
    query.loose_text.clear();
    let cheapest = context.shown.iter().map(|s| s.price_minor).min();
    let dearest = context.shown.iter().map(|s| s.price_minor).max();
    for refinement in refinements {
        if let Refinement::Attribute { name, .. } = refinement {
            query.attributes.retain(|(n, _)| n != name);
        }
    }
    for refinement in refinements {
        match refinement {
            Refinement::Cheaper => {
                if let Some(cheapest) = cheapest {
                    let below = cheapest.saturating_sub(1);
                    query.filter.max_price =
                        Some(query.filter.max_price.map_or(below, |m| m.min(below)));
                }
                query.cheap = true;
                query.pricier = false;
            }
            Refinement::Pricier => {
                if let Some(dearest) = dearest {
                    let above = dearest.saturating_add(1);
                    query.filter.min_price =
                        Some(query.filter.min_price.map_or(above, |m| m.max(above)));
                }
                query.pricier = true;
                query.cheap = false;
            }
            Refinement::InStock => query.filter.in_stock = true,
            Refinement::Category(slug) => query.filter.category = Some(slug.clone()),
            Refinement::Attribute { name, value } => {
                query.attributes.push((name.clone(), value.clone()));
            }
            Refinement::Price { min, max, currency } => {
                if min.is_some() {
                    query.filter.min_price = *min;
                }
                if max.is_some() {
                    query.filter.max_price = *max;
                }
                if currency.is_some() {
                    query.filter.currency = currency.clone();
                }
            }
        }
    }
    query
}
