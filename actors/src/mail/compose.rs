//! Writing a due outbox message as a letter: what it is about is read back
//! from the store (the order's entry, the account's address), so a message
//! whose cause is gone or no longer applies is dropped instead.

use serde_json::{Value, json};
use souk_models::{Order, OrderStatus, TimelineEntry, TimelineKind, Timestamp, User};
use time::format_description::well_known::Rfc3339;

use super::letters::template_of;
use super::{Letter, Template};
use crate::store::{MailAbout, OutboxMail, Store, StoreError};

/// A letter to send, or why the message is not sent.
pub(super) enum Composed {
    Letter(Letter),
    Drop(String),
}

/// What every letter shows besides its own data.
pub(super) struct Site<'a> {
    pub name: &'a str,
    /// The storefront's address, for links; none when not configured.
    pub url: Option<&'a str>,
}

pub(super) async fn compose(
    store: &dyn Store,
    mail: &OutboxMail,
    site: &Site<'_>,
    now: Timestamp,
) -> Result<Composed, StoreError> {
    let Some(user) = store.get_user(mail.to).await? else {
        return Ok(Composed::Drop("the account no longer exists".into()));
    };
    let (template, data) = match &mail.about {
        MailAbout::Order { order_id, seq, at } => {
            let Some(order) = store.get_order(*order_id).await? else {
                return Ok(Composed::Drop("the order is not stored".into()));
            };
            let entry = seq
                .checked_sub(1)
                .and_then(|i| order.timeline.get(usize::try_from(i).ok()?));
            let Some(entry) = entry.filter(|e| e.at == *at) else {
                return Ok(Composed::Drop("the order's entry is not stored".into()));
            };
            let Some(template) = template_of(&entry.kind) else {
                return Ok(Composed::Drop("the entry sends no mail".into()));
            };
            (template, order_data(&order, entry, site))
        }
        MailAbout::ExpiryWarning { order_id } => {
            let Some(order) = store.get_order(*order_id).await? else {
                return Ok(Composed::Drop("the order is not stored".into()));
            };
            if order.status() != OrderStatus::PendingPayment || order.payment_deadline <= now {
                return Ok(Composed::Drop("the order no longer awaits payment".into()));
            }
            let mut data = order_summary(&order, site);
            data["deadline"] = json!(time_text(order.payment_deadline));
            (Template::ExpiryWarning, data)
        }
        MailAbout::VerifyEmail { .. } if user.email_verified => {
            return Ok(Composed::Drop("the email is verified already".into()));
        }
        MailAbout::VerifyEmail { expires_at, .. } | MailAbout::PasswordReset { expires_at, .. }
            if *expires_at <= now =>
        {
            return Ok(Composed::Drop(
                "its link expired before it could be sent".into(),
            ));
        }
        MailAbout::VerifyEmail { token, expires_at } => {
            let data = secret_link(site, "verify-email", token, *expires_at, now);
            (Template::VerifyEmail, data)
        }
        MailAbout::PasswordReset { token, expires_at } => {
            let data = secret_link(site, "reset-password", token, *expires_at, now);
            (Template::PasswordReset, data)
        }
        MailAbout::LowStock {
            product_id,
            title,
            available,
            threshold,
        } => {
            let data = json!({
                "product_id": product_id,
                "title": title,
                "available": available,
                "threshold": threshold,
                "product_url": site.url.map(|u| format!("{u}/products/{product_id}")),
            });
            (Template::LowStock, data)
        }
    };
    Ok(Composed::Letter(letter(mail, &user, template, data, site)))
}

fn letter(
    mail: &OutboxMail,
    user: &User,
    template: Template,
    mut data: Value,
    site: &Site,
) -> Letter {
    data["name"] = json!(user.display_name.as_str());
    data["site"] = json!(site.name);
    data["site_url"] = json!(site.url);
    Letter {
        message_id: format!("<{}@souk>", mail.id),
        to: user.email.clone(),
        to_name: user.display_name.as_str().to_owned(),
        template,
        data,
    }
}

/// An order's id, lines and total, and a link to it.
fn order_summary(order: &Order, site: &Site) -> Value {
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|l| {
            json!({
                "title": l.title.as_str(),
                "quantity": l.quantity.get(),
                "unit_price": l.unit_price.to_string(),
            })
        })
        .collect();
    let id = order.id.0.to_string();
    json!({
        "order_id": id,
        "order_ref": id[..8].to_uppercase(),
        "lines": lines,
        "total": order.total.to_string(),
        "order_url": site.url.map(|u| format!("{u}/orders/{id}")),
    })
}

/// The summary with what `entry` adds: the shipment, the refund.
fn order_data(order: &Order, entry: &TimelineEntry, site: &Site) -> Value {
    let mut data = order_summary(order, site);
    match &entry.kind {
        TimelineKind::Shipped(s) => {
            data["carrier"] = json!(s.carrier);
            data["tracking_number"] = json!(s.tracking_number);
            data["estimated_delivery"] = json!(s.estimated_delivery.to_string());
        }
        TimelineKind::Refunded { .. } => {
            data["refund"] = json!(order.total.to_string());
        }
        TimelineKind::SoldOut { .. } => {
            data["refund"] = json!(order.total.to_string());
            data["reason"] = json!("the items sold out before your payment arrived");
        }
        TimelineKind::PartRefunded { amount, reason, .. } => {
            data["refund"] = json!(amount.to_string());
            data["reason"] = json!(reason);
        }
        TimelineKind::RefundedAtProvider { amount, .. } => {
            data["refund"] = json!(amount.to_string());
        }
        TimelineKind::ReturnApproved { refund, .. } => {
            data["refund"] = json!(refund.to_string());
            data["reason"] = json!("your return was approved");
        }
        _ => {}
    }
    data
}

/// A token's data: the token, the storefront's page that takes it (when
/// the storefront's address is known), and how long it holds.
fn secret_link(
    site: &Site,
    page: &str,
    token: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Value {
    let minutes = (expires_at - now).whole_minutes().max(1);
    json!({
        "token": token,
        "link": site.url.map(|u| format!("{u}/{page}?token={token}")),
        "valid_for": if minutes >= 120 { format!("{} hours", minutes / 60) } else { format!("{minutes} minutes") },
    })
}

fn time_text(at: Timestamp) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}
