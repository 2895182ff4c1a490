package main

import (
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The quickstart runs to the end (its downloads take virtual time) and
// leaves no goroutine behind.
func TestQuickstart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { main() })
}
