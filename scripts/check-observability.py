#!/usr/bin/env python3
"""Proves the dashboards, alerts and compose stack against a real souk and a real Prometheus.

  python3 scripts/check-observability.py

1. Installs prometheus/promtool and docker-compose with apt-get when missing.
2. Checks dashboards/*.json (JSON, unique uids and panel ids, the ${datasource}
   and $instance variables, an expr in every target), `promtool check rules`,
   `promtool check config` and `docker-compose config -q`.
3. Starts `souk serve --demo` ($SOUK_BIN, default $CARGO_TARGET_DIR/debug/souk,
   CARGO_TARGET_DIR defaulting to ~/.cache/souk/target) on free loopback ports
   with /metrics on its own listener, and a Prometheus scraping it every second.
4. Drives a short mixed workload, then evaluates every dashboard query: each
   must be valid PromQL and return at least one series. Alert rules must be
   valid (they may return nothing).

Exits non-zero on any failure. Standard library only.
"""

import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from observability import dashboards, tools  # noqa: E402
from observability.prom import Prometheus  # noqa: E402
from observability.report import Report  # noqa: E402
from observability.souk import PAYMENT_WINDOW_SECS, Souk, default_binary  # noqa: E402
from observability.workload import Workload  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ROOT / "dashboards"
ALERTS = DASHBOARDS / "alerts.yml"
READY_TIMEOUT = 300  # a fresh demo embeds 576 products: about a minute in a debug build


def static_checks(report, have_tools):
    report.step("dashboards")
    queries = dashboards.check_all(DASHBOARDS, report)
    if have_tools:
        report.step("promtool and docker-compose")
        tools.run(report, "promtool check rules dashboards/alerts.yml", ["promtool", "check", "rules", str(ALERTS)])
        tools.run(report, "promtool check config dashboards/prometheus.yml", ["promtool", "check", "config", str(DASHBOARDS / "prometheus.yml")])
        compose = ["docker-compose", "-f", "docker-compose.yml", "config", "-q"]
        tools.run(report, "docker-compose -f docker-compose.yml config -q", compose, cwd=ROOT)
    return queries


def evaluate(report, prom, queries):
    report.step(f"evaluating {len(queries)} dashboard queries")
    by_expr = {}
    for q in queries:
        by_expr.setdefault(q.expr, []).append(q.where)
    answered = 0
    for expr, where in by_expr.items():
        promql = dashboards.to_promql(expr)
        ok, result = prom.query(promql)
        used = "; ".join(where)
        if not ok:
            report.fail(f"invalid: {promql}\n      ({result}) in {used}")
        elif not result:
            report.fail(f"no series: {promql}\n      in {used}")
        else:
            answered += 1
            report.ok()
    print(f"   {answered} of {len(by_expr)} distinct queries returned series", flush=True)
    rules = prom.rules()
    if not report.check(rules, "prometheus did not load dashboards/alerts.yml"):
        return
    report.step(f"evaluating {len(rules)} alert rules")
    valid = 0
    for group, name, query, health, error in rules:
        ok, result = prom.query(query)
        if not ok:
            report.fail(f"alert {group}/{name}: invalid: {result}")
        elif health == "err":
            report.fail(f"alert {group}/{name}: evaluation failed: {error}")
        else:
            valid += 1
            report.ok()
    print(f"   {valid} of {len(rules)} alert rules valid", flush=True)


def exercise(report, souk, tmp, have_tools, started):
    """Everything that needs the running souk; what it starts goes into `started`."""
    report.step(f"starting {souk.binary} serve --demo")
    souk.start()
    queries = static_checks(report, have_tools)  # while souk seeds and embeds the demo
    if not have_tools:
        return
    prom = Prometheus(tmp, ALERTS)
    tools.run(report, "promtool check config (the check's own)", ["promtool", "check", "config", str(prom.config)])
    started.append(prom.start())
    # Scrape targets are picked up a few seconds late: name it now.
    target = souk.metrics_target()
    prom.scrape(target)
    report.step("waiting for souk to be ready")
    if not souk.wait_ready(report, READY_TIMEOUT):
        return
    report.ok(f"souk ready on {souk.base}")
    if not souk.check_metrics(report):
        return
    report.step(f"prometheus on {prom.base} scraping {target} every second")
    if prom.wait_up(report, target):
        report.step("workload")
        Workload(souk.base, souk.port, report, PAYMENT_WINDOW_SECS).run()
        report.step("waiting for a few scrapes")
        prom.wait_scrapes(4)
        time.sleep(1.0)  # one rule evaluation after the last scrape
        evaluate(report, prom, queries)
        if not souk.process.running():
            report.fail(f"souk stopped during the check:\n{souk.process.log_tail()}")


def main():
    report = Report()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report.step("tools")
    have_tools = tools.ensure_packages(report)
    binary = default_binary()
    if not report.check(os.access(binary, os.X_OK), f"no souk binary at {binary} (build it, or set SOUK_BIN)"):
        static_checks(report, have_tools)
        return report.summary()
    with tempfile.TemporaryDirectory(prefix="souk-observability-") as tmp:
        souk = Souk(binary, tmp)
        started = [souk]
        try:
            exercise(report, souk, tmp, have_tools, started)
        finally:
            for process in reversed(started):
                process.stop()
        if report.failures and souk.process:
            print(f"   souk log (last lines):\n{souk.process.log_tail(15)}")
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
