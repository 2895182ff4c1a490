package bench

import (
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, LeakOptions()...) }

// TestEverySystemOnEveryShape runs each system on each shape it supports
// and checks that each task ran exactly once, only after its dependencies.
func TestEverySystemOnEveryShape(t *testing.T) {
	for _, sh := range Shapes {
		for _, sys := range Systems {
			g := sh.Build(500)
			if sys.MaxN > 0 { // a super-linear peer: half its cap, -race is slow
				g = sh.Build(min(500, sys.MaxN/2))
			}
			if !sys.Supports(g) {
				continue
			}
			t.Run(sh.Name+"/"+sys.Name, func(t *testing.T) {
				done := make([]atomic.Int32, g.N)
				var violations atomic.Int32
				body := func(i int) {
					for _, d := range g.Deps[i] {
						if done[d].Load() != 1 {
							violations.Add(1)
						}
					}
					done[i].Add(1)
				}
				require.NoError(t, sys.Prepare(g, body)())
				require.Zero(t, violations.Load(), "tasks ran before their dependencies")
				for i := range done {
					require.Equal(t, int32(1), done[i].Load(), "task %d", i)
				}
			})
		}
	}
}

func TestShapes(t *testing.T) {
	require.Equal(t, 10_000, Layered(10_000).N)
	require.Equal(t, 4*(10_000-100), Layered(10_000).Edges())
	require.Equal(t, 10_200, Smqsched(10_200).N, "k = 100: 100 A, 100 B, 10,000 C")
	require.Equal(t, 99, Smqsched(100).N, "k = 9")
	fi := FanIn(1_000)
	require.Equal(t, 1001, fi.N, "500 leaves, then levels of 250, 125, 63, 32, 16, 8, 4, 2, 1")
	require.Empty(t, FanOut(10).Deps[0])
	require.Len(t, FanOut(10).Deps[9], 8)
}

var sizes = flag.String("bench.sizes", "10000,100000", "comma-separated graph sizes for BenchmarkSystems")

// BenchmarkSystems measures every system on every shape and size with
// empty task bodies, reporting ns, bytes and allocations per task.
func BenchmarkSystems(b *testing.B) {
	for _, sz := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(sz)
		require.NoError(b, err)
		for _, sh := range Shapes {
			g := sh.Build(n)
			for _, sys := range Systems {
				if !sys.Supports(g) {
					continue
				}
				b.Run(fmt.Sprintf("%s/%s/%d", sh.Name, sys.Name, n), func(b *testing.B) {
					run := sys.Prepare(g, Works[0].Body())
					Measure(b, g.N, run)
				})
			}
		}
	}
}

func TestWorkIsCalibrated(t *testing.T) {
	body := Works[2].Body()
	body(0)
	require.Positive(t, perMicro)
	runtime.GC()
}
