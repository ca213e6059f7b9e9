package booking_test

import (
	"testing"
	"time"

	"consult/booking"
)

func TestSummarizeBookings(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, la) // Tuesday
	today := booking.DateOf(now)
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, la).UTC() }
	facts := []booking.BookingFact{
		// This week: one made 3 hours ahead, one two days ahead.
		{Created: at(12, 1, 9), Start: at(12, 1, 12), Status: booking.StatusConfirmed},
		{Created: at(11, 29, 10), Start: at(12, 1, 10), Status: booking.StatusConfirmed},
		// Last week (Monday 23 November): held, a no-show, a cancellation.
		{Created: at(11, 1, 9), Start: at(11, 23, 9), Status: booking.StatusCompleted},
		{Created: at(11, 10, 9), Start: at(11, 24, 9), Status: booking.StatusNoShow},
		{Created: at(11, 10, 9), Start: at(11, 24, 10), Status: booking.StatusCancelled},
		// Next week, made on Monday 30 November: 8 days ahead.
		{Created: at(11, 30, 9), Start: at(12, 8, 9), Status: booking.StatusConfirmed},
		// Outside every window: counted nowhere.
		{Created: at(1, 1, 9), Start: at(1, 5, 9), Status: booking.StatusCompleted},
	}
	d := booking.SummarizeBookings(facts, la, today, now)
	if got, want := len(d.Weeks), booking.DashboardWeeksBack+booking.DashboardWeeksAhead; got != want {
		t.Fatalf("%d weeks, want %d", got, want)
	}
	this := d.Weeks[booking.DashboardWeeksBack]
	if this.Monday != (booking.Date{Year: 2026, Month: 11, Day: 30}) || !this.Future || this.Booked != 2 {
		t.Errorf("this week: %+v", this)
	}
	if last := d.Weeks[booking.DashboardWeeksBack-1]; last.Booked != 2 || last.Cancelled != 1 || last.Future {
		t.Errorf("last week: %+v", last)
	}
	if next := d.Weeks[booking.DashboardWeeksBack+1]; next.Booked != 1 {
		t.Errorf("next week: %+v", next)
	}
	lead := map[string]int{}
	for _, b := range d.Lead {
		lead[b.Label] = b.Count
	}
	// 3 hours, 2 days, 8 days, 14 days (the bound goes to the next span), 22 days.
	if lead["Same day"] != 1 || lead["1–3 days"] != 1 || lead["3–7 days"] != 0 || lead["1–2 weeks"] != 1 || lead["2–4 weeks"] != 2 || d.Counted != 5 {
		t.Errorf("lead times %v over %d", lead, d.Counted)
	}
	if d.LeadMedian != 8*24*time.Hour {
		t.Errorf("median lead %v", d.LeadMedian)
	}
	if len(d.Months) != booking.DashboardMonths || d.Months[11].Month != time.December || d.Months[0].Month != time.January {
		t.Fatalf("months %+v", d.Months)
	}
	if nov := d.Months[10]; nov.Held != 1 || nov.NoShow != 1 || nov.Cancel != 1 || nov.Upcoming != 0 {
		t.Errorf("November: %+v", nov)
	}
	if dec := d.Months[11]; dec.Upcoming != 3 || dec.Held != 0 { // it is 08:00 on the 1st
		t.Errorf("December: %+v", dec)
	}
	if jan := d.Months[0]; jan.Held != 1 {
		t.Errorf("January: %+v", jan)
	}
	// Tuesdays at 09:00: the no-show and next week's; Monday at 09:00 the
	// one that took place; the cancellation at 10:00 is not counted.
	if d.Hours[1][9] != 2 || d.Hours[0][9] != 1 || d.Hours[1][10] != 1 || d.Hours[1][12] != 1 {
		t.Errorf("hours: Mon 9 %d, Tue 9 %d, Tue 10 %d, Tue 12 %d", d.Hours[0][9], d.Hours[1][9], d.Hours[1][10], d.Hours[1][12])
	}
}
