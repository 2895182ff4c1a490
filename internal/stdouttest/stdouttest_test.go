package stdouttest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCaptureMoreThanAPipeHolds(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n"
	out := Capture(t, func() {
		for range 2000 { // 200 KB, more than a pipe's buffer
			fmt.Print(line)
		}
	})
	require.Len(t, out, 2000*len(line))
}
