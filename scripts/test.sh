#!/usr/bin/env bash
# Set up, install what the tests drive for real (Debian's chromium for the browser test, dovecot as the IMAP
# server of the email connector test), lint, and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/dovecot ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei dovecot-imapd >/dev/null
  else
    echo "the tests need Debian's chromium and dovecot: sudo apt-get install chromium fonts-wqy-microhei dovecot-imapd" >&2
    exit 1
  fi
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
