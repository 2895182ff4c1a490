package main

import (
	"testing"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

func TestParseStrategy(t *testing.T) {
	for in, want := range map[string]string{
		"synchronous":    "synchronous",
		"concurrent@4":   "concurrent@4",
		"throughput@10":  "throughput@10",
		"constant@2.5":   "constant@2.50",
		"poisson@5":      "poisson@5.00",
		"synchronous@1":  "dagq: synchronous takes no @ argument",
		"constant":       "missing @ argument",
		"concurrent@0":   `"0" is not a whole number ≥ 1`,
		"poisson@x":      `"x" is not a rate > 0 (tasks per second)`,
		"exponential@10": `unknown strategy "exponential"`,
	} {
		s, err := parseStrategy(in)
		if err != nil {
			require.Contains(t, want, err.Error(), in)
			continue
		}
		require.Equal(t, want, s.(interface{ String() string }).String(), in)
	}
}

func TestQueuePolicies(t *testing.T) {
	p, err := parsePipeline("p.yaml", []byte(`queues:
  a: {size: 2, policy: priority, aging: 1m}
  b: {policy: fair, quotas: {alice: 1}, max_errors: 3, strategy: concurrent@2}
  default: {size: 3}
jobs:
  - {name: j, cmd: "true", queue: a}
`), nil)
	require.NoError(t, err)
	require.Len(t, p.queues, 3)
	require.Equal(t, 2, p.queues[0].size)
	require.Len(t, p.queues[0].opts, 1)
	require.Equal(t, 1, p.queues[1].size, "size defaults to 1")
	require.Equal(t, map[string]int{"alice": 1}, p.queues[1].quotas)
	require.Len(t, p.queues[1].opts, 3)
	for _, name := range policyNames {
		q := queueDef{policy: name}
		require.NotNil(t, q.makePolicy(), name)
	}
	s := dagq.New()
	defer s.Shutdown(t.Context())
	_, err = s.Queue("b", 1, p.queues[1].opts...)
	require.NoError(t, err)

	_, err = parsePipeline("p.yaml", []byte(`queues:
  default: {size: 2, policy: fifo}
  c: {quotas: [1]}
jobs: [{name: j, cmd: "true"}]
`), nil)
	require.EqualError(t, err, "p.yaml:2:3: queue \"default\" takes only `size` (fix: give the default queue only a size, or declare another queue)\n"+
		"p.yaml:3:15: queue \"c\": quotas must be a mapping, not a list (fix: write `tenant: N` entries)")
}
