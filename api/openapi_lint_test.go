package api

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// redoclyDir holds Redocly's CLI, installed by `npm ci` there.
const redoclyDir = "testdata/redocly"

// TestOpenAPIPassesRedoclyLint runs Redocly's recommended rules over
// openapi.yaml: tools that generate clients or documentation from it read
// what those rules check (every operation's security, a 4XX response, a
// licence). Warnings count as problems too. Without node or the installed
// CLI the test skips, except under CI=true, where a skip would hide a broken
// set-up.
func TestOpenAPIPassesRedoclyLint(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(redoclyDir, "node_modules", "@redocly", "cli", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redocly's linter unavailable under CI: %v", err)
		}
		t.Skip("Redocly's linter unavailable: node or api/testdata/redocly/node_modules missing (run `npm ci` there)")
	}
	cmd := exec.Command(node, "node_modules/@redocly/cli/bin/cli.js", "lint",
		"--config", "redocly.yaml", "--format", "json", "../../openapi.yaml")
	cmd.Dir = redoclyDir
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, _ := cmd.Output() // a failed lint exits non-zero; the report says why
	var report struct {
		Totals struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
		} `json:"totals"`
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("reading the linter's report: %v\n%s", err, out)
	}
	for _, p := range report.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("%s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	if report.Totals.Errors+report.Totals.Warnings != len(report.Problems) {
		t.Errorf("totals %+v disagree with %d problems listed", report.Totals, len(report.Problems))
	}
}
