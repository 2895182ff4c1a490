package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGlobs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.go", "b.txt", "pkg/c.go", "pkg/deep/d.go", ".git/e.go", "pkg/.dagq/f.go"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		writeFile(t, dir, f, f)
	}
	rel := func(pattern string) []string {
		g, err := newGlob(pattern)
		require.NoError(t, err, pattern)
		files, err := g.files(dir)
		require.NoError(t, err, pattern)
		out := []string{}
		for _, f := range files {
			r, err := filepath.Rel(dir, f)
			require.NoError(t, err)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	require.Equal(t, []string{"a.go"}, rel("*.go"))
	require.Equal(t, []string{"a.go", "pkg/c.go", "pkg/deep/d.go"}, rel("**/*.go"), "** is any directories, none included; .git and .dagq are skipped")
	require.Equal(t, []string{"pkg/c.go", "pkg/deep/d.go"}, rel("pkg/**/*.go"))
	require.Equal(t, []string{"pkg/c.go", "pkg/deep/d.go"}, rel("pkg"), "a directory stands for the files under it")
	require.Equal(t, []string{"b.txt"}, rel("b.txt"))
	require.Equal(t, []string{}, rel("missing/*.go"))
	require.Equal(t, []string{}, rel("nothing.txt"))
	_, err := newGlob("[a-")
	require.ErrorContains(t, err, `bad pattern "[a-"`)
	_, err = newGlob(" ")
	require.ErrorContains(t, err, "empty pattern")
}

// requireRan checks which jobs ran (not cached) in a run's summary.
func requireRan(t *testing.T, stdout string, ran ...string) {
	t.Helper()
	var got []string
	for line := range strings.Lines(stdout) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[1] == "succeeded" {
			got = append(got, f[0])
		}
	}
	require.ElementsMatch(t, ran, got, stdout)
}

// TestCachingEndToEnd edits one input file and checks that exactly the
// jobs downstream of it run again; a missing output or --force runs a
// job again, and a job without inputs runs every time unless --resume.
func TestCachingEndToEnd(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "web"), 0o755))
	writeFile(t, dir, "api.go", "package api")
	writeFile(t, dir, "web/app.js", "app()")
	file := writeFile(t, dir, "p.yaml", `
x-go: &go
  env: {CGO_ENABLED: "0"}
jobs:
  - {name: api, <<: *go, cmd: "cat api.go > api.bin", inputs: ["*.go"], outputs: [api.bin]}
  - {name: web, cmd: "cat app.js > app.min.js", dir: web, inputs: [app.js], outputs: [app.min.js]}
  - {name: bundle, deps: [api, web], cmd: "cat api.bin web/app.min.js > bundle", inputs: [api.bin, web/app.min.js]}
  - {name: test-api, deps: [api], cmd: "test -f api.bin", inputs: ["*.go"]}
  - {name: stamp, cmd: "date > stamp"}
`)
	run := func(args ...string) string {
		t.Helper()
		r := runBinary(t, dir, append([]string{"run", "--progress", "none", "--output", "none"}, append(args, file)...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		return r.stdout
	}
	requireRan(t, run(), "api", "web", "bundle", "test-api", "stamp")
	requireRan(t, run(), "stamp") // nothing changed; stamp declares no inputs

	writeFile(t, dir, "web/app.js", "app() // edited")
	requireRan(t, run(), "web", "bundle", "stamp")

	writeFile(t, dir, "api.go", "package api // edited")
	requireRan(t, run("--resume"), "api", "bundle", "test-api")

	require.NoError(t, os.Remove(filepath.Join(dir, "web", "app.min.js")))
	requireRan(t, run("--resume"), "web", "bundle")

	requireRan(t, run("--resume", "--force", "test-api"), "test-api")
	requireRan(t, run("--resume"))

	r := runBinary(t, dir, "run", "--dry-run", "--force", "api", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "# api (forced)\nenv CGO_ENABLED=0 sh -c 'cat api.go > api.bin'\n")
	require.Contains(t, r.stdout, "# web: cached, would not run\n")
	require.Contains(t, r.stdout, "# bundle (dependency api runs)\n")

	r = runBinary(t, dir, "run", "--force", "apii", file)
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `dagq: --force: no job named "apii" (fix: did you mean "api"?)`)
}
