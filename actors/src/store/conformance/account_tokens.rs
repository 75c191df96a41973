//! Cases for single-use account tokens.

use std::sync::Arc;

use souk_models::UserId;
use time::{Duration, OffsetDateTime};

use crate::store::{AccountToken, MailAbout, OutboxMail, Store, TokenPurpose};

use super::fixtures::ok;

fn token(hash: &str, purpose: TokenPurpose, ttl: Duration) -> AccountToken {
    AccountToken {
        hash: hash.into(),
        user_id: UserId::new(),
        purpose,
        expires_at: OffsetDateTime::now_utc() + ttl,
    }
}

pub async fn account_tokens_are_taken_once_for_their_purpose(store: Arc<dyn Store>) {
    let now = OffsetDateTime::now_utc();
    let reset = token("aa01", TokenPurpose::ResetPassword, Duration::minutes(30));
    let about = MailAbout::LowStock {
        product_id: souk_models::ProductId::new(),
        title: "Lamp".into(),
        available: 1,
        threshold: 5,
    };
    let letter = OutboxMail::new(reset.user_id, about, now, now);
    ok(store
        .put_account_token(&reset, std::slice::from_ref(&letter))
        .await);
    assert_eq!(ok(store.get_mail(letter.id).await), Some(letter));
    // The wrong purpose, or an unknown hash, takes nothing.
    let verify = TokenPurpose::VerifyEmail;
    assert_eq!(
        ok(store.take_account_token("aa01", verify, now).await),
        None
    );
    let purpose = TokenPurpose::ResetPassword;
    assert_eq!(
        ok(store.take_account_token("ffff", purpose, now).await),
        None
    );
    assert_eq!(
        ok(store.take_account_token("aa01", purpose, now).await),
        Some(reset.user_id)
    );
    assert_eq!(
        ok(store.take_account_token("aa01", purpose, now).await),
        None
    );

    let expired = token("aa02", TokenPurpose::VerifyEmail, Duration::minutes(-1));
    let live = token("aa03", TokenPurpose::VerifyEmail, Duration::hours(1));
    ok(store.put_account_token(&expired, &[]).await);
    ok(store.put_account_token(&live, &[]).await);
    assert_eq!(
        ok(store.take_account_token("aa02", verify, now).await),
        None
    );
    assert_eq!(ok(store.purge_account_tokens(now).await), 1);
    assert_eq!(
        ok(store.take_account_token("aa03", verify, now).await),
        Some(live.user_id)
    );
}

pub async fn racing_takers_of_a_token_have_one_winner(store: Arc<dyn Store>) {
    let reset = token("bb01", TokenPurpose::ResetPassword, Duration::minutes(30));
    ok(store.put_account_token(&reset, &[]).await);
    let now = OffsetDateTime::now_utc();
    let takers = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .take_account_token("bb01", TokenPurpose::ResetPassword, now)
                .await
        })
    });
    let mut won = 0;
    for taker in futures::future::join_all(takers).await {
        won += usize::from(ok(ok(taker)).is_some());
    }
    assert_eq!(won, 1, "exactly one taker gets the token");
}
