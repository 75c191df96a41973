//! souk's domain: types that can only hold valid values, and the rules between them.
//!
//! No I/O and no async runtime live here. Every newtype is built through `parse` or
//! `TryFrom`, so a value that exists is valid; serde goes through the same parsers.

mod address;
mod cart;
mod catalog;
mod checkout;
mod email;
mod error;
mod ids;
mod logins;
mod membership;
mod money;
mod notification;
mod number;
pub mod order;
mod payment;
mod pricing;
mod quantity;
mod review;
pub mod schema;
mod text;
mod user;

pub use address::{Address, AddressInput};
pub use cart::{Cart, CartLine};
pub use catalog::{
    Attributes, Category, CategorySlug, Description, ImageUrl, Product, ProductStatus, Rating,
    Title,
};
pub use checkout::{Ticket, TicketStatus};
pub use email::Email;
pub use error::ParseError;
pub use ids::{
    AddressId, NotificationId, OrderId, PaymentId, ProductId, ReturnId, ReviewId, UserId,
};
pub use logins::Logins;
pub use membership::{Membership, MembershipStatus};
pub use money::{Currency, Money};
pub use notification::{Notification, NotificationKind};
pub use number::WholeNumber;
pub use order::{
    Order, OrderEvent, OrderLine, OrderStatus, Return, ReturnLine, ReturnStatus, Shipment,
    TimelineEntry, TimelineKind, Transition, TransitionError,
};
pub use payment::{Payment, PaymentStatus};
pub use pricing::{Charges, ShippingRates, TaxMode, TaxRate, TaxTable};
pub use quantity::{Quantity, StockCount, StockLevel};
pub use review::{Review, Stars};
pub use text::{BoundedText, tokenize};
pub use user::{Caller, DisplayName, Password, Role, Tier, User};

/// Timestamps are UTC instants, serialised as RFC 3339.
pub type Timestamp = time::OffsetDateTime;
