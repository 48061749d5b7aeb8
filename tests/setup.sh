#!/usr/bin/env bash
# What the flow tests need beyond the Python packages: the Sentry JavaScript SDKs (tests/node: @sentry/node,
# @sentry/browser and esbuild, from npm) and Debian's Chromium, which the page tests drive through Playwright
# (executable_path=/usr/bin/chromium; Playwright's own browsers are never downloaded).
set -euo pipefail
cd "$(dirname "$0")"
installed=node/node_modules/.package-lock.json
if command -v npm >/dev/null && { [ ! -f "$installed" ] || [ node/package-lock.json -nt "$installed" ]; }; then
  (cd node && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
  "${as_root[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q chromium
fi
