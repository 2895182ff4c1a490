package dagqriver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The test binary doubles as the worker process: started with
// workerEnv set, it runs RunWorker with the test handlers instead of the
// tests.
const (
	workerEnv = "DAGQ_RIVER_TEST_WORKER" // the River queue to work
	rescueEnv = "DAGQ_RIVER_TEST_RESCUE" // RescueStuckJobsAfter
	dbEnv     = "DAGQ_TEST_DATABASE_URL"

	rawWorkerEnv = "DAGQ_RIVER_TEST_RAW_WORKER" // a plain River worker, for benchmarks
	submitterEnv = "DAGQ_RIVER_TEST_SUBMITTER"  // queue,run,dir,n,ms: a submitter (submitterMain)
	batchEnv     = "DAGQ_RIVER_TEST_BATCH"      // WorkerConfig.BatchCompletion
)

func TestMain(m *testing.M) {
	if q := os.Getenv(workerEnv); q != "" {
		os.Exit(workerMain(q))
	}
	if q := os.Getenv(rawWorkerEnv); q != "" {
		os.Exit(rawWorkerMain(q))
	}
	if spec := os.Getenv(submitterEnv); spec != "" {
		os.Exit(submitterMain(spec))
	}
	if os.Getenv(dbEnv) == "" && os.Getenv("CI") != "true" {
		fmt.Fprintf(os.Stderr, "!! %s is not set: the tests that need PostgreSQL are SKIPPED (run them through scripts/postgres.sh)\n", dbEnv)
	}
	goleak.VerifyTestMain(m)
}

// testHandlers are the handlers of the test pipelines, registered alike
// by the tests and by the worker processes.
type testHandlers struct {
	reg   *dagq.Registry
	seed  *dagq.Handler[int, int64]
	mix   *dagq.Handler[[]int64, int64]
	nap   *dagq.Handler[int, int]
	boom  *dagq.Handler[string, int]
	once  *dagq.Handler[string, string]
	large *dagq.Handler[int, string]
	mark  *dagq.Handler[string, string]
	tally *dagq.Handler[tallyArgs, int]
}

// tallyArgs are the arguments of the tally handler.
type tallyArgs struct {
	Path string
	MS   int
}

func newTestHandlers() *testHandlers {
	reg := dagq.NewRegistry()
	return &testHandlers{
		reg:  reg,
		seed: dagq.Handle(reg, "seed", func(_ context.Context, i int) (int64, error) { return int64(i)*7919 + 1, nil }),
		mix: dagq.Handle(reg, "mix", func(_ context.Context, xs []int64) (int64, error) {
			h := int64(17)
			for _, x := range xs {
				h = (h*31 + x) % 1_000_000_007
			}
			return h, nil
		}),
		// nap sleeps ms milliseconds, or until cancelled.
		nap: dagq.Handle(reg, "nap", func(ctx context.Context, ms int) (int, error) {
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
				return ms, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}),
		boom: dagq.Handle(reg, "boom", func(_ context.Context, msg string) (int, error) { panic(msg) }),
		// once fails the first time it is called with a path, then succeeds.
		once: dagq.Handle(reg, "once", func(_ context.Context, path string) (string, error) {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err == nil {
				_ = f.Close()
				return "", errors.New("first call fails")
			}
			return "second call", nil
		}),
		large: dagq.Handle(reg, "large", func(_ context.Context, n int) (string, error) { return strings.Repeat("x", n), nil }),
		// tally sleeps MS milliseconds (or until cancelled), then appends a
		// line to Path: the file counts the handler's complete runs.
		tally: dagq.Handle(reg, "tally", func(ctx context.Context, a tallyArgs) (int, error) {
			select {
			case <-time.After(time.Duration(a.MS) * time.Millisecond):
			case <-ctx.Done():
				return 0, ctx.Err()
			}
			f, err := os.OpenFile(a.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
			if err != nil {
				return 0, err
			}
			defer f.Close()
			_, err = f.WriteString("ran\n")
			return a.MS, err
		}),
		// mark leaves a file at path, the proof that it ran.
		mark: dagq.Handle(reg, "mark", func(_ context.Context, path string) (string, error) {
			time.Sleep(20 * time.Millisecond)
			return path, os.WriteFile(path, nil, 0o600)
		}),
	}
}

func workerMain(queue string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv(dbEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pool.Close()
	rescue, _ := time.ParseDuration(os.Getenv(rescueEnv))
	err = RunWorker(ctx, pool, newTestHandlers().reg, &WorkerConfig{
		Queues:               map[string]int{queue: 100},
		FetchPollInterval:    100 * time.Millisecond,
		RescueStuckJobsAfter: rescue,
		BatchCompletion:      os.Getenv(batchEnv) != "",
		Logger:               testLogger(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// submitterMain is a submitting process: on the River queue of spec
// ("queue,run,dir,n,ms") and with RunID run, it submits n tally tasks of
// ms milliseconds (files dir/a000…) and a dependent tally of 10 ms for
// each (dir/b000…), in the same order every time, and waits for them.
func submitterMain(spec string) int {
	f := strings.Split(spec, ",")
	n, _ := strconv.Atoi(f[3])
	ms, _ := strconv.Atoi(f[4])
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv(dbEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pool.Close()
	b, err := New(ctx, pool, &Config{RunID: f[1], Queue: func(string) string { return f[0] }, PollInterval: time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer b.Close()
	s := dagq.New(dagq.WithBackend("river", b), dagq.WithDefaultBackend("river"))
	q, err := s.Queue("remote", 1000)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	h := newTestHandlers()
	for i := range n {
		a := dagq.Call(q, h.tally, tallyArgs{filepath.Join(f[2], fmt.Sprintf("a%03d", i)), ms + i*10})
		dagq.Call(q, h.tally, tallyArgs{filepath.Join(f[2], fmt.Sprintf("b%03d", i)), 10}, dagq.After(a))
	}
	err = s.Run(ctx)
	if serr := s.Shutdown(ctx); err == nil {
		err = serr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

var migrateOnce sync.Once

// testPool connects to the test database and migrates it. Without a
// database it skips the test, loudly, unless CI=true where it fails.
func testPool(t testing.TB) *pgxpool.Pool {
	url := os.Getenv(dbEnv)
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: run the tests through scripts/postgres.sh", dbEnv)
		}
		t.Skipf("SKIPPED: no PostgreSQL: %s is not set (run the tests through scripts/postgres.sh)", dbEnv)
	}
	pool, err := pgxpool.New(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var merr error
	migrateOnce.Do(func() { merr = Migrate(context.Background(), pool) })
	require.NoError(t, merr)
	return pool
}

// testQueue is a River queue of the test's own, so that no worker of
// another test takes its jobs.
func testQueue(t testing.TB) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(strings.ToLower(t.Name())) + queueSuffix
}

// queueSuffix keeps the queues of this test process apart from those of
// earlier runs on the same database.
var queueSuffix = fmt.Sprintf("_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000)

// startWorker starts a worker process on queue and stops it (SIGTERM) at
// the end of the test.
func startWorker(t testing.TB, queue string, rescue time.Duration, env ...string) *exec.Cmd {
	return startProcess(t, append(env, workerEnv+"="+queue, rescueEnv+"="+rescue.String())...)
}

// startProcess starts the test binary as a worker process with env.
func startProcess(t testing.TB, env ...string) *exec.Cmd {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	return cmd
}

// newTestBackend returns a backend sending tasks to queue.
func newTestBackend(t testing.TB, pool *pgxpool.Pool, cfg Config) *Backend {
	q := testQueue(t)
	cfg.Queue = func(string) string { return q }
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	b, err := New(t.Context(), pool, &cfg)
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return b
}

// tempPath is a path under the test's temporary directory.
func tempPath(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }

// testLogger logs River's messages to stderr when DAGQ_RIVER_TEST_LOG is
// set.
func testLogger() *slog.Logger {
	if os.Getenv("DAGQ_RIVER_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func errorsAs[E error](err error) (E, bool) { return errors.AsType[E](err) }

func pgxpoolNewWithConfig(t testing.TB, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	return pgxpool.NewWithConfig(t.Context(), cfg)
}

// startedContext starts s and returns the test's context.
func startedContext(t testing.TB, s *dagq.Scheduler) context.Context {
	require.NoError(t, s.Start(t.Context()))
	return t.Context()
}
