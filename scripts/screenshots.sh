#!/usr/bin/env bash
# Regenerates the pictures of docs/observability.md from examples/trace:
# the timeline in headless Chromium, the trace in speedscope (a trace
# viewer that works offline), the live graph with Graphviz and the live
# dashboard (from its browser test). Not part of
# the tests; it installs Debian's chromium and graphviz, and speedscope
# from npm, when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
img="$root/docs/img"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v chromium >/dev/null || ! command -v dot >/dev/null; then
	apt-get update -qq && apt-get install -y -qq chromium graphviz >/dev/null
fi
(cd "$work" && npm pack --silent speedscope@1.25.0 >/dev/null && tar xzf speedscope-*.tgz)

shot() { # shot URL OUTPUT WIDTH HEIGHT
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$work/profile" --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1
}

mkdir -p "$img" "$work/small" "$work/tiny"
go run ./examples/trace -n 12 -dir "$work/small" >/dev/null
go run ./examples/trace -n 4 -dir "$work/tiny" >/dev/null

shot "file://$work/small/timeline.html" "$img/timeline.png" 1220 800

python3 - "$work/small/trace.json" "$work/profile.js" <<'PY'
import base64, json, sys
data = base64.b64encode(open(sys.argv[1], "rb").read()).decode()
open(sys.argv[2], "w").write("speedscope.loadFileFromBase64(%s, %s)" % (json.dumps("trace.json"), json.dumps(data)))
PY
shot "file://$work/package/dist/release/index.html#localProfilePath=$work/profile.js" "$img/trace-speedscope.png" 1220 260

dot -Tpng -Gdpi=60 "$work/tiny/graph.dot" -o "$img/graph.png"

# The live dashboard: its browser test saves what it shows mid-run.
(cd dashboard && DAGQ_SCREENSHOTS="$img" go test -count=1 -run '^TestInTheBrowser$' . >/dev/null)
ls -l "$img"
