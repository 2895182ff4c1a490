package dagq

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A scheduler refuses tasks beyond maxTasks, which edges could not name.
func TestTaskLimit(t *testing.T) {
	require.NoError(t, room(maxTasks-1, 1))
	require.ErrorContains(t, room(maxTasks, 1), "holds 1073741823 tasks, at most 1073741823")
	require.ErrorContains(t, room(maxTasks-2, 3), "at most")
}
