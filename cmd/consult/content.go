package main

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"

	"consult/web"
)

// loadContent returns the page renderer and the Markdown pages, from
// CONTENT_DIR when it is set, refusing content the site cannot serve.
func loadContent(cfg config) (*web.Renderer, *web.Pages, error) {
	renderer, err := web.NewRenderer(web.RendererOptions{})
	if err != nil {
		return nil, nil, err
	}
	content := web.DefaultContent()
	if cfg.ContentDir != "" {
		content = os.DirFS(cfg.ContentDir)
	}
	pages, err := web.LoadPages(content, map[string]string{"retention_days": strconv.Itoa(cfg.RetentionDays)})
	if err == nil {
		err = checkContent(content, pages)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("setting CONTENT_DIR: %w", err)
	}
	return renderer, pages, nil
}

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
