package dagq_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dagq/dagq"
)

// A task that depends on a stream item runs as soon as the item exists,
// while the stream goes on.
func ExampleSubmitStream() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, _ := s.Queue("cpu", 2)

	more := make(chan struct{})
	words := dagq.SubmitStream(q, func(ctx context.Context, emit func(string) error) error {
		if err := emit("alpha"); err != nil {
			return err
		}
		<-more // the stream is not done yet...
		for _, w := range []string{"beta", "gamma"} {
			if err := emit(w); err != nil {
				return err
			}
		}
		return nil
	}, dagq.Name("words"))
	first := dagq.Then(q, words.At(0), func(ctx context.Context, w string) (string, error) {
		defer close(more) // ...but its first item is already used
		return fmt.Sprintf("%s, while the stream is %v", w, words.Status()), nil
	})
	if err := s.Run(ctx); err != nil {
		fmt.Println(err)
		return
	}
	v, _ := first.Get(ctx)
	fmt.Println(v)
	all, _ := words.All(ctx)
	fmt.Println(all, words.Len())
	// Output:
	// alpha, while the stream is running
	// [alpha beta gamma] 3
}

// Items the stream never emitted fail with ErrNoItem; their dependents are
// killed with that reason.
func ExampleStream_At() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, _ := s.Queue("cpu", 2)

	st := dagq.SubmitStream(q, func(ctx context.Context, emit func(int) error) error {
		for _, v := range []int{10, 20} {
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil // two items only
	}, dagq.Name("pair"))
	third := dagq.Then(q, st.At(2), func(ctx context.Context, v int) (int, error) { return v, nil })
	_ = s.Run(ctx)

	v, err := st.At(1).Get(ctx) // also after the stream ended
	fmt.Println(v, err)
	_, err = st.At(2).Get(ctx)
	fmt.Println(errors.Is(err, dagq.ErrNoItem))
	fmt.Println(third.Status(), "-", third.Info().Reason)
	// Output:
	// 20 <nil>
	// true
	// killed - dependency "pair[2]" (id 1) failed: no such stream item: stream "pair" (id 1) ended after 2 items
}

// Items ranges over the items as they are emitted.
func ExampleStream_Items() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, _ := s.Queue("cpu", 1)

	squares := dagq.SubmitStream(q, func(ctx context.Context, emit func(int) error) error {
		for i := 1; i <= 4; i++ {
			if err := emit(i * i); err != nil {
				return err
			}
		}
		return nil
	})
	_ = s.Start(ctx)
	for i, v := range squares.Items(ctx) {
		fmt.Println(i, v)
	}
	fmt.Println(squares.Wait(ctx))
	// Output:
	// 0 1
	// 1 4
	// 2 9
	// 3 16
	// <nil>
}
