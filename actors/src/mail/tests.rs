//! The mail worker against the in-memory store and a mailer that records
//! what it is given (and fails when told to).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use souk_models::{
    AddressInput, Currency, DisplayName, Email, Money, Order, OrderId, OrderLine, OrderStatus,
    ProductId, Quantity, Role, Shipment, TimelineKind, Title, User, UserId,
};
use time::OffsetDateTime;

use super::{Letter, MailError, MailPolicy, MailWorker, Mailer, Template};
use crate::store::{
    MailAbout, MailState, MemoryStore, OrderStore, OutboxMail, OutboxStore, Store, UserStore,
};

/// Records letters; fails the next ones with the errors queued.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<Letter>>,
    failures: Mutex<VecDeque<MailError>>,
}

#[async_trait::async_trait]
impl Mailer for Recorder {
    async fn send(&self, letter: &Letter) -> Result<(), MailError> {
        let failure = self.failures.lock().expect("not poisoned").pop_front();
        if let Some(e) = failure {
            return Err(e);
        }
        self.sent.lock().expect("not poisoned").push(letter.clone());
        Ok(())
    }
}

impl Recorder {
    fn templates(&self) -> Vec<Template> {
        let sent = self.sent.lock().expect("not poisoned");
        sent.iter().map(|l| l.template).collect()
    }
}

fn policy() -> MailPolicy {
    MailPolicy {
        site_name: "Test Market".into(),
        site_url: Some("https://shop.example".into()),
        max_attempts: 3,
        first_retry: Duration::from_millis(20),
        max_retry: Duration::from_millis(100),
        lease: Duration::from_secs(60),
        send_timeout: Duration::from_secs(5),
        poll: Duration::from_millis(10),
        concurrency: 4,
        retention: Duration::from_secs(86_400),
    }
}

struct World {
    store: Arc<MemoryStore>,
    mailer: Arc<Recorder>,
    buyer: User,
}

async fn world() -> World {
    let store = Arc::new(MemoryStore::new());
    let now = OffsetDateTime::now_utc();
    let buyer = User::new(
        Email::parse("ada@example.com").expect("an email"),
        DisplayName::parse("Ada").expect("a name"),
        Role::Customer,
        "$argon2id$test".into(),
        now,
    );
    store
        .create_user(&buyer)
        .await
        .expect("the buyer is stored");
    World {
        store,
        mailer: Arc::default(),
        buyer,
    }
}

impl World {
    fn start(&self) -> MailWorker {
        let store: Arc<dyn Store> = self.store.clone();
        MailWorker::start(store, self.mailer.clone(), policy())
    }

    /// An order placed now, paid within `deadline_in`, with its mail stored.
    async fn place(&self, deadline_in: time::Duration, warn_in: time::Duration) -> Order {
        let now = OffsetDateTime::now_utc();
        let line = OrderLine {
            product_id: ProductId::new(),
            seller_id: UserId::new(),
            title: Title::parse("Reading lamp").expect("a title"),
            unit_price: Money::new(2_500, Currency::USD).expect("a price"),
            quantity: Quantity::new(2).expect("a quantity"),
            tax: None,
        };
        let mut order = Order {
            id: OrderId::new(),
            buyer_id: self.buyer.id,
            lines: vec![line],
            total: Money::new(5_000, Currency::USD).expect("a total"),
            charges: None,
            shipping_address: address(),
            payment_deadline: now + deadline_in,
            created_at: now,
            client_secret: None,
            timeline: vec![],
        };
        let placed = order.entry(OrderStatus::PendingPayment, TimelineKind::Placed, now);
        order.timeline.push(placed);
        let mail = super::for_new_order(&order, Some(now + warn_in));
        self.store
            .create_order(&order, &mail)
            .await
            .expect("placed");
        order
    }

    async fn append(&self, order: &mut Order, status: OrderStatus, kind: TimelineKind) {
        let entry = order.entry(status, kind, OffsetDateTime::now_utc());
        let mail = super::for_order_entry(order, &entry);
        self.store
            .append_order_entry(order.id, &entry, &mail)
            .await
            .expect("appended");
        order.timeline.push(entry);
    }

    async fn mail(&self) -> Vec<OutboxMail> {
        self.store.list_mail(None, 100).await.expect("listed")
    }

    /// Waits until no mail is pending or sending, but for warnings not
    /// yet due.
    async fn settled(&self) -> Vec<OutboxMail> {
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(1);
        let waiting = |m: &OutboxMail| {
            m.is_open() && !(matches!(m.about, MailAbout::ExpiryWarning { .. }) && m.due_at > later)
        };
        for _ in 0..500 {
            let mail = self.mail().await;
            if !mail.iter().any(waiting) {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the outbox never settled: {:?}", self.mail().await);
    }
}

fn address() -> AddressInput {
    AddressInput {
        name: "Ada".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "London".into(),
        region: None,
        postal_code: "N1".into(),
        country: "GB".into(),
        phone: None,
    }
}

#[tokio::test]
async fn an_order_mails_its_buyer_each_step_once_in_order() {
    let w = world().await;
    let worker = w.start();
    let mut order = w
        .place(time::Duration::minutes(15), time::Duration::minutes(10))
        .await;
    w.append(
        &mut order,
        OrderStatus::Paid,
        TimelineKind::PaymentSucceeded { event: None },
    )
    .await;
    let shipment = Shipment {
        carrier: "DHL".into(),
        tracking_number: "JD0001".into(),
        estimated_delivery: time::macros::date!(2026 - 12 - 24),
    };
    // Not mailed about.
    w.append(
        &mut order,
        OrderStatus::Fulfilling,
        TimelineKind::FulfilmentStarted,
    )
    .await;
    w.append(
        &mut order,
        OrderStatus::Shipped,
        TimelineKind::Shipped(shipment),
    )
    .await;
    w.settled().await;
    worker.stop().await;
    assert_eq!(
        w.mailer.templates(),
        vec![
            Template::OrderPlaced,
            Template::PaymentReceived,
            Template::Shipped
        ]
    );
    let sent = w.mailer.sent.lock().expect("not poisoned").clone();
    let shipped = &sent[2];
    assert_eq!(shipped.to.as_str(), "ada@example.com");
    assert_eq!(shipped.data["tracking_number"], "JD0001");
    assert_eq!(shipped.data["carrier"], "DHL");
    assert_eq!(shipped.data["total"], "50.00 USD");
    assert_eq!(shipped.data["site"], "Test Market");
    let mail = w.mail().await;
    // The expiry warning is not due yet: it stays pending.
    let warning: Vec<&OutboxMail> = mail
        .iter()
        .filter(|m| matches!(m.about, MailAbout::ExpiryWarning { .. }))
        .collect();
    assert_eq!(warning.len(), 1);
    assert_eq!(warning[0].state, MailState::Pending);
    let ids: std::collections::HashSet<&String> = sent.iter().map(|l| &l.message_id).collect();
    assert_eq!(ids.len(), 3, "each message has its own Message-ID");
}

#[tokio::test]
async fn expiry_warnings_go_only_to_orders_still_unpaid() {
    let w = world().await;
    let unpaid = w
        .place(
            time::Duration::minutes(15),
            time::Duration::milliseconds(50),
        )
        .await;
    let mut paid = w
        .place(
            time::Duration::minutes(15),
            time::Duration::milliseconds(50),
        )
        .await;
    w.append(
        &mut paid,
        OrderStatus::Paid,
        TimelineKind::PaymentSucceeded { event: None },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(80)).await;
    let worker = w.start();
    let mail = w.settled().await;
    worker.stop().await;
    let sent = w.mailer.sent.lock().expect("not poisoned").clone();
    let warned: Vec<&Letter> = sent
        .iter()
        .filter(|l| l.template == Template::ExpiryWarning)
        .collect();
    assert_eq!(warned.len(), 1);
    assert_eq!(warned[0].data["order_id"], unpaid.id.0.to_string());
    let dropped = mail
        .iter()
        .filter(|m| m.state == MailState::Dropped)
        .count();
    assert_eq!(dropped, 1, "the paid order's warning is dropped");
}

#[tokio::test]
async fn temporary_failures_are_retried_and_refusals_are_final() {
    let w = world().await;
    w.mailer.failures.lock().expect("not poisoned").extend([
        MailError::Transient("421 try later".into()),
        MailError::Transient("connection reset".into()),
    ]);
    let first = w
        .place(time::Duration::minutes(15), time::Duration::ZERO)
        .await;
    let worker = w.start();
    let mail = w.settled().await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].state, MailState::Sent);
    assert_eq!(mail[0].attempts, 3);
    assert_eq!(mail[0].last_error.as_deref(), Some("connection reset"));
    assert_eq!(w.mailer.templates(), vec![Template::OrderPlaced]);

    w.mailer
        .failures
        .lock()
        .expect("not poisoned")
        .push_back(MailError::Permanent("550 no such mailbox".into()));
    let second = w
        .place(time::Duration::minutes(15), time::Duration::ZERO)
        .await;
    let mail = w.settled().await;
    worker.stop().await;
    let refused = mail
        .iter()
        .find(|m| matches!(m.about, MailAbout::Order { order_id, .. } if order_id == second.id))
        .expect("the second order's mail");
    assert_eq!(refused.state, MailState::Failed);
    assert_eq!(refused.attempts, 1);
    assert_eq!(refused.last_error.as_deref(), Some("550 no such mailbox"));
    assert_ne!(first.id, second.id);
    assert_eq!(
        w.mailer.templates().len(),
        1,
        "the refused letter was not sent"
    );
}

#[tokio::test]
async fn mail_out_of_tries_fails_and_interrupted_mail_is_never_resent() {
    let w = world().await;
    w.mailer
        .failures
        .lock()
        .expect("not poisoned")
        .extend((0..3).map(|_| MailError::Transient("unreachable".into())));
    w.place(time::Duration::minutes(15), time::Duration::ZERO)
        .await;
    // A message a dead node was sending: its lease ran out.
    let now = OffsetDateTime::now_utc();
    let about = MailAbout::LowStock {
        product_id: ProductId::new(),
        title: "Lamp".into(),
        available: 1,
        threshold: 5,
    };
    let interrupted = OutboxMail {
        state: MailState::Sending,
        attempts: 1,
        ..OutboxMail::new(w.buyer.id, about, now, now - time::Duration::seconds(1))
    };
    w.store
        .enqueue_mail(std::slice::from_ref(&interrupted))
        .await
        .expect("stored");
    let worker = w.start();
    let mail = w.settled().await;
    worker.stop().await;
    assert!(
        mail.iter().all(|m| m.state == MailState::Failed),
        "{mail:?}"
    );
    let exhausted = mail
        .iter()
        .find(|m| m.id != interrupted.id)
        .expect("the order's mail");
    assert_eq!(exhausted.attempts, 3);
    assert!(w.mailer.templates().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn mail_whose_entry_lost_its_place_is_dropped() {
    let w = world().await;
    let order = w
        .place(time::Duration::minutes(15), time::Duration::ZERO)
        .await;
    // Mail for an entry 2 that was never stored (as a racing writer's
    // mail can be on a store without cross-row atomic writes).
    let now = OffsetDateTime::now_utc();
    let about = MailAbout::Order {
        order_id: order.id,
        seq: 1,
        at: now,
    };
    let stray = OutboxMail::new(w.buyer.id, about, now, now);
    w.store
        .enqueue_mail(std::slice::from_ref(&stray))
        .await
        .expect("stored");
    let worker = w.start();
    let mail = w.settled().await;
    worker.stop().await;
    let stray = mail.iter().find(|m| m.id == stray.id).expect("listed");
    assert_eq!(stray.state, MailState::Dropped);
    assert_eq!(w.mailer.templates(), vec![Template::OrderPlaced]);
}
