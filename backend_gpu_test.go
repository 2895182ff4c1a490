package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// deviceTracker checks, from inside tasks, that no device is held twice
// and counts how many are in use.
type deviceTracker struct {
	mu      sync.Mutex
	holder  map[string]dagq.TaskID
	maxUsed int
	maxRun  int
	running int
	errs    []string
}

func newDeviceTracker() *deviceTracker { return &deviceTracker{holder: map[string]dagq.TaskID{}} }

func (d *deviceTracker) enter(id dagq.TaskID, devs []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, dev := range devs {
		if h, held := d.holder[dev]; held {
			d.errs = append(d.errs, fmt.Sprintf("device %s given to task %d while task %d holds it", dev, id, h))
		}
		d.holder[dev] = id
	}
	d.maxUsed = max(d.maxUsed, len(d.holder))
	d.running++
	d.maxRun = max(d.maxRun, d.running)
}

func (d *deviceTracker) leave(devs []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, dev := range devs {
		delete(d.holder, dev)
	}
	d.running--
}

func TestGPUTwentyTasksOnThreeDevices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, err := dagq.NewGPU("0-2")
		require.NoError(t, err)
		s := dagq.New(dagq.WithBackend("gpu", g))
		defer s.Shutdown(context.Background())
		q, err := s.Queue("train", 20)
		require.NoError(t, err)
		tr := newDeviceTracker()
		rng := rand.New(rand.NewPCG(1, 2))
		var fs []*dagq.Future[[]string]
		for i := range 20 {
			need := 1 + rng.IntN(2)
			d := time.Duration(1+rng.IntN(60)) * time.Minute
			var f *dagq.Future[[]string]
			f = dagq.Submit(q, func(ctx context.Context) ([]string, error) {
				devs := dagq.Devices(ctx)
				if len(devs) != need {
					return nil, fmt.Errorf("got %d devices, want %d", len(devs), need)
				}
				tr.enter(f.ID(), devs)
				defer tr.leave(devs)
				time.Sleep(d)
				return devs, nil
			}, dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: need}), dagq.Name(fmt.Sprint("train-", i)))
			fs = append(fs, f)
		}
		require.NoError(t, s.Run(t.Context()))
		require.Empty(t, tr.errs)
		require.LessOrEqual(t, tr.maxUsed, 3)
		require.Equal(t, 3, tr.maxUsed, "the devices were used to the full at some point")
		for _, f := range fs {
			devs, err := f.Get(t.Context())
			require.NoError(t, err)
			require.Equal(t, devs, f.Info().Devices)
			require.Equal(t, "gpu", f.Info().Backend)
		}
		require.Equal(t, []string{"0", "1", "2"}, g.Free())
	})
}

func TestGPUReleasesOnEveryExit(t *testing.T) {
	errBoom := errors.New("boom")
	cases := []struct {
		name   string
		body   func(ctx context.Context) (int, error)
		opts   []dagq.TaskOption
		cancel bool
		status dagq.Status
	}{
		{"success", func(context.Context) (int, error) { time.Sleep(time.Minute); return 1, nil }, nil, false, dagq.Succeeded},
		{"failure", func(context.Context) (int, error) { time.Sleep(time.Minute); return 0, errBoom }, nil, false, dagq.Failed},
		{"panic", func(context.Context) (int, error) { time.Sleep(time.Minute); panic("boom") }, nil, false, dagq.Failed},
		{"timeout", blockUntilDone, []dagq.TaskOption{dagq.Timeout(time.Hour)}, false, dagq.Failed},
		{"cancel", blockUntilDone, nil, true, dagq.Killed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g, err := dagq.NewGPU("5")
				require.NoError(t, err)
				s := dagq.New(dagq.WithBackend("gpu", g), dagq.WithDefaultBackend("gpu"))
				defer s.Shutdown(context.Background())
				q := s.DefaultQueue()
				need := dagq.Needs(dagq.Resources{GPUs: 1})
				first := dagq.Submit(q, c.body, append([]dagq.TaskOption{need}, c.opts...)...)
				second := dagq.Submit(q, func(ctx context.Context) ([]string, error) { return dagq.Devices(ctx), nil }, need)
				require.NoError(t, s.Start(t.Context()))
				synctest.Wait()
				require.Equal(t, dagq.Running, first.Status())
				require.Equal(t, dagq.Queued, second.Status(), "waits for the only device")
				require.Empty(t, g.Free())
				if c.cancel {
					s.Cancel(first.ID(), "test")
				}
				err = s.Wait(t.Context())
				require.Equal(t, c.status == dagq.Succeeded, err == nil, "%v", err)
				require.Equal(t, c.status, first.Status())
				require.Equal(t, []string{"5"}, first.Info().Devices)
				devs, err := second.Get(t.Context())
				require.NoError(t, err)
				require.Equal(t, []string{"5"}, devs)
				require.Equal(t, []string{"5"}, g.Free())
			})
		})
	}
}

func blockUntilDone(ctx context.Context) (int, error) {
	<-ctx.Done()
	return 0, context.Cause(ctx)
}

func TestGPUCPUFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, err := dagq.NewGPU("none", dagq.WithCPUSlots(2))
		require.NoError(t, err)
		require.Empty(t, g.IDs())
		s := dagq.New(dagq.WithBackend("gpu", g))
		defer s.Shutdown(context.Background())
		tr := newDeviceTracker()
		var fs []*dagq.Future[int]
		for i := range 6 {
			fs = append(fs, dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) {
				if d := dagq.Devices(ctx); len(d) != 0 {
					return 0, fmt.Errorf("devices %v on the CPU fallback", d)
				}
				tr.enter(0, nil)
				defer tr.leave(nil)
				time.Sleep(time.Minute)
				return i, nil
			}, dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: 1 + i%3})))
		}
		start := time.Now()
		require.NoError(t, s.Run(t.Context()))
		require.Equal(t, 2, tr.maxRun)
		require.Equal(t, 3*time.Minute, time.Since(start))
		for _, f := range fs {
			require.Empty(t, f.Info().Devices)
		}
	})
}

func TestGPUCPUSlotsNextToDevices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, err := dagq.NewGPU("0", dagq.WithCPUSlots(1))
		require.NoError(t, err)
		s := dagq.New(dagq.WithBackend("gpu", g), dagq.WithDefaultBackend("gpu"))
		defer s.Shutdown(context.Background())
		sleep := func(ctx context.Context) (int, error) { time.Sleep(time.Minute); return len(dagq.Devices(ctx)), nil }
		gpu := dagq.Submit(s.DefaultQueue(), sleep, dagq.Needs(dagq.Resources{GPUs: 1}))
		cpu1 := dagq.Submit(s.DefaultQueue(), sleep)
		cpu2 := dagq.Submit(s.DefaultQueue(), sleep)
		require.NoError(t, s.Run(t.Context()))
		require.Equal(t, gpu.Info().Started, cpu1.Info().Started, "a CPU task runs next to a GPU task")
		require.Equal(t, cpu1.Info().Finished, cpu2.Info().Started, "one CPU slot")
		n, _ := gpu.Get(t.Context())
		require.Equal(t, 1, n)
	})
}

func TestGPUAdmit(t *testing.T) {
	t.Parallel()
	g, err := dagq.NewGPU("0,1")
	require.NoError(t, err)
	s := dagq.New(dagq.WithBackend("gpu", g))
	defer s.Shutdown(context.Background())
	f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 0, nil },
		dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: 3}))
	_, err = f.Get(t.Context())
	var se *dagq.SubmitError
	require.ErrorAs(t, err, &se)
	require.Contains(t, se.Error(), "needs 3 GPUs, only 2 exist")

	f = dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 0, nil },
		dagq.Needs(dagq.Resources{GPUs: 1}))
	_, err = f.Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, se.Error(), `backend "local" has no devices`)

	err = s.Add(dagq.Spec{Name: "ok", Backend: "gpu", Needs: dagq.Resources{GPUs: 2}, Run: func(context.Context) error { return nil }},
		dagq.Spec{Name: "too big", Backend: "gpu", Needs: dagq.Resources{GPUs: 3}, Run: func(context.Context) error { return nil }})
	var ge *dagq.GraphError
	require.ErrorAs(t, err, &ge)
	require.Equal(t, "too big", ge.Spec)
	require.Contains(t, ge.Error(), "needs 3 GPUs, only 2 exist")
	err = s.Add(dagq.Spec{Name: "no devices", Needs: dagq.Resources{GPUs: 1}, Run: func(context.Context) error { return nil }})
	require.ErrorContains(t, err, `needs 1 GPUs but backend "local" has no devices`)
	_, ok := s.Lookup("ok")
	require.False(t, ok, "a rejected Add adds nothing")

	_, err = dagq.NewGPU("0", dagq.WithCPUSlots(0))
	require.ErrorContains(t, err, "WithCPUSlots(0)")
	_, err = dagq.NewGPU("0", dagq.WithInner(nil))
	require.ErrorContains(t, err, "WithInner(nil)")
}

func TestGPUNoDeadlockBetweenLargeTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: time.Hour}))
		g, err := dagq.NewGPU("0-2", dagq.WithInner(fake))
		require.NoError(t, err)
		s := dagq.New(dagq.WithBackend("gpu", g), dagq.WithDefaultBackend("gpu"))
		defer s.Shutdown(context.Background())
		q, err := s.Queue("q", 10)
		require.NoError(t, err)
		var specs []dagq.Spec
		for i := range 4 {
			specs = append(specs, dagq.Spec{Name: fmt.Sprint("big-", i), Queue: "q", Needs: dagq.Resources{GPUs: 2}, Cmd: []string{"train"}})
		}
		require.NoError(t, s.Add(specs...))
		require.NoError(t, s.Run(t.Context()))
		require.Equal(t, 4*time.Hour, fake.Makespan(), "two-GPU tasks on three GPUs run one at a time")
		for _, r := range fake.Runs() {
			require.Len(t, r.Devices, 2)
		}
		require.Equal(t, 0, q.Pending())
	})
}

func TestGPUOptionStrings(t *testing.T) {
	t.Parallel()
	require.Equal(t, "WithCPUSlots(3)", dagq.WithCPUSlots(3).String())
	require.Equal(t, "WithInner(*dagq.Fake)", dagq.WithInner(dagq.NewFake()).String())
	g, err := dagq.NewGPU("1,0")
	require.NoError(t, err)
	ids := g.IDs()
	ids[0] = "x"
	require.Equal(t, []string{"1", "0"}, g.IDs(), "IDs returns a copy")
	require.True(t, slices.Equal([]string{"1", "0"}, g.Free()))
}
