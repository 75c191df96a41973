//! Checks after the contended sale: units on the buyers' orders against the units for
//! sale, and the product's remaining stock against both.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use hyper::StatusCode;
use serde::Deserialize;

use super::checkout_client::Api;

/// Order statuses whose units are taken from stock.
const HOLDING: [&str; 5] = [
    "pending_payment",
    "paid",
    "fulfilling",
    "shipped",
    "delivered",
];
/// How long to wait for the product's stock to settle after the sale.
const SETTLE_TRIES: u32 = 10;

/// What was found after the sale.
pub struct Found {
    /// Buyers' orders that include the product, by status.
    pub orders_by_status: BTreeMap<String, u64>,
    /// Units of the product on orders that hold stock.
    pub units_ordered: u64,
    /// The product's `stock.available`.
    pub final_available: u64,
}

/// Reads every buyer's orders, then the product's stock, waiting a moment for it to
/// settle if it does not add up yet.
pub async fn verify(
    authority: &Arc<str>,
    tokens: &Arc<Vec<String>>,
    product: &str,
    stock: u64,
    concurrency: usize,
) -> anyhow::Result<Found> {
    let (orders_by_status, units_ordered) =
        count_orders(authority, tokens, product, concurrency).await?;
    let mut api = Api::new(authority.clone());
    let mut final_available = available(&mut api, product).await?;
    // The catalog's copy of the stock may trail the inventory by a moment.
    for _ in 1..SETTLE_TRIES {
        if expected_available(stock, units_ordered) == Some(final_available) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        final_available = available(&mut api, product).await?;
    }
    Ok(Found {
        orders_by_status,
        units_ordered,
        final_available,
    })
}

#[derive(Deserialize)]
struct OrderPage {
    items: Vec<OrderItem>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct OrderItem {
    status: String,
    lines: Vec<OrderLine>,
}

#[derive(Deserialize)]
struct OrderLine {
    product_id: String,
    quantity: u64,
}

/// Every buyer's orders that include `product`, by status, and the units of `product` on
/// orders that hold stock.
async fn count_orders(
    authority: &Arc<str>,
    tokens: &Arc<Vec<String>>,
    product: &str,
    concurrency: usize,
) -> anyhow::Result<(BTreeMap<String, u64>, u64)> {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency.min(tokens.len()))
        .map(|_| {
            let (tokens, next) = (tokens.clone(), next.clone());
            let mut api = Api::new(authority.clone());
            tokio::spawn(async move {
                let mut orders = Vec::new();
                while let Some(token) = tokens.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let mut path = "/orders?limit=100".to_owned();
                    loop {
                        let page: OrderPage = api
                            .get(&path, Some(token))
                            .await?
                            .json(StatusCode::OK, &format!("GET {path}"))?;
                        orders.extend(page.items);
                        match page.next_cursor {
                            Some(cursor) => path = format!("/orders?limit=100&cursor={cursor}"),
                            None => break,
                        }
                    }
                }
                anyhow::Ok(orders)
            })
        })
        .collect();
    let mut orders = Vec::new();
    for worker in workers {
        orders.extend(worker.await.context("an order-reading task failed")??);
    }
    Ok(tally_orders(&orders, product))
}

/// Orders with `product` by status, and its units on orders that hold stock.
fn tally_orders(orders: &[OrderItem], product: &str) -> (BTreeMap<String, u64>, u64) {
    let mut by_status = BTreeMap::new();
    let mut units = 0;
    for order in orders {
        let quantity: u64 = order
            .lines
            .iter()
            .filter(|l| l.product_id == product)
            .map(|l| l.quantity)
            .sum();
        if quantity == 0 {
            continue;
        }
        *by_status.entry(order.status.clone()).or_insert(0) += 1;
        if HOLDING.contains(&order.status.as_str()) {
            units += quantity;
        }
    }
    (by_status, units)
}

#[derive(Deserialize)]
struct ProductStock {
    stock: StockView,
}

#[derive(Deserialize)]
struct StockView {
    available: u64,
}

pub(crate) async fn available(api: &mut Api, product: &str) -> anyhow::Result<u64> {
    let path = format!("/products/{product}");
    let reply = api.get(&path, None).await?;
    let product: ProductStock = reply.json(StatusCode::OK, &format!("GET {path}"))?;
    Ok(product.stock.available)
}

/// Units ordered beyond the units for sale.
pub fn oversold(stock: u64, units_ordered: u64) -> u64 {
    units_ordered.saturating_sub(stock)
}

/// What the product's stock should show after `units_ordered` of `stock` were ordered;
/// `None` when more were ordered than there were.
pub fn expected_available(stock: u64, units_ordered: u64) -> Option<u64> {
    stock.checked_sub(units_ordered)
}

/// What is wrong after a sale of `stock` units (one per order) in which buyers were told
/// `paid` payments succeeded and `found` was read back: more units on orders than were
/// for sale, more orders paid than units, or remaining stock that does not add up
/// (units on orders + available ≠ stock, which a negative stock would break too).
/// `None` when everything adds up.
pub fn fault(stock: u64, paid: u64, found: &Found) -> Option<String> {
    let ordered = found.units_ordered;
    let available = found.final_available;
    let expected = expected_available(stock, ordered);
    if ordered > stock || paid > stock {
        return Some(format!(
            "OVERSOLD: {ordered} units on orders and {paid} orders paid for {stock} for sale ({} oversold); final available {available}, expected {expected:?}",
            oversold(stock, ordered.max(paid))
        ));
    }
    if expected != Some(available) {
        return Some(format!(
            "STOCK DOES NOT ADD UP: {ordered} units on orders + {available} available, {stock} were for sale"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str, lines: &[(&str, u64)]) -> OrderItem {
        OrderItem {
            status: status.to_owned(),
            lines: lines
                .iter()
                .map(|(p, q)| OrderLine {
                    product_id: (*p).to_owned(),
                    quantity: *q,
                })
                .collect(),
        }
    }

    #[test]
    fn oversold_is_floored_at_zero() {
        assert_eq!(oversold(500, 499), 0);
        assert_eq!(oversold(500, 500), 0);
        assert_eq!(oversold(500, 503), 3);
    }

    #[test]
    fn expected_available_is_what_is_left() {
        assert_eq!(expected_available(500, 500), Some(0));
        assert_eq!(expected_available(500, 120), Some(380));
        assert_eq!(expected_available(500, 501), None);
    }

    fn found(units_ordered: u64, final_available: u64) -> Found {
        Found {
            orders_by_status: BTreeMap::new(),
            units_ordered,
            final_available,
        }
    }

    #[test]
    fn a_sale_that_adds_up_has_no_fault() {
        assert_eq!(fault(20, 20, &found(20, 0)), None);
        assert_eq!(fault(20, 7, &found(12, 8)), None);
    }

    #[test]
    fn overselling_or_stock_that_does_not_add_up_is_a_fault() {
        let more_ordered = fault(20, 20, &found(21, 0)).unwrap_or_default();
        assert!(more_ordered.starts_with("OVERSOLD"), "{more_ordered}");
        let more_paid = fault(20, 21, &found(20, 0)).unwrap_or_default();
        assert!(more_paid.starts_with("OVERSOLD"), "{more_paid}");
        let lost = fault(20, 20, &found(20, 1)).unwrap_or_default();
        assert!(lost.starts_with("STOCK DOES NOT ADD UP"), "{lost}");
        let leaked = fault(20, 5, &found(5, 14)).unwrap_or_default();
        assert!(leaked.starts_with("STOCK DOES NOT ADD UP"), "{leaked}");
    }

    #[test]
    fn only_orders_holding_stock_count_units_of_the_product() {
        let orders = [
            order("paid", &[("p", 1)]),
            order("pending_payment", &[("p", 2), ("q", 5)]),
            order("cancelled", &[("p", 1)]),
            order("expired", &[("p", 1)]),
            order("paid", &[("q", 1)]),
        ];
        let (by_status, units) = tally_orders(&orders, "p");
        assert_eq!(units, 3);
        let statuses: Vec<(&str, u64)> = by_status.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        assert_eq!(
            statuses,
            [
                ("cancelled", 1),
                ("expired", 1),
                ("paid", 1),
                ("pending_payment", 1)
            ]
        );
    }
}
