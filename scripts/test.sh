#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian/Ubuntu machine, then the tests.
# Used as is by .ci/run. Safe to run again: installed pieces are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libreoffice-calc-nogui libreoffice-writer-nogui fonts-ipafont-gothic poppler-utils)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: missing ${missing[*]} (rendering tests will be skipped); install them with apt-get" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'
exec "$PYTHON" -m pytest "$@"
