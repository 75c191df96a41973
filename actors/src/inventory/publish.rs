//! What stock changes tell the live topics: the product's seller hears every
//! new level and a low-stock alert (live, and by mail) when it drops under
//! the threshold; the admin feed hears stock-outs.

use serde::Serialize;
use serde_json::json;
use souk_models::{ProductId, StockLevel};

use time::OffsetDateTime;

use crate::catalog::Catalog;
use crate::events::{EventBus, Topic};
use crate::store::{MailAbout, OutboxMail};

/// Publishes the levels of `after` given what they were `before`;
/// `threshold` is the marketplace default for products without their own.
/// Answers the low-stock letters to mail the sellers.
pub(crate) fn levels(
    events: &EventBus,
    catalog: &Catalog,
    threshold: u64,
    before: &[(ProductId, StockLevel)],
    after: &[(ProductId, StockLevel)],
) -> Vec<OutboxMail> {
    let mut letters = Vec::new();
    for ((product, old), (_, new)) in before.iter().zip(after) {
        if old == new {
            continue;
        }
        let Some(entry) = catalog.get_any(*product) else {
            continue;
        };
        let seller = Topic::Seller(entry.product.seller_id);
        let (was, now) = (old.available(), new.available());
        let level = Level {
            product_id: *product,
            available: now,
            reserved: new.reserved,
            sold: new.sold,
        };
        events.publish(seller, "stock", level);
        let threshold = entry
            .product
            .low_stock_threshold
            .map_or(threshold, |t| u64::from(t.get()));
        if was >= threshold && now < threshold {
            let data = json!({
                "product_id": product,
                "title": entry.product.title,
                "available": now,
                "threshold": threshold,
            });
            events.publish(seller, "low_stock", data);
            let about = MailAbout::LowStock {
                product_id: *product,
                title: entry.product.title.as_str().to_owned(),
                available: now,
                threshold,
            };
            let at = OffsetDateTime::now_utc();
            letters.push(OutboxMail::new(entry.product.seller_id, about, at, at));
        }
        if was > 0 && now == 0 {
            metrics::counter!("souk_stock_outs_total").increment(1);
            let data = json!({
                "product_id": product,
                "seller_id": entry.product.seller_id,
                "title": entry.product.title,
            });
            events.publish(Topic::AdminLive, "stock_out", data);
        }
    }
    letters
}

/// A product's new stock level, for its seller.
#[derive(Serialize)]
struct Level {
    product_id: ProductId,
    available: u64,
    reserved: u64,
    sold: u64,
}
