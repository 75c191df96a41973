"""A real Prometheus scraping souk every second, and queries against it."""

import json
import time
import urllib.parse
from pathlib import Path

from . import tools
from .client import get_text

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s

rule_files:
  - {alerts}

scrape_configs:
  - job_name: souk
    metrics_path: /metrics
    # Written once souk is up and the check knows which listener serves /metrics.
    file_sd_configs:
      - files: ["{targets}"]
"""


class Prometheus:
    """Started before souk is ready; `scrape(target)` then points it at souk."""

    def __init__(self, workdir, alerts):
        self.workdir = Path(workdir)
        self.port = tools.free_port()
        self.targets = self.workdir / "targets.json"
        self.targets.write_text("[]\n")
        self.config = self.workdir / "prometheus.yml"
        self.config.write_text(CONFIG.format(alerts=Path(alerts).resolve(), targets=self.targets))
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        cmd = [
            "prometheus",
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.workdir / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--storage.tsdb.retention.time=1h",
            "--log.level=warn",
        ]
        self.process = tools.Process("prometheus", cmd, None, self.workdir / "prometheus.log", cwd=self.workdir)
        return self

    def scrape(self, target):
        staged = self.targets.with_suffix(".tmp")
        staged.write_text(json.dumps([{"targets": [target]}]) + "\n")
        staged.replace(self.targets)

    def wait_up(self, report, target, timeout=30.0):
        """Waits until Prometheus has scraped `target` successfully."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.running():
                report.fail(f"prometheus exited:\n{self.process.log_tail()}")
                return False
            ok, result = self.query(f'up{{job="souk", instance="{target}"}}')
            if ok and result and result[0]["value"][1] == "1":
                return True
            time.sleep(0.5)
        report.fail(f"prometheus did not scrape souk within {timeout:.0f}s:\n{self.process.log_tail()}")
        return False

    def query(self, expr):
        """(True, result) or (False, error) of an instant query."""
        url = f"{self.base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        status, text = get_text(url, timeout=10)
        if status is None:
            return False, text
        try:
            body = json.loads(text)
        except ValueError:
            return False, f"HTTP {status}: {text[:200]}"
        if body.get("status") != "success":
            return False, f"{body.get('errorType', status)}: {body.get('error', text[:200])}"
        return True, body["data"]["result"]

    def scrapes(self):
        ok, result = self.query('sum(count_over_time(up{job="souk"}[1h]))')
        return int(float(result[0]["value"][1])) if ok and result else 0

    def wait_scrapes(self, count, timeout=30.0):
        """Waits for `count` more scrapes of souk."""
        start = self.scrapes()
        deadline = time.monotonic() + timeout
        while self.scrapes() < start + count and time.monotonic() < deadline:
            time.sleep(0.5)

    def rules(self):
        """Every loaded rule as (group, name, query, health, last error)."""
        status, text = get_text(f"{self.base}/api/v1/rules", timeout=10)
        if status != 200:
            return None
        groups = json.loads(text)["data"]["groups"]
        return [
            (g["name"], r["name"], r["query"], r.get("health"), r.get("lastError", ""))
            for g in groups
            for r in g["rules"]
        ]

    def stop(self):
        if self.process:
            self.process.stop(grace=10)
