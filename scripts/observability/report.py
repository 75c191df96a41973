"""Failures and notes, printed as they happen and summed up at the end."""

import sys
import time


class Report:
    def __init__(self):
        self.started = time.monotonic()
        self.failures = []
        self.notes = []
        self.passed = 0

    def step(self, title):
        print(f"== {title} ({self.elapsed():.0f}s)", flush=True)

    def ok(self, message=None):
        self.passed += 1
        if message:
            print(f"   ok: {message}", flush=True)

    def fail(self, message):
        self.failures.append(message)
        print(f"   FAIL: {message}", flush=True)

    def note(self, message):
        self.notes.append(message)
        print(f"   note: {message}", flush=True)

    def check(self, condition, message):
        """Records a pass or a failure; returns the condition."""
        if condition:
            self.ok()
        else:
            self.fail(message)
        return condition

    def elapsed(self):
        return time.monotonic() - self.started

    def summary(self):
        print()
        print("== summary")
        for note in self.notes:
            print(f"   note: {note}")
        for failure in self.failures:
            print(f"   FAIL: {failure}")
        print(f"   took {self.elapsed():.0f}s")
        print(f"observability: {self.passed} passed, {len(self.failures)} failed")
        sys.stdout.flush()
        return 1 if self.failures else 0
