#!/usr/bin/env python3
"""Search latency while the assistant catches up, and its start-up with a big catalog.

    scripts/assistant-catchup.py SOUK_BINARY [PRODUCTS] [DATA_DIR]

Starts `souk serve --demo` with the assistant on (rate limits off) on
DATA_DIR (default: a fresh temporary directory) and waits until it searches.
Then, with one shopper searching back to back the whole time:

1. 200 searches on the demo catalog: the baseline latency;
2. a seller creates PRODUCTS products (default 20,000) over the HTTP API, 8 at
   a time from a process of its own, and the searches go on until the assistant has embedded and
   indexed every one (`souk_vector_index_items` on /metrics); the searches
   while products are being created and those after, while the rest is
   embedded, are reported apart;
3. after 30 s more (the graph insertion behind the embedding finishes), 10 s
   of searches on the whole catalog, caught up: what the searches during
   phase 2 are to be compared with, on an index of the same size;
4. the node is killed with SIGKILL and started again: the time until
   /health/ready answers 200, the time until a search answers 200, and the
   latency of searches while the graph is rebuilt behind them.

Prints the search latency (p50 / p99 / max, ms) of each phase and the times.
Needs the model (`souk model fetch`).
"""

import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

QUERIES = [
    "warm jacket for hiking", "red running shoes", "cheap headphones",
    "wooden toy for a child", "coffee grinder", "waterproof tent",
    "gift for a gardener", "leather wallet", "desk lamp", "yoga mat",
]
WORDS = ("alpine amber bold breeze canyon cedar coastal copper crisp drift ember "
         "field forest frost glacier harbor hazel indigo ivory juniper lagoon "
         "linen maple meadow mesa moss night oak ocean olive pebble pine quartz "
         "rain river sage sand shadow sierra slate spruce stone storm summit "
         "sun thistle timber tundra valley willow wind").split()
NOUNS = ("backpack jacket boots lamp mug kettle blanket scarf tent bottle "
         "notebook pen chair table speaker headphones watch wallet belt hat "
         "gloves socks shirt sweater candle vase planter knife pan grinder").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, binary, data_dir):
        self.binary, self.data_dir = binary, data_dir
        self.port = free_port()
        self.metrics_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        env = dict(os.environ,
                   SOUK__RATE_LIMIT__ENABLED="false",
                   SOUK__ASSISTANT__ENABLED="true",
                   SOUK__LOG__LEVEL="warn",
                   SOUK__METRICS__LISTEN=f"127.0.0.1:{self.metrics_port}")
        log = open(os.path.join(self.data_dir, "..", "souk.log"), "ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--demo", "--data-dir", self.data_dir,
             "--listen", f"127.0.0.1:{self.port}"],
            stdout=log, stderr=log, env=env)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def wait_for(self, path, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"souk exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.005)
        sys.exit(f"{path} did not answer 200 within {timeout} s")

    def metric(self, name):
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split()[1])
        return 0.0

    def series(self, line_prefix):
        """The value of the first /metrics line starting with `line_prefix`."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(line_prefix):
                    return float(line.split()[-1])
        return 0.0

    def timings(self):
        """Sums and counts of the query embedding and whole-search histograms."""
        return {
            name: (self.series(f'{metric}_sum{{kind="{kind}"}}'),
                   self.series(f'{metric}_count{{kind="{kind}"}}'))
            for name, metric, kind in (("embedding", "souk_embedding_seconds", "query"),
                                       ("search", "souk_search_seconds", "hybrid"))
        }

    def call(self, method, path, body=None, token=None):
        return call(self.base, method, path, body, token)


class Searcher(threading.Thread):
    """One shopper searching back to back; latencies are kept per phase, with
    the server's mean query embedding and search times over each phase."""

    def __init__(self, node):
        super().__init__(daemon=True)
        self._phase, self.samples, self.means = None, {}, {}
        self.node, self.opened = node, None
        self.stopped = threading.Event()

    @property
    def phase(self):
        return self._phase

    @phase.setter
    def phase(self, name):
        now = self.node.timings()
        if self._phase and self.opened:
            means = {}
            for key, (total, count) in now.items():
                total0, count0 = self.opened[key]
                n = count - count0
                means[key] = (total - total0) / n * 1000 if n > 0 else float("nan")
            self.means[self._phase] = means
        self._phase, self.opened = name, now

    def run(self):
        i = 0
        while not self.stopped.is_set():
            q = urllib.parse.quote(QUERIES[i % len(QUERIES)])
            i += 1
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.node.base}/api/v1/search?q={q}&limit=10",
                                            timeout=30) as r:
                    r.read()
                    ok = r.status == 200
            except (urllib.error.URLError, ConnectionError):
                ok = False
            took = (time.perf_counter() - began) * 1000
            phase = self._phase
            if ok and phase:
                self.samples.setdefault(phase, []).append(took)


def summary(samples):
    if not samples:
        return "no samples"
    s = sorted(samples)
    p99 = s[min(len(s) - 1, int(len(s) * 0.99))]
    return (f"{len(s)} searches, p50 {statistics.median(s):.1f} ms, "
            f"p99 {p99:.1f} ms, max {s[-1]:.1f} ms")


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def create_products(base, token, categories, count):
    """The seller's import: `count` products over HTTP, 8 at a time. Runs in
    a process of its own, so the shopper's timings never wait for this
    process's interpreter lock."""
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: call(base, "POST", "/api/v1/products",
                                     product(i, categories), token), range(count)))


def product(i, categories):
    rng = random.Random(i)
    title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(NOUNS)} {i}"
    words = " ".join(rng.choice(WORDS + NOUNS) for _ in range(24))
    return {
        "title": title,
        "description": f"A {rng.choice(NOUNS)} for every day: {words}.",
        "category": rng.choice(categories),
        "attributes": {"colour": rng.choice(["red", "blue", "green", "black"])},
        "price": {"amount": rng.randrange(500, 50000), "currency": "USD"},
        "stock": rng.randrange(1, 100),
    }


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    root = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp()
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir, exist_ok=True)
    node = Node(binary, data_dir)
    node.start()
    node.wait_for("/health/ready")
    node.wait_for("/api/v1/search?q=lamp")
    items = lambda: node.metric("souk_vector_index_items")
    settle(items)

    searcher = Searcher(node)
    searcher.start()
    searcher.phase = "demo catalog, index caught up"
    time.sleep(10)

    login = node.call("POST", "/api/v1/auth/login",
                      {"email": "kestrel@example.com", "password": "souk-demo-password"})
    token = login["access_token"]
    categories = [c["slug"] for c in node.call("GET", "/api/v1/categories")["items"]]
    before = items()
    searcher.phase = f"while {count:,} new products are created (and embedded)"
    began = time.monotonic()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as seller:
        seller.submit(create_products, node.base, token, categories, count).result()
    created = time.monotonic() - began
    searcher.phase = "then, while the rest is embedded"
    while items() < before + count:
        time.sleep(0.2)
    caught_up = time.monotonic() - began
    searcher.phase = None
    total = items()
    time.sleep(30)
    searcher.phase = f"all {int(total):,} products indexed, caught up"
    time.sleep(10)
    searcher.phase = None

    node.kill()
    node.start()
    ready = node.wait_for("/health/ready")
    searcher.phase = "after a kill -9, while the graph is rebuilt"
    serving = node.wait_for("/api/v1/search?q=lamp")
    time.sleep(10)
    searcher.phase = None
    searcher.stopped.set()
    searcher.join()
    node.kill()

    print(f"products created in {created:.1f} s; all embedded and indexed after {caught_up:.1f} s")
    print(f"restart with {int(total):,} products: ready in {ready * 1000:.0f} ms, "
          f"searching in {serving * 1000:.0f} ms")
    for phase, samples in searcher.samples.items():
        means = searcher.means.get(phase, {})
        inside = ""
        if means:
            inside = (f"; in souk, mean query embedding {means['embedding']:.1f} ms, "
                      f"mean search {means['search']:.1f} ms")
        print(f"{phase}: {summary(samples)}{inside}")


def settle(read, quiet=3.0):
    """Waits until `read()` is above zero and has not changed for `quiet` s."""
    last, since = read(), time.monotonic()
    while last == 0 or time.monotonic() - since < quiet:
        time.sleep(0.25)
        now = read()
        if now != last:
            last, since = now, time.monotonic()


if __name__ == "__main__":
    main()
