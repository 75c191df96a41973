"""A short mixed workload that exercises the metrics the dashboards plot:
browsing, search, sign-in, carts, checkouts in both lanes, payment (declined,
then paid), shipping, delivery, refund, a cancelled order, an expired order, a
stock-out, an empty-cart checkout, the assistant, WebSocket subscriptions and
one tripped rate limit."""

import datetime
import time
import uuid

from .client import Client
from .ws import WebSocket, WebSocketError

PASSWORD = "souk-demo-password"
ADDRESS = {"name": "Ada Check", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB"}


class Abort(Exception):
    """A step the rest of the workload depends on failed."""


class Workload:
    def __init__(self, base, port, report, payment_window_secs):
        self.api = Client(f"{base}/api/v1")
        self.port = port
        self.report = report
        self.payment_window = payment_window_secs
        self.sockets = []
        self.tag = uuid.uuid4().hex[:8]

    # ------------------------------------------------------------ helpers
    def expect(self, response, statuses, what, fatal=False):
        statuses = statuses if isinstance(statuses, tuple) else (statuses,)
        if response.status in statuses:
            self.report.ok()
            return response
        self.report.fail(f"workload: {what}: expected {statuses}, got {response!r}")
        if fatal:
            raise Abort(what)
        return response

    def login(self, email):
        r = self.expect(self.api.post("/auth/login", {"email": email, "password": PASSWORD}), 200, f"login {email}", True)
        return self.api.as_user(r.field("access_token"))

    def checkout(self, user, what):
        """POST /checkout; follows a 202 ticket to its end. Returns (order id, response)."""
        key = f"obs-{uuid.uuid4()}"
        r = user.post("/checkout", {"shipping_address": ADDRESS}, headers={"idempotency-key": key})
        if r.status == 202:
            ticket = r.field("ticket")
            for _ in range(60):
                t = user.get(f"/checkout/{ticket}")
                if t.field("state") in ("completed", "rejected"):
                    if t.field("state") == "completed":
                        return t.field("order_id"), r, key
                    return None, t, key
                time.sleep(0.25)
            self.report.fail(f"workload: {what}: ticket {ticket} never finished")
            return None, r, key
        return (r.field("id") if r.status == 201 else None), r, key

    def add_to_cart(self, user, product, what):
        body = {"product_id": product, "quantity": 1}
        return self.expect(user.post("/cart/items", body), (200, 201), what, True)

    # ------------------------------------------------------------ steps
    def run(self):
        started = time.monotonic()
        try:
            self.browse()
            customer, seller, admin, newcomer = self.sign_in()
            self.websockets(customer, admin)
            expiring = self.expiring_order(customer)
            self.full_lifecycle(customer, admin)
            self.stock_out_and_cancel(customer, seller, newcomer)
            self.assistant(customer)
            self.trip_auth_rate_limit()
            self.wait_expired(customer, expiring)
            self.read_websockets()
        except Abort as e:
            self.report.fail(f"workload stopped early: {e}")
        finally:
            for sock in self.sockets:
                sock.close()
        self.report.ok(f"workload done in {time.monotonic() - started:.1f}s")

    def browse(self):
        api = self.api
        cats = self.expect(api.get("/categories"), 200, "GET /categories", True).field("items", default=[])
        self.category = cats[0]["slug"] if cats and "slug" in cats[0] else "outdoor-gear"
        r = self.expect(api.get("/products?in_stock=true&sort=price_asc&limit=20"), 200, "list products", True)
        items = [p for p in r.field("items", default=[]) if p["stock"]["available"] >= 3]
        if len(items) < 2:
            raise Abort("fewer than two products in stock")
        self.products = [p["id"] for p in items[:2]]
        self.currency = items[0]["price"]["currency"]
        self.expect(api.get("/products?q=kettle&limit=5"), 200, "search kettle")
        self.expect(api.get(f"/products?category={self.category}&sort=newest&limit=5"), 200, "list a category")
        self.expect(api.get(f"/products/{self.products[0]}"), 200, "GET /products/{id}")
        self.expect(api.get("/products?limit=500"), 400, "limit=500 is a 400")
        self.expect(api.get("/products/not-a-uuid"), 400, "a malformed id is a 400")
        self.expect(api.get("/no-such-route"), 404, "an unknown route is a 404")

    def sign_in(self):
        customer = self.login("customer@example.com")  # tier plus: the priority lane
        seller = self.login("kestrel@example.com")
        admin = self.login("admin@example.com")
        body = {"email": f"obs-{self.tag}@example.com", "password": PASSWORD, "display_name": "Observability Check"}
        r = self.expect(self.api.post("/auth/register", body), 201, "register a customer", True)
        newcomer = self.api.as_user(r.field("access_token"))  # tier standard: the standard lane
        self.expect(customer.get("/auth/me"), 200, "GET /auth/me")
        return customer, seller, admin, newcomer

    def websockets(self, customer, admin):
        for user, topic in ((admin, "admin:live"), (customer, "user:me")):
            try:
                sock = WebSocket("127.0.0.1", self.port, "/api/v1/ws", user.token)
                self.sockets.append(sock)
                answer = sock.subscribe(topic)
                self.report.check(
                    answer and answer.get("type") == "subscribed",
                    f"workload: subscribe {topic}: got {answer}",
                )
            except (OSError, WebSocketError) as e:
                self.report.fail(f"workload: WebSocket for {topic}: {e}")
        self.expect(self.api.get("/ws"), (400, 401), "GET /ws without an upgrade is refused")

    def expiring_order(self, customer):
        """An order left unpaid: it expires after the payment window."""
        self.add_to_cart(customer, self.products[0], "add to cart (order to expire)")
        order, r, _ = self.checkout(customer, "checkout (order to expire)")
        self.report.check(order, f"workload: checkout (order to expire): {r!r}")
        return order

    def full_lifecycle(self, customer, admin):
        """Placed, declined, paid, shipped, delivered, refunded; idempotent retry."""
        self.add_to_cart(customer, self.products[1], "add to cart (order to pay)")
        self.expect(customer.get("/cart"), 200, "GET /cart")
        order, r, key = self.checkout(customer, "checkout (order to pay)")
        if not self.report.check(order, f"workload: checkout (order to pay): {r!r}"):
            return
        again = customer.post("/checkout", {"shipping_address": ADDRESS}, headers={"idempotency-key": key})
        self.report.check(
            again.field("id", default=again.field("ticket")) in (order, r.field("ticket")),
            f"workload: the same Idempotency-Key gave another answer: {again!r}",
        )
        if self.sockets[1:]:
            self.sockets[1].subscribe(f"order:{order}")
        pay = f"/orders/{order}/pay"
        self.expect(customer.post(pay, {"card_token": "tok_chargeDeclined"}), 402, "a declined card")
        self.expect(customer.post(pay, {"card_token": "tok_visa"}), 200, "pay with tok_visa")
        eta = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
        ship = {"carrier": "Parcelforce", "tracking_number": f"PF{self.tag}", "estimated_delivery": eta}
        self.expect(admin.post(f"/orders/{order}/ship", ship), 200, "ship")
        self.expect(admin.post(f"/orders/{order}/deliver"), 200, "deliver")
        self.expect(admin.post(f"/orders/{order}/refund"), 200, "refund")
        self.expect(customer.get("/orders?limit=5"), 200, "list orders")

    def stock_out_and_cancel(self, customer, seller, newcomer):
        """A one-unit product: the customer takes it (a stock-out), the newcomer's
        checkout finds it sold out, the customer cancels (the lantern goes back
        in their cart), empties the cart, and an empty cart is refused."""
        product = {
            "title": f"Observability Check Lantern {self.tag}",
            "category": self.category,
            "price": {"amount": 1999, "currency": self.currency},
            "stock": 1,
            "description": "A brass storm lantern listed by the observability check.",
        }
        r = self.expect(seller.post("/products", product), 201, "a seller lists a product", True)
        lantern = r.field("id")
        self.add_to_cart(newcomer, lantern, "newcomer adds the lantern")
        self.add_to_cart(customer, lantern, "customer adds the lantern")
        order, r, _ = self.checkout(customer, "checkout of the last unit")
        self.report.check(order, f"workload: checkout of the last unit: {r!r}")
        _, r, _ = self.checkout(newcomer, "checkout of a sold-out product")
        self.report.check(
            r.status == 409 or r.field("reason") == "out_of_stock",
            f"workload: checkout of a sold-out product: expected out_of_stock, got {r!r}",
        )
        if order:
            self.expect(customer.post(f"/orders/{order}/cancel"), 200, "cancel an order")
            cart = self.expect(customer.get("/cart"), 200, "the cart after cancelling")
            back = [i for i in cart.field("items") or [] if i.get("product_id") == lantern]
            self.report.check(back, f"workload: a cancelled order's lines go back in the cart: {cart!r}")
        self.expect(customer.delete("/cart"), 204, "empty the cart")
        _, r, _ = self.checkout(customer, "checkout of an empty cart")
        self.report.check(r.status == 422, f"workload: an empty cart: expected 422, got {r!r}")

    def assistant(self, customer):
        r = self.api.get("/search?q=wireless+headphones&limit=5")
        if r.status == 503:
            self.report.note("the assistant is disabled: no search or chat")
            return
        self.expect(r, 200, "assistant search")
        self.expect(self.api.get(f"/products/{self.products[0]}/similar?limit=3"), 200, "similar products")
        self.expect(self.api.post("/assistant/chat", {"message": "a warm jacket under $200"}), 200, "anonymous chat")
        r = self.expect(customer.post("/assistant/chat", {"message": "wireless headphones"}), 200, "chat")
        conversation = r.field("conversation_id")
        if conversation:
            follow = {"message": "add the first one to my cart", "conversation_id": conversation}
            self.expect(customer.post("/assistant/chat", follow), 200, "chat follow-up adds to the cart")

    def trip_auth_rate_limit(self):
        """POST /auth/* allows a burst of 10 per IP: malformed logins until a 429."""
        for _ in range(20):
            r = self.api.post("/auth/login", raw=b"{")
            if r.status == 429:
                self.report.ok("the auth rate limit answered 429")
                return
        self.report.note("no 429 from the auth rate limit (is it switched off?)")

    def wait_expired(self, customer, order):
        if not order:
            return
        deadline = time.monotonic() + self.payment_window + 15
        status = None
        while time.monotonic() < deadline:
            status = customer.get(f"/orders/{order}").field("status")
            if status == "expired":
                self.report.ok()
                return
            time.sleep(0.5)
        self.report.fail(f"workload: the unpaid order did not expire (status {status})")

    def read_websockets(self):
        for sock in self.sockets:
            try:
                sock.poll(timeout=1.5)
            except (OSError, WebSocketError) as e:
                self.report.fail(f"workload: reading the WebSocket: {e}")
        if self.sockets:
            events = len(self.sockets[0].events())
            self.report.check(events > 0, "workload: no event arrived on admin:live")
            if len(self.sockets) > 1:
                kinds = sorted({m.get("event") for m in self.sockets[1].events()})
                print(f"   websocket: {events} admin:live events; customer events {kinds}", flush=True)
