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
