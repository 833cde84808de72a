#!/usr/bin/env bash
# One-time set-up on a fresh machine: system fonts and a word list for the synthetic engine (where
# apt-get can run), then .venv with PyTorch and the project. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES="fonts-liberation2 fonts-urw-base35 fonts-roboto-unhinted fonts-noto-core fonts-freefont-ttf \
fonts-lato fonts-open-sans fonts-crosextra-carlito fonts-comic-neue fonts-dejavu-extra wamerican"

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=$(for p in $SYSTEM_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done | tr '\n' ' ')
  if [ -n "${missing// /}" ]; then
    echo "installing system packages: $missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
      >/dev/null) || echo "warning: could not install $missing; synthesis falls back to the fonts present"
  fi
else
  echo "note: not root or no apt-get: skipping fonts and word list (the package's own word list is used)"
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# The CPU machines this project targets keep these wheels on disk; pin them so pip takes those.
.venv/bin/python -m pip install -q "torch==2.14.1" "torchvision==0.29.1"
.venv/bin/python -m pip install -q -e ".[dev]"
echo "set-up done: .venv/bin/ocrnet"
