package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJobFieldsAnchorsAndExtensions: env (a mapping or a list), dir and
// desc reach the specs; `<<: *anchor` merges with the job's own keys
// winning; x- keys are ignored at every level.
func TestJobFieldsAnchorsAndExtensions(t *testing.T) {
	p, err := parsePipeline("p.yaml", []byte(`
x-env: &goenv {GOFLAGS: -mod=mod, CGO_ENABLED: "0"}
x-defaults: &defaults
  env: *goenv
  timeout: 1m
  retries: 2
x-linux: &linux
  env: [GOOS=linux]
  retries: 5
jobs:
  - name: build
    desc: compile the server
    <<: [*defaults, *linux]
    dir: server
    cmd: go build ./...
    x-owner: platform-team
  - <<: *defaults
    name: vet
    retries: 0
    cmd: [go, vet, ./...]
    env: *goenv
`), nil)
	require.NoError(t, err)
	build, vet := p.jobs[0], p.jobs[1]
	require.Equal(t, "compile the server", build.desc)
	require.Equal(t, "server", build.spec.Dir)
	require.Equal(t, []string{"GOFLAGS=-mod=mod", "CGO_ENABLED=0"}, build.spec.Env, "the first merged mapping wins")
	require.Equal(t, 2, build.spec.Retries)
	require.Equal(t, []string{"sh", "-c", "go build ./..."}, build.spec.Cmd)
	require.Equal(t, 0, vet.spec.Retries, "the job's own key wins")
	require.Equal(t, "1m0s", vet.spec.Timeout.String())
	require.Equal(t, []string{"GOFLAGS=-mod=mod", "CGO_ENABLED=0"}, vet.spec.Env, "an alias as a value")

	_, err = parsePipeline("p.yaml", []byte(`
jobs:
  - name: vet
    env: *defaults
    cmd: "true"
`), nil)
	require.ErrorContains(t, err, "unknown anchor")
}

// TestEnvAndDirReachTheCommand runs a job with env: and dir:.
func TestEnvAndDirReachTheCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.yaml", `jobs:
  - {name: where, dir: sub, env: {GREETING: hello}, cmd: 'echo "$GREETING from $(basename "$PWD")" > out'}
`)
	require.NoError(t, mkdir(filepath.Join(dir, "sub")))
	r := runBinary(t, dir, "run", "p.yaml")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "hello from sub\n", readFile(t, filepath.Join(dir, "sub"), "out"))
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `jobs:
  - {name: gen, desc: generate the code, cmd: "true"}
  - {name: build, deps: [gen], cmd: "true"}
  - {name: lint, cmd: "true"}
`)
	r := runBinary(t, dir, "list", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "gen    generate the code\nbuild  - (after gen)\nlint   -\n", r.stdout)
	r = runBinary(t, dir, "list", file, "build")
	require.Equal(t, "gen    generate the code\nbuild  - (after gen)\n", r.stdout)
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

// Every job key the parser announces is read: a job that sets them all.
func TestEveryJobKeyIsRead(t *testing.T) {
	p, err := parsePipeline("p.yaml", []byte(`gpus: "0"
jobs:
  - {name: a, cmd: "true"}
  - name: b
    desc: all keys
    cmd: "true"
    deps: [a]
    env: {A: "1"}
    dir: .
    inputs: ["*.go"]
    outputs: [b.out]
    queue: default
    weight: 1
    priority: 2
    tenant: t
    cost: 3
    gpus: 1
    key: b-v1
    timeout: 1m
    retries: 1
    backoff: 1s
    trigger: all_done
`), nil)
	require.NoError(t, err)
	require.ElementsMatch(t, jobKeys, slices.Collect(maps.Keys(p.jobs[1].ref)))
}
