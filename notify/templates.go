package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"consult/booking"
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

// templates are the parsed message templates, one set per kind.
type templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// parseTemplates parses every kind's templates once, failing on a missing
// or broken one, so a bad template stops the service at start-up rather
// than a message at send time.
func parseTemplates() (*templates, error) {
	t := &templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, kind := range kinds {
		tt, err := texttemplate.New(kind).Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.txt", "templates/"+kind+".txt")
		if err != nil {
			return nil, fmt.Errorf("notify: templates of %s: %w", kind, err)
		}
		ht, err := htmltemplate.New(kind).Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.html", "templates/"+kind+".html")
		if err != nil {
			return nil, fmt.Errorf("notify: templates of %s: %w", kind, err)
		}
		for _, name := range []string{"subject", "content"} {
			if tt.Lookup(name) == nil {
				return nil, fmt.Errorf("notify: %s.txt does not define %q", kind, name)
			}
		}
		if ht.Lookup("content") == nil {
			return nil, fmt.Errorf("notify: %s.html does not define \"content\"", kind)
		}
		t.text[kind], t.html[kind] = tt, ht
	}
	return t, nil
}

// execute renders kind's subject, plain text and HTML for v.
func (t *templates) execute(kind string, v view) (subject, text, html string, err error) {
	tt, ok := t.text[kind]
	if !ok {
		return "", "", "", fmt.Errorf("unknown kind %q", kind)
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
	if err := t.html[kind].ExecuteTemplate(&buf, "layout", v); err != nil {
		return "", "", "", err
	}
	return subject, text, buf.String(), nil
}
