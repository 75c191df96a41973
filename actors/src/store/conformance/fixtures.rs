//! Values the conformance cases build on.

use std::collections::BTreeMap;

use souk_models::{
    Address, AddressId, AddressInput, Attributes, CategorySlug, Currency, Description, DisplayName,
    Email, Money, Product, ProductId, ProductStatus, Rating, Role, Title, User, UserId,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::store::RefreshToken;

pub(super) fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e:?}"),
    }
}

pub fn user(email: &str, role: Role) -> User {
    let (email, name) = (ok(Email::parse(email)), ok(DisplayName::parse("Test User")));
    let hash = "$argon2id$test".to_owned();
    User::new(email, name, role, hash, OffsetDateTime::now_utc())
}

pub fn product(seller: UserId, title: &str) -> Product {
    let now = OffsetDateTime::now_utc();
    Product {
        id: ProductId::new(),
        seller_id: seller,
        title: ok(Title::parse(title)),
        description: ok(Description::parse("A test product.")),
        category: ok(CategorySlug::parse("test-things")),
        attributes: ok(Attributes::parse(BTreeMap::from([(
            "colour".to_owned(),
            "red".to_owned(),
        )]))),
        images: vec![],
        price: ok(Money::new(1999, Currency::USD)),
        status: ProductStatus::Active,
        rating: Rating::default(),
        low_stock_threshold: None,
        created_at: now,
        updated_at: now,
    }
}

pub fn address(user: UserId, line1: &str) -> Address {
    Address {
        id: AddressId::new(),
        user_id: user,
        fields: AddressInput {
            name: "Ada".into(),
            line1: line1.into(),
            line2: None,
            city: "London".into(),
            region: None,
            postal_code: "N1".into(),
            country: "GB".into(),
            phone: None,
        },
        created_at: OffsetDateTime::now_utc(),
    }
}

pub(super) fn token(user: UserId, family: Uuid, ttl: Duration) -> RefreshToken {
    RefreshToken {
        hash: Uuid::new_v4().simple().to_string(),
        user_id: user,
        family,
        expires_at: OffsetDateTime::now_utc() + ttl,
        used: false,
    }
}
