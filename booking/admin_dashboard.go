package booking

import (
	"context"
	"slices"
	"time"
)

// BookingFact is what the dashboard counts of one booking: when it was
// made, when it is, and how it ended. It holds no personal data, and
// stays true after retention erases the client's details, as the
// booking's row is kept.
type BookingFact struct {
	Created, Start time.Time
	Status         Status
}

// StatsStore reads the facts the dashboard counts.
type StatsStore interface {
	// BookingFacts returns the bookings (not holds) starting in
	// [from, to), by start.
	BookingFacts(ctx context.Context, from, to time.Time) ([]BookingFact, error)
}

// Dashboard sizes: how many weeks back and ahead, how many months.
const (
	DashboardWeeksBack  = 26
	DashboardWeeksAhead = 8
	DashboardMonths     = 12
)

// WeekCount is the consultations of one week (cancelled ones apart).
type WeekCount struct {
	Monday    Date
	Booked    int // confirmed, completed or no-show
	Cancelled int
	// Future marks this week and those after it.
	Future bool
}

// MonthCount is one month's consultations and how they ended.
type MonthCount struct {
	Year     int
	Month    time.Month
	Held     int // completed, or confirmed and past: took place as far as is known
	NoShow   int
	Cancel   int
	Upcoming int
}

// LeadBucket counts bookings made a span ahead of their consultation.
type LeadBucket struct {
	Label string
	Count int
}

// Dashboard is the practice's figures.
type Dashboard struct {
	Location *time.Location
	Today    Date
	Weeks    []WeekCount // DashboardWeeksBack before this week, this week and DashboardWeeksAhead-1 after
	Months   []MonthCount
	Lead     []LeadBucket
	// LeadMedian is the median time from booking to consultation; zero
	// without bookings.
	LeadMedian time.Duration
	// Hours counts consultations by weekday (Monday first) and hour of
	// the day, in the practice's zone.
	Hours [7][24]int
	// Counted is how many bookings the lead times and hours count.
	Counted int
}

// leadBuckets are the spans lead times are counted in, each up to its bound.
var leadBuckets = []struct {
	label string
	upTo  time.Duration
}{
	{"Same day", 24 * time.Hour},
	{"1–3 days", 3 * 24 * time.Hour},
	{"3–7 days", 7 * 24 * time.Hour},
	{"1–2 weeks", 14 * 24 * time.Hour},
	{"2–4 weeks", 28 * 24 * time.Hour},
	{"Over 4 weeks", 1<<63 - 1},
}

// Dashboard counts the bookings of the last DashboardWeeksBack weeks and
// the next DashboardWeeksAhead, and of the last DashboardMonths months.
func (a *Admin) Dashboard(ctx context.Context) (*Dashboard, error) {
	loc, today, err := a.today(ctx)
	if err != nil {
		return nil, err
	}
	monday := MondayOf(today)
	firstWeek := monday.AddDays(-7 * DashboardWeeksBack)
	firstMonth := Date{today.Year, today.Month, 1}
	for range DashboardMonths - 1 {
		firstMonth = prevMonth(firstMonth)
	}
	from := StartOfDay(firstWeek, loc)
	if m := StartOfDay(firstMonth, loc); m.Before(from) {
		from = m
	}
	to := StartOfDay(monday.AddDays(7*DashboardWeeksAhead), loc)
	facts, err := a.store.BookingFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return SummarizeBookings(facts, loc, today, a.now()), nil
}

func prevMonth(d Date) Date {
	if d.Month == time.January {
		return Date{d.Year - 1, time.December, 1}
	}
	return Date{d.Year, d.Month - 1, 1}
}

// SummarizeBookings counts facts for the dashboard of today (a date in
// loc) at now.
func SummarizeBookings(facts []BookingFact, loc *time.Location, today Date, now time.Time) *Dashboard {
	d := &Dashboard{Location: loc, Today: today}
	monday := MondayOf(today)
	firstWeek := monday.AddDays(-7 * DashboardWeeksBack)
	for i := range DashboardWeeksBack + DashboardWeeksAhead {
		m := firstWeek.AddDays(7 * i)
		d.Weeks = append(d.Weeks, WeekCount{Monday: m, Future: !m.Before(monday)})
	}
	month := Date{today.Year, today.Month, 1}
	for range DashboardMonths {
		d.Months = append(d.Months, MonthCount{Year: month.Year, Month: month.Month})
		month = prevMonth(month)
	}
	slices.Reverse(d.Months)
	for _, b := range leadBuckets {
		d.Lead = append(d.Lead, LeadBucket{Label: b.label})
	}
	var leads []time.Duration
	weeksEnd := monday.AddDays(7 * DashboardWeeksAhead)
	for _, f := range facts {
		local := f.Start.In(loc)
		day := DateOf(local)
		took := f.Status != StatusCancelled
		if !day.Before(firstWeek) && day.Before(weeksEnd) {
			w := &d.Weeks[(dayNumber(day)-dayNumber(firstWeek))/7]
			if took {
				w.Booked++
			} else {
				w.Cancelled++
			}
			if took {
				lead := max(f.Start.Sub(f.Created), 0)
				leads = append(leads, lead)
				for i, b := range leadBuckets {
					if lead < b.upTo {
						d.Lead[i].Count++
						break
					}
				}
				d.Hours[(int(local.Weekday())+6)%7][local.Hour()]++
				d.Counted++
			}
		}
		for i := range d.Months {
			m := &d.Months[i]
			if local.Year() != m.Year || local.Month() != m.Month {
				continue
			}
			switch {
			case f.Status == StatusCancelled:
				m.Cancel++
			case f.Status == StatusNoShow:
				m.NoShow++
			case f.Status == StatusCompleted || !f.Start.After(now):
				m.Held++
			default:
				m.Upcoming++
			}
		}
	}
	if len(leads) > 0 {
		slices.Sort(leads)
		d.LeadMedian = leads[len(leads)/2]
	}
	return d
}
