package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBadInput drives the binary with broken pipeline files: each problem
// is reported as file:line:column with a fix, the exit code is 2, and no
// job runs (the valid job would create a file).
func TestBadInput(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string
	}{{
		name: "cycle",
		file: `jobs:
  - {name: ok, cmd: "touch ran"}
  - name: compile
    cmd: make
    deps: [link]
  - name: link
    cmd: ld
    deps: [compile]
`,
		want: []string{
			`p.yaml:5:12: job "compile" depends on "link", closing the cycle compile -> link -> compile (fix: remove one of the dependencies of the cycle)`,
			`p.yaml:8:12: job "link" depends on "compile", closing the cycle compile -> link -> compile`,
			"dagq: 2 problem(s); nothing was run",
		},
	}, {
		name: "unknown keys",
		file: `gpu: 1
jobs:
  - {name: ok, cmd: "touch ran", prority: 2}
`,
		want: []string{
			`p.yaml:1:1: unknown key "gpu" in the pipeline (fix: did you mean "gpus"?)`,
			`p.yaml:3:34: unknown key "prority" in job "ok" (fix: did you mean "priority"?)`,
		},
	}, {
		name: "unknown dependency and queue",
		file: `queues:
  gpu: {size: 1}
jobs:
  - {name: build, cmd: "touch ran"}
  - {name: test, cmd: "go test", deps: [biuld], queue: cpu}
  - {name: self, cmd: "true", deps: self}
`,
		want: []string{
			`p.yaml:5:41: job "test": unknown dependency "biuld" (fix: did you mean "build"?)`,
			`p.yaml:5:56: job "test": unknown queue "cpu" (fix: declare it under ` + "`queues:`",
			`p.yaml:6:37: job "self" depends on itself (fix: remove it from deps)`,
		},
	}, {
		name: "bad GPU strings",
		file: `gpus: "0,1,3-2"
jobs:
  - {name: ok, cmd: "touch ran", gpus: 1}
  - {name: big, cmd: "true", gpus: many}
`,
		want: []string{
			`p.yaml:1:7: gpus "0,1,3-2": bad item "3-2": reversed range (fix: write device ids like "0,1,3", "0-3" or "0-1,4", or "none")`,
			`p.yaml:4:36: job "big": gpus: "many" is not a whole number ≥ 0`,
		},
	}, {
		name: "too many GPUs",
		file: `gpus: "0,1"
jobs:
  - {name: ok, cmd: "touch ran", gpus: 3}
`,
		want: []string{`p.yaml:3:40: job "ok" needs 3 GPUs, only 2 exist (0,1) (fix: ask for fewer GPUs or list more device ids in ` + "`gpus:`)"},
	}, {
		name: "missing commands and names",
		file: `jobs:
  - {name: ok, cmd: "touch ran"}
  - name: nothing
    deps: [ok]
  - {name: blank, cmd: "  "}
  - {cmd: "true"}
  - {name: ok, cmd: "true"}
`,
		want: []string{
			`p.yaml:3:5: job "nothing" has no cmd (fix: add ` + "`cmd: <shell command>`)",
			`p.yaml:5:24: job "blank": cmd is empty`,
			`p.yaml:6:5: a job has no name`,
			`p.yaml:7:12: job "ok" is already defined at line 2 (fix: give each job its own name)`,
		},
	}, {
		name: "bad values",
		file: `queues:
  q: {size: 0, policy: newest, strategy: constant@-1, aging: 1m}
  r: [1]
jobs:
  - {name: ok, cmd: "touch ran", queue: q, timeout: soon, trigger: always, weight: heavy}
`,
		want: []string{
			`p.yaml:2:13: queue "q": size: "0" is not a whole number ≥ 1`,
			`p.yaml:2:24: queue "q": unknown policy "newest" (fix: use one of fifo, latest, weight, priority, fair, shortest, critical)`,
			`p.yaml:2:42: queue "q": strategy "constant@-1": "-1" is not a rate > 0`,
			`p.yaml:2:62: queue "q": aging applies to the priority policy only`,
			`p.yaml:3:6: queue "r" must be a mapping, not a list`,
			`p.yaml:5:53: job "ok": timeout: "soon" is not a duration`,
			`p.yaml:5:68: job "ok": unknown trigger "always"`,
			`p.yaml:5:84: job "ok": weight: "heavy" is not a number`,
		},
	}, {
		name: "new job fields",
		file: `jobs:
  - {name: ok, cmd: "touch ran", env: [NOEQUALS], inputs: ["[a-"]}
  - {name: b, cmd: "true", env: {"A B": 1}, outputs: {x: 1}, <<: [1]}
`,
		want: []string{
			`p.yaml:2:40: job "ok": env: "NOEQUALS" has no '=' (fix: write NAME=value)`,
			`p.yaml:2:60: job "ok": inputs: bad pattern "[a-": syntax error in pattern`,
			`p.yaml:3:34: job "b": env: bad variable name "A B"`,
			`p.yaml:3:62: merge key` + " `<<` " + `needs a mapping or a list of them, not the value "1"`,
			`p.yaml:3:54: job "b": outputs must be a list of strings, not a mapping`,
		},
	}, {
		name: "no jobs",
		file: "queues: {}\n",
		want: []string{`p.yaml:1:1: the pipeline has no jobs (fix: add a ` + "`jobs:`"},
	}, {
		name: "empty file",
		file: "",
		want: []string{"dagq: p.yaml: the file is empty (fix: see examples/pipeline.yaml)"},
	}, {
		name: "not YAML",
		file: "jobs: [\n",
		want: []string{"dagq: p.yaml: yaml: line 1: did not find expected node content"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeFile(t, dir, "p.yaml", c.file)
			for _, cmd := range []string{"run", "plan"} {
				r := runBinary(t, dir, cmd, file)
				require.Equal(t, exitBadInput, r.code, r.stderr)
				for _, w := range c.want {
					require.Contains(t, r.stderr, w)
				}
				require.Empty(t, r.stdout)
				require.NoFileExists(t, filepath.Join(dir, "ran"))
				require.NoDirExists(t, filepath.Join(dir, ".dagq"))
			}
		})
	}
}

func TestErrorsInFileOrder(t *testing.T) {
	_, err := parsePipeline("p.yaml", []byte(`jobs:
  - {name: b, deps: [x]}
  - {name: a, cmd: true, colour: red}
`), nil)
	var es inputErrors
	require.ErrorAs(t, err, &es)
	lines := make([]int, len(es))
	for i, e := range es {
		lines[i] = e.Line
	}
	require.Equal(t, []int{2, 2, 3}, lines)
	require.Len(t, strings.Split(err.Error(), "\n"), 3)
}

// keysOf reads a pipeline and returns its jobs' keys by name.
func keysOf(t *testing.T, dir, yaml string) map[string]string {
	t.Helper()
	p, err := loadPipeline(filepath.Join(dir, writeFile(t, dir, "p.yaml", yaml)), nil)
	require.NoError(t, err)
	keys := map[string]string{}
	for _, j := range p.jobs {
		keys[j.spec.Name] = j.spec.Key
	}
	return keys
}

// TestDefaultKeys: a job's key changes with its command, env, dir, its
// inputs' content and its dependencies' keys, and with nothing else.
func TestDefaultKeys(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "a.go", "package a")
	const base = `jobs:
  - {name: a, cmd: "make a", inputs: ["*.go"]}
  - {name: b, cmd: "make b", deps: [a]}
  - {name: c, cmd: "make c"}
  - {name: d, cmd: "make d", key: "d:v1"}
`
	k := keysOf(t, dir, base)
	require.Regexp(t, `^job:a:[0-9a-f]{24}$`, k["a"])
	require.Equal(t, "d:v1", k["d"], "a key given is used as it is")
	require.Equal(t, k, keysOf(t, dir, base), "the same file and inputs, the same keys")

	for what, yaml := range map[string]string{
		"command": strings.Replace(base, "make a", "make a2", 1),
		"env":     strings.Replace(base, `inputs: ["*.go"]}`, `inputs: ["*.go"], env: {X: "1"}}`, 1),
		"dir":     strings.Replace(base, `inputs: ["*.go"]}`, `inputs: ["*.go"], dir: "."}`, 1),
	} {
		changed := keysOf(t, dir, yaml)
		require.NotEqual(t, k["a"], changed["a"], "a's %s changed", what)
		require.NotEqual(t, k["b"], changed["b"], "b's dependency a changed (%s)", what)
		require.Equal(t, k["c"], changed["c"], "c does not depend on a")
	}
	writeFile(t, dir, "a.go", "package a // edited")
	edited := keysOf(t, dir, base)
	require.NotEqual(t, k["a"], edited["a"], "an input's content changed")
	require.NotEqual(t, k["b"], edited["b"])
	require.Equal(t, k["c"], edited["c"])
	writeFile(t, dir, "notes.txt", "not an input")
	require.Equal(t, edited, keysOf(t, dir, base), "a file no input matches changes nothing")
}
