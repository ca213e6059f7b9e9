// Package i18n holds the languages the site, its emails and invitations
// are written in, and their message catalogues.
//
// Catalogues are go-i18n message files, one per area and language
// (locales/<area>.<lang>.yaml), embedded in the binary. go-i18n was chosen
// over golang.org/x/text's catalogues because its files are plain data a
// translator can edit without code generation, and it applies CLDR's
// plural rules to the forms each file names (one, few, many, other…);
// golang.org/x/text/language still picks the language from a request.
//
// A message id is dotted ("book.title"). Never end one in a word go-i18n
// reads as a message field (id, description, hash, leftDelim,
// rightDelim, zero, one, two, few, many, other): write "meta_description".
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v4"
	"golang.org/x/text/language"
)

// Lang is a language the site is written in, as its ISO 639-1 code.
type Lang string

const (
	EN Lang = "en"
	DE Lang = "de"
	FR Lang = "fr"
	ES Lang = "es"
)

// Default is the language of a request that says nothing usable, and the
// fallback of a message a catalogue lacks.
const Default = EN

// Supported lists every language, the default first.
var Supported = []Lang{EN, DE, FR, ES}

// Parse reads a language code ("de", "DE", "de-AT"); ok is false for a
// language the site is not written in.
func Parse(s string) (l Lang, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	for _, l := range Supported {
		if string(l) == s {
			return l, true
		}
	}
	return Default, false
}

// OrDefault is l when it is supported, else the default: a stored
// language read back is shown in it if it still exists.
func OrDefault(s string) Lang {
	l, _ := Parse(s)
	return l
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.German, language.French, language.Spanish})

// FromAcceptLanguage picks the best supported language for an
// Accept-Language header, the default when none matches.
func FromAcceptLanguage(header string) Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Supported[i]
}

// Tag is the BCP 47 tag, for lang attributes and Content-Language.
func (l Lang) Tag() string { return string(l) }

// Name is the language's name in itself, as a language switch shows it.
func (l Lang) Name() string {
	switch l {
	case DE:
		return "Deutsch"
	case FR:
		return "Français"
	case ES:
		return "Español"
	}
	return "English"
}

//go:embed locales/*.yaml
var files embed.FS

// catalog is one language's messages, read from its files the first time
// the language is used: a practice whose visitors read one language holds
// only that one's (and the default's, the fallback) in memory. Each has a
// bundle of its own, so reading one never races with the others' use.
type catalog struct {
	lang    Lang
	once    sync.Once
	err     error
	loc     *goi18n.Localizer
	ids     map[string][]string        // by area
	plurals map[string]*goi18n.Message // messages with plural forms
	// plain keeps the text of each message asked for without data: a
	// page writes a hundred of them, and go-i18n matches the language
	// and looks the message up again on every call.
	plain sync.Map // id → string
}

var (
	catalogs = map[Lang]*catalog{}
	// areaLangs lists, per area, the languages it has a file in.
	areaLangs = map[string][]Lang{}
	// byText finds, per area, the id of a default-language text: how
	// Translate turns the domain's English messages into the reader's.
	byText = map[string]map[string]string{}
)

func init() {
	names, err := fs.Glob(files, "locales/*.yaml")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		area, l, err := fileOf(name)
		if err != nil {
			panic(err)
		}
		areaLangs[area] = append(areaLangs[area], l)
	}
	for _, l := range Supported {
		catalogs[l] = &catalog{lang: l}
	}
	// The default is read at once: it is every other's fallback, and a
	// broken file stops the service before it serves anything.
	if def := catalogs[Default].get(); def.err != nil {
		panic(def.err)
	}
}

// fileOf reads a catalogue file's name: locales/<area>.<lang>.yaml.
func fileOf(name string) (area string, l Lang, err error) {
	parts := strings.Split(path.Base(name), ".")
	if len(parts) != 3 {
		return "", "", fmt.Errorf("i18n: %s: name it <area>.<lang>.yaml", name)
	}
	l, ok := Parse(parts[1])
	if !ok || string(l) != parts[1] {
		return "", "", fmt.Errorf("i18n: %s: %q is not a supported language", name, parts[1])
	}
	return parts[0], l, nil
}

// get returns c, read from its files on first use.
func (c *catalog) get() *catalog {
	c.once.Do(func() { c.err = c.read() })
	return c
}

func (c *catalog) read() error {
	bundle := goi18n.NewBundle(language.Make(string(c.lang)))
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c.ids, c.plurals = map[string][]string{}, map[string]*goi18n.Message{}
	for area, langs := range areaLangs {
		if !slices.Contains(langs, c.lang) {
			continue
		}
		name := "locales/" + area + "." + string(c.lang) + ".yaml"
		mf, err := bundle.LoadMessageFileFS(files, name)
		if err != nil {
			return fmt.Errorf("i18n: %s: %w", name, err)
		}
		if c.lang == Default {
			byText[area] = map[string]string{}
		}
		for _, m := range mf.Messages {
			c.ids[area] = append(c.ids[area], m.ID)
			if c.lang == Default && m.Other != "" && !strings.Contains(m.Other, "{{") {
				byText[area][m.Other] = m.ID
			}
			if m.One != "" || m.Few != "" || m.Many != "" || m.Zero != "" || m.Two != "" {
				c.plurals[m.ID] = m
			}
		}
	}
	c.loc = goi18n.NewLocalizer(bundle, string(c.lang))
	return nil
}

// catalogOf returns l's catalogue, read, or the default's when l has none
// or its files do not read.
func catalogOf(l Lang) *catalog {
	if c, ok := catalogs[l]; ok && c.get().err == nil {
		return c
	}
	return catalogs[Default]
}

// IDs returns the message ids of language l's catalogue for area, sorted:
// what the test that every catalogue is complete compares.
func IDs(l Lang, area string) []string {
	out := append([]string(nil), catalogOf(l).ids[area]...)
	sort.Strings(out)
	return out
}

// AreaLanguages lists the languages with a catalogue for area, the
// default first: the admin area, for one, is not in every language.
func AreaLanguages(area string) []Lang {
	var out []Lang
	for _, l := range Supported {
		if slices.Contains(areaLangs[area], l) {
			out = append(out, l)
		}
	}
	return out
}

// Translate writes english, a default-language text the domain returned
// (a field's error message, say), in language l: the catalogue of area
// holding that exact text gives its id. A text no catalogue holds comes
// back as it is, so a message not yet catalogued still reads.
func Translate(l Lang, area, english string) string {
	id, ok := byText[area][english]
	if !ok {
		return english
	}
	if s, err := T(l, id); err == nil {
		return s
	}
	return english
}

// Areas lists the catalogue areas of the default language.
func Areas() []string {
	var out []string
	for a := range catalogs[Default].ids {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// T is message id in language l, with template data from key/value
// pairs: T(DE, "book.with", "Name", name). A message missing from l's
// catalogue reads as the default language's; one missing from every
// catalogue returns an error (the template function makes that fail the
// render, so a test of the page finds it).
func T(l Lang, id string, kv ...any) (string, error) {
	return localize(l, id, nil, kv)
}

// N is plural message id for count n ({{.Count}} in the message).
func N(l Lang, id string, n int, kv ...any) (string, error) {
	return localize(l, id, n, append(kv, "Count", n))
}

// MustT is T for messages a test proves exist: it returns the id itself
// rather than an error, for Go code that has nowhere to send one.
func MustT(l Lang, id string, kv ...any) string {
	s, err := T(l, id, kv...)
	if err != nil {
		return id
	}
	return s
}

// MustN is N as MustT is T.
func MustN(l Lang, id string, n int, kv ...any) string {
	s, err := N(l, id, n, kv...)
	if err != nil {
		return id
	}
	return s
}

func localize(l Lang, id string, count any, kv []any) (string, error) {
	c := catalogOf(l)
	plain := len(kv) == 0 && count == nil
	if plain {
		if s, ok := c.plain.Load(id); ok {
			return s.(string), nil
		}
	}
	var data map[string]any
	if len(kv) > 0 {
		if len(kv)%2 != 0 {
			return "", fmt.Errorf("i18n: %s: key without a value", id)
		}
		data = make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return "", fmt.Errorf("i18n: %s: key %v is not a string", id, kv[i])
			}
			data[k] = kv[i+1]
		}
	}
	lc := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count}
	s, err := c.loc.Localize(lc)
	var missing *goi18n.MessageNotFoundErr
	if err != nil && c.lang != Default && asMissing(err, &missing) {
		// An area not written in l (the practitioner's, say): the
		// default language's text stands in.
		s, err = catalogs[Default].loc.Localize(lc)
	}
	if err != nil {
		return "", fmt.Errorf("i18n: %s (%s): %w", id, l, err)
	}
	if plain {
		c.plain.Store(id, s)
	}
	return s, nil
}

func asMissing(err error, target **goi18n.MessageNotFoundErr) bool {
	e, ok := err.(*goi18n.MessageNotFoundErr)
	if ok {
		*target = e
	}
	return ok
}

// PluralForms returns, for each message of language l that has plural
// forms, the forms its catalogue gives ("one", "other"…).
func PluralForms(l Lang) map[string][]string {
	out := map[string][]string{}
	for id, m := range catalogOf(l).plurals {
		for form, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
			if text != "" {
				out[id] = append(out[id], form)
			}
		}
		sort.Strings(out[id])
	}
	return out
}
