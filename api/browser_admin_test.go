package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"consult/api"
)

// adminChromium starts a headless Chromium for the admin browser test and
// returns a tab's context. A missing browser skips the test on a
// developer's machine and fails it under CI.
func adminChromium(t *testing.T) context.Context {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: the admin browser test cannot run (CI=true)", what)
		}
		t.Skipf("skipping the admin browser test: %s", what)
	}
	browserCtx := startChromium(t, missing)
	ctx, cancelTimeout := context.WithTimeout(browserCtx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// adminDo runs browser steps or fails the test.
func adminDo(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// adminBodyText is the visible text of the page.
func adminBodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// adminShot saves a screenshot when ADMIN_SCREENSHOT_DIR is set, for a person to look at.
func adminShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ADMIN_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// bookTimes are the practice-local times offered on the public /book page for day.
func adminBookTimes(t *testing.T, ctx context.Context, base, day string) []string {
	t.Helper()
	adminDo(t, ctx, chromedp.Navigate(base+"/book?date="+day+"&tz=America/Los_Angeles"))
	values, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("input[name=start]"), function (i) { return i.value; })`))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range values {
		st, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatalf("slot value %q: %v", v, err)
		}
		if got := st.In(adminLA).Format("2006-01-02"); got != day {
			t.Fatalf("/book for %s offers a slot on %s", day, got)
		}
		out = append(out, st.In(adminLA).Format("15:04"))
	}
	return out
}

// TestAdminBrowser signs in with a real browser, changes the weekly hours,
// adds a day off, sees the public booking page follow, and cancels a booking.
func TestAdminBrowser(t *testing.T) {
	ctx := adminChromium(t)
	a := newAdminTest(t, api.Config{})
	booked := a.bookAs(time.Date(2026, 12, 8, 9, 0, 0, 0, adminLA), "Browser Client", "browser@example.org", "")
	if before := adminBookTimes(t, ctx, a.url, "2026-12-08"); len(before) < 15 {
		t.Fatalf("/book offers %v on Tuesday 8 December before the change", before)
	}

	// Sign in.
	adminDo(t, ctx,
		chromedp.Navigate(a.url+"/admin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.admin-nav`)),
	)
	if text := adminBodyText(t, ctx); !strings.Contains(text, "Previous week") || !strings.Contains(text, "Two-step sign-in is off") {
		t.Fatalf("after signing in: %s", text)
	}

	// Weekly hours: Tuesday afternoons only.
	adminDo(t, ctx,
		chromedp.Click(chromedp.CSS(`nav.admin-nav a[href="/admin/availability"]`)),
		chromedp.WaitVisible(chromedp.ID("start_2_0")),
		chromedp.SetValue(chromedp.ID("start_2_0"), "13:00"),
		chromedp.SetValue(chromedp.ID("end_2_0"), "15:00"),
		chromedp.SetValue(chromedp.ID("start_2_1"), ""),
		chromedp.SetValue(chromedp.ID("end_2_1"), ""),
		chromedp.Click(chromedp.CSS(`#weekly-form button[value="preview"]:not([hidden])`)),
		chromedp.WaitVisible(chromedp.ID("preview")),
	)
	if text := adminBodyText(t, ctx); !strings.Contains(text, "Tue 8 Dec: 13:00, 13:20, 13:40, 14:00, 14:20, 14:40") ||
		!strings.Contains(text, "Consultation with B. C., Tue 8 Dec 09:00") {
		t.Fatalf("preview: %s", text)
	}
	adminShot(t, ctx, "admin-availability-preview")
	adminDo(t, ctx,
		chromedp.Click(chromedp.CSS(`#weekly-form button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if text := adminBodyText(t, ctx); !strings.Contains(text, "Weekly hours saved.") ||
		!strings.Contains(text, "These upcoming bookings are kept unless you cancel them.") {
		t.Fatalf("after saving the weekly hours: %s", text)
	}

	// A day off on Wednesday 9 December.
	adminDo(t, ctx,
		chromedp.SetValue(chromedp.ID("first"), "2026-12-09"),
		chromedp.SetValue(chromedp.ID("last"), "2026-12-09"),
		chromedp.Click(chromedp.CSS(`#timeoff-form button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.timeoff`)),
	)
	if text := adminBodyText(t, ctx); !strings.Contains(text, "Time off saved.") || !strings.Contains(text, "Wed 9 Dec 2026 to Wed 9 Dec 2026") {
		t.Fatalf("after adding the day off: %s", text)
	}
	adminShot(t, ctx, "admin-availability")

	// The public booking page follows.
	if got := strings.Join(adminBookTimes(t, ctx, a.url, "2026-12-08"), " "); got != "13:00 13:20 13:40 14:00 14:20 14:40" {
		t.Fatalf("/book on Tuesday 8 December offers %q after the change", got)
	}
	if got := adminBookTimes(t, ctx, a.url, "2026-12-09"); len(got) != 0 {
		t.Fatalf("/book on the day off offers %v", got)
	}

	// Cancel the booking that now falls outside the hours, with a message.
	adminDo(t, ctx,
		chromedp.Navigate(a.url+"/admin/bookings"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/admin/bookings/%d"]`, booked.ID))),
		chromedp.WaitVisible(chromedp.ID("cancel-form")),
		chromedp.SendKeys(chromedp.ID("message"), "My hours changed; please book an afternoon."),
		chromedp.Click(chromedp.CSS(`#cancel-form button`)),
		// The confirmation shows the email; cancelling is the next press.
		chromedp.WaitVisible(chromedp.CSS(`section.mail-preview`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/admin/bookings/%d/cancel"] button`, booked.ID))),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)),
	)
	if text := adminBodyText(t, ctx); !strings.Contains(text, fmt.Sprintf("Booking %d is cancelled", booked.ID)) || !strings.Contains(text, "Cancelled") {
		t.Fatalf("after cancelling: %s", text)
	}
	adminShot(t, ctx, "admin-booking-cancelled")
	if n := a.bookingCount("cancelled"); n != 1 {
		t.Fatalf("%d cancelled bookings, want 1", n)
	}
}
