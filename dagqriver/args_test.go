package dagqriver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
)

func TestDefaultPriority(t *testing.T) {
	for p, want := range map[int]int{5: 1, 1: 1, 0: 2, -1: 3, -2: 4, -9: 4} {
		require.Equal(t, want, DefaultPriority(p), "priority %d", p)
	}
}

func TestRemoteErrorMessage(t *testing.T) {
	err := &RemoteError{Handler: "resize", JobID: 7, Message: "bad image"}
	require.EqualError(t, err, `dagq: river: handler "resize" failed on a worker (river job 7): bad image`)
	err.Panic = true
	require.EqualError(t, err, `dagq: river: handler "resize" panicked on a worker (river job 7): bad image`)
}

func TestRetryPolicyIsShortAndBounded(t *testing.T) {
	next := func(attempt int) time.Duration {
		return time.Until(retryPolicy{}.NextRetry(&rivertype.JobRow{Attempt: attempt})).Round(time.Second)
	}
	require.Equal(t, time.Second, next(1))
	require.Equal(t, 4*time.Second, next(3))
	require.Equal(t, time.Minute, next(20))
}

func TestJobArgsKind(t *testing.T) {
	require.Equal(t, "dagq", jobArgs{}.Kind())
}

func TestParamsMapQueueAndPriority(t *testing.T) {
	b := &Backend{run: "r1", cfg: Config{
		Queue:       func(q string) string { return "river-" + q },
		Priority:    DefaultPriority,
		MaxAttempts: 3,
	}}
	p := b.params(&dagq.Job{ID: 9, Attempt: 2, Name: "n", Queue: "gpu", Priority: 1, Handler: "h", Args: json.RawMessage(`{}`)})
	require.Equal(t, jobArgs{Run: "r1", Task: 9, Attempt: 2, Name: "n", Handler: "h", Args: json.RawMessage(`{}`)}, p.Args)
	require.Equal(t, "river-gpu", p.InsertOpts.Queue)
	require.Equal(t, 1, p.InsertOpts.Priority)
	require.Equal(t, 3, p.InsertOpts.MaxAttempts)
	require.True(t, p.InsertOpts.UniqueOpts.ByArgs)
}
