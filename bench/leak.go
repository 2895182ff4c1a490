package bench

import "go.uber.org/goleak"

// LeakOptions are the goleak options of this module's tests: ants starts
// the goroutines of its process-wide default pool when it is imported.
func LeakOptions() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
	}
}
