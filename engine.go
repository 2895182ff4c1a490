package dagq

import (
	"context"
	"sync"
	"time"

	"github.com/dagq/dagq/internal/chunk"
	"github.com/dagq/dagq/internal/signal"
)

// engine is the scheduler's state and every method that reads or writes
// it under its lock: a [Scheduler] is an engine behind its exported
// methods, and a [Queue] a named part of it. The engine's mutex guards
// the fields below it, every node, and the fields of each Queue and
// pool marked as guarded; methods whose name ends in Locked are called
// with it held. They live in the files named for what they do:
// dispatch.go (picking, starting and finishing attempts), resolve.go
// (statuses, resolution and kills), submit.go, keys.go, ranks.go,
// pacing.go and limits.go (strategies and run limits), sink.go (event
// delivery) and lifecycle.go (Start, Wait, Shutdown), with the
// per-queue steps (a queue's ready set and slots) in queue.go. A Queue's
// guarded fields are the per-queue part of the same state: only engine
// methods change them.
//
// User code is called under the lock only through the guarded calls of
// guard.go (ready sets, capacity backends, strategies), which turn a
// panic into the failure of what it concerns.
type engine struct {
	cfg      config
	epoch    time.Time                // time zero of node stamps, just before New
	backends map[string]*backendEntry // immutable after New
	defBack  *backendEntry
	pools    map[string]*pool // immutable map; pool fields guarded by mu
	store    Store
	def      *Queue

	workers sync.WaitGroup // worker goroutines
	slabs   slabs          // the typed tasks' arrays (slab.go)

	mu          sync.Mutex // guards the fields below and every node and queue
	state       runState
	paused      bool
	parallelism int
	busy        int                // tasks executing on worker goroutines
	nodes       chunk.Table[*node] // by ID - 1
	byName      map[string]*node
	queues      map[string]*Queue
	queueList   []*Queue
	counts      Counts
	ranks       *ranker // non-nil once a queue uses a rank-based policy
	failed      []*node // Failed tasks, for Wait's error
	doomed      []*node // Queued tasks to fail: a plug-in panicked (guard.go)
	capped      bool    // the global parallelism was reached in a dispatch round
	opened      int64   // when a slot of it last freed after that, for Targeted
	firstKilled *node
	idle        signal.Signal   // broadcast when no task is pending
	quiet       signal.Signal   // broadcast when busy reaches 0
	startCtx    context.Context // Start's ctx
	runCtx      context.Context // parent of the tasks' contexts
	runCancel   context.CancelCauseFunc
	stopWatch   func() bool // stops watching Start's ctx
	sinks       []*sink
	want        uint64             // the events some sink takes (see wantsLocked)
	filters     int                // sinks in sinks whose observer filters events
	refreshAt   int64              // when wantsLocked asks the filtering sinks again
	events      eventLog           // the events not yet delivered to every sink (sink.go)
	edges       chunk.Table[edge]  // dependency edges (see edge); edge 0 ends lists
	waits       chunk.Table[int32] // by ID - 1: dependencies a Blocked task still waits for (for its trigger rule); 0 once it is not Blocked
	items       chunk.Table[*node] // stream items that have an edge, by edge.id
	backlog     []resolveStep      // propagation left to do (resolve.go)
	kill        *fate              // the last kill's reason and error, shared by a subtree
	resolving   bool               // a goroutine drains the backlog
	resolved    signal.Signal      // broadcast when the backlog is empty
	reservers   []*node            // tasks that reserved a pool or backend (dispatch.go)
	scratch     taskConfig         // scratch for submission
	shutdown    chan struct{}      // closed when Shutdown has finished

	keys map[string]keyState // per Key, its task that runs or succeeded (keys.go); made on demand
}
