package admin

import (
	"slices"
	"testing"

	"consult/booking"
	"consult/web/i18n"
)

func TestParseRows(t *testing.T) {
	for _, c := range []struct {
		rows []timeRow
		want []booking.TimeRange
		msg  string
	}{
		{nil, nil, ""},
		{[]timeRow{{"", ""}, {"09:00", "12:00"}, {"", ""}}, []booking.TimeRange{{Start: 9 * 60, End: 12 * 60}}, ""},
		{[]timeRow{{"09:00:00", "12:30:00"}}, []booking.TimeRange{{Start: 9 * 60, End: 12*60 + 30}}, ""},
		{[]timeRow{{"20:00", "00:00"}}, []booking.TimeRange{{Start: 20 * 60, End: 24 * 60}}, ""}, // until midnight
		{[]timeRow{{"09:00", ""}}, nil, "give both a start and an end time"},
		{[]timeRow{{"nine", "ten"}}, nil, "write times like 09:00"},
		{[]timeRow{{"12:00", "09:00"}}, nil, "each start must come before its end"},
		{[]timeRow{{"00:00", "00:00"}}, nil, "each start must come before its end"},
		{[]timeRow{{"13:00", "15:00"}, {"09:00", "13:30"}}, nil, "the times must not overlap"},
		{[]timeRow{{"13:00", "15:00"}, {"09:00", "13:00"}}, []booking.TimeRange{{Start: 13 * 60, End: 15 * 60}, {Start: 9 * 60, End: 13 * 60}}, ""},
	} {
		got, msg := parseRows(c.rows)
		if msg != c.msg || !slices.Equal(got, c.want) {
			t.Errorf("parseRows(%v) = %v, %q; want %v, %q", c.rows, got, msg, c.want, c.msg)
		}
	}
	// A window until midnight shows as "00:00" and reads back the same.
	rows := rowsOf([]booking.TimeRange{{Start: 20 * 60, End: 24 * 60}})
	if got, _ := parseRows(rows); !slices.Equal(got, []booking.TimeRange{{Start: 20 * 60, End: 24 * 60}}) || len(rows) != 2 {
		t.Errorf("round trip: %v from %v", got, rows)
	}
}

func TestEditWeek(t *testing.T) {
	week := func() []weekdayRow {
		var out []weekdayRow
		for _, wd := range weekOrder {
			out = append(out, weekdayRow{Weekday: int(wd), Name: wd.String(), Rows: []timeRow{{}}})
		}
		out[1].Rows = []timeRow{{"09:00", "12:00"}, {}} // Tuesday
		return out
	}
	d := week()
	if note, ok := editWeek(i18n.EN, d, "copy-2"); !ok || note != "Tuesday's hours were copied to every weekday." {
		t.Fatalf("copy: %q %v", note, ok)
	}
	for _, day := range d {
		want := []timeRow{{}}
		if day.Weekday >= 1 && day.Weekday <= 5 {
			want = []timeRow{{"09:00", "12:00"}, {}}
		}
		if !slices.Equal(day.Rows, want) {
			t.Errorf("%s after copying Tuesday: %v", day.Name, day.Rows)
		}
	}
	d = week()
	if _, ok := editWeek(i18n.EN, d, "add-6"); !ok || len(d[5].Rows) != 2 {
		t.Errorf("add on Saturday: %v", d[5].Rows)
	}
	if _, ok := editWeek(i18n.EN, d, "remove-2-0"); !ok || !slices.Equal(d[1].Rows, []timeRow{{}}) {
		t.Errorf("remove Tuesday's first row: %v", d[1].Rows)
	}
	for _, bad := range []string{"save", "preview", "", "add-9", "remove-2-7", "remove-x-0", "copy-"} {
		if _, ok := editWeek(i18n.EN, week(), bad); ok {
			t.Errorf("%q was taken for a row button", bad)
		}
	}
	d = week()
	for range maxRowsPerDay + 3 {
		editWeek(i18n.EN, d, "add-1")
	}
	if len(d[0].Rows) != maxRowsPerDay {
		t.Errorf("Monday has %d rows, at most %d", len(d[0].Rows), maxRowsPerDay)
	}
}
