package dagq

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

func TestTasksInIDOrderWithTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := sampleRun(t)
		tasks := s.Tasks()
		require.Len(t, tasks, 7)
		byName := map[string]TaskInfo{}
		for i, ti := range tasks {
			require.Equal(t, TaskID(i+1), ti.ID)
			require.True(t, ti.Status.Terminal(), "task %s is %v", ti.Name, ti.Status)
			byName[ti.Name] = ti
		}
		require.Equal(t, Succeeded, byName["compile a"].Status)
		require.Equal(t, Failed, byName["compile b"].Status)
		require.Equal(t, Killed, byName["link"].Status)
		require.Equal(t, Killed, byName["test"].Status)
		// fetch b waited for the single net slot while fetch a ran.
		require.Equal(t, byName["fetch a"].Duration(), byName["fetch b"].Wait())
		require.Equal(t, []TaskID{byName["compile a"].ID, byName["compile b"].ID}, byName["link"].Deps)
	})
}

func TestTasksEmpty(t *testing.T) {
	require.Empty(t, New().Tasks())
}
