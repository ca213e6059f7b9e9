package api_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"consult/api"
)

// signedInTab opens a tab of width px and signs in as the test practitioner.
func signedInTab(t *testing.T, b *browser, a *adminTest, width int64) *tab {
	t.Helper()
	tb := b.tab(t, tabOptions{width: width})
	tb.open(a.url + "/admin/sign-in")
	tb.must(
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
	)
	tb.follow(chromedp.Click(chromedp.CSS(`form[action="/admin/sign-in"] button`)))
	tb.waitFor(`document.querySelector("nav.admin-nav") !== null`)
	return tb
}

// TestAdminFormFieldsLookAlike: the sign-in password box is the size of
// the email box, and the username field kept for password managers on
// the password forms is not shown.
func TestAdminFormFieldsLookAlike(t *testing.T) {
	b := needBrowser(t)
	a := newAdminTest(t, api.Config{})
	tb := b.tab(t, tabOptions{width: 390})
	box := func(id string) []float64 {
		return evalIn[[]float64](tb, `(function () { var r = document.getElementById("`+id+`").getBoundingClientRect(); return [r.width, r.height]; })()`)
	}
	for _, width := range []int64{390, 1280} {
		tb.must(tb.viewport(width))
		tb.open(a.url + "/admin/sign-in")
		if e, p := box("email"), box("password"); e[0] != p[0] || e[1] != p[1] {
			t.Errorf("at %d px the email box is %v and the password box %v", width, e, p)
		}
	}
	// The browser's tabs share their cookies: this one signs them all in.
	st := signedInTab(t, b, a, 390)
	for _, width := range []int64{390, 1280} {
		st.must(st.viewport(width))
		for _, path := range []string{"/admin/settings", "/admin/confirm?next=/admin/tokens"} {
			st.open(a.url + path)
			if shown := evalIn[int](st, `Array.from(document.querySelectorAll('input[name="username"]')).filter(function (i) { return i.getClientRects().length > 0; }).length`); shown != 0 {
				t.Errorf("at %d px %s shows the hidden username field", width, path)
			}
		}
	}
}
