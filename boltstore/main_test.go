package boltstore_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path) // a child process of TestCrash: writes until killed
		return
	}
	goleak.VerifyTestMain(m)
}
