//! Memberships: a shopper buys the `plus` or `premium` tier, a subscription
//! with the payment provider, and their checkouts go in that tier's lane
//! while it is in force. A period that ended is checked with the provider
//! when the membership is next read (renewed, or ended).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use souk_actors::payments::{PaymentError, Subscription};
use souk_models::{Membership, MembershipStatus, Tier, User};
use time::{Duration, OffsetDateTime};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(buy))
        .routes(routes!(mine))
        .routes(routes!(cancel))
}

/// A tier a shopper can buy.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaidTier {
    Plus,
    Premium,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuyMembership {
    tier: PaidTier,
    /// Pays the first period: a test card token with the sandbox, a
    /// payment method (`pm_…`) with Stripe.
    #[schema(min_length = 1, max_length = 255, pattern = "^[!-~]+$")]
    payment_method: String,
}

/// The caller's tier now and their latest membership.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    /// The tier checkouts use now: the membership's while in force, or the
    /// one an admin set, whichever is higher.
    pub tier: Tier,
    pub membership: Option<Membership>,
}

/// Buys a tier: the first period is paid at once, then it renews each
/// period until cancelled.
#[utoipa::path(post, path = "/memberships", tag = "memberships", security(("bearer" = [])),
    request_body = BuyMembership,
    responses((status = 201, body = MembershipView),
        (status = 402, body = Problem, description = "`payment_declined`: the card was declined; nothing was bought"),
        (status = 403, body = Problem, description = "`email_unverified`: the account has not verified its email (see `auth.unverified_checkout`)"),
        (status = 409, body = Problem, description = "`membership_exists`: a membership is running; cancel it first"),
        (status = 422, body = Problem, description = "`invalid_card_token`: not a card the provider accepts; `invalid_field`: a payment_method not 1-255 visible ASCII characters"),
        (status = 501, body = Problem, description = "`not_implemented`: Stripe without `payments.stripe.plans` sells no memberships"),
        (status = 503, body = Problem, description = "`unavailable`: the payment provider did not answer; nothing was bought")))]
async fn buy(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<BuyMembership>,
) -> Result<(StatusCode, Json<MembershipView>), ApiError> {
    user.require_verified(&state.config.auth)?;
    if !state.payments.sells_memberships() {
        let detail =
            "this payment provider sells no memberships: with Stripe, set payments.stripe.plans";
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_implemented",
            detail,
        ));
    }
    let method = &req.payment_method;
    if !(1..=255).contains(&method.len()) || !method.chars().all(|c| c.is_ascii_graphic()) {
        let detail = "payment_method must be 1 to 255 visible ASCII characters";
        let refused = ApiError::unprocessable("invalid_field", detail);
        return Err(refused.with_field("payment_method"));
    }
    let shopper = current(&state, user.0.clone()).await?;
    if shopper.membership.as_ref().is_some_and(Membership::is_open) {
        let detail = "a membership is running; cancel it and buy again when it ends";
        return Err(ApiError::conflict("membership_exists", detail));
    }
    let tier = match req.tier {
        PaidTier::Plus => Tier::Plus,
        PaidTier::Premium => Tier::Premium,
    };
    let started = state
        .payments
        .subscribe(shopper.id, tier, &req.payment_method)
        .await
        .map_err(refused)?;
    if let Some(reason) = started.declined {
        let detail = format!("the card was declined ({reason}); nothing was bought");
        return Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            "payment_declined",
            detail,
        ));
    }
    let membership = Membership {
        tier,
        status: started.status,
        provider_ref: started.provider_ref,
        current_period_end: started.current_period_end,
        cancel_at_period_end: started.cancel_at_period_end,
        grace_until: None,
        started_at: OffsetDateTime::now_utc(),
    };
    let saved = save(&state, shopper, membership).await?;
    metrics::counter!("souk_memberships_total", "step" => "bought").increment(1);
    Ok((StatusCode::CREATED, Json(view(saved))))
}

/// The caller's tier and membership.
#[utoipa::path(get, path = "/memberships/me", tag = "memberships", security(("bearer" = [])),
    responses((status = 200, body = MembershipView), (status = 401, body = Problem)))]
async fn mine(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<MembershipView>, ApiError> {
    Ok(Json(view(current(&state, user.0.clone()).await?)))
}

/// Cancels the caller's membership at the end of its period: the tier holds
/// until then. Cancelling again changes nothing.
#[utoipa::path(post, path = "/memberships/me/cancel", tag = "memberships", security(("bearer" = [])),
    responses((status = 200, body = MembershipView),
        (status = 404, body = Problem, description = "`not_found`: no running membership"),
        (status = 503, body = Problem, description = "`unavailable`: the payment provider did not answer; nothing changed")))]
async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<MembershipView>, ApiError> {
    let shopper = current(&state, user.0.clone()).await?;
    let Some(mut membership) = shopper.membership.clone().filter(Membership::is_open) else {
        return Err(ApiError::not_found("membership"));
    };
    if membership.cancel_at_period_end {
        return Ok(Json(view(shopper)));
    }
    let ending = state
        .payments
        .end_subscription(&membership.provider_ref)
        .await
        .map_err(refused)?;
    membership.cancel_at_period_end = true;
    membership.current_period_end = ending.current_period_end;
    let saved = save(&state, shopper, membership).await?;
    metrics::counter!("souk_memberships_total", "step" => "cancelled").increment(1);
    Ok(Json(view(saved)))
}

/// `user` with their membership brought up to date: a period that ended
/// renews (as the provider says) or ends. If the provider cannot be asked
/// now, the membership stays as it was (its tier lapses with its period).
pub(crate) async fn current(state: &AppState, user: User) -> Result<User, ApiError> {
    let now = OffsetDateTime::now_utc();
    let Some(membership) = &user.membership else {
        return Ok(user);
    };
    let running = matches!(
        membership.status,
        MembershipStatus::Active | MembershipStatus::PastDue
    );
    if !running || now < membership.current_period_end {
        return Ok(user);
    }
    let mut membership = membership.clone();
    if membership.cancel_at_period_end {
        membership.status = MembershipStatus::Ended;
    } else {
        match state.payments.subscription(&membership.provider_ref).await {
            Ok(standing) => {
                let grace = Duration::days(i64::from(state.config.membership_grace_days));
                renewed(&mut membership, standing, now + grace);
            }
            Err(e) => {
                tracing::warn!(user = %user.id, error = %e, "a membership's renewal could not be checked");
                return Ok(user);
            }
        }
    }
    save(state, user, membership).await
}

/// A subscription changed at the provider (its webhook): the membership
/// it belongs to takes where it stands now. Which outcome it came to.
pub(crate) async fn from_provider(
    state: &AppState,
    provider_ref: &str,
) -> Result<&'static str, ApiError> {
    let standing = match state.payments.subscription(provider_ref).await {
        Ok(standing) => standing,
        Err(PaymentError::UnknownPayment(_)) => return Ok("unmatched"),
        Err(e) => return Err(refused(e)),
    };
    let found = match standing.user {
        Some(user) => state.store.get_user(user).await?,
        None => None,
    };
    let Some(user) = found else {
        return Ok("unmatched");
    };
    let Some(mut membership) = user
        .membership
        .clone()
        .filter(|m| m.provider_ref == standing.provider_ref)
    else {
        return Ok("unmatched");
    };
    let now = OffsetDateTime::now_utc();
    let grace = Duration::days(i64::from(state.config.membership_grace_days));
    renewed(&mut membership, standing, now + grace);
    save(state, user, membership).await?;
    Ok("applied")
}

/// Takes what the provider says of the subscription; a renewal that failed
/// first now holds the tier until `grace_until`.
fn renewed(membership: &mut Membership, standing: Subscription, grace_until: time::OffsetDateTime) {
    membership.status = standing.status;
    membership.current_period_end = standing.current_period_end;
    membership.cancel_at_period_end = standing.cancel_at_period_end;
    membership.grace_until = match standing.status {
        MembershipStatus::PastDue => membership.grace_until.or(Some(grace_until)),
        _ => None,
    };
    let step = match standing.status {
        MembershipStatus::Active => "renewed",
        MembershipStatus::PastDue => "past_due",
        MembershipStatus::Incomplete | MembershipStatus::Ended => "ended",
    };
    metrics::counter!("souk_memberships_total", "step" => step).increment(1);
}

/// Stores `membership` on the user (read afresh, so nothing else they
/// changed meanwhile is lost).
async fn save(state: &AppState, user: User, membership: Membership) -> Result<User, ApiError> {
    let mut fresh = state.store.get_user(user.id).await?.unwrap_or(user);
    fresh.membership = Some(membership);
    fresh.updated_at = OffsetDateTime::now_utc();
    state.store.update_user(&fresh).await?;
    Ok(fresh)
}

fn view(user: User) -> MembershipView {
    MembershipView {
        tier: user.tier_at(OffsetDateTime::now_utc()),
        membership: user.membership,
    }
}

fn refused(e: PaymentError) -> ApiError {
    match e {
        PaymentError::InvalidToken(_) => {
            let detail = e.to_string();
            ApiError::unprocessable("invalid_card_token", detail).with_field("payment_method")
        }
        PaymentError::Unavailable(_) => ApiError::unavailable(e),
        PaymentError::UnknownPayment(_) | PaymentError::Refused(_) => ApiError::internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(status: MembershipStatus, end: OffsetDateTime) -> Subscription {
        Subscription {
            provider_ref: "sub_1".into(),
            status,
            current_period_end: end,
            cancel_at_period_end: false,
            declined: None,
            user: None,
        }
    }

    #[test]
    fn a_failed_renewal_starts_one_grace_period_and_a_paid_one_ends_it() {
        let now = OffsetDateTime::now_utc();
        let mut membership = Membership {
            tier: Tier::Premium,
            status: MembershipStatus::Active,
            provider_ref: "sub_1".into(),
            current_period_end: now,
            cancel_at_period_end: false,
            grace_until: None,
            started_at: now - Duration::days(30),
        };
        let grace = now + Duration::days(3);
        renewed(
            &mut membership,
            standing(MembershipStatus::PastDue, now),
            grace,
        );
        assert_eq!(membership.grace_until, Some(grace));
        assert_eq!(membership.tier_at(now), Tier::Premium, "in grace");
        let later = grace + Duration::days(1);
        renewed(
            &mut membership,
            standing(MembershipStatus::PastDue, now),
            later,
        );
        assert_eq!(
            membership.grace_until,
            Some(grace),
            "the grace does not restart"
        );
        assert_eq!(membership.tier_at(later), Tier::Standard, "past its grace");
        let next = now + Duration::days(30);
        renewed(
            &mut membership,
            standing(MembershipStatus::Active, next),
            later,
        );
        assert_eq!(membership.grace_until, None);
        assert_eq!(membership.tier_at(now), Tier::Premium, "paid again");
    }
}
