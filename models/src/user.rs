//! Accounts: who someone is, what they may do, and their membership tier.

use serde::{Deserialize, Serialize};

use crate::{BoundedText, Email, ParseError, Timestamp, UserId};

/// What an account may do. Admins cannot self-register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Seller,
    Admin,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Seller => "seller",
            Role::Admin => "admin",
        }
    }
}

/// Membership tier; checkout lanes are chosen from it.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    #[default]
    Standard,
    Plus,
    Premium,
}

/// How a user is shown to others: 1 to 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl utoipa::PartialSchema for DisplayName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut text = crate::schema::text(1, 80);
        text.examples = vec![serde_json::json!("Ada Lovelace")];
        text.into()
    }
}

impl utoipa::ToSchema for DisplayName {}

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        BoundedText::parse("name", raw, 1, 80).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// A password as typed, checked against the policy. Never stored, logged or
/// serialised: only its hash is kept.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(String);

impl utoipa::PartialSchema for Password {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut text = crate::schema::has_text(Self::MIN, Self::MAX);
        text.format = Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
            utoipa::openapi::schema::KnownFormat::Password,
        ));
        text.description = Some("8 to 128 characters, not only spaces".to_owned());
        text.into()
    }
}

impl utoipa::ToSchema for Password {}

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let len = raw.chars().count();
        if len < Self::MIN {
            return Err(ParseError::new(format!(
                "password must be at least {} characters",
                Self::MIN
            )));
        }
        if len > Self::MAX {
            return Err(ParseError::new(format!(
                "password must be at most {} characters",
                Self::MAX
            )));
        }
        if raw.trim().is_empty() {
            return Err(ParseError::new("password must not be only spaces"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Password {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Who is making a request: enough to decide ownership and role checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
}

impl Caller {
    /// Admins may act on anything; everyone else only on what `owner` owns.
    pub fn may_manage(&self, owner: UserId) -> bool {
        self.role == Role::Admin || self.user_id == owner
    }
}

/// A stored account. `password_hash` is a PHC string (argon2id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
    pub tier: Tier,
    pub password_hash: String,
    pub disabled: bool,
    /// Whether the account proved it reads its email. Accounts from before
    /// verification existed count as verified.
    #[serde(default = "verified")]
    pub email_verified: bool,
    /// Logins revoked by a password reset or change, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logins: Option<crate::Logins>,
    /// A seller's shipping rates; none ships free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<crate::ShippingRates>,
    /// The shopper's latest membership, if they ever bought one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership: Option<crate::Membership>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

fn verified() -> bool {
    true
}

impl User {
    /// A new, enabled account of `role` in the standard tier, its email
    /// counted as verified (registration clears that when it verifies).
    pub fn new(
        email: Email,
        display_name: DisplayName,
        role: Role,
        password_hash: String,
        now: Timestamp,
    ) -> Self {
        Self {
            id: UserId::new(),
            email,
            display_name,
            role,
            tier: Tier::Standard,
            password_hash,
            disabled: false,
            email_verified: true,
            logins: None,
            shipping: None,
            membership: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The tier the user checks out in at `now`: the one an admin set, or
    /// their membership's while it is in force, whichever is higher.
    pub fn tier_at(&self, now: Timestamp) -> Tier {
        let member = self.membership.as_ref().map(|m| m.tier_at(now));
        self.tier.max(member.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("        ").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("correct horse").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("secret-pass")),
            "Ok(Password(***))"
        );
    }

    #[test]
    fn roles_and_tiers_reject_unknown_values() {
        assert!(serde_json::from_str::<Role>("\"superuser\"").is_err());
        assert_eq!(
            serde_json::from_str::<Role>("\"seller\"").ok(),
            Some(Role::Seller)
        );
        assert!(serde_json::from_str::<Tier>("\"gold\"").is_err());
    }

    #[test]
    fn display_name_bounds() {
        assert!(DisplayName::parse("").is_err());
        assert!(DisplayName::parse(&"n".repeat(81)).is_err());
        assert_eq!(DisplayName::parse(" Ada ").map(|n| n.0), Ok("Ada".into()));
    }
}
