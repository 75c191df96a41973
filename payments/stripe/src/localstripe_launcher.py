"""localstripe for souk's tests, made to answer as Stripe does where
async-stripe depends on it.

localstripe (a fake Stripe server) leaves out fields that Stripe always
sends and async-stripe requires when it parses an answer (and expands a
payment intent's charge, which Stripe names by id), keeps its data in
one fixed file that parallel servers would share, ignores
`Idempotency-Key`, and refuses a payment method given with the confirmation
(Stripe takes it, also to try another card after a decline). This launcher
starts it with those four things changed, and nothing else: the tests talk
to localstripe itself.

Usage: python localstripe_launcher.py PORT
"""

import json
import sys

from aiohttp import web

import localstripe.resources as resources

original_confirm = resources.PaymentIntent._api_confirm.__func__


def confirm_with_method(cls, id, payment_method=None, **kwargs):
    """Confirms with `payment_method`, as Stripe does."""
    if payment_method is not None:
        intent = cls._api_retrieve(id)
        resources.PaymentMethod._api_retrieve(payment_method)  # 404 if unknown
        if intent.status in ('requires_payment_method', 'requires_confirmation'):
            intent.payment_method = payment_method
            intent.latest_charge = None
    return original_confirm(cls, id, **kwargs)


resources.PaymentIntent._api_confirm = classmethod(confirm_with_method)
# The server's routes are made from this list when it is imported (below).
resources.extra_apis[:] = [
    (method, url, resources.PaymentIntent._api_confirm)
    if url == '/v1/payment_intents/{id}/confirm' else (method, url, func)
    for method, url, func in resources.extra_apis
]

import localstripe.server as server  # noqa: E402

# Fields Stripe always sends, with the value Stripe gives them by default.
ALWAYS = {
    'payment_intent': {
        'amount_capturable': 0,
        'confirmation_method': 'automatic',
        'payment_method_types': ['card'],
        'livemode': False,
        'metadata': {},
    },
    'refund': {'metadata': {}},
}


def complete(value):
    """Adds what Stripe would have sent to every object in `value`."""
    if isinstance(value, list):
        for item in value:
            complete(item)
    elif isinstance(value, dict):
        for item in value.values():
            complete(item)
        kind = value.get('object')
        for field, default in ALWAYS.get(kind, {}).items():
            value.setdefault(field, default)
        if kind == 'payment_intent':
            received = value['amount'] if value.get('status') == 'succeeded' else 0
            value.setdefault('amount_received', received)
            # Stripe names the charge by id unless asked to expand it, and
            # has dropped the old `charges` list.
            charge = value.get('latest_charge')
            if isinstance(charge, dict):
                value['latest_charge'] = charge.get('id')
            value.pop('charges', None)
            # A payment's last error is a card error, and says so.
            error = value.get('last_payment_error')
            if isinstance(error, dict):
                error.setdefault('type', 'card_error')


@web.middleware
async def stripe_shaped(request, handler):
    response = await handler(request)
    if response.content_type != 'application/json' or response.body is None:
        return response
    body = json.loads(response.body)
    complete(body)
    return web.json_response(body, status=response.status)


# Stripe replays the first answer to a request sent again with the same
# Idempotency-Key (for 24 hours); localstripe would make a second object.
replies = {}


@web.middleware
async def idempotent(request, handler):
    if request.method == 'DELETE' and request.path == '/_config/data':
        replies.clear()
    key = request.headers.get('Idempotency-Key')
    if request.method != 'POST' or key is None:
        return await handler(request)
    if key in replies:
        status, body = replies[key]
        return web.json_response(body, status=status)
    response = await handler(request)
    if response.content_type == 'application/json' and response.body is not None:
        replies[key] = (response.status, json.loads(response.body))
    return response


# One server per test: nothing goes to the shared file.
resources.Store.dump_to_disk = lambda self: None
server.app.middlewares.append(idempotent)
server.app.middlewares.append(stripe_shaped)

if __name__ == '__main__':
    sys.argv = [sys.argv[0], '--port', sys.argv[1], '--from-scratch']
    server.start()
