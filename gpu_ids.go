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
// ids and inclusive ranges ("0,1,3", "0-3", "0-1,4"), or the UUIDs that
// CUDA_VISIBLE_DEVICES also takes ("GPU-8932f937-d72c-4106-c12f-20bd9faed9f6",
// "MIG-…", a unique prefix of either); "" and "none" mean no devices.
// Spaces around items are ignored. Ids are returned in the order given,
// numbers spelled in decimal, UUIDs as written. Duplicates, empty items,
// reversed ranges, negative numbers, leading zeros, numbers above 4095, a
// UUID with no hex digits or with characters other than hex digits, '-'
// and '/' (MIG's "MIG-GPU-<uuid>/<gi>/<ci>"), and anything else are a
// [*DeviceListError] naming the bad item.
func ParseGPUIDs(list string) ([]string, error) {
	trimmed := strings.TrimSpace(list)
	if trimmed == "" || trimmed == "none" {
		return nil, nil
	}
	var ids []string
	seen := map[string]bool{}
	add := func(id string) bool {
		if seen[id] {
			return false
		}
		seen[id] = true
		ids = append(ids, id)
		return true
	}
	for item := range strings.SplitSeq(trimmed, ",") {
		item = strings.TrimSpace(item)
		bad := func(reason string) error { return &DeviceListError{List: list, Item: item, Reason: reason} }
		if item == "" {
			return nil, bad("empty item")
		}
		if isDeviceUUID(item) {
			if why := deviceUUID(item); why != "" {
				return nil, bad(why)
			}
			if !add(item) {
				return nil, bad("device " + item + " listed twice")
			}
			continue
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
			if !add(strconv.Itoa(d)) {
				return nil, bad("device " + strconv.Itoa(d) + " listed twice")
			}
		}
	}
	return ids, nil
}

// isDeviceUUID reports whether item is spelled as a GPU or MIG UUID.
func isDeviceUUID(item string) bool {
	return strings.HasPrefix(item, "GPU-") || strings.HasPrefix(item, "MIG-")
}

// deviceUUID says what is wrong with the UUID id, or "".
func deviceUUID(id string) string {
	const hexDigits = "0123456789abcdefABCDEF"
	rest := strings.TrimPrefix(id, "MIG-GPU-")
	if rest == id {
		rest = id[len("GPU-"):]
	}
	switch {
	case strings.Trim(rest, hexDigits+"-/") != "":
		return "a GPU- or MIG- UUID holds only hex digits, '-' and '/'"
	case !strings.ContainsAny(rest, hexDigits):
		return "UUID without hex digits"
	}
	return ""
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
