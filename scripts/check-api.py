#!/usr/bin/env python3
"""The API contract check: schemathesis (`--checks all`) against `souk serve
--demo`, once per role, with a fixed seed; exits non-zero on any failure.

    python3 scripts/check-api.py            # what .ci/run does
    CHECK_API_EXAMPLES=50 python3 scripts/check-api.py  # a deeper run
    SOUK_BIN=target/release/souk python3 scripts/check-api.py

- schemathesis is pinned (SCHEMATHESIS below) and installed once into
  $HOME/.cache/souk/venv (SOUK_VENV overrides).
- The server runs on a free loopback port with a temporary data dir and
  `/metrics` on a port of its own (127.0.0.1:0), so nothing collides.
- Rate limits are off for the run (SOUK__RATE_LIMIT__ENABLED=false): the
  fuzzer sends thousands of requests from one address, and a 429 it did not
  provoke on purpose would hide the answer being checked. 429 is documented
  on every operation all the same.
- The assistant runs when its model is in the cache (`souk model fetch`, which
  the workspace tests do first); without it, it is switched off and its three
  routes answer their documented 503 `assistant_disabled`, which the hooks
  accept for those routes only (scripts/check_api_hooks.py).
- GET /ws is left out: it upgrades to a WebSocket, which schemathesis does
  not speak; runtime/tests/api/ws*.rs cover it.
- Tokens: customer, then seller, then admin (last: it may disable accounts).
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

SCHEMATHESIS = "4.32.5"
SEED = int(os.environ.get("CHECK_API_SEED", "20260201"))
EXAMPLES = int(os.environ.get("CHECK_API_EXAMPLES", "50"))
PASSWORD = "souk-demo-password"
ROLES = [
    ("customer", "customer@example.com"),
    ("seller", "kestrel@example.com"),
    ("admin", "admin@example.com"),
]
ROOT = pathlib.Path(__file__).resolve().parent.parent


def log(message):
    print(f"check-api: {message}", flush=True)


def schemathesis_bin():
    """The pinned `st`, installed into the cached venv on first use."""
    venv = pathlib.Path(
        os.environ.get("SOUK_VENV", pathlib.Path.home() / ".cache/souk/venv")
    )
    st = venv / "bin" / "st"
    if st.exists():
        version = subprocess.run(
            [str(st), "--version"], capture_output=True, text=True, check=False
        ).stdout
        if SCHEMATHESIS in version:
            return st
    log(f"installing schemathesis {SCHEMATHESIS} into {venv}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", f"schemathesis=={SCHEMATHESIS}"],
        check=True,
    )
    return st


def souk_bin():
    """`$SOUK_BIN` when set, else builds `souk` (the dev profile the tests
    already built) and returns it."""
    if os.environ.get("SOUK_BIN"):
        return pathlib.Path(os.environ["SOUK_BIN"])
    target = pathlib.Path(
        os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache/souk/target")
    )
    subprocess.run(
        ["cargo", "build", "--quiet", "-p", "souk-runtime", "--bin", "souk"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "CARGO_TARGET_DIR": str(target)},
    )
    return target / "debug" / "souk"


def model_present():
    model = os.environ.get("SOUK_MODEL_DIR") or str(
        pathlib.Path.home() / ".cache/souk/models/all-MiniLM-L6-v2"
    )
    return (pathlib.Path(model) / "model.safetensors").exists()


def start(souk, data_dir, assistant, out):
    env = {
        **os.environ,
        "SOUK__RATE_LIMIT__ENABLED": "false",
        "SOUK__METRICS__LISTEN": "127.0.0.1:0",
        "SOUK__ASSISTANT__ENABLED": "true" if assistant else "false",
        "SOUK__LOG__LEVEL": "warn",
    }
    server = subprocess.Popen(
        [str(souk), "serve", "--demo", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"souk exited with {server.returncode}; see {out.name}")
        found = re.search(r"souk listening on (http://\S+)", pathlib.Path(out.name).read_text())
        if found:
            return server, found.group(1)
        time.sleep(0.2)
    raise RuntimeError(f"souk did not start within 180 s; see {out.name}")


def login(base, email):
    request = urllib.request.Request(
        f"{base}/api/v1/auth/login",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def call(base, method, path, token, body=None):
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def fill_cart(base, token):
    """One unit of an in-stock product in the caller's cart, so a generated
    checkout can place an order and the order operations (reached through
    the document's links) act on a real one."""
    products = call(base, "GET", "/api/v1/products?in_stock=true&sort=price_asc&limit=1", token)
    for product in products["items"]:
        call(base, "POST", "/api/v1/cart/items", token, {"product_id": product["id"], "quantity": 1})


def run_schemathesis(st, base, role, token, report_dir):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "scripts"),
        "SCHEMATHESIS_HOOKS": "check_api_hooks",
    }
    command = [
        str(st), "run", f"{base}/api/v1/openapi.json",
        "--checks", "all",
        "--seed", str(SEED),
        "--max-examples", str(EXAMPLES),
        "--workers", "1",
        "--generation-database", "none",
        "--exclude-path", "/ws",
        "--header", f"Authorization: Bearer {token}",
        "--request-timeout", "30",
        "--no-color",
        "--report", "junit",
        "--report-junit-path", str(report_dir / f"{role}.xml"),
    ]
    log(f"schemathesis as {role} (seed {SEED}, {EXAMPLES} examples per operation)")
    started = time.monotonic()
    # In the temporary directory: schemathesis keeps a crash cache in its
    # working directory, which would replay old failures into a later run.
    code = subprocess.run(command, env=env, cwd=report_dir, check=False).returncode
    log(f"{role}: exit {code} in {time.monotonic() - started:.0f} s")
    return code


def main():
    st = schemathesis_bin()
    souk = souk_bin()
    assistant = model_present()
    os.environ["SOUK_CHECK_ASSISTANT"] = "on" if assistant else "off"
    log("assistant " + ("on (model found)" if assistant else "off (no model; 503 expected)"))
    failed = []
    with tempfile.TemporaryDirectory(prefix="souk-check-api-") as tmp:
        tmp = pathlib.Path(tmp)
        with open(tmp / "server.log", "w") as out:
            server, base = start(souk, tmp / "data", assistant, out)
            try:
                log(f"server at {base}")
                tokens = {role: login(base, email) for role, email in ROLES}
                # The category the document's examples name, so example
                # products are created and the product operations reached.
                call(base, "PUT", "/api/v1/admin/categories/outdoor-gear", tokens["admin"],
                     {"name": "Outdoor gear"})
                for role, _ in ROLES:
                    fill_cart(base, tokens[role])
                    if run_schemathesis(st, base, role, tokens[role], tmp) != 0:
                        failed.append(role)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        if failed:
            log("server log tail:")
            print("\n".join((tmp / "server.log").read_text().splitlines()[-40:]))
    if failed:
        log(f"FAILED as {', '.join(failed)}")
        return 1
    log("passed: zero failures for every role")
    return 0


if __name__ == "__main__":
    sys.exit(main())
