"""Packages, commands, free ports and child processes."""

import os
import shutil
import signal
import socket
import subprocess
import time

# Debian package -> a command it provides.
PACKAGES = {"prometheus": "promtool", "docker-compose": "docker-compose"}


def ensure_packages(report):
    """Installs the Debian packages that provide prometheus, promtool and docker-compose."""
    missing = [pkg for pkg, cmd in PACKAGES.items() if shutil.which(cmd) is None]
    if "prometheus" not in missing and shutil.which("prometheus") is None:
        missing.append("prometheus")
    if not missing:
        return True
    if shutil.which("apt-get") is None:
        report.fail(f"missing {', '.join(missing)} and no apt-get to install them")
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    print(f"   installing {' '.join(missing)} with apt-get", flush=True)
    done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        # The package lists may be missing or stale on a fresh machine.
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        report.fail(f"apt-get install {' '.join(missing)} failed:\n{tail(done.stderr)}")
        return False
    return True


def run(report, what, cmd, cwd=None):
    """Runs a checking command; a non-zero exit is a failure with its output."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode == 0:
        report.ok(what)
        return True
    report.fail(f"{what}: exit {done.returncode}\n{tail(done.stdout + done.stderr)}")
    return False


def tail(text, lines=20):
    return "\n".join("      " + line for line in text.strip().splitlines()[-lines:])


def free_port():
    """A port free on the loopback interface now (the caller binds it soon after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A child process in its own process group, output to a log file."""

    def __init__(self, name, cmd, env, log_path, cwd=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def running(self):
        return self.proc.poll() is None

    def log_text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, lines=25):
        return tail(self.log_text(), lines)

    def stop(self, grace=10.0):
        """SIGTERM to the process group, SIGKILL after `grace` seconds."""
        if self.running():
            self._signal(signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self.running() and time.monotonic() < deadline:
                time.sleep(0.1)
            if self.running():
                self._signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()

    def _signal(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
