#!/usr/bin/env bash
# Install what the classroom app's browser tests need, idempotently (run as root):
#   1. Debian's headless Chromium (/usr/bin/chromium), driven by Playwright's Python package;
#   2. Solara's front-end files in its local asset cache, so that the app loads with no
#      internet access (pip's solara-assets may lag behind solara; the missing packages are
#      fetched from the npm registry with `npm pack`).
# Usage: bash scripts/install_browser.sh [path/to/python]   (default: .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
echo "chromium: $(command -v chromium)"

cache=$("$PY" -c 'from solara.server import settings; print(settings.assets.proxy_cache_dir)')
template=$("$PY" -c 'import pathlib, solara.server; print(pathlib.Path(solara.server.__file__).parent / "templates" / "solara.html.j2")')
vue3=$("$PY" -c 'import ipyvue; print(int(ipyvue.__version__.startswith("3")))')
mkdir -p "$cache"
# Every package@version the page template loads from the CDN for this Vue major version, plus
# those loaded later by the widgets the app uses (icons, the draggable grid of Mesa's SolaraViz).
if [ "$vue3" = 1 ]; then skip='solara-vuetify-app@'; else skip='solara-vuetify3-app@'; fi
pkgs=$( (grep -o '{{cdn}}/[^"]*' "$template" | sed -E 's#\{\{cdn\}\}/##; s#^((@[^/]+/)?[^/]+)/.*#\1#' \
  | grep '@[0-9]' | grep -v -- "$skip"; echo font-awesome@4.5.0; echo @widgetti/vue-grid-layout@2.3.13-alpha.2) \
  | sort -u)
for pkg in $pkgs; do
  if [ -d "$cache/$pkg" ]; then continue; fi
  if ! command -v npm >/dev/null 2>&1; then
    apt-get install -y -qq npm >/dev/null
  fi
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
  mkdir -p "$cache/$pkg"
  tar xzf "$tmp"/*.tgz -C "$cache/$pkg" --strip-components=1
  rm -rf "$tmp"
  echo "solara asset: $pkg"
done
echo "solara assets: $cache"
