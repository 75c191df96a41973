//! Shopping flows the API tests share: a shop with one product, an order
//! placed through the cart and checkout, an action on an order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Session, TestApp, product_body};

/// A shipping address a checkout accepts.
pub fn address() -> Value {
    json!({ "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB" })
}

impl TestApp {
    /// A `kitchen` category and a seller `seller_email` listing a kettle with
    /// `stock` units; returns the seller and the product id.
    pub async fn shop(&self, seller_email: &str, stock: i64) -> (Session, String) {
        self.category("kitchen").await;
        let seller = self.register(seller_email, "seller").await;
        let product = self
            .product(&seller, product_body("Kettle", "kitchen", 2500, stock))
            .await;
        let id = product["id"].as_str().expect("a product id").to_owned();
        (seller, id)
    }

    /// Puts `quantity` of `product` in `user`'s cart and checks out; returns
    /// the placed order (the checkout must complete at once).
    pub async fn place_order(&self, user: &Session, product: &str, quantity: u32) -> Value {
        let placed = self.try_place_order(user, product, quantity).await;
        assert_eq!(placed.status(), StatusCode::CREATED);
        super::json(placed).await
    }

    /// As [`Self::place_order`], returning the first response that is not
    /// a success (adding to the cart, or the checkout), or the checkout's.
    pub async fn try_place_order(
        &self,
        user: &Session,
        product: &str,
        quantity: u32,
    ) -> reqwest::Response {
        let added = self
            .post(
                "/api/v1/cart/items",
                Some(&user.token),
                json!({ "product_id": product, "quantity": quantity }),
            )
            .await;
        if added.status() != StatusCode::OK {
            return added;
        }
        self.checkout(user).await
    }

    /// Checks out `user`'s cart with a fresh idempotency key.
    pub async fn checkout(&self, user: &Session) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/checkout"))
            .bearer_auth(&user.token)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&json!({ "shipping_address": address() }))
            .send()
            .await
            .expect("the checkout request is sent")
    }

    /// `POST /orders/{id}/{action}` as `user`; returns the order.
    pub async fn order_action(&self, user: &Session, id: &str, action: &str, body: Value) -> Value {
        let path = format!("/api/v1/orders/{id}/{action}");
        let response = self.post(&path, Some(&user.token), body).await;
        assert_eq!(response.status(), StatusCode::OK, "{action}");
        super::json(response).await
    }

    /// `user` buys the `plus` membership with `card`.
    pub async fn buy_membership(&self, user: &Session, card: &str) -> reqwest::Response {
        let body = json!({ "tier": "plus", "payment_method": card });
        self.post("/api/v1/memberships", Some(&user.token), body)
            .await
    }

    /// `GET /memberships/me` as `user`.
    pub async fn membership(&self, user: &Session) -> Value {
        super::json(self.get("/api/v1/memberships/me", Some(&user.token)).await).await
    }

    /// `seller` ships order `id` (a paid one) and marks it delivered.
    pub async fn ship_and_deliver(&self, seller: &Session, id: &str) {
        let shipment = json!({ "carrier": "DHL", "tracking_number": "JD1", "estimated_delivery": "2026-12-24" });
        self.order_action(seller, id, "ship", shipment).await;
        self.order_action(seller, id, "deliver", json!({})).await;
    }
}
