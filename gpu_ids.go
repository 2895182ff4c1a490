package dagq

import (
	"strconv"
	"strings"
)

// maxDeviceID bounds device numbers, so that a typo such as "0-99999999"
// is an error instead of a huge allocation.
const maxDeviceID = 4095

// DeviceListError reports a device list that [ParseGPUIDs] or [NewGPU]
// cannot read: Item is the offending item, Reason what is wrong with it.
type DeviceListError struct {
	List   string // the whole list as given
	Item   string // the bad item, e.g. "x" or "3-1"
	Reason string // e.g. "reversed range"
}

// Error returns e.g. `dagq: GPU ids "0,x": bad item "x": not a number`.
func (e *DeviceListError) Error() string {
	return "dagq: GPU ids " + strconv.Quote(e.List) + ": bad item " + strconv.Quote(e.Item) + ": " + e.Reason
}

// ParseGPUIDs reads a device list as [NewGPU] takes it: comma-separated
// ids and inclusive ranges ("0,1,3", "0-3", "0-1,4"); "" and "none" mean
// no devices. Spaces around items are ignored. Ids are returned in the
// order given, spelled in decimal. Duplicates, empty items, reversed
// ranges, negative numbers, leading zeros, numbers above 4095 and anything
// else are a [*DeviceListError] naming the bad item.
func ParseGPUIDs(list string) ([]string, error) {
	trimmed := strings.TrimSpace(list)
	if trimmed == "" || trimmed == "none" {
		return nil, nil
	}
	var ids []string
	seen := map[int]bool{}
	for item := range strings.SplitSeq(trimmed, ",") {
		item = strings.TrimSpace(item)
		bad := func(reason string) error { return &DeviceListError{List: list, Item: item, Reason: reason} }
		if item == "" {
			return nil, bad("empty item")
		}
		lo, hi := item, item
		if i := strings.IndexByte(item[1:], '-'); i >= 0 {
			lo, hi = item[:i+1], item[i+2:]
		}
		a, why := deviceNumber(lo)
		if why != "" {
			return nil, bad(why)
		}
		b, why := deviceNumber(hi)
		if why != "" {
			return nil, bad(why)
		}
		if b < a {
			return nil, bad("reversed range")
		}
		for d := a; d <= b; d++ {
			if seen[d] {
				return nil, bad("device " + strconv.Itoa(d) + " listed twice")
			}
			seen[d] = true
			ids = append(ids, strconv.Itoa(d))
		}
	}
	return ids, nil
}

// deviceNumber reads one device number, or says what is wrong with s.
func deviceNumber(s string) (int, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, "missing number"
	case s[0] == '-':
		return 0, "negative number"
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, "not a number or range"
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, "leading zero"
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxDeviceID {
		return 0, "number above " + strconv.Itoa(maxDeviceID)
	}
	return n, ""
}
