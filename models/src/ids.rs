//! Typed identifiers. UUIDv7, so ids sort by creation time.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::ParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| crate::ParseError::new(format!("`{s}` is not a valid id")))
            }
        }
    };
}

id_type!(/// A registered account.
    UserId);
id_type!(/// A listing in the catalog.
    ProductId);
id_type!(/// A saved shipping address.
    AddressId);
id_type!(/// An order placed at checkout.
    OrderId);
id_type!(/// A buyer's return of some of an order's units.
    ReturnId);
id_type!(/// A payment attempt for an order.
    PaymentId);
id_type!(/// A notification sent to a user.
    NotificationId);
id_type!(/// A product review.
    ReviewId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_reject_garbage() {
        let id = ProductId::new();
        assert_eq!(id.to_string().parse::<ProductId>(), Ok(id));
        assert!("not-a-uuid".parse::<ProductId>().is_err());
    }

    #[test]
    fn ids_sort_by_creation() {
        let a = OrderId::new();
        let b = OrderId::new();
        assert!(a < b);
    }
}
