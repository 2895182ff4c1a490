package boltstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq/boltstore"
)

func TestJSON(t *testing.T) {
	c := boltstore.JSON()
	b, err := c.Marshal(result{Name: "n", Sizes: []int{1}})
	require.NoError(t, err)
	var r result
	require.NoError(t, c.Unmarshal(b, &r))
	require.Equal(t, result{Name: "n", Sizes: []int{1}}, r)
	_, err = c.Marshal(func() {})
	require.ErrorContains(t, err, "unsupported type")
	require.Error(t, c.Unmarshal([]byte("{"), &r))
}
