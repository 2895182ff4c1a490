// Package stdouttest captures what a function prints to standard output,
// for the tests of the example programs.
package stdouttest

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// Capture runs fn with os.Stdout redirected and returns what it printed.
// It reads concurrently, so fn may print more than a pipe holds. Not safe
// for parallel tests: os.Stdout is process-wide.
func Capture(t testing.TB, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, r)
		read <- b.Bytes()
	}()
	stdout := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = stdout }()
	fn()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := <-read
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return string(out)
}
