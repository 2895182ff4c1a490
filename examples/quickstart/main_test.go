package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestQuickstart runs the example and checks what it prints.
func TestQuickstart(t *testing.T) {
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
	got := out.String()
	require.Contains(t, got, "built: binary(object of app.go + object of lib.go)")
	require.Contains(t, got, "tests passed: 150")
	require.Contains(t, got, "8 tasks: 8 succeeded, 0 failed, 0 killed")
	// Each task appears after what it depends on.
	for _, pair := range [][2]string{{"fetch app.go", "compile app.go"}, {"compile lib.go", "link"}, {"link", "test unit"}, {"test integration", "report"}} {
		require.Less(t, strings.Index(got, pair[0]), strings.Index(got, pair[1]), pair)
	}
}
