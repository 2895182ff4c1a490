package dagq

// RecordedEvents returns how many events s has recorded for its sinks: what
// its observers cost it.
func RecordedEvents(s *Scheduler) uint64 { return s.events.Seq() }

// BlockedChain is blockedChain, for the external tests.
var BlockedChain = blockedChain
