package boltstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/boltstore"
)

// Results saved by one scheduler are found by a later one, as by the
// same program run again: the keyed task does not run a second time.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "boltstore")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "results.db")

	for run := 1; run <= 2; run++ {
		st, err := boltstore.Open(path)
		if err != nil {
			log.Fatal(err)
		}
		s := dagq.New(dagq.WithStore(st))
		f := dagq.Submit(s.DefaultQueue(), func(context.Context) ([]string, error) {
			fmt.Println("  crawling")
			return []string{"a.html", "b.html"}, nil
		}, dagq.Key("crawl:example.com"))
		fmt.Printf("run %d:\n", run)
		if err := s.Run(context.Background()); err != nil {
			log.Fatal(err)
		}
		pages, _ := f.Get(context.Background())
		fmt.Println("  pages:", pages, "cached:", f.Info().Cached)
		_ = s.Shutdown(context.Background())
		_ = st.Close()
	}
	// Output:
	// run 1:
	//   crawling
	//   pages: [a.html b.html] cached: false
	// run 2:
	//   pages: [a.html b.html] cached: true
}

// Options print as they were written.
func ExampleWithBatch() {
	fmt.Println(boltstore.WithBatch(5 * time.Millisecond))
	// Output: WithBatch(5ms)
}
