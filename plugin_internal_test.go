package dagq

// RecordedEvents returns how many events s has recorded for its sinks: what
// its observers cost it.
func RecordedEvents(s *Scheduler) uint64 { return s.events.Seq() }

// SliceEdges makes every propagation follow at most n edges per hold of
// the lock (0: the default), so that tests go through the backlog.
func SliceEdges(n int) { sliceEdges.Store(int32(n)) }

// BlockedChain is blockedChain, for the external tests.
var BlockedChain = blockedChain
