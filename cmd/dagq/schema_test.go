package main

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// compiledSchema compiles the published schema.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(pipelineSchema))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("pipeline.schema.json", doc))
	s, err := c.Compile("pipeline.schema.json")
	require.NoError(t, err)
	return s
}

// asJSON reads a YAML document as the JSON value an editor checks.
func asJSON(t *testing.T, src string) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal([]byte(src), &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	require.NoError(t, err)
	return out
}

// TestSchemaAgreesWithTheParser: the schema names exactly the keys the
// parser reads, at each level, and the policies and triggers it knows;
// the example pipeline is valid; and files the parser refuses for a key,
// a type or a value are invalid under the schema too.
func TestSchemaAgreesWithTheParser(t *testing.T) {
	var raw struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal([]byte(pipelineSchema), &raw))
	keys := func(m map[string]struct {
		Enum []string `json:"enum"`
	}) []string {
		return slices.Sorted(maps.Keys(m))
	}
	require.Equal(t, slices.Sorted(slices.Values(topKeys)), slices.Sorted(maps.Keys(raw.Properties)))
	require.Equal(t, slices.Sorted(slices.Values(queueKeys)), keys(raw.Defs["queue"].Properties))
	require.Equal(t, slices.Sorted(slices.Values(jobKeys)), keys(raw.Defs["job"].Properties))
	require.Equal(t, policyNames, raw.Defs["queue"].Properties["policy"].Enum)
	require.ElementsMatch(t, slices.Collect(maps.Keys(triggers)), raw.Defs["job"].Properties["trigger"].Enum)

	s := compiledSchema(t)
	example, err := os.ReadFile(examplePipeline(t))
	require.NoError(t, err)
	require.NoError(t, s.Validate(asJSON(t, string(example))), "the example is valid")
	_, err = parsePipeline("example.yaml", example, nil)
	require.NoError(t, err)

	for _, bad := range []string{
		`jobs: [{name: a, cmd: "true", prority: 2}]`,
		`jobs: [{name: a}]`,
		`jobs: [{name: a, cmd: "true", trigger: always}]`,
		`jobs: [{name: a, cmd: "true", retries: -1}]`,
		`jobs: [{name: a, cmd: "true", timeout: soon}]`,
		`jobs: [{name: a, cmd: "true", env: [NOEQUALS]}]`,
		`jobs: [{name: a, cmd: []}]`,
		`{queues: {q: {size: 0}}, jobs: [{name: a, cmd: "true"}]}`,
		`{queues: {q: {policy: newest}}, jobs: [{name: a, cmd: "true"}]}`,
		`{gpu: 1, jobs: [{name: a, cmd: "true"}]}`,
	} {
		require.Error(t, s.Validate(asJSON(t, bad)), "the schema refuses %s", bad)
		_, err := parsePipeline("p.yaml", []byte(bad), nil)
		require.Error(t, err, "the parser refuses %s", bad)
	}
	for _, good := range []string{
		`{x-base: {retries: 1}, jobs: [{name: a, cmd: [go, test], env: {A: 1}, inputs: "**/*.go", x-note: hi}]}`,
		`jobs: [{name: a, cmd: "true", env: ["A=1"], deps: [], outputs: [bin/a], timeout: 1h30m}]`,
	} {
		require.NoError(t, s.Validate(asJSON(t, good)), good)
		_, err := parsePipeline("p.yaml", []byte(good), nil)
		require.NoError(t, err, good)
	}
}

func TestSchemaCommand(t *testing.T) {
	r := runBinary(t, t.TempDir(), "schema")
	require.Equal(t, exitOK, r.code)
	require.JSONEq(t, pipelineSchema, r.stdout)
}
