package main

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSmqsched runs the example and checks what it prints.
func TestSmqsched(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	require.NoError(t, w.Close())
	var out bytes.Buffer
	_, err = io.Copy(&out, r)
	require.NoError(t, err)
	require.Equal(t, "latest-first: first C (C9999) after 3 tasks, last C (C0) after 10200 of 10200\n"+
		"fifo:        first C (C0) after 201 tasks, last C (C9999) after 10200 of 10200\n", out.String())
}
