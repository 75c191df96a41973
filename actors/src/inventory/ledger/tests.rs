use time::OffsetDateTime;

use super::*;

fn stock(ledger: &mut Ledger, product: ProductId, units: u64) {
    ledger.levels.insert(
        product,
        StockLevel {
            on_hand: units,
            ..Default::default()
        },
    );
}

fn invariant(ledger: &Ledger) {
    let recount = ledger.holds.values().flatten().count();
    assert_eq!(ledger.holds_count(), recount, "the running count matches");
    let expiries: BTreeSet<_> = ledger
        .holds
        .values()
        .flatten()
        .map(|h| (h.expires_at, h.order))
        .collect();
    assert_eq!(
        ledger.expiries, expiries,
        "every hold's expiry is scheduled once"
    );
    for (product, level) in &ledger.levels {
        let held: u64 = ledger
            .holds
            .values()
            .flatten()
            .filter(|h| h.product == *product)
            .map(|h| u64::from(h.quantity))
            .sum();
        assert_eq!(level.reserved, held, "reserved equals what holds say");
        assert_eq!(
            level.on_hand,
            level.available() + level.reserved + level.sold
        );
    }
}

#[test]
fn reserve_is_all_or_nothing_and_idempotent() {
    let (a, b) = (ProductId::new(), ProductId::new());
    let mut ledger = Ledger::default();
    stock(&mut ledger, a, 5);
    stock(&mut ledger, b, 1);
    let now = OffsetDateTime::now_utc();
    let order = OrderId::new();
    let too_many = ledger.plan_reserve(order, &[(a, 2), (b, 2)], now);
    assert_eq!(
        too_many,
        Err(InventoryError::OutOfStock {
            product: b,
            available: 1
        })
    );
    // Lines of one product add up.
    let split = ledger.plan_reserve(order, &[(a, 3), (a, 3)], now);
    assert!(matches!(split, Err(InventoryError::OutOfStock { .. })));
    let change = ledger.plan_reserve(order, &[(a, 2), (b, 1)], now);
    let change = change
        .expect("the reservation fits")
        .expect("a change to apply");
    ledger.apply(&change);
    assert_eq!(ledger.level(a).available(), 3);
    assert_eq!(ledger.plan_reserve(order, &[(a, 2), (b, 1)], now), Ok(None));
    invariant(&ledger);
}

#[test]
fn release_and_commit_settle_once() {
    let a = ProductId::new();
    let mut ledger = Ledger::default();
    stock(&mut ledger, a, 10);
    let now = OffsetDateTime::now_utc();
    let (paid, abandoned) = (OrderId::new(), OrderId::new());
    for order in [paid, abandoned] {
        let change = ledger
            .plan_reserve(order, &[(a, 3)], now)
            .expect("the reservation fits")
            .expect("a change to apply");
        ledger.apply(&change);
    }
    let commit = ledger
        .plan_settle(paid, Settlement::Commit, &[])
        .expect("a change to commit");
    ledger.apply(&commit);
    let sales = commit.add_sales.clone();
    assert_eq!(
        sales,
        vec![Sale {
            order: paid,
            product: a,
            quantity: 3
        }]
    );
    let release = ledger
        .plan_settle(abandoned, Settlement::Release, &[])
        .expect("a change to release");
    ledger.apply(&release);
    assert_eq!(ledger.plan_settle(paid, Settlement::Commit, &sales), None);
    assert_eq!(
        ledger.plan_settle(paid, Settlement::Release, &sales),
        None,
        "sold units are not released"
    );
    assert_eq!(
        ledger.plan_settle(abandoned, Settlement::Release, &[]),
        None
    );
    let sold = StockLevel {
        on_hand: 10,
        reserved: 0,
        sold: 3,
    };
    assert_eq!(ledger.level(a), sold);
    invariant(&ledger);
    // A paid order cancelled before shipping returns its units, once.
    let restock = ledger
        .plan_settle(paid, Settlement::Restock, &sales)
        .expect("a change to restock");
    ledger.apply(&restock);
    assert_eq!(restock.remove_sales, vec![(paid, a)]);
    // Once the removal is stored, the order has no sales to return.
    assert_eq!(ledger.plan_settle(paid, Settlement::Restock, &[]), None);
    assert_eq!(
        ledger.level(a),
        StockLevel {
            on_hand: 10,
            reserved: 0,
            sold: 0
        }
    );
    invariant(&ledger);
}

#[test]
fn a_paid_order_whose_hold_was_released_is_sold_again_if_the_units_are_there() {
    let a = ProductId::new();
    let mut ledger = Ledger::default();
    stock(&mut ledger, a, 3);
    let now = OffsetDateTime::now_utc();
    let late = OrderId::new();
    let held = ledger
        .plan_reserve(late, &[(a, 2)], now)
        .expect("the reservation fits")
        .expect("a change");
    ledger.apply(&held);
    let released = ledger
        .plan_settle(late, Settlement::Release, &[])
        .expect("a release");
    ledger.apply(&released);
    let sold = ledger
        .plan_commit(late, &[(a, 2)], &[])
        .expect("two units are there")
        .expect("a change");
    ledger.apply(&sold);
    assert_eq!(ledger.level(a).sold, 2);
    assert_eq!(
        ledger.plan_commit(late, &[(a, 2)], &sold.add_sales),
        Ok(None),
        "sold once"
    );
    let other = OrderId::new();
    assert_eq!(
        ledger.plan_commit(other, &[(a, 2)], &[]),
        Err(InventoryError::OutOfStock {
            product: a,
            available: 1
        }),
        "never more than there is"
    );
    invariant(&ledger);
}

#[test]
fn returned_units_go_back_on_sale_once_per_return() {
    let a = ProductId::new();
    let mut ledger = Ledger::default();
    ledger.levels.insert(
        a,
        StockLevel {
            on_hand: 10,
            reserved: 0,
            sold: 4,
        },
    );
    let key = OrderId::new();
    let change = ledger
        .plan_take_back(key, &[(a, 1), (a, 2)], &[])
        .expect("a change to take back");
    ledger.apply(&change);
    assert_eq!(ledger.level(a).available(), 9, "three units are back");
    assert_eq!(
        change.add_sales,
        vec![Sale {
            order: key,
            product: a,
            quantity: 3
        }]
    );
    // Asked again, the recorded lines say it was done.
    assert_eq!(
        ledger.plan_take_back(key, &[(a, 3)], &change.add_sales),
        None
    );
    invariant(&ledger);
}

#[test]
fn setting_available_keeps_holds() {
    let a = ProductId::new();
    let mut ledger = Ledger::default();
    stock(&mut ledger, a, 4);
    let now = OffsetDateTime::now_utc();
    let change = ledger
        .plan_reserve(OrderId::new(), &[(a, 4)], now)
        .expect("the reservation fits")
        .expect("a change to apply");
    ledger.apply(&change);
    let target = StockCount::new(7).expect("a valid stock count");
    let restock = ledger.plan_set_available(a, target);
    ledger.apply(&restock);
    assert_eq!(ledger.level(a).available(), 7);
    assert_eq!(ledger.level(a).reserved, 4);
    invariant(&ledger);
}
