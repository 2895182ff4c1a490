package dagq_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestParseGPUIDs(t *testing.T) {
	t.Parallel()
	valid := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"none", nil},
		{"  none ", nil},
		{"0", []string{"0"}},
		{"0,1,3", []string{"0", "1", "3"}},
		{"0-3", []string{"0", "1", "2", "3"}},
		{"0-1,4", []string{"0", "1", "4"}},
		{"3,1", []string{"3", "1"}},
		{" 0 , 2 - 3 ", []string{"0", "2", "3"}},
		{"7-7", []string{"7"}},
		{"10,4095", []string{"10", "4095"}},
		{"GPU-8932f937-d72c-4106-c12f-20bd9faed9f6", []string{"GPU-8932f937-d72c-4106-c12f-20bd9faed9f6"}},
		{"GPU-8932f937, 2", []string{"GPU-8932f937", "2"}},
		{"MIG-8932f937-d72c-4106-c12f-20bd9faed9f6,MIG-GPU-8932f937-d72c-4106-c12f-20bd9faed9f6/1/0",
			[]string{"MIG-8932f937-d72c-4106-c12f-20bd9faed9f6", "MIG-GPU-8932f937-d72c-4106-c12f-20bd9faed9f6/1/0"}},
	}
	for _, c := range valid {
		t.Run("valid "+c.in, func(t *testing.T) {
			t.Parallel()
			got, err := dagq.ParseGPUIDs(c.in)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
	invalid := []struct{ in, item, reason string }{
		{"0,0", "0", "listed twice"},
		{"0-2,1", "1", "listed twice"},
		{"0,,1", "", "empty item"},
		{"0,", "", "empty item"},
		{"3-1", "3-1", "reversed range"},
		{"-1", "-1", "negative"},
		{"0,-2", "-2", "negative"},
		{"1--3", "1--3", "negative"},
		{"a", "a", "not a number"},
		{"0,gpu1", "gpu1", "not a number"},
		{"1-2-3", "1-2-3", "not a number"},
		{"0x1", "0x1", "not a number"},
		{"+1", "+1", "not a number"},
		{"1.5", "1.5", "not a number"},
		{"01", "01", "leading zero"},
		{"0-", "0-", "missing number"},
		{"4096", "4096", "above 4095"},
		{"0-99999999999999999999", "0-99999999999999999999", "above 4095"},
		{"none,1", "none", "not a number"},
		{"GPU-", "GPU-", "without hex digits"},
		{"MIG-GPU--/", "MIG-GPU--/", "without hex digits"},
		{"GPU-12zz", "GPU-12zz", "only hex digits"},
		{"GPU-ab,GPU-ab", "GPU-ab", "listed twice"},
		{"gpu-ab", "gpu-ab", "not a number"},
	}
	for _, c := range invalid {
		t.Run("invalid "+c.in, func(t *testing.T) {
			t.Parallel()
			got, err := dagq.ParseGPUIDs(c.in)
			require.Nil(t, got)
			var de *dagq.DeviceListError
			require.True(t, errors.As(err, &de), "%v", err)
			require.Equal(t, c.in, de.List)
			require.Equal(t, c.item, de.Item)
			require.Contains(t, de.Reason, c.reason)
			require.Contains(t, err.Error(), `bad item "`+c.item+`"`)
			_, err = dagq.NewGPU(c.in)
			require.ErrorAs(t, err, &de)
		})
	}
}
