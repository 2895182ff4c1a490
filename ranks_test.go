package dagq_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// rankModel recomputes the rank-based keys from scratch, by definition, to
// check the scheduler's incremental ranks.
type rankModel struct {
	deps     [][]int
	queue    []int // 0 or 1
	cost     []float64
	finished []bool
	running  int // -1 if none
	policy   [2]string
}

func (m *rankModel) dependents(i int) []int {
	var out []int
	for d := i + 1; d < len(m.deps); d++ {
		for _, u := range m.deps[d] {
			if u == i {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

func (m *rankModel) latest(i int) int {
	best := i
	for _, d := range m.dependents(i) {
		best = max(best, m.latest(d))
	}
	return best
}

func (m *rankModel) path(i int) float64 {
	best := 0.0
	for _, d := range m.dependents(i) {
		best = max(best, m.path(d))
	}
	return m.cost[i] + best
}

// gain counts i's dependents in the other queue that wait for i alone.
func (m *rankModel) gain(i int) int {
	n := 0
	for _, d := range m.dependents(i) {
		if m.queue[d] == m.queue[i] {
			continue
		}
		alone := true
		for _, u := range m.deps[d] {
			if u != i && !m.finished[u] {
				alone = false
			}
		}
		if alone {
			n++
		}
	}
	return n
}

func (m *rankModel) keys(i int) (float64, float64) {
	id := float64(i + 1)
	if m.policy[m.queue[i]] == "latest-first" {
		return float64(m.gain(i)), float64(m.latest(i)+1)*(1<<26) + id
	}
	return m.path(i), -id
}

// next returns the ready task the policies should start next, or -1.
func (m *rankModel) next() int {
	best, b1, b2 := -1, 0.0, 0.0
	for i := range m.deps {
		if m.finished[i] || i == m.running || !m.ready(i) {
			continue
		}
		k1, k2 := m.keys(i)
		if best < 0 || k1 > b1 || (k1 == b1 && k2 > b2) {
			best, b1, b2 = i, k1, k2
		}
	}
	return best
}

func (m *rankModel) ready(i int) bool {
	for _, u := range m.deps[i] {
		if !m.finished[u] {
			return false
		}
	}
	return true
}

// TestRanksMatchModel grows random two-queue graphs while they run, one
// task at a time, and checks every choice against the model.
func TestRanksMatchModel(t *testing.T) {
	t.Parallel()
	for _, policies := range [][2]dagq.Policy{
		{dagq.LatestFirst(), dagq.LatestFirst()},
		{dagq.CriticalPath(), dagq.CriticalPath()},
		{dagq.LatestFirst(), dagq.CriticalPath()},
	} {
		for seed := range uint64(4) {
			t.Run(fmt.Sprintf("%v+%v/%d", policies[0], policies[1], seed), func(t *testing.T) {
				t.Parallel()
				checkRanks(t, policies, seed)
			})
		}
	}
}

func checkRanks(t *testing.T, policies [2]dagq.Policy, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := &rankModel{running: -1, policy: [2]string{policies[0].String(), policies[1].String()}}
	s := dagq.New(dagq.WithParallelism(1))
	var qs [2]*dagq.Queue
	for k := range qs {
		var err error
		qs[k], err = s.Queue(fmt.Sprint("q", k), 1, dagq.WithQueuePolicy(policies[k]))
		require.NoError(t, err)
	}
	started, release := make(chan int), make(chan struct{})
	var futures []*dagq.Future[int]
	submit := func(count int) {
		for range count {
			i := len(m.deps)
			var deps []int
			var after []dagq.Dep
			for range rng.IntN(4) {
				if i == 0 {
					break
				}
				u := rng.IntN(i)
				if !containsInt(deps, u) {
					deps = append(deps, u)
					after = append(after, futures[u])
				}
			}
			q, cost := rng.IntN(2), float64(rng.IntN(6))
			m.deps, m.queue, m.cost = append(m.deps, deps), append(m.queue, q), append(m.cost, cost)
			m.finished = append(m.finished, false)
			futures = append(futures, dagq.Submit(qs[q], func(context.Context) (int, error) {
				started <- i
				<-release
				return i, nil
			}, dagq.Name(strconv.Itoa(i)), dagq.After(after...), dagq.Cost(cost)))
		}
	}
	submit(20)
	ctx := context.Background()
	require.NoError(t, s.Start(ctx))
	for step := 0; ; step++ {
		want := m.next()
		if want < 0 {
			break
		}
		got := <-started
		require.Equal(t, want, got, "step %d", step)
		m.running = got
		if len(m.deps) < 150 {
			submit(rng.IntN(5))
		}
		release <- struct{}{}
		m.finished[got], m.running = true, -1
		if m.next() < 0 && len(m.deps) < 150 {
			submit(1) // keep the run going: one task, as it starts at once
		}
	}
	require.NoError(t, s.Wait(ctx))
	require.NoError(t, s.Shutdown(ctx))
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestRanksPassOverUnrankedTasks: the tasks submitted since the last
// flush include some the ranker never records (one refused at submission,
// one adopting its twin's outcome); ranks flow around them as if they were
// not there.
func TestRanksPassOverUnrankedTasks(t *testing.T) {
	t.Parallel()
	o := &startOrder{}
	s := dagq.New(dagq.WithObserver(o))
	q, err := s.Queue("q", 1, dagq.WithQueuePolicy(dagq.LatestFirst()))
	require.NoError(t, err)
	a := dagq.Submit(q, returnZero, dagq.Name("a"))
	b := dagq.Submit(q, returnZero, dagq.Name("b"), dagq.Key("k"), dagq.After(a))
	dagq.Submit(q, returnZero, dagq.Name("twin"), dagq.Key("k"), dagq.After(a))
	dagq.Submit(q, returnZero, dagq.Name("refused"), dagq.OnBackend("none"), dagq.After(a))
	dagq.Submit(q, returnZero, dagq.Name("d"), dagq.After(b))
	dagq.Submit(q, returnZero, dagq.Name("e"))
	ctx := context.Background()
	require.NoError(t, s.Start(ctx))
	err = s.Wait(ctx)
	require.ErrorContains(t, err, "refused")
	require.NoError(t, s.Shutdown(ctx))
	require.Equal(t, []string{"e", "a", "b", "d"}, o.get(), "a's rank is d's (5), below e's (6)")
}
