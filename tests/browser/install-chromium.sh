#!/usr/bin/env bash
# Debian's Chromium for tests/browser (playwright-core drives it; nothing downloads a browser of
# its own), and a small CJK font so Chinese text in the screenshots is readable rather than boxes.
# Installs only what is missing: quick when both are there.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "tests/browser: installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/chromium --version
