#!/usr/bin/env bash
# Set up, install the browser the real-browser test drives (Debian's chromium), lint, and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  else
    echo "the browser test needs Debian's chromium: sudo apt-get install chromium fonts-wqy-microhei" >&2
    exit 1
  fi
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
