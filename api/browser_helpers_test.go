package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeScript is axe-core's browser bundle, installed by `npm ci` in web/testdata/axe.
const axeScript = "../web/testdata/axe/node_modules/axe-core/axe.min.js"

// pageWatch runs in every page before its own scripts: it records Content
// Security Policy violations and uncaught errors for problems() to read.
const pageWatch = `window.__problems = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__problems.push("CSP blocked " + e.blockedURI + " (" + e.violatedDirective + ")");
});
window.addEventListener("error", function (e) { window.__problems.push("error: " + e.message); });`

// browser is one headless Chromium shared by all browser tests; each test
// opens its own tab.
type browser struct {
	ctx   context.Context
	axe   string
	shots string
}

// needBrowser starts Chromium, or skips the test when it (or axe-core) is
// missing on a developer's machine. Under CI a missing browser fails.
func needBrowser(t *testing.T) *browser {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: the browser tests cannot run (CI=true)", what)
		}
		t.Skipf("skipping browser tests: %s", what)
	}
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		missing("axe-core is not installed (run npm ci in web/testdata/axe)")
	}
	ctx := startChromium(t, missing)
	shots := os.Getenv("TEST_SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join("..", "web", "testdata", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx, axe: string(axe), shots: shots}
}

// startChromium starts headless Chromium with a fresh profile and the flags
// that keep it off the network, or calls missing (which skips or fails)
// when it is not installed or does not start.
func startChromium(t *testing.T, missing func(string)) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if _, serr := os.Stat("/usr/bin/chromium"); serr != nil {
			missing("Chromium is not installed (apt-get install chromium)")
		}
		path = "/usr/bin/chromium"
	}
	profile, err := os.MkdirTemp("", "consult-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		// Chromium's helpers may write to the profile for a moment after
		// the browser exits.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		missing("Chromium does not start: " + err.Error())
	}
	return ctx
}

// tabOptions adjust a new tab.
type tabOptions struct {
	width    int64
	timeZone string // the browser's zone, as JavaScript sees it
	noScript bool
	language string // the Accept-Language the tab sends ("": the browser's own)
}

// tab is one browser tab and the URLs it requested.
type tab struct {
	t    *testing.T
	ctx  context.Context
	mu   sync.Mutex
	reqs []string
}

func (b *browser) tab(t *testing.T, o tabOptions) *tab {
	t.Helper()
	tctx, cancelTimeout := context.WithTimeout(b.ctx, 45*time.Second)
	ctx, cancel := chromedp.NewContext(tctx)
	t.Cleanup(func() { cancel(); cancelTimeout() })
	tb := &tab{t: t, ctx: ctx}
	if o.width == 0 {
		o.width = 1280
	}
	if o.timeZone == "" {
		o.timeZone = "America/Los_Angeles"
	}
	tb.must(tb.viewport(o.width))
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: o.timeZone}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageWatch}); err != nil {
		t.Fatal(err)
	}
	if o.language != "" {
		headers := network.Headers{"Accept-Language": o.language}
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: headers}); err != nil {
			t.Fatal(err)
		}
	}
	if o.noScript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			tb.mu.Lock()
			tb.reqs = append(tb.reqs, e.Request.URL)
			tb.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) viewport(width int64) chromedp.Action[chromedp.Void] {
	if width < 600 {
		return chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(width, 900)
}

func (tb *tab) must(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatal(err)
	}
}

// open loads url and returns its HTTP status.
func (tb *tab) open(url string) int64 {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tb.t.Fatalf("open %s: %v", url, err)
	}
	return resp.Status
}

// follow runs steps that navigate (a click, Enter) and returns the new page's status.
func (tb *tab) follow(steps ...chromedp.Action[chromedp.Void]) int64 {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, steps...)
	if err != nil {
		tb.t.Fatal(err)
	}
	return resp.Status
}

// text returns the visible text of the first element sel matches, once
// there is one. It is read in one script, and read again when the page
// was replaced as it ran: after a sign-in's redirects Chromium can still
// swap the document after the load event (seen in CI as "No node with
// given id found" from a node query).
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	quoted, _ := json.Marshal(sel)
	read := fmt.Sprintf(`(function () {
		var e = document.querySelector(%s);
		return e && (e.offsetWidth || e.offsetHeight || e.getClientRects().length) ? [e.innerText] : null;
	})()`, quoted)
	var got []string
	var err error
	for range 50 {
		got, err = chromedp.Run(tb.ctx, chromedp.Poll[[]string](read, chromedp.WithPollingTimeout(10*time.Second)))
		if err == nil || !pageReplaced(err) {
			break
		}
		// A navigation still settling replaced the page as it was read: read the new one.
		time.Sleep(100 * time.Millisecond)
	}
	s := strings.Join(got, "")
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// pageReplaced reports whether err is DevTools saying the page it was
// asked about has since been replaced by another.
func pageReplaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "No node with given id found") ||
		strings.Contains(msg, "Execution context was destroyed")
}

func evalIn[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func (tb *tab) waitFor(cond string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		tb.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

// problems returns the CSP violations and script errors of the current page.
func (tb *tab) problems() []string {
	tb.t.Helper()
	return evalIn[[]string](tb, `window.__problems || []`)
}

// foreignRequests returns every request the tab made to another origin.
func (tb *tab) foreignRequests(origin string) (foreign []string, total int) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, u := range tb.reqs {
		if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") {
			foreign = append(foreign, u)
		}
	}
	return foreign, len(tb.reqs)
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axe runs axe-core on the current page, with every rule it runs by
// default (WCAG 2.0–2.2 A and AA, and best practices).
func (tb *tab) axe(b *browser) []axeViolation {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
		tb.t.Fatalf("inject axe-core: %v", err)
	}
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
  return r.violations.map(function (v) {
    return {id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(" ") + " " + n.failureSummary; })};
  });
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe.run: %v", err)
	}
	return v
}

// screenshot writes the whole page to the screenshot folder.
func (tb *tab) screenshot(b *browser, name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// auditWidths checks the page open in tb at 1280 and 390 px: no axe-core
// violation and nothing wider than the viewport; a screenshot of each is
// kept as name-<width>.png. The tab is left at 390 px.
func (tb *tab) auditWidths(b *browser, name string) {
	tb.t.Helper()
	for _, width := range []int64{1280, 390} {
		tb.must(tb.viewport(width))
		if v := tb.axe(b); len(v) > 0 {
			tb.t.Errorf("%s at %d px: axe-core %+v", name, width, v)
		}
		if w := evalIn[int64](tb, `document.documentElement.scrollWidth`); w > width {
			tb.t.Errorf("%s at %d px is %d px wide", name, width, w)
		}
		tb.screenshot(b, fmt.Sprintf("%s-%d", name, width))
	}
}
