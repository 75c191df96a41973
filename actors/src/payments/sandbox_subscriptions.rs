//! The sandbox's subscriptions: like its payments, it keeps nothing. A
//! subscription's reference carries its tier and when it started, and it
//! renews every [`PERIOD`] (always paid, as with a test card that never
//! fails) until souk, which records the cancellation, lets it end.

use souk_models::{MembershipStatus, Tier, Timestamp, UserId};
use time::{Duration, OffsetDateTime};

use super::{PaymentError, Subscription};

/// How long a period lasts.
pub const PERIOD: Duration = Duration::days(30);

/// A subscription started now for `user`, or nothing if `declined`.
pub(super) fn start(user: UserId, tier: Tier, declined: Option<String>) -> Subscription {
    // Whole seconds, as the reference keeps it.
    let now = OffsetDateTime::now_utc();
    let now = OffsetDateTime::from_unix_timestamp(now.unix_timestamp()).unwrap_or(now);
    let tier_name = match tier {
        Tier::Standard => "standard",
        Tier::Plus => "plus",
        Tier::Premium => "premium",
    };
    Subscription {
        provider_ref: format!(
            "sub_sandbox_{tier_name}_{}_{}",
            now.unix_timestamp(),
            user.as_uuid().simple()
        ),
        status: if declined.is_some() {
            MembershipStatus::Incomplete
        } else {
            MembershipStatus::Active
        },
        current_period_end: now + PERIOD,
        cancel_at_period_end: false,
        declined,
        user: Some(user),
    }
}

/// Where the subscription `provider_ref` stands now: in the period `now`
/// falls in. `ending` asks it to end with that period.
pub(super) fn standing(provider_ref: &str, ending: bool) -> Result<Subscription, PaymentError> {
    let (started, user) = started(provider_ref)?;
    let now = OffsetDateTime::now_utc();
    let periods = ((now - started).whole_seconds() / PERIOD.whole_seconds()).max(0) + 1;
    Ok(Subscription {
        provider_ref: provider_ref.to_owned(),
        status: MembershipStatus::Active,
        current_period_end: started + PERIOD * periods as i32,
        cancel_at_period_end: ending,
        declined: None,
        user: Some(user),
    })
}

/// When `provider_ref` (`sub_sandbox_<tier>_<unix start>_<user>`) started,
/// and for whom.
fn started(provider_ref: &str) -> Result<(Timestamp, UserId), PaymentError> {
    let unknown = || PaymentError::UnknownPayment(provider_ref.to_owned());
    let rest = provider_ref
        .strip_prefix("sub_sandbox_")
        .ok_or_else(unknown)?;
    let parts: Vec<&str> = rest.split('_').collect();
    let [_tier, start, user] = parts.as_slice() else {
        return Err(unknown());
    };
    let user = uuid::Uuid::parse_str(user).map_err(|_| unknown())?;
    let start = start.parse::<i64>().map_err(|_| unknown())?;
    let at = OffsetDateTime::from_unix_timestamp(start).map_err(|_| unknown())?;
    Ok((at, UserId(user)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_renews_each_period_and_its_reference_is_checked() {
        let started = start(UserId::new(), Tier::Plus, None);
        assert_eq!(started.status, MembershipStatus::Active);
        let now = standing(&started.provider_ref, false).expect("a sandbox reference");
        assert_eq!(now.current_period_end, started.current_period_end);
        let ending = standing(&started.provider_ref, true).expect("a sandbox reference");
        assert!(ending.cancel_at_period_end);
        assert!(standing("sub_other_1", false).is_err());
        let declined = start(UserId::new(), Tier::Plus, Some("card_declined".into()));
        assert_eq!(declined.status, MembershipStatus::Incomplete);
    }
}
