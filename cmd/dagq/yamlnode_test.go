package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSuggest(t *testing.T) {
	known := []string{"name", "cmd", "deps"}
	require.Equal(t, `did you mean "cmd"?`, suggest("cmdd", known))
	require.Equal(t, `did you mean "name"?`, suggest("nmae", known))
	require.Equal(t, "known keys: name, cmd, deps", suggest("zz", known))
	require.Equal(t, 3, editDistance("kitten", "sitting"))
	require.Equal(t, 0, editDistance("", ""))
}

func TestInputErrorFormat(t *testing.T) {
	e := &inputError{File: "p.yaml", Line: 3, Col: 7, Msg: "bad", Fix: "fix it"}
	require.Equal(t, "p.yaml:3:7: bad (fix: fix it)", e.Error())
	e = &inputError{File: "--gpus", Msg: "bad"}
	require.Equal(t, "--gpus: bad", e.Error())
	es := inputErrors{{File: "f", Line: 9, Col: 1, Msg: "b"}, {File: "f", Line: 2, Col: 5, Msg: "a"}}
	require.Equal(t, "f:2:5: a\nf:9:1: b", es.sorted().Error())
}

func TestStringsAndCommands(t *testing.T) {
	p, err := parsePipeline("p.yaml", []byte(`jobs:
  - {name: a, cmd: [echo, "two words"]}
  - {name: b, cmd: "echo b", deps: a}
`), nil)
	require.NoError(t, err)
	require.Equal(t, []string{"echo", "two words"}, p.jobs[0].spec.Cmd)
	require.Equal(t, []string{"a"}, p.jobs[1].spec.Deps, "a single dependency may be a plain string")

	_, err = parsePipeline("p.yaml", []byte("jobs:\n  - {name: a, cmd: [], deps: {x: 1}}\n"), nil)
	require.EqualError(t, err, `p.yaml:2:20: job "a": cmd is an empty list (fix: write the program and its arguments)
p.yaml:2:30: job "a": deps must be a list of strings, not a mapping (fix: write a list such as [a, b])`)
}
