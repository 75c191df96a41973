//! What some of an order's units are worth to the buyer, for refunding
//! them: their price on the order and, when tax was added on top, their
//! share of their line's tax.

use super::Order;
use crate::ProductId;

impl Order {
    /// What `units` of `product` cost the buyer, in minor units; `None` if
    /// the order has no such line or fewer units.
    pub fn units_worth(&self, product: ProductId, units: u32) -> Option<i64> {
        let line = self.lines.iter().find(|l| l.product_id == product)?;
        let ordered = line.quantity.get();
        if units > ordered {
            return None;
        }
        let price = line.unit_price.amount().checked_mul(i64::from(units))?;
        let added_tax = self.charges.is_some_and(|c| !c.tax_included);
        let tax = match line.tax {
            // A whole line's tax back when all of it comes back; otherwise
            // its share, rounded down, so parts never add up to more.
            Some(tax) if added_tax => {
                let share = i128::from(tax.amount()) * i128::from(units) / i128::from(ordered);
                i64::try_from(share).ok()?
            }
            _ => 0,
        };
        price.checked_add(tax)
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use crate::{
        AddressInput, Charges, Currency, Money, Order, OrderId, OrderLine, ProductId, Quantity,
        TaxMode, Title, UserId,
    };

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::USD).expect("a valid amount")
    }

    fn taxed_order(mode: TaxMode) -> (Order, ProductId) {
        let product = ProductId::new();
        let now = OffsetDateTime::now_utc();
        let line = OrderLine {
            product_id: product,
            seller_id: UserId::new(),
            title: Title::parse("Kettle").expect("a title"),
            unit_price: usd(1000),
            quantity: Quantity::new(3).expect("a quantity"),
            tax: Some(usd(600)),
        };
        let charges = Charges::new(usd(3000), usd(500), usd(600), mode).expect("charges");
        let address = AddressInput {
            name: "A".into(),
            line1: "1 Road".into(),
            line2: None,
            city: "X".into(),
            region: None,
            postal_code: "1".into(),
            country: "GB".into(),
            phone: None,
        };
        let order = Order {
            id: OrderId::new(),
            buyer_id: UserId::new(),
            lines: vec![line],
            total: charges.total,
            charges: Some(charges),
            shipping_address: address,
            payment_deadline: now,
            created_at: now,
            client_secret: None,
            timeline: vec![],
        };
        (order, product)
    }

    #[test]
    fn units_are_worth_their_price_and_their_share_of_tax_added_on_top() {
        let (order, product) = taxed_order(TaxMode::Exclusive);
        assert_eq!(order.units_worth(product, 1), Some(1200));
        assert_eq!(order.units_worth(product, 3), Some(3600));
        assert_eq!(order.units_worth(product, 4), None);
        assert_eq!(order.units_worth(ProductId::new(), 1), None);
        let (inclusive, product) = taxed_order(TaxMode::Inclusive);
        assert_eq!(
            inclusive.units_worth(product, 1),
            Some(1000),
            "tax is in the price"
        );
    }
}
