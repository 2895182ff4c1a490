#!/usr/bin/env bash
# Runs every fuzz test (each func FuzzXxx of every package of every module
# in go.work) for FUZZTIME each (default 60s), starting from its committed
# seed corpus in testdata/fuzz. scripts/test.sh calls it when CI=true. A new
# fuzz test is picked up without changing this script. A failing input is
# written to the package's testdata/fuzz, to be committed with its fix.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fuzztime="${FUZZTIME:-60s}"

mapfile -t modules < <(go work edit -json | sed -n 's/.*"DiskPath": "\(.*\)".*/\1/p')
for m in "${modules[@]}"; do
	cd "$root/$m"
	for pkg in $(go list ./...); do
		for fuzzer in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
			echo "== fuzz $pkg $fuzzer for $fuzztime"
			go test -run '^$' -fuzz "^${fuzzer}\$" -fuzztime "$fuzztime" "$pkg"
		done
	done
done
