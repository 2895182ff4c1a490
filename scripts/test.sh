#!/usr/bin/env bash
# Runs every check and test of every module in this repository: formatting,
# go vet, staticcheck, and the test suites under -race. This is the test
# command of the README and of CI; it installs what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export PATH="$(go env GOPATH)/bin:$PATH"

# Modules: the core and every sub-module listed in go.work.
mapfile -t modules < <(go work edit -json | sed -n 's/.*"DiskPath": "\(.*\)".*/\1/p')

echo "== tools"
command -v staticcheck >/dev/null || go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The timeline's screenshot test runs Debian's chromium and the graph
# tests parse their DOT with Graphviz: install them where missing (as
# root, with apt), else those checks are skipped.
if ! { command -v chromium && command -v dot; } >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "== installing chromium and graphviz from Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium graphviz fonts-dejavu-core >/dev/null ||
		echo "!! could not install chromium and graphviz: the screenshot and DOT checks will be SKIPPED" >&2
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "not gofmt-ed:"; echo "$unformatted"; exit 1
fi

for m in "${modules[@]}"; do
	echo "== module $m: vet, staticcheck, test -race"
	# These modules' tests need PostgreSQL: scripts/postgres.sh runs them
	# with a throwaway cluster.
	pg=(); case "$m" in ./dagqriver | ./examples/distributed) pg=("$root/scripts/postgres.sh") ;; esac
	(cd "$root/$m" && go vet ./... && staticcheck ./... && "${pg[@]}" go test -race -count=1 ./...)
done
if [ "${CI:-}" = true ]; then bash "$root/scripts/fuzz.sh"; fi
echo "== all checks passed"
