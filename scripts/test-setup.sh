#!/usr/bin/env bash
# Install what the test suite needs from Debian's packages, if absent: chromium (browser tests,
# driven by Playwright from PyPI; no browser is downloaded by any tool) and PostgreSQL (the
# database tests run on SQLite and on a real PostgreSQL the suite starts in a temp folder).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing from Debian: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
