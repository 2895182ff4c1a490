package dagq_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// tenantWatch tracks, per tenant, running and completed tasks at every
// event, and the worst spread and Jain index of completions seen while
// every tenant still had work.
type tenantWatch struct {
	mu         sync.Mutex
	tenants    []string
	perTenant  int // tasks submitted per tenant
	running    map[string]int
	maxRunning map[string]int
	done       map[string]int
	maxSpread  int
	minJain    float64
	order      []string
}

func newTenantWatch(tenants []string, perTenant int) *tenantWatch {
	return &tenantWatch{tenants: tenants, perTenant: perTenant, running: map[string]int{},
		maxRunning: map[string]int{}, done: map[string]int{}, minJain: 1}
}

func (w *tenantWatch) Observe(e dagq.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	tn := e.Task.Tenant
	switch {
	case e.Kind == dagq.TaskStarted:
		w.order = append(w.order, tn)
		w.running[tn]++
		w.maxRunning[tn] = max(w.maxRunning[tn], w.running[tn])
	case e.Kind == dagq.TaskFinished && e.From == dagq.Running:
		w.running[tn]--
		w.done[tn]++
		w.sample()
	}
}

// sample records the spread and Jain index of completed counts while the
// run is saturated (no tenant has run out of tasks).
func (w *tenantWatch) sample() {
	lo, hi, sum, sq := w.perTenant, 0, 0.0, 0.0
	for _, tn := range w.tenants {
		c := w.done[tn]
		lo, hi = min(lo, c), max(hi, c)
		sum += float64(c)
		sq += float64(c * c)
	}
	if hi == w.perTenant {
		return
	}
	w.maxSpread = max(w.maxSpread, hi-lo)
	if lo >= 10 {
		w.minJain = min(w.minJain, sum*sum/(float64(len(w.tenants))*sq))
	}
}

func submitTenants(q *dagq.Queue, tenants []string, perTenant int, d time.Duration) {
	for _, tn := range tenants { // tenant-major: the first tenant's tasks are oldest
		for i := range perTenant {
			dagq.Submit(q, func(context.Context) (int, error) {
				time.Sleep(d)
				return i, nil
			}, dagq.Tenant(tn), dagq.Name(fmt.Sprint(tn, i)))
		}
	}
}

func TestFairShareRoundRobin(t *testing.T) {
	t.Parallel()
	tenants := []string{"a", "b", "c"}
	w := newTenantWatch(tenants, 20)
	s := dagq.New(dagq.WithObserver(w))
	q, err := s.Queue("q", 1, dagq.WithQueuePolicy(dagq.FairShare(nil)))
	require.NoError(t, err)
	submitTenants(q, tenants, 20, 0)
	runOK(t, s)
	require.Equal(t, strings.Repeat("abc", 20), strings.Join(w.order, ""))
	require.LessOrEqual(t, w.maxSpread, 1)
}

// TestFairShareSaturated: 4 tenants with equal demand share 2 slots;
// completions stay within 1 of each other and Jain's index ≥ 0.99.
func TestFairShareSaturated(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tenants := []string{"a", "b", "c", "d"}
		w := newTenantWatch(tenants, 50)
		s := dagq.New(dagq.WithObserver(w))
		q, err := s.Queue("q", 2, dagq.WithQueuePolicy(dagq.FairShare(nil)))
		require.NoError(t, err)
		submitTenants(q, tenants, 50, time.Second)
		runOK(t, s)
		require.LessOrEqual(t, w.maxSpread, 1)
		require.GreaterOrEqual(t, w.minJain, 0.99)
		for _, tn := range tenants {
			require.Equal(t, 50, w.done[tn])
		}
	})
}

// TestFairShareQuota: a tenant never runs more than its quota; others use
// the remaining slots (all of them, in turn, when the capped tenant's task
// has just ended).
func TestFairShareQuota(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		tenants := []string{"a", "b"}
		w := newTenantWatch(tenants, 12)
		s := dagq.New(dagq.WithObserver(w))
		p := dagq.FairShare(map[string]int{"a": 1, "b": 0})
		require.Equal(t, "fair-share(a=1,b=0)", p.String())
		q, err := s.Queue("q", 4, dagq.WithQueuePolicy(p))
		require.NoError(t, err)
		submitTenants(q, tenants, 12, time.Second)
		start := time.Now()
		runOK(t, s)
		require.Equal(t, 1, w.maxRunning["a"])
		require.GreaterOrEqual(t, w.maxRunning["b"], 3)
		require.Equal(t, 12*time.Second, time.Since(start), "a's 12 tasks run one at a time")
	})
}

// TestFairShareQuotaIdles: when every tenant with ready tasks is at its
// quota, free slots stay unused.
func TestFairShareQuotaIdles(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newTenantWatch([]string{"a"}, 3)
		s := dagq.New(dagq.WithObserver(w))
		q, err := s.Queue("q", 3, dagq.WithQueuePolicy(dagq.FairShare(map[string]int{"a": 2})))
		require.NoError(t, err)
		submitTenants(q, []string{"a"}, 3, time.Second)
		require.NoError(t, s.Start(context.Background()))
		synctest.Wait()
		require.Equal(t, 2, q.Running())
		require.Equal(t, 1, q.Pending())
		runOK(t, s)
		require.Equal(t, 2, w.maxRunning["a"])
	})
}

func TestFairShareNegativeQuota(t *testing.T) {
	t.Parallel()
	require.PanicsWithValue(t, `dagq: FairShare: tenant "x" has quota -1, want ≥ 0`, func() {
		dagq.FairShare(map[string]int{"x": -1})
	})
}

// TestFairShareKilled: a task killed while ready is skipped.
func TestFairShareKilled(t *testing.T) {
	t.Parallel()
	s, q, o := oneSlot(t, dagq.FairShare(nil))
	submitTenants(q, []string{"a", "b"}, 2, 0)
	info, ok := s.Lookup("a0")
	require.True(t, ok)
	s.Cancel(info.ID, "not needed")
	ctx := context.Background()
	require.NoError(t, s.Start(ctx))
	require.Error(t, s.Wait(ctx))
	require.NoError(t, s.Shutdown(ctx))
	require.Equal(t, "a1 b0 b1", strings.Join(o.get(), " "))
}
