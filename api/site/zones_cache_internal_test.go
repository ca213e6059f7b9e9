package site

import (
	"reflect"
	"testing"
	"time"

	"consult/web/i18n"
)

// TestZoneGroupsCopiesReadAsBuiltAfresh steps the clock across the
// spring change in Europe (01:00 UTC on 29 March 2026), back and forth,
// and expects the kept options to be those built at that moment, in two
// languages and for a zone listed and one that is not.
func TestZoneGroupsCopiesReadAsBuiltAfresh(t *testing.T) {
	var c zoneGroupsCache
	change := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	var moments []time.Time
	for d := -40 * time.Minute; d <= 40*time.Minute; d += 7 * time.Minute {
		moments = append(moments, change.Add(d))
	}
	moments = append(moments, change.Add(-time.Nanosecond), change, change.Add(-time.Hour), change.Add(20*time.Hour))
	for _, now := range moments {
		for _, l := range []i18n.Lang{i18n.EN, i18n.DE} {
			for _, zone := range []string{"Europe/Berlin", "America/Nuuk"} {
				got, want := c.get(l, zone, now), zoneGroups(l, zone, now)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, %s, %s: the kept options differ from those built afresh", now, l, zone)
				}
			}
		}
	}
}

// TestNextListedZoneChangeIsTheEarliestOfAll asks, out of order and
// across several changes, for the next change of any listed zone, and
// compares it with every zone read afresh.
func TestNextListedZoneChangeIsTheEarliestOfAll(t *testing.T) {
	earliest := func(now time.Time) time.Time {
		var at time.Time
		for _, loc := range zoneLocations() {
			if end := zoneEnd(now, loc); !end.IsZero() && (at.IsZero() || end.Before(at)) {
				at = end
			}
		}
		return at
	}
	base := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	var asked []time.Time
	for h := 0; h < 24*40; h += 7 {
		asked = append(asked, base.Add(time.Duration(h)*time.Hour))
	}
	asked = append(asked, base, base.Add(24*time.Hour)) // back in time
	for i, now := range asked {
		got, want := nextListedZoneChange(now), earliest(now)
		if !got.Equal(want) {
			t.Fatalf("ask %d at %s: %s, want %s", i, now, got, want)
		}
		// Just before and at the change it names.
		if !want.IsZero() {
			if got := nextListedZoneChange(want.Add(-time.Nanosecond)); !got.Equal(want) {
				t.Fatalf("just before %s: %s", want, got)
			}
			if got, w := nextListedZoneChange(want), earliest(want); !got.Equal(w) {
				t.Fatalf("at %s: %s, want %s", want, got, w)
			}
		}
	}
}
