#!/usr/bin/env bash
# What the flow tests need beyond the Python packages: the @sentry/node SDK (npm).
set -euo pipefail
cd "$(dirname "$0")"
if command -v npm >/dev/null && [ ! -d node/node_modules/@sentry/node ]; then
  (cd node && npm install --no-audit --no-fund --loglevel=error)
fi
