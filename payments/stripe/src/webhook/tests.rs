use hmac::{Hmac, Mac};
use secrecy::SecretString;
use sha2::Sha256;
use souk_actors::payments::{PaymentUpdate, WebhookError};
use souk_models::{Currency, Money, OrderId};

use super::{read, verify};

const NOW: i64 = 1_800_000_000;
const TOLERANCE: i64 = 300;

fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn secrets(all: &[&str]) -> Vec<SecretString> {
    all.iter().map(|s| SecretString::from(*s)).collect()
}

fn check(header: &str, body: &[u8], with: &[&str]) -> Result<(), WebhookError> {
    verify(header, body, &secrets(with), NOW, TOLERANCE)
}

#[test]
fn a_delivery_signed_with_any_configured_secret_passes() {
    let body = br#"{"id":"evt_1"}"#;
    let old = format!("t={NOW},v1={}", sign("whsec_old", NOW, body));
    assert_eq!(check(&old, body, &["whsec_old"]), Ok(()));
    assert_eq!(
        check(&old, body, &["whsec_new", "whsec_old"]),
        Ok(()),
        "while rotating"
    );
    // Stripe signs with every secret still valid: one matching v1 is enough.
    let both = format!(
        "t={NOW},v1={},v1={},v0=abcd",
        sign("whsec_other", NOW, body),
        sign("whsec_new", NOW, body)
    );
    assert_eq!(check(&both, body, &["whsec_new"]), Ok(()));
}

#[test]
fn forged_tampered_and_stale_deliveries_are_refused() {
    let body = br#"{"id":"evt_1"}"#;
    let forged = format!("t={NOW},v1={}", sign("whsec_guess", NOW, body));
    assert_eq!(
        check(&forged, body, &["whsec_real"]),
        Err(WebhookError::BadSignature)
    );
    let signed = format!("t={NOW},v1={}", sign("whsec_real", NOW, body));
    let tampered = br#"{"id":"evt_2"}"#;
    assert_eq!(
        check(&signed, tampered, &["whsec_real"]),
        Err(WebhookError::BadSignature)
    );
    // The timestamp is signed: changing it breaks the signature.
    let moved = signed.replace(&format!("t={NOW}"), &format!("t={}", NOW + 1));
    assert_eq!(
        check(&moved, body, &["whsec_real"]),
        Err(WebhookError::BadSignature)
    );
    for t in [NOW - TOLERANCE - 1, NOW + TOLERANCE + 1] {
        let old = format!("t={t},v1={}", sign("whsec_real", t, body));
        assert_eq!(
            check(&old, body, &["whsec_real"]),
            Err(WebhookError::Stale),
            "t={t}"
        );
    }
    let edge = NOW - TOLERANCE;
    let just = format!("t={edge},v1={}", sign("whsec_real", edge, body));
    assert_eq!(check(&just, body, &["whsec_real"]), Ok(()));
    for malformed in [
        "",
        "t=1",
        &format!("v1={}", sign("whsec_real", NOW, body)),
        "t=x,v1=zz",
        "garbage",
    ] {
        assert_eq!(
            check(malformed, body, &["whsec_real"]),
            Err(WebhookError::MalformedSignature),
            "{malformed:?}"
        );
    }
}

#[test]
fn events_say_what_they_change() {
    let order = OrderId::new();
    let succeeded = format!(
        r#"{{"id":"evt_1","type":"payment_intent.succeeded","created":1,"livemode":false,
            "data":{{"object":{{"id":"pi_1","object":"payment_intent","amount":2500,
            "amount_received":2500,"currency":"usd","status":"succeeded",
            "metadata":{{"order_id":"{order}"}},"new_field":[1,2]}}}}}}"#
    );
    let event = read(succeeded.as_bytes()).expect("it reads");
    assert_eq!(event.id, "evt_1");
    assert_eq!(
        event.update,
        Some(PaymentUpdate::Succeeded {
            provider_ref: "pi_1".into(),
            order: Some(order),
            amount: Money::new(2500, Currency::USD).expect("valid"),
        })
    );
    let failed = r#"{"id":"evt_2","type":"payment_intent.payment_failed","data":{"object":
        {"id":"pi_1","amount":2500,"currency":"usd","metadata":{},
        "last_payment_error":{"code":"card_declined","decline_code":"insufficient_funds"}}}}"#;
    let event = read(failed.as_bytes()).expect("it reads");
    assert!(
        matches!(&event.update, Some(PaymentUpdate::Failed { reason, order: None, .. }) if reason == "insufficient_funds"),
        "{event:?}"
    );
    let other = r#"{"id":"evt_3","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
    assert_eq!(
        read(other.as_bytes()).map(|e| e.update),
        Ok(None),
        "acknowledged, ignored"
    );
    assert!(matches!(read(b"{}"), Err(WebhookError::MalformedEvent(_))));
}
