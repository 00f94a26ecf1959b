#!/usr/bin/env bash
# Installs the Debian packages the project needs beyond Python: CJK fonts and HarfBuzz
# subsetting for WeasyPrint's PDFs, Pango (WeasyPrint's text layout), poppler-utils
# (pdftotext/pdffonts in the PDF tests), librsvg2-bin (rsvg-convert: the charts of the
# bulletin's Word edition as images), gettext (compilemessages) and Chromium (browser
# tests), docker-compose (validating the compose file) and wrk (the load generator of
# scripts/bench_pages.py). Installs only what is missing, so a second run is quick and needs
# no network.
set -euo pipefail

PACKAGES=(
    fonts-noto-cjk          # Noto Serif CJK SC (标宋/仿宋 stand-ins), Noto Sans CJK SC (黑体)
    fonts-arphic-gkai00mp   # AR PL KaitiM GB (楷体)
    fonts-arphic-ukai       # AR PL UKai CN (楷体, second choice)
    libharfbuzz-subset0
    libpango-1.0-0
    libpangoft2-1.0-0
    poppler-utils
    librsvg2-bin
    gettext
    chromium
    docker-compose  # only to validate docker-compose.yml in the tests (no engine runs here)
    wrk  # scripts/bench_pages.py drives the server with it
)
# Extra packages may be named on the command line (e.g. postgresql redis-server from .ci/run).
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
    # dpkg -s also succeeds for packages removed but not purged: check the status line.
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system-deps: all ${#PACKAGES[@]} packages already installed."
    exit 0
fi

echo "system-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "system-deps: missing ${missing[*]}, and not root and no sudo to install them." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "system-deps: done."
