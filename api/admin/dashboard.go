package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
	"consult/web/i18n"
)

// The dashboard: the practice's figures as charts drawn here, as SVG in
// the page (no script, nothing from elsewhere), each with a text summary
// for screen readers and the same figures as a table.

// chartBar is one bar (or heat cell) of a chart, in the chart's units.
type chartBar struct {
	X, Y, W, H float64
	Class      string
	// Tip is shown on hover, and read by screen readers that go into
	// the drawing.
	Tip string
}

// chartText is one label of a chart.
type chartText struct {
	X, Y   float64
	Text   string
	Anchor string // start, middle or end
	Class  string
}

// chartLine is one grid line across a chart, at height Y.
type chartLine struct {
	X1, X2, Y float64
}

// chart is one SVG drawing.
type chart struct {
	ID            string
	W, H          int
	Title, Desc   string
	Bars          []chartBar
	Texts         []chartText
	Lines         []chartLine
	LegendClasses []legendItem
}

// legendItem names one colour of a chart.
type legendItem struct {
	Class, Label string
}

// weekRow, monthRow, leadRow and hourRow are the tables beside the charts.
type weekRow struct {
	Week              string
	Booked, Cancelled int
	Future            bool
}

type monthRow struct {
	// Month is "Dec 2026", Short "Dec".
	Month, Short                   string
	Held, NoShow, Cancel, Upcoming int
}

type leadRow struct {
	Label string
	Count int
}

type hourRow struct {
	Day    string
	Counts []int
}

// dashboardData is the dashboard page.
type dashboardData struct {
	Zone                               string
	WeeksChart, LeadChart, MonthsChart chart
	HoursChart                         chart
	Weeks                              []weekRow
	Months                             []monthRow
	Lead                               []leadRow
	LeadMedian                         string
	Hours                              []hourRow
	HourLabels                         []string
	Counted                            int
}

// Dashboard shows the practice's figures.
func (h *Handler) Dashboard(c echo.Context) error {
	db, err := h.admin.Dashboard(c.Request().Context())
	if err != nil {
		return err
	}
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	d := buildDashboard(db, lang(c))
	d.Zone = st.TimeZone
	return h.render(c, http.StatusOK, "dashboard", "Dashboard", d, nil)
}

// Chart geometry, in the drawings' own units.
const (
	chartW      = 680
	chartPadL   = 36.0
	chartPadR   = 8.0
	chartPadTop = 12.0
	chartPadBot = 30.0
)

// niceMax rounds a chart's top up to a figure its grid divides evenly.
func niceMax(n int) int {
	for _, m := range []int{4, 8, 12, 20, 40, 60, 100, 200, 400, 1000} {
		if n <= m {
			return m
		}
	}
	return (n/1000 + 1) * 1000
}

// grid draws four grid lines with their figures up to top.
func grid(c *chart, top int, plotH float64) {
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		y := chartPadTop + plotH - plotH*float64(v)/float64(top)
		c.Lines = append(c.Lines, chartLine{X1: chartPadL, X2: float64(c.W) - chartPadR, Y: y})
		c.Texts = append(c.Texts, chartText{X: chartPadL - 6, Y: y + 4, Text: strconv.Itoa(v), Anchor: "end", Class: "axis"})
	}
}

func buildDashboard(db *booking.Dashboard, l i18n.Lang) dashboardData {
	loc := db.Location
	short := func(d booking.Date) string { return dateIn(l, d.In(12*60, loc), "2 Jan") }
	bookings := func(n int) string { return i18n.MustN(l, "admin.bookings.count", n) }
	d := dashboardData{Counted: db.Counted}

	// Bookings per week.
	top := 0
	for _, w := range db.Weeks {
		top = max(top, w.Booked)
		d.Weeks = append(d.Weeks, weekRow{Week: short(w.Monday), Booked: w.Booked, Cancelled: w.Cancelled, Future: w.Future})
	}
	top = niceMax(top)
	wc := chart{ID: "weeks", W: chartW, H: 230, Title: msg(l, "admin.dash.weeks"),
		LegendClasses: []legendItem{{"bar-past", msg(l, "admin.dash.past_weeks")}, {"bar-future", msg(l, "admin.dash.weeks_ahead")}}}
	plotH := float64(wc.H) - chartPadTop - chartPadBot
	grid(&wc, top, plotH)
	slot := (float64(wc.W) - chartPadL - chartPadR) / float64(len(db.Weeks))
	peak, peakWeek, thisWeek := -1, "", 0
	for i, w := range db.Weeks {
		h := plotH * float64(w.Booked) / float64(top)
		x := chartPadL + slot*float64(i)
		class := "bar-past"
		if w.Future {
			class = "bar-future"
		}
		if w.Monday == booking.MondayOf(db.Today) {
			thisWeek = w.Booked
		}
		if w.Booked > peak {
			peak, peakWeek = w.Booked, short(w.Monday)
		}
		wc.Bars = append(wc.Bars, chartBar{X: x + 1, Y: chartPadTop + plotH - h, W: slot - 2, H: h, Class: class,
			Tip: msg(l, "admin.dash.week_tip", "Week", short(w.Monday), "Bookings", bookings(w.Booked))})
		if i%4 == 0 {
			wc.Texts = append(wc.Texts, chartText{X: x + slot/2, Y: float64(wc.H) - 10, Text: short(w.Monday), Anchor: "middle", Class: "axis"})
		}
	}
	first, last := db.Weeks[0].Monday, db.Weeks[len(db.Weeks)-1].Monday
	wc.Desc = msg(l, "admin.dash.weeks_desc", "First", short(first), "Last", short(last), "ThisWeek", bookings(thisWeek),
		"Peak", bookings(max(peak, 0)), "PeakWeek", peakWeek)
	d.WeeksChart = wc

	// Lead time.
	top = 0
	for _, b := range db.Lead {
		top = max(top, b.Count)
		d.Lead = append(d.Lead, leadRow{Label: tr(l, b.Label), Count: b.Count})
	}
	top = niceMax(top)
	lc := chart{ID: "lead", W: chartW, H: 20 + 30*len(db.Lead), Title: msg(l, "admin.dash.lead")}
	labelW := 110.0
	barW := float64(lc.W) - labelW - 50
	for i, b := range db.Lead {
		y := 10 + 30*float64(i)
		w := barW * float64(b.Count) / float64(top)
		lc.Texts = append(lc.Texts, chartText{X: labelW - 8, Y: y + 15, Text: tr(l, b.Label), Anchor: "end", Class: "axis"})
		lc.Bars = append(lc.Bars, chartBar{X: labelW, Y: y, W: w, H: 20, Class: "bar-past", Tip: tr(l, b.Label) + ": " + bookings(b.Count)})
		lc.Texts = append(lc.Texts, chartText{X: labelW + w + 6, Y: y + 15, Text: strconv.Itoa(b.Count), Anchor: "start", Class: "value"})
	}
	d.LeadMedian = leadLabel(l, db.LeadMedian)
	lc.Desc = msg(l, "admin.dash.lead_desc", "Bookings", bookings(db.Counted), "Median", d.LeadMedian)
	if db.Counted == 0 {
		lc.Desc = msg(l, "admin.dash.none_yet")
	}
	d.LeadChart = lc

	// Cancellations and no-shows per month, stacked on what took place.
	top = 0
	for _, m := range db.Months {
		top = max(top, m.Held+m.NoShow+m.Cancel+m.Upcoming)
		d.Months = append(d.Months, monthRow{Month: dateIn(l, time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC), "Jan 2006"), Short: i18n.MustT(l, "month_short."+monthIDs[m.Month-1]),
			Held: m.Held, NoShow: m.NoShow, Cancel: m.Cancel, Upcoming: m.Upcoming})
	}
	top = niceMax(top)
	mc := chart{ID: "months", W: chartW, H: 230, Title: msg(l, "admin.dash.months"),
		LegendClasses: []legendItem{{"bar-past", msg(l, "admin.dash.took_place")}, {"bar-future", msg(l, "admin.dash.upcoming")}, {"bar-noshow", msg(l, "admin.dash.no_show")}, {"bar-cancel", msg(l, "admin.dash.cancelled")}}}
	plotH = float64(mc.H) - chartPadTop - chartPadBot
	grid(&mc, top, plotH)
	slot = (float64(mc.W) - chartPadL - chartPadR) / float64(len(db.Months))
	cancels, noShows := 0, 0
	for i, m := range d.Months {
		x := chartPadL + slot*float64(i)
		y := chartPadTop + plotH
		for _, part := range []struct {
			n            int
			class, label string
		}{{m.Held, "bar-past", msg(l, "admin.dash.took_place")}, {m.Upcoming, "bar-future", msg(l, "admin.dash.upcoming")}, {m.NoShow, "bar-noshow", msg(l, "admin.dash.no_show")}, {m.Cancel, "bar-cancel", msg(l, "admin.dash.cancelled")}} {
			if part.n == 0 {
				continue
			}
			h := plotH * float64(part.n) / float64(top)
			y -= h
			mc.Bars = append(mc.Bars, chartBar{X: x + 4, Y: y, W: slot - 8, H: h, Class: part.class, Tip: fmt.Sprintf("%s: %d %s", m.Month, part.n, part.label)})
		}
		mc.Texts = append(mc.Texts, chartText{X: x + slot/2, Y: float64(mc.H) - 10, Text: m.Short, Anchor: "middle", Class: "axis"})
		cancels += m.Cancel
		noShows += m.NoShow
	}
	mc.Desc = msg(l, "admin.dash.months_desc", "First", d.Months[0].Month, "Last", d.Months[len(d.Months)-1].Month,
		"Cancellations", i18n.MustN(l, "admin.dash.cancellations", cancels), "NoShows", i18n.MustN(l, "admin.dash.no_shows", noShows))
	d.MonthsChart = mc

	// Busiest hours: a heat map of weekdays by hours, the hours that have
	// any booking and at least 08:00 to 18:00.
	lo, hi, busiest := 8, 18, 0
	for _, day := range db.Hours {
		for h, n := range day {
			if n > 0 {
				lo, hi = min(lo, h), max(hi, h+1)
				busiest = max(busiest, n)
			}
		}
	}
	for h := lo; h < hi; h++ {
		d.HourLabels = append(d.HourLabels, fmt.Sprintf("%02d:00", h))
	}
	hc := chart{ID: "hours", W: chartW, H: 7*32 + 30, Title: msg(l, "admin.dash.hours")}
	cellW := (float64(hc.W) - 50) / float64(hi-lo)
	bestDay, bestHour := "", 0
	for wd, day := range db.Hours {
		name := i18n.Weekday(l, time.Weekday((wd+1)%7))
		row := hourRow{Day: name}
		y := float64(wd) * 32
		hc.Texts = append(hc.Texts, chartText{X: 42, Y: y + 20, Text: i18n.WeekdayShort(l, time.Weekday((wd+1)%7)), Anchor: "end", Class: "axis"})
		for h := lo; h < hi; h++ {
			n := day[h]
			row.Counts = append(row.Counts, n)
			level := 0
			if n > 0 && busiest > 0 {
				level = 1 + 3*(n-1)/max(busiest, 1)
				level = min(level, 4)
			}
			if n > 0 && n == busiest && bestDay == "" {
				bestDay, bestHour = name, h
			}
			hc.Bars = append(hc.Bars, chartBar{X: 50 + cellW*float64(h-lo) + 1, Y: y + 1, W: cellW - 2, H: 30, Class: "heat-" + strconv.Itoa(level),
				Tip: fmt.Sprintf("%s %02d:00: %s", name, h, bookings(n))})
		}
		d.Hours = append(d.Hours, row)
	}
	for h := lo; h < hi; h += 2 {
		hc.Texts = append(hc.Texts, chartText{X: 50 + cellW*float64(h-lo), Y: float64(hc.H) - 8, Text: fmt.Sprintf("%02d:00", h), Anchor: "start", Class: "axis"})
	}
	hc.Desc = msg(l, "admin.dash.hours_desc")
	if bestDay != "" {
		hc.Desc += " " + msg(l, "admin.dash.busiest", "Day", bestDay, "Hour", fmt.Sprintf("%02d:00", bestHour), "Bookings", bookings(busiest))
	}
	d.HoursChart = hc
	return d
}

// leadLabel words a lead time: "5 hours", "3 days", "2 weeks".
func leadLabel(l i18n.Lang, d time.Duration) string {
	switch {
	case d < 48*time.Hour:
		return i18n.MustN(l, "admin.dash.hours_n", int(d/time.Hour))
	case d < 14*24*time.Hour:
		return i18n.MustN(l, "admin.dash.days_n", int(d/(24*time.Hour)))
	}
	return i18n.MustN(l, "admin.dash.weeks_n", int(d/(7*24*time.Hour)))
}
