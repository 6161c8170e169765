#!/usr/bin/env bash
# Renders a `rewardstream compare` HTML report in headless Chromium and checks that the rendered
# DOM holds both plots and the numbers of the JSON summary next to it; also takes a screenshot.
#
#   scripts/check_compare_html.sh REPORT.html [REPORT.json] [OUT_DIR]
#
# REPORT.json defaults to the .html path with .json; OUT_DIR (default target/compare-html-check)
# receives dom.html and screenshot.png. Needs Debian's `chromium` (installed with apt-get when
# missing and running as root) and python3. Exit status 0 = every check passed.
set -euo pipefail

html=${1:?usage: $0 REPORT.html [REPORT.json] [OUT_DIR]}
json=${2:-${html%.html}.json}
out=${3:-target/compare-html-check}
[ -f "$html" ] || { echo "no such file: $html" >&2; exit 2; }
[ -f "$json" ] || { echo "no such file: $json (the JSON summary written with the HTML)" >&2; exit 2; }
mkdir -p "$out"

chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium with apt-get..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    chromium=$(command -v chromium)
  else
    echo "chromium not found: apt-get install -y chromium" >&2
    exit 2
  fi
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  "--user-data-dir=$profile")

"$chromium" "${flags[@]}" --dump-dom "$url" > "$out/dom.html" 2> "$out/chromium.log"
"$chromium" "${flags[@]}" --hide-scrollbars --window-size=1000,1500 \
  "--screenshot=$out/screenshot.png" "$url" >> "$out/chromium.log" 2>&1

python3 - "$out/dom.html" "$json" <<'PY'
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
summary = json.load(open(sys.argv[2], encoding="utf-8"))
failures = []

def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)

check('<svg id="delta-histogram"' in dom, "histogram of Δ reward_a rendered (svg#delta-histogram)")
check('<svg id="flips-by-policy"' in dom, "flips per policy_version rendered (svg#flips-by-policy)")
bins = [int(c) for c in re.findall(r'<rect class="bin" data-count="(\d+)"', dom)]
check(len(bins) == len(summary["delta_reward_a_histogram"]),
      f"{len(bins)} histogram bars, one per bin")
check(bins == [b["count"] for b in summary["delta_reward_a_histogram"]],
      "histogram bar counts equal the JSON histogram")
check(sum(bins) == summary["compared"], f"histogram holds all {summary['compared']} compared pairs")

def text(id_):
    m = re.search(r'id="' + re.escape(id_) + r'">([^<]*)<', dom)
    return m.group(1) if m else None

rate = summary["agreement_rate"]
expect = "n/a" if rate is None else f"{100 * rate:.1f}%"
check(text("agreement-rate") == expect, f"agreement shown as {expect} (DOM: {text('agreement-rate')})")
check(text("flips-total") == str(summary["flips_total"]), f"{summary['flips_total']} flips shown")
for flip, n in summary["flips"].items():
    cell = "flip-" + flip.replace("->", "-")
    check(text(cell) == str(n), f"{flip}: {n} (DOM: {text(cell)})")
for policy, stats in summary["per_policy_version"].items():
    bars = [int(c) for c in re.findall(
        r'<rect class="flip" data-policy="' + re.escape(policy) + r'" data-flip="[^"]*" data-count="(\d+)"', dom)]
    check(sum(bars) == stats["flips_total"],
          f"policy {policy}: stacked bars sum to its {stats['flips_total']} flips")
check(not re.search(r'<script|<link|src="http', dom), "no script, stylesheet link or remote source")
sys.exit(1 if failures else 0)
PY
echo "screenshot: $out/screenshot.png"
