package main

import (
	"strings"
	"sync"
	"testing"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

// written collects what a console prints.
type written struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *written) print(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.WriteString(s)
}

// TestConsoleModes writes two jobs' output in chunks that do not end at
// lines, concurrently, in each mode: lines never mix, a last line
// without a newline is kept, and grouped mode writes each job whole.
func TestConsoleModes(t *testing.T) {
	for _, tc := range []struct {
		mode, github string
		want         []string
	}{
		{outputPrefixed, "", []string{"[a] one\n", "[a] two\n", "[a] end\n", "[b] x\n", "[b#2] retried\n"}},
		{outputInterleaved, "", []string{"one\n", "two\n", "end\n", "x\n", "retried\n"}},
		{outputGrouped, "", []string{"== a\none\ntwo\nend\n", "== b\nx\n", "== b#2\nretried\n"}},
		{outputGrouped, "true", []string{"::group::a\none\ntwo\nend\n::endgroup::\n"}},
	} {
		w := &written{}
		c := &console{mode: tc.mode, github: tc.github == "true", print: w.print}
		a := c.open(&dagq.Job{Name: "a", Attempt: 1}).(*jobOutput)
		b := c.open(&dagq.Job{Name: "b", Attempt: 1}).(*jobOutput)
		var wg sync.WaitGroup
		wg.Go(func() {
			for _, chunk := range []string{"on", "e\ntw", "o\n", "end"} {
				_, _ = a.Write([]byte(chunk))
			}
			require.NoError(t, a.Close())
		})
		wg.Go(func() {
			_, _ = b.Write([]byte("x\n"))
			require.NoError(t, b.Close())
		})
		wg.Wait()
		b2 := c.open(&dagq.Job{Name: "b", Attempt: 2})
		_, _ = b2.Write([]byte("retried\n"))
		require.NoError(t, b2.(*jobOutput).Close())
		for _, s := range tc.want {
			require.Contains(t, w.b.String(), s, "mode %s", tc.mode)
		}
	}
	require.Nil(t, (&console{mode: outputNone}).open(&dagq.Job{Name: "a"}), "none: only the logs")
}

// A job that prints no newline is cut at maxLine; grouped mode keeps at
// most maxGroup bytes and says how many more are in the log.
func TestConsoleBounds(t *testing.T) {
	w := &written{}
	c := &console{mode: outputPrefixed, print: w.print}
	o := c.open(&dagq.Job{Name: "a", Attempt: 1}).(*jobOutput)
	_, _ = o.Write([]byte(strings.Repeat("y", maxLine+10)))
	require.Equal(t, 1, strings.Count(w.b.String(), "\n"), "a line at maxLine")
	require.NoError(t, o.Close())
	require.Equal(t, 2, strings.Count(w.b.String(), "\n"))

	w = &written{}
	c = &console{mode: outputGrouped, print: w.print}
	o = c.open(&dagq.Job{Name: "a", Attempt: 1}).(*jobOutput)
	_, _ = o.Write([]byte(strings.Repeat("z", maxGroup+5)))
	require.NoError(t, o.Close())
	require.Contains(t, w.b.String(), "[dagq: 5 bytes more of a are in its log file]\n")
}
