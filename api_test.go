package dagq_test

import (
	"context"
	"iter"
	"log/slog"
	"time"

	"github.com/dagq/dagq"
)

// The public contract, checked by the compiler: every name with its exact
// shape. A change that breaks one of these lines breaks users.
var (
	_ func(...dagq.Option) *dagq.Scheduler = dagq.New

	_ func(int) dagq.Option                    = dagq.WithParallelism
	_ func(dagq.Policy) dagq.Option            = dagq.WithPolicy
	_ func(string, dagq.Backend) dagq.Option   = dagq.WithBackend
	_ func(string) dagq.Option                 = dagq.WithDefaultBackend
	_ func(dagq.Observer) dagq.Option          = dagq.WithObserver
	_ func(dagq.Store) dagq.Option             = dagq.WithStore
	_ func(*slog.Logger) dagq.Option           = dagq.WithLogger
	_ func(string, int) dagq.Option            = dagq.WithResource
	_ func() dagq.Option                       = dagq.WithFailFast
	_ func(dagq.Policy) dagq.QueueOption       = dagq.WithQueuePolicy
	_ func(dagq.Strategy) dagq.QueueOption     = dagq.WithStrategy
	_ func(int) dagq.QueueOption               = dagq.MaxTasks
	_ func(time.Duration) dagq.QueueOption     = dagq.MaxDuration
	_ func(int) dagq.QueueOption               = dagq.MaxErrors
	_ func(time.Duration) dagq.QueueOption     = dagq.Rampup
	_ func(string) dagq.TaskOption             = dagq.Name
	_ func(...dagq.Dep) dagq.TaskOption        = dagq.After
	_ func(float64) dagq.TaskOption            = dagq.Weight
	_ func(int) dagq.TaskOption                = dagq.Priority
	_ func(string) dagq.TaskOption             = dagq.Tenant
	_ func(float64) dagq.TaskOption            = dagq.Cost
	_ func(string) dagq.TaskOption             = dagq.OnBackend
	_ func(dagq.Resources) dagq.TaskOption     = dagq.Needs
	_ func(string) dagq.TaskOption             = dagq.Key
	_ func(time.Duration) dagq.TaskOption      = dagq.Timeout
	_ func(int, time.Duration) dagq.TaskOption = dagq.Retry
	_ func(string, int) dagq.TaskOption        = dagq.Uses
	_ func(dagq.TriggerRule) dagq.TaskOption   = dagq.Trigger
	_                                          = dagq.Resources{GPUs: 1}

	_ func(*dagq.Scheduler, string, int, ...dagq.QueueOption) (*dagq.Queue, error) = (*dagq.Scheduler).Queue
	_ func(*dagq.Scheduler) *dagq.Queue                                            = (*dagq.Scheduler).DefaultQueue
	_ func(*dagq.Scheduler, context.Context) error                                 = (*dagq.Scheduler).Start
	_ func(*dagq.Scheduler, context.Context) error                                 = (*dagq.Scheduler).Run
	_ func(*dagq.Scheduler, context.Context) error                                 = (*dagq.Scheduler).Wait
	_ func(*dagq.Scheduler)                                                        = (*dagq.Scheduler).Pause
	_ func(*dagq.Scheduler)                                                        = (*dagq.Scheduler).Resume
	_ func(*dagq.Scheduler, context.Context) error                                 = (*dagq.Scheduler).Shutdown
	_ func(*dagq.Scheduler, int)                                                   = (*dagq.Scheduler).SetParallelism
	_ func(*dagq.Scheduler, dagq.TaskID, string)                                   = (*dagq.Scheduler).Cancel
	_ func(*dagq.Scheduler) dagq.Stats                                             = (*dagq.Scheduler).Stats
	_ func(*dagq.Scheduler, dagq.TaskID) (dagq.TaskInfo, bool)                     = (*dagq.Scheduler).Task
	_ func(*dagq.Scheduler, string) (dagq.TaskInfo, bool)                          = (*dagq.Scheduler).Lookup
	_ func(*dagq.Scheduler, int) (<-chan dagq.Event, func())                       = (*dagq.Scheduler).Subscribe
	_ func(*dagq.Scheduler, ...dagq.Spec) error                                    = (*dagq.Scheduler).Add

	_ func(*dagq.Queue) string     = (*dagq.Queue).Name
	_ func(*dagq.Queue) int        = (*dagq.Queue).Size
	_ func(*dagq.Queue, int) error = (*dagq.Queue).SetSize
	_ func(*dagq.Queue) int        = (*dagq.Queue).Pending
	_ func(*dagq.Queue) int        = (*dagq.Queue).Running

	_ func(*dagq.Queue, func(context.Context) (int, error), ...dagq.TaskOption) *dagq.Future[int]                                                                                   = dagq.Submit[int]
	_ func(*dagq.Queue, *dagq.Future[int], func(context.Context, int) (string, error), ...dagq.TaskOption) *dagq.Future[string]                                                     = dagq.Then[int, string]
	_ func(*dagq.Queue, *dagq.Future[int], *dagq.Future[bool], func(context.Context, int, bool) (string, error), ...dagq.TaskOption) *dagq.Future[string]                           = dagq.Then2[int, bool, string]
	_ func(*dagq.Queue, *dagq.Future[int], *dagq.Future[bool], *dagq.Future[byte], func(context.Context, int, bool, byte) (string, error), ...dagq.TaskOption) *dagq.Future[string] = dagq.Then3[int, bool, byte, string]
	_ func(*dagq.Queue, []*dagq.Future[int], func(context.Context, []int) (string, error), ...dagq.TaskOption) *dagq.Future[string]                                                 = dagq.Join[int, string]
	_ func(*dagq.Queue, func(context.Context, func(int) error) error, ...dagq.TaskOption) *dagq.Stream[int]                                                                         = dagq.SubmitStream[int]
	_ func(context.Context, *dagq.Queue, iter.Seq[int], func(context.Context, int) (string, error), ...dagq.TaskOption) iter.Seq[dagq.Result[int, string]]                          = dagq.Feed[int, string]

	_ func(*dagq.Future[int]) dagq.TaskID                     = (*dagq.Future[int]).ID
	_ func(*dagq.Future[int], context.Context) (int, error)   = (*dagq.Future[int]).Get
	_ func(*dagq.Future[int]) <-chan struct{}                 = (*dagq.Future[int]).Done
	_ func(*dagq.Future[int]) dagq.Status                     = (*dagq.Future[int]).Status
	_ func(*dagq.Future[int]) dagq.TaskInfo                   = (*dagq.Future[int]).Info
	_ dagq.Dep                                                = (*dagq.Future[int])(nil)
	_ func(*dagq.Stream[int], int) *dagq.Future[int]          = (*dagq.Stream[int]).At
	_ func(*dagq.Stream[int], context.Context) ([]int, error) = (*dagq.Stream[int]).All
	_                                                         = dagq.Result[int, string]{Request: 1, Value: "", Err: nil, Info: dagq.TaskInfo{}}

	_ func([]dagq.Spec) (*dagq.Graph, error) = dagq.Plan
	_ func(*dagq.Graph) string               = (*dagq.Graph).DOT
	_ func(*dagq.Graph) string               = (*dagq.Graph).Mermaid
	_ func(*dagq.Graph) []string             = (*dagq.Graph).Order

	_ func() dagq.Policy                            = dagq.FIFO
	_ func() dagq.Policy                            = dagq.LatestFirst
	_ func() dagq.Policy                            = dagq.ByWeight
	_ func(time.Duration) dagq.Policy               = dagq.ByPriority
	_ func(map[string]int) dagq.Policy              = dagq.FairShare
	_ func() dagq.Policy                            = dagq.ShortestFirst
	_ func() dagq.Policy                            = dagq.CriticalPath
	_ func(func(dagq.TaskInfo) float64) dagq.Policy = dagq.PriorityFunc

	_ func() dagq.Strategy                     = dagq.Synchronous
	_ func(int) dagq.Strategy                  = dagq.Concurrent
	_ func(int) dagq.Strategy                  = dagq.Throughput
	_ func(float64, bool) dagq.Strategy        = dagq.Constant
	_ func(float64, bool, int64) dagq.Strategy = dagq.Poisson

	_ func() dagq.Backend                                  = dagq.Local
	_ func(string, ...dagq.GPUOption) (*dagq.GPU, error)   = dagq.NewGPU
	_ func(int) dagq.GPUOption                             = dagq.WithCPUSlots
	_ dagq.Backend                                         = (*dagq.GPU)(nil)
	_ func(context.Context) []string                       = dagq.Devices
	_ func() *dagq.Pull                                    = dagq.NewPull
	_ func(*dagq.Pull, context.Context) (*dagq.Job, error) = (*dagq.Pull).Next
	_ func(*dagq.Pull, *dagq.Job, any, error)              = (*dagq.Pull).Complete
	_ dagq.Backend                                         = (*dagq.Pull)(nil)
	_                                                      = dagq.Job{ID: 1, Name: "", Queue: "", Attempt: 1, Needs: dagq.Resources{}, Devices: nil}

	_ func() dagq.Store = dagq.MemoryStore

	_ dagq.Observer            = dagq.ObserverFunc(nil)
	_                          = dagq.Event{Kind: dagq.TaskStarted, Time: time.Time{}, Task: dagq.TaskInfo{}, From: dagq.Queued, To: dagq.Running, Reason: "", Stats: dagq.Stats{}}
	_                          = []dagq.EventKind{dagq.RunStarted, dagq.TaskSubmitted, dagq.TaskQueued, dagq.TaskStarted, dagq.TaskItem, dagq.TaskFinished, dagq.RunIdle, dagq.RunStopped}
	_                          = []dagq.Status{dagq.Blocked, dagq.Queued, dagq.Running, dagq.Succeeded, dagq.Failed, dagq.Killed}
	_                          = []dagq.TriggerRule{dagq.AllSucceeded, dagq.AnySucceeded, dagq.AllDone}
	_ func(dagq.Status) bool   = dagq.Status.Terminal
	_ func(dagq.Status) string = dagq.Status.String

	_ = dagq.Counts{Submitted: 0, Blocked: 0, Queued: 0, Running: 0, Succeeded: 0, Failed: 0, Killed: 0}
	_ = dagq.Stats{Counts: dagq.Counts{}, Queues: map[string]dagq.Counts{}}
	_ = dagq.TaskInfo{
		ID: 1, Name: "", Queue: "", Backend: "", Status: dagq.Blocked, Reason: "", Err: nil,
		Deps: []dagq.TaskID{}, Attempts: 0, Cached: false, Devices: []string{},
		Submitted: time.Time{}, Ready: time.Time{}, Targeted: time.Time{}, Dispatched: time.Time{}, Started: time.Time{}, Finished: time.Time{},
	}
	_ = dagq.Spec{
		Name: "", Deps: []string{}, Queue: "", Backend: "", Weight: 0, Priority: 0, Tenant: "", Cost: 0, Key: "",
		Needs: dagq.Resources{}, Uses: map[string]int{}, Trigger: dagq.AllSucceeded,
		Run: func(context.Context) error { return nil }, Cmd: []string{},
	}

	_                             = []error{dagq.ErrClosed, dagq.ErrNoItem, dagq.ErrKilled, dagq.ErrBackendBusy}
	_                             = []error{&dagq.CycleError{}, &dagq.GraphError{}, &dagq.TaskError{}, &dagq.PanicError{}}
	_ func(*dagq.TaskError) error = (*dagq.TaskError).Unwrap

	_ = dagq.Exec
	_ = dagq.NewFake
)

// exampleBackend checks that a Backend is one method.
type exampleBackend struct{}

func (exampleBackend) Run(context.Context, *dagq.Job) (any, error) { return nil, nil }

var _ dagq.Backend = exampleBackend{}
