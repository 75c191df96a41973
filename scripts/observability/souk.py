"""Starts `souk serve --demo` and finds where its /metrics answers."""

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
        self.metrics_listener = True
        self.metrics_url = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def env(self):
        # Only this check's SOUK__ settings: none inherited from the shell.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOUK__") and k != "SOUK_ENV"}
        env.update(CHECK_ENV)
        if self.metrics_listener:
            env["SOUK__METRICS__LISTEN"] = f"127.0.0.1:{self.metrics_port}"
        return env

    def start(self):
        data = self.workdir / ("data-metrics" if self.metrics_listener else "data")
        cmd = [self.binary, "serve", "--demo", "--data-dir", str(data), "--listen", f"127.0.0.1:{self.port}"]
        log = self.workdir / ("souk.log" if self.metrics_listener else "souk-main-metrics.log")
        self.process = tools.Process("souk", cmd, self.env(), log, cwd=self.workdir)
        return self

    def expected_target(self):
        """Where /metrics should answer with the current settings."""
        return f"127.0.0.1:{self.metrics_port if self.metrics_listener else self.port}"

    def wait_ready(self, report, timeout, on_restart=None):
        """Waits for /health/ready. A binary that does not know `metrics.listen`
        refuses the setting at once; it is then started again without it
        (and `on_restart` is called)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.running():
                log = self.process.log_text()
                if self.metrics_listener and "metrics" in log and "unknown field" in log:
                    report.note("this souk does not know metrics.listen yet: /metrics is read on the main listener")
                    self.process.stop()
                    self.metrics_listener = False
                    self.start()
                    if on_restart:
                        on_restart()
                    continue
                report.fail(f"souk exited with {self.process.proc.returncode} before it was ready:\n{self.process.log_tail()}")
                return False
            status, _ = get_text(f"{self.base}/health/ready", timeout=2)
            if status == 200:
                return True
            time.sleep(0.5)
        report.fail(f"souk was not ready after {timeout:.0f}s:\n{self.process.log_tail()}")
        return False

    def find_metrics(self, report):
        """Where /metrics answers: on its own listener when one is set, else the main one."""
        main = f"{self.base}/metrics"
        separate = f"http://127.0.0.1:{self.metrics_port}/metrics"
        if self.metrics_listener:
            status, text = get_text(separate)
            if status == 200 and "souk_" in text:
                report.ok(f"/metrics answers on the metrics listener 127.0.0.1:{self.metrics_port}")
                main_status, _ = get_text(main)
                report.check(main_status != 200, "metrics.listen is set but /metrics is still served on the main listener")
                self.metrics_url = separate
                return f"127.0.0.1:{self.metrics_port}"
            report.note(f"metrics.listen was accepted but nothing answers on it ({status}): trying the main listener")
        status, text = get_text(main)
        if report.check(status == 200 and "souk_" in text, f"/metrics does not answer on the main listener ({status})"):
            self.metrics_url = main
            return f"127.0.0.1:{self.port}"
        return None

    def stop(self):
        if self.process:
            self.process.stop(grace=15)
