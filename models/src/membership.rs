//! Memberships: a shopper's paid tier (`plus` or `premium`), a subscription
//! with the payment provider. The tier holds while the subscription is paid
//! up, through a grace period after a failed renewal, and ends with it.

use serde::{Deserialize, Serialize};

use crate::{Tier, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Subscribed; the first payment is not made yet (the buyer's card asks
    /// for them, or the provider is collecting it).
    Incomplete,
    /// Paid up to `current_period_end`.
    Active,
    /// A renewal failed: the tier holds until `grace_until`.
    PastDue,
    /// Over: cancelled, or unpaid past its grace.
    Ended,
}

/// A shopper's subscription to a tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Membership {
    pub tier: Tier,
    pub status: MembershipStatus,
    /// The provider's id of the subscription (`sub_…`).
    pub provider_ref: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub current_period_end: Timestamp,
    /// Cancelled: the tier holds to the period's end, then the membership
    /// ends.
    pub cancel_at_period_end: bool,
    /// After a failed renewal, the tier holds until this.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub grace_until: Option<Timestamp>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
}

impl Membership {
    /// The tier the membership gives at `now`: its own while in force,
    /// else `standard`.
    pub fn tier_at(&self, now: Timestamp) -> Tier {
        let in_force = match self.status {
            MembershipStatus::Active => now < self.current_period_end,
            MembershipStatus::PastDue => self.grace_until.is_some_and(|g| now < g),
            MembershipStatus::Incomplete | MembershipStatus::Ended => false,
        };
        if in_force { self.tier } else { Tier::Standard }
    }

    /// Whether it is still running (not ended), whatever it gives now.
    pub fn is_open(&self) -> bool {
        self.status != MembershipStatus::Ended
    }
}

#[cfg(test)]
mod tests {
    use time::{Duration, OffsetDateTime};

    use super::*;

    fn membership(status: MembershipStatus) -> Membership {
        let now = OffsetDateTime::now_utc();
        Membership {
            tier: Tier::Plus,
            status,
            provider_ref: "sub_1".into(),
            current_period_end: now + Duration::days(30),
            cancel_at_period_end: false,
            grace_until: None,
            started_at: now,
        }
    }

    #[test]
    fn the_tier_holds_while_paid_up_or_in_grace_and_not_after() {
        let now = OffsetDateTime::now_utc();
        let active = membership(MembershipStatus::Active);
        assert_eq!(active.tier_at(now), Tier::Plus);
        assert_eq!(active.tier_at(now + Duration::days(31)), Tier::Standard);
        let mut late = membership(MembershipStatus::PastDue);
        assert_eq!(late.tier_at(now), Tier::Standard, "no grace given");
        late.grace_until = Some(now + Duration::days(3));
        assert_eq!(late.tier_at(now), Tier::Plus);
        assert_eq!(late.tier_at(now + Duration::days(4)), Tier::Standard);
        for over in [MembershipStatus::Incomplete, MembershipStatus::Ended] {
            assert_eq!(membership(over).tier_at(now), Tier::Standard);
        }
    }
}
