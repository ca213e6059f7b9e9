package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode/utf8"

	"consult/booking"
	"consult/web/i18n"
)

// templateFS holds, for each kind, KIND.txt (defining "subject" and the
// plain text "content") and KIND.html (the HTML "content"), each wrapped
// in the matching layout.
//
//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// kinds lists every kind of message; each must have its templates.
var kinds = []string{
	booking.MailConfirmRequest, booking.MailLimitNotice,
	booking.MailConfirmation, booking.MailRescheduled, booking.MailRestored, booking.MailCancelled, booking.MailReminder,
	booking.MailPractitionerNew, booking.MailPractitionerMoved, booking.MailPractitionerGone, booking.MailSecurity,
	booking.MailWaitlistConfirm, booking.MailWaitlistOffer,
}

// templates are the message templates, one set per kind. Every kind is
// parsed at start-up, failing on a missing or broken one, so a bad
// template stops the service then rather than a message at send time; a
// kind's parsed set is kept once a message of that kind is first written,
// since most kinds (reminders, the waitlist's, security notices) are rare
// and parsed sets are most of what the mailer holds in memory.
type templates struct {
	kinds map[string]*kindTemplates
}

// kindTemplates is one kind's plain text and HTML sets, parsed when first
// used.
type kindTemplates struct {
	kind string
	once sync.Once
	text *texttemplate.Template
	html *htmltemplate.Template
	err  error
}

// parseTemplates checks every kind's templates.
func parseTemplates() (*templates, error) {
	t := &templates{kinds: map[string]*kindTemplates{}}
	for _, kind := range kinds {
		if _, _, err := parseKind(kind); err != nil {
			return nil, err
		}
		t.kinds[kind] = &kindTemplates{kind: kind}
	}
	return t, nil
}

// parseKind parses kind's two sets and checks they define what a message
// needs.
func parseKind(kind string) (*texttemplate.Template, *htmltemplate.Template, error) {
	tt, err := texttemplate.New(kind).Option("missingkey=error").Funcs(textFuncs()).
		ParseFS(templateFS, "templates/layout.txt", "templates/"+kind+".txt")
	if err != nil {
		return nil, nil, fmt.Errorf("notify: templates of %s: %w", kind, err)
	}
	ht, err := htmltemplate.New(kind).Option("missingkey=error").Funcs(htmlFuncs()).
		ParseFS(templateFS, "templates/layout.html", "templates/"+kind+".html")
	if err != nil {
		return nil, nil, fmt.Errorf("notify: templates of %s: %w", kind, err)
	}
	for _, name := range []string{"subject", "content"} {
		if tt.Lookup(name) == nil {
			return nil, nil, fmt.Errorf("notify: %s.txt does not define %q", kind, name)
		}
	}
	if ht.Lookup("content") == nil {
		return nil, nil, fmt.Errorf("notify: %s.html does not define \"content\"", kind)
	}
	return tt, ht, nil
}

// sets returns the kind's parsed sets, parsing them the first time.
func (k *kindTemplates) sets() (*texttemplate.Template, *htmltemplate.Template, error) {
	k.once.Do(func() { k.text, k.html, k.err = parseKind(k.kind) })
	return k.text, k.html, k.err
}

// execute renders kind's subject, plain text and HTML for v, in v.Lang.
func (t *templates) execute(kind string, v view) (subject, text, html string, err error) {
	if v.Lang == "" {
		v.Lang = i18n.Default
	}
	k, ok := t.kinds[kind]
	if !ok {
		return "", "", "", fmt.Errorf("unknown kind %q", kind)
	}
	tt, ht, err := k.sets()
	if err != nil {
		return "", "", "", err
	}
	var buf bytes.Buffer
	if err := tt.ExecuteTemplate(&buf, "subject", v); err != nil {
		return "", "", "", err
	}
	// A subject is one line whatever the data held.
	subject = strings.Join(strings.Fields(buf.String()), " ")
	buf.Reset()
	if err := tt.ExecuteTemplate(&buf, "layout", v); err != nil {
		return "", "", "", err
	}
	text = buf.String()
	buf.Reset()
	if err := ht.ExecuteTemplate(&buf, "layout", v); err != nil {
		return "", "", "", err
	}
	return subject, text, buf.String(), nil
}

// labelWidth is how wide the plain text's labels are ("Time zone: "), so
// the values after them line up.
const labelWidth = 11

// textFuncs are i18n.Funcs for the plain-text parts, and label, which
// writes message id as a label ("Client:") padded to labelWidth.
func textFuncs() texttemplate.FuncMap {
	f := texttemplate.FuncMap(i18n.Funcs())
	f["label"] = func(l i18n.Lang, id string) (string, error) {
		s, err := i18n.T(l, id)
		if err != nil {
			return "", err
		}
		s += ":"
		return s + strings.Repeat(" ", max(labelWidth-utf8.RuneCountInString(s), 1)), nil
	}
	return f
}

// htmlFuncs are i18n.Funcs for the HTML parts, where a message's data is
// escaped as html/template escapes it everywhere else and the message's
// own words are kept as they are: the catalogues hold no markup (a test
// proves it), and an apostrophe written as "&#39;" would make the HTML
// differ from the text for nothing.
func htmlFuncs() htmltemplate.FuncMap {
	f := i18n.Funcs()
	f["t"] = func(l i18n.Lang, id string, kv ...any) (htmltemplate.HTML, error) {
		kv, err := escapeValues(kv)
		if err != nil {
			return "", err
		}
		s, err := i18n.T(l, id, kv...)
		return htmltemplate.HTML(s), err
	}
	f["tn"] = func(l i18n.Lang, id string, n int, kv ...any) (htmltemplate.HTML, error) {
		kv, err := escapeValues(kv)
		if err != nil {
			return "", err
		}
		s, err := i18n.N(l, id, n, kv...)
		return htmltemplate.HTML(s), err
	}
	return f
}

// textEscaper writes a value as html/template writes {{.}} in text.
var textEscaper = htmltemplate.Must(htmltemplate.New("value").Parse("{{.}}"))

// escapeValues escapes the values of key/value pairs for HTML text.
func escapeValues(kv []any) ([]any, error) {
	out := make([]any, len(kv))
	copy(out, kv)
	for i := 1; i < len(out); i += 2 {
		var b strings.Builder
		if err := textEscaper.Execute(&b, out[i]); err != nil {
			return nil, err
		}
		out[i] = b.String()
	}
	return out, nil
}
