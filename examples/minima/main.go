// Command minima is smqsched's progressive-output example in Go: one
// stream task scans random points and emits, for each point, whether it is
// a local minimum; one task per point depends on that point's item and
// reports the minimum. Reports start while the scan is still running.
//
//	go run ./examples/minima            # 100,000 points, the first 10 minima
//	go run ./examples/minima -all       # every minimum, as smqsched prints them
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/dagq/dagq"
)

func main() {
	points := flag.Int("points", 100_000, "how many random points to scan")
	all := flag.Bool("all", false, "print every minimum (default: the first 10)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(os.Stdout, *points, *all, *seed); err != nil {
		log.Fatal(err)
	}
}

// run scans points random points and reports their minima to w.
func run(w io.Writer, points int, all bool, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed))
	x := make([]float64, points)
	for i := range x {
		x[i] = rng.Float64()
	}

	s := dagq.New()
	defer s.Shutdown(context.Background())
	q, err := s.Queue("cpu", max(runtime.GOMAXPROCS(0), 2))
	if err != nil {
		return err
	}

	// smqsched's _find_minima generator: one item per point.
	isMinimum := dagq.SubmitStream(q, func(ctx context.Context, emit func(bool) error) error {
		for i := range x {
			if i%10_000 == 9_999 {
				time.Sleep(time.Millisecond) // as if the points were acquired
			}
			if err := emit(i > 0 && i < len(x)-1 && x[i] < x[i-1] && x[i] < x[i+1]); err != nil {
				return err
			}
		}
		return nil
	}, dagq.Name("find-minima"))

	// smqsched's _print_minimum: one task per point, on that point's item.
	var mu sync.Mutex
	found, firstAt := 0, 0
	for i := range x {
		dagq.Then(q, isMinimum.At(i), func(ctx context.Context, isMin bool) (struct{}, error) {
			if !isMin {
				return struct{}{}, nil
			}
			scanned := isMinimum.Len() // how far the scan was when this ran
			mu.Lock()
			defer mu.Unlock()
			if found == 0 {
				firstAt = scanned
			}
			if found++; all || found <= 10 {
				fmt.Fprintf(w, "Found minimum at %d (%d of %d points scanned)\n", i, scanned, len(x))
			}
			return struct{}{}, nil
		})
	}

	if err := s.Run(context.Background()); err != nil {
		return err
	}
	st := s.Stats()
	fmt.Fprintf(w, "%d minima among %d points; the first was reported when %d points had been scanned\n", found, len(x), firstAt)
	fmt.Fprintf(w, "%d tasks (one stream, one per point): %d succeeded\n", st.Submitted, st.Succeeded)
	return nil
}
