"""Starts `souk serve --demo` with /metrics on a listener of its own."""

import os
import time
from pathlib import Path

from . import tools
from .client import get_text

# Settings for the check. The auth limit keeps its default so the workload can
# trip it; the others are raised so the workload never meets them.
CHECK_ENV = {
    "SOUK__RATE_LIMIT__ENABLED": "true",
    "SOUK__RATE_LIMIT__PER_IP__BURST": "100000",
    "SOUK__RATE_LIMIT__PER_USER__BURST": "100000",
    # The shortest allowed: an unpaid order expires while the check runs.
    "SOUK__CHECKOUT__PAYMENT_WINDOW_SECS": "5",
    "SOUK__AUTH__COOKIE_SECURE": "false",
    # The workload's new customers check out without opening a verification letter.
    "SOUK__AUTH__UNVERIFIED_CHECKOUT": "true",
    "SOUK__LOG__FORMAT": "json",
}
PAYMENT_WINDOW_SECS = 5


def default_binary():
    target = os.environ.get("CARGO_TARGET_DIR") or str(Path.home() / ".cache/souk/target")
    return os.environ.get("SOUK_BIN") or str(Path(target) / "debug" / "souk")


class Souk:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = Path(workdir)
        self.port = tools.free_port()
        self.metrics_port = tools.free_port()
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def env(self):
        # Only this check's SOUK__ settings: none inherited from the shell.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOUK__") and k != "SOUK_ENV"}
        env.update(CHECK_ENV)
        env["SOUK__METRICS__LISTEN"] = self.metrics_target()
        return env

    def start(self):
        data = self.workdir / "data"
        cmd = [self.binary, "serve", "--demo", "--data-dir", str(data), "--listen", f"127.0.0.1:{self.port}"]
        log = self.workdir / "souk.log"
        self.process = tools.Process("souk", cmd, self.env(), log, cwd=self.workdir)
        return self

    def metrics_target(self):
        """The metrics listener's address, as Prometheus scrapes it."""
        return f"127.0.0.1:{self.metrics_port}"

    def wait_ready(self, report, timeout):
        """Waits for /health/ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.running():
                report.fail(f"souk exited with {self.process.proc.returncode} before it was ready:\n{self.process.log_tail()}")
                return False
            status, _ = get_text(f"{self.base}/health/ready", timeout=2)
            if status == 200:
                return True
            time.sleep(0.5)
        report.fail(f"souk was not ready after {timeout:.0f}s:\n{self.process.log_tail()}")
        return False

    def check_metrics(self, report):
        """/metrics answers on its own listener and no longer on the API's."""
        status, text = get_text(f"http://{self.metrics_target()}/metrics")
        if status != 200 or "souk_" not in text:
            report.fail(f"/metrics does not answer on the metrics listener ({status})")
            return False
        report.ok(f"/metrics answers on the metrics listener {self.metrics_target()}")
        main_status, _ = get_text(f"{self.base}/metrics")
        return report.check(main_status != 200, "metrics.listen is set but /metrics is still served on the main listener")

    def stop(self):
        if self.process:
            self.process.stop(grace=15)
