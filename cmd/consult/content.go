package main

import (
	"fmt"
	"io/fs"
	"regexp"

	"consult/web"
)

// retentionPlaceholder is how privacy.md states the configured retention
// period, so the notice can never disagree with what the service does.
var retentionPlaceholder = regexp.MustCompile(`\{\{\s*retention_days\s*\}\}`)

// checkContent refuses a content folder that lacks a page the site links
// to, or whose privacy notice does not take its retention figure from
// configuration.
func checkContent(content fs.FS, pages *web.Pages) error {
	for _, slug := range web.RequiredPages() {
		if _, ok := pages.Page(slug); !ok {
			return fmt.Errorf("page %s.md is missing", slug)
		}
	}
	raw, err := fs.ReadFile(content, "privacy.md")
	if err != nil {
		return err
	}
	if !retentionPlaceholder.Match(raw) {
		return fmt.Errorf("privacy.md must state the retention period as {{retention_days}} days")
	}
	return nil
}
