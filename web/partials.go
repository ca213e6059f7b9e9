package web

import (
	"io/fs"
	"regexp"
	"slices"
)

// partialSet knows which templates each partial file defines and uses,
// so that a page is parsed with the partials it needs and no others: every
// page's template set is a parsed copy of what it holds, and the sets are
// the largest thing the server keeps in memory.
type partialSet struct {
	files   []string
	defines map[string][]string // file → the templates it defines
	uses    map[string][]string // file → the templates it calls
}

var (
	defineRe   = regexp.MustCompile(`\{\{-?\s*(?:define|block)\s+"([^"]+)"`)
	templateRe = regexp.MustCompile(`\{\{-?\s*(?:template|block)\s+"([^"]+)"`)
)

func readPartials(fsys fs.FS) (*partialSet, error) {
	files, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	p := &partialSet{files: files, defines: map[string][]string{}, uses: map[string][]string{}}
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		p.defines[f] = submatches(defineRe, src)
		p.uses[f] = submatches(templateRe, src)
	}
	return p, nil
}

// usedBy returns the partial files that the given templates call,
// directly or through other partials.
func (p *partialSet) usedBy(fsys fs.FS, roots ...string) ([]string, error) {
	var wanted []string
	for _, f := range roots {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		wanted = append(wanted, submatches(templateRe, src)...)
	}
	var used []string
	for changed := true; changed; {
		changed = false
		for _, f := range p.files {
			if slices.Contains(used, f) || !slices.ContainsFunc(p.defines[f], func(n string) bool { return slices.Contains(wanted, n) }) {
				continue
			}
			used = append(used, f)
			wanted = append(wanted, p.uses[f]...)
			changed = true
		}
	}
	return used, nil
}

func submatches(re *regexp.Regexp, src []byte) []string {
	var out []string
	for _, m := range re.FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	return out
}
