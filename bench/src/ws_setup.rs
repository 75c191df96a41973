//! Set-up for the WebSocket benchmark (not measured): buyers, and one placed
//! order per connection, each connection following its own order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use hyper::StatusCode;

use super::checkout_client::{Api, Created};

/// One connection's buyer and the order it follows.
#[derive(Clone)]
pub struct Follower {
    pub token: Arc<str>,
    pub order: String,
}

/// Places `count` orders of one unit of `product`, spread evenly over the
/// buyers (whose carts already hold one unit). Up to `concurrency` buyers
/// order at once, each one order at a time.
pub async fn place_orders(
    authority: &Arc<str>,
    buyers: Vec<String>,
    product: &str,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<Follower>> {
    let buyers: Arc<Vec<Arc<str>>> = Arc::new(buyers.into_iter().map(Arc::from).collect());
    let product: Arc<str> = Arc::from(product);
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency.clamp(1, buyers.len().max(1)))
        .map(|_| {
            let (buyers, product, next) = (buyers.clone(), product.clone(), next.clone());
            let mut api = Api::new(authority.clone());
            tokio::spawn(async move {
                let mut placed = Vec::new();
                loop {
                    let buyer = next.fetch_add(1, Ordering::Relaxed);
                    let Some(token) = buyers.get(buyer) else {
                        break;
                    };
                    // Order i belongs to buyer i % buyers; the first uses the
                    // unit already in the cart.
                    for i in (buyer..count).step_by(buyers.len()) {
                        if i != buyer {
                            let reply = api.add_one(token, &product).await?;
                            if reply.status != StatusCode::OK {
                                bail!("POST /cart/items: {}: {}", reply.status, reply.snippet());
                            }
                        }
                        let reply = api.checkout(token).await?;
                        let order: Created = reply.json(StatusCode::CREATED, "POST /checkout")?;
                        let token = token.clone();
                        placed.push((
                            i,
                            Follower {
                                token,
                                order: order.id,
                            },
                        ));
                    }
                }
                anyhow::Ok(placed)
            })
        })
        .collect();
    let mut followers = Vec::with_capacity(count);
    for worker in workers {
        followers.extend(worker.await.context("an order task failed")??);
    }
    followers.sort_unstable_by_key(|(i, _)| *i);
    Ok(followers.into_iter().map(|(_, f)| f).collect())
}
