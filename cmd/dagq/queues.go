package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dagq/dagq"
	"go.yaml.in/yaml/v3"
)

// policyNames are the policies a queue may name, with what they do.
var policyNames = []string{"fifo", "latest", "weight", "priority", "fair", "shortest", "critical"}

// quotas reads `tenant: max running` entries.
func (d *decoder) quotas(n *yaml.Node, what string) map[string]int {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "write `tenant: N` entries", "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	out := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = d.integer(n.Content[i+1], what, 1)
	}
	return out
}

// options turns the queue's settings into queue options, reporting those
// that do not fit together. n is the queue's mapping.
func (q *queueDef) options(d *decoder, n *yaml.Node) {
	at := func(key string) *yaml.Node {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return n
	}
	what := fmt.Sprintf("queue %q", q.name)
	if q.name == "default" && (q.policy != "" || q.strategy != "" || q.maxErrors > 0) {
		d.errorf(q.at, "give the default queue only a size, or declare another queue", "%s takes only `size`", what)
	}
	if q.aging != 0 && q.policy != "priority" {
		d.errorf(at("aging"), "set `policy: priority` or remove `aging`", "%s: aging applies to the priority policy only", what)
	}
	if q.quotas != nil && q.policy != "fair" {
		d.errorf(at("quotas"), "set `policy: fair` or remove `quotas`", "%s: quotas apply to the fair policy only", what)
	}
	if p := q.makePolicy(); p != nil {
		q.opts = append(q.opts, dagq.WithQueuePolicy(p))
	} else if q.policy != "" {
		d.errorf(at("policy"), "use one of "+strings.Join(policyNames, ", "), "%s: unknown policy %q", what, q.policy)
	}
	if q.strategy != "" {
		s, err := parseStrategy(q.strategy)
		if err != nil {
			d.errorf(at("strategy"), `use synchronous, concurrent@N, throughput@N, constant@RATE or poisson@RATE`, "%s: strategy %q: %v", what, q.strategy, err)
		} else {
			q.opts = append(q.opts, dagq.WithStrategy(s))
		}
	}
	if q.maxErrors > 0 {
		q.opts = append(q.opts, dagq.MaxErrors(q.maxErrors))
	}
}

// makePolicy returns the queue's policy; nil for none or an unknown one.
func (q *queueDef) makePolicy() dagq.Policy {
	switch q.policy {
	case "fifo":
		return dagq.FIFO()
	case "latest":
		return dagq.LatestFirst()
	case "weight":
		return dagq.ByWeight()
	case "priority":
		return dagq.ByPriority(q.aging)
	case "fair":
		return dagq.FairShare(q.quotas)
	case "shortest":
		return dagq.ShortestFirst()
	case "critical":
		return dagq.CriticalPath()
	}
	return nil
}

// parseStrategy reads a strategy as dagq prints it: "synchronous",
// "concurrent@4", "throughput@10", "constant@10", "poisson@5".
func parseStrategy(s string) (dagq.Strategy, error) {
	name, arg, hasArg := strings.Cut(s, "@")
	if name == "synchronous" {
		if hasArg {
			return nil, fmt.Errorf("synchronous takes no @ argument")
		}
		return dagq.Synchronous(), nil
	}
	if !hasArg {
		return nil, fmt.Errorf("missing @ argument")
	}
	switch name {
	case "concurrent", "throughput":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a whole number ≥ 1", arg)
		}
		if name == "concurrent" {
			return dagq.Concurrent(n), nil
		}
		return dagq.Throughput(n), nil
	case "constant", "poisson":
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("%q is not a rate > 0 (tasks per second)", arg)
		}
		if name == "constant" {
			return dagq.Constant(r, false), nil
		}
		return dagq.Poisson(r, false, 1), nil
	}
	return nil, fmt.Errorf("unknown strategy %q", name)
}
