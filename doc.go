// Package dagq schedules tasks that depend on each other over queues of
// limited size, resource pools and backends, in an order chosen by
// pluggable policies, and reports every step to observers.
//
// It serves build and CI pipelines, simulation regressions, data
// acquisition followed by processing, GPU job runners and load generators:
// work with dependencies, limited resources and an order that matters.
//
// # Submitting tasks
//
// A [Scheduler] holds a graph of tasks. Submit closures with [Submit] and
// chain them with [Then], [Then2], [Then3] and [Join]: passing a future
// creates the dependency, so sequential code is parallelised by wrapping
// its calls (promise style).
//
//	s := dagq.New()
//	q, _ := s.Queue("cpu", 4)
//	a := dagq.Submit(q, func(ctx context.Context) (int, error) { return 20, nil })
//	b := dagq.Then(q, a, func(ctx context.Context, v int) (int, error) { return v + 22, nil })
//	err := s.Run(ctx)     // Start, then Wait for every task
//	v, err := b.Get(ctx)  // 42
//
// Tasks may be submitted before [Scheduler.Start] or while the scheduler
// runs. [Scheduler.Add] takes declarative [Spec] values instead, all or
// nothing, and [Plan] validates specs without a scheduler and renders them
// as DOT or Mermaid.
//
// # Dependencies
//
// A task starts when its dependencies allow, as its [TriggerRule] says:
// by default when all of them succeeded. When a task fails or is killed,
// every task that transitively depends on it is killed at once — not when
// it is reached — with a reason naming the task that caused it:
//
//	dependency "fetch-7" (id 12) failed: connection refused
//
// [After] adds dependencies whose values a task does not take. Graphs are
// acyclic by construction for closures (a future exists before its
// dependents); [Scheduler.Add] and [Plan] reject cycles with a
// [*CycleError] that names the cycle.
//
// # Statuses
//
// A task is [Blocked] while it waits for dependencies, [Queued] once ready
// and waiting for capacity, [Running], and then exactly one of
// [Succeeded], [Failed] or [Killed]. [Scheduler.Stats] counts tasks by
// status, in total and per queue; [Scheduler.Task] and
// [Scheduler.Lookup] return a task's [TaskInfo] snapshot with its times.
//
// # Queues and policies
//
// Each [Queue] runs at most its size of tasks at once; queues are
// independent, so a full queue never blocks another. [WithParallelism]
// adds a global cap. Among a queue's ready tasks, its [Policy] chooses:
// [FIFO] (the default), [ByWeight], [ByPriority] with aging, [FairShare]
// between tenants, [ShortestFirst], [CriticalPath], smqsched's
// demand-driven [LatestFirst] (the most recently submitted final result
// first), [PriorityFunc], or a policy of your own implementing [Policy]
// and [ReadySet]. Across queues with free slots the best head goes first.
//
// # Pacing and load runs
//
// A [Strategy] paces when a queue releases its tasks, as guidellm does:
// [Synchronous], [Concurrent], [Throughput], [Constant] and [Poisson]
// (see [WithStrategy]). [MaxTasks], [MaxDuration] and [MaxErrors] end a
// queue's run. [Feed] pulls requests lazily from an iterator at the
// strategy's pace and yields each [Result] with its timings.
//
// # Progressive outputs
//
// [SubmitStream] runs a task that emits items one by one; [Stream.At]
// returns a future for one item, so dependents of item i start as soon as
// it is emitted, before the stream ends.
//
// # Deduplication
//
// Tasks with the same [Key] mean the same work: a key that already
// succeeded (in the [Store], see [WithStore]) makes a new task succeed at
// once with the recorded value; a twin that is pending or running lends
// its outcome; a key whose task failed runs again. A durable Store makes a
// re-run pipeline skip what already succeeded.
//
// # Resource pools
//
// [WithResource] declares a named pool (licences, memory, a rate-limited
// service) and [Uses] makes a task hold some of it while it runs. A ready
// task that does not fit stays Queued while tasks behind it that fit may
// start (no head-of-line blocking); a task passed over 16 times reserves
// the pool, so that large requests do not starve.
//
// # Backends
//
// A [Backend] runs tasks; [Local] (the default, named "local") runs
// closures on the scheduler's worker goroutines, [Exec] (named "exec")
// runs commands as processes ([Command], Spec.Cmd), [NewGPU] hands out
// GPU device slots ([Needs], [Devices]), [NewFake] simulates a pipeline
// on virtual time, and [NewPull] lets your own loop take tasks in policy
// order. Portable tasks ([Registry], [Handle], [Call]) can also run on
// worker processes elsewhere (the river sub-module). Register backends
// with [WithBackend] and choose them per task with [OnBackend] or
// Spec.Backend.
// A backend with finite capacity implements [Capacity] so that surplus
// tasks wait Queued in policy order; one that is momentarily full may
// answer [ErrBackendBusy] instead, and the task is tried again.
//
// # Observing a run
//
// An [Observer] (see [WithObserver]) receives every [Event]: each status
// transition of each task (From, To, Reason), with the counters right
// after it, in one global order consistent with causality. Observers run
// on goroutines of their own, never under the scheduler's locks, so a slow
// observer never delays dispatch. [Scheduler.Subscribe] delivers the same
// events on a channel, losslessly. [LogObserver] writes them with
// log/slog (the scheduler does not even record the events below its
// logger's level); a [Recorder] keeps every task's snapshot for the
// exports, [WriteTrace] (Chrome trace JSON for Perfetto) and
// [WriteTimeline] (an HTML Gantt chart); [Scheduler.DOT] and
// [Scheduler.Mermaid] draw the live graph.
//
// # Errors
//
// [Future.Get] returns a [*TaskError] for a task that did not succeed; it
// unwraps to the task's own error, or to [ErrKilled] for a killed task. A
// panic in a task fails it with a [*PanicError]. [Scheduler.Wait] returns a
// [*RunError] that wraps every failure, so errors.Is finds each cause.
// Invalid submissions fail the task at once with a [*SubmitError]; invalid
// graphs are a [*GraphError] or [*CycleError] and change nothing.
//
// # Cancellation and shutdown
//
// [Scheduler.Cancel] kills a task and its dependents. Cancelling the
// context given to [Scheduler.Start] kills everything not yet finished.
// [Scheduler.Shutdown] kills what has not started, waits for running tasks
// until its context ends, then cancels them. Task contexts carry the cause:
// context.Cause(ctx) wraps [ErrKilled] and says why.
//
// # Testing with synctest
//
// The scheduler starts goroutines only while there is work and parks them
// on channels, so it runs inside testing/synctest bubbles: timers, task
// durations and time-outs use virtual time, and synctest.Wait waits until
// every task that can run has run.
//
//	synctest.Test(t, func(t *testing.T) {
//		s := dagq.New()
//		f := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) {
//			time.Sleep(time.Hour) // virtual: returns at once
//			return 1, nil
//		})
//		_ = s.Run(context.Background())
//		_ = s.Shutdown(context.Background())
//	})
//
// Package github.com/dagq/dagq/dagqtest provides a Checker, an observer
// that verifies the scheduler's invariants at every event of a test run
// (legal transitions, dependencies met before a start, queue sizes, Stats,
// one terminal status per task).
//
// # Performance
//
// Submitting a function allocates one object: its future, which holds the
// task, the function and the first attempt's context; [After] allocates
// its option. Running on [Local] allocates nothing more. Workers
// run one ready task after another without a goroutine switch while work
// is continuous. See docs/performance.md in the repository for figures.
package dagq
