package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Parsed is a received message's body taken apart into its MIME parts
// (the header is Received.Header).
type Parsed struct {
	// Text and HTML are the decoded text/plain and text/html parts.
	Text, HTML string
	// Calendar is the decoded text/calendar part that is not an
	// attachment, and CalendarType its full Content-Type.
	Calendar     []byte
	CalendarType string
	// Attachments are the parts with a file name, by name.
	Attachments map[string]Attachment
}

// Attachment is one attached file.
type Attachment struct {
	ContentType string
	Data        []byte
}

// Parse takes r's message apart, decoding quoted-printable and base64.
func (r Received) Parse() (*Parsed, error) {
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		return nil, err
	}
	p := &Parsed{Attachments: map[string]Attachment{}}
	err = p.walk(textproto.MIMEHeader(m.Header), m.Body)
	return p, err
}

func (p *Parsed) walk(h textproto.MIMEHeader, body io.Reader) error {
	ct := h.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := p.walk(part.Header, part); err != nil {
				return err
			}
		}
	}
	data, err := decode(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mediaType, err)
	}
	_, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	if name := dparams["filename"]; name != "" {
		p.Attachments[name] = Attachment{ContentType: ct, Data: data}
		return nil
	}
	switch mediaType {
	case "text/plain":
		p.Text = string(data)
	case "text/html":
		p.HTML = string(data)
	case "text/calendar":
		p.Calendar, p.CalendarType = data, ct
	}
	return nil
}

func decode(cte string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return io.ReadAll(base64.NewDecoder(base64.StdEncoding, newlineStripper{r}))
	case "quoted-printable":
		return io.ReadAll(newQP(r))
	default:
		return io.ReadAll(r)
	}
}

// newlineStripper drops line breaks, which base64 bodies are wrapped with.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	for {
		k, err := n.r.Read(p)
		j := 0
		for _, c := range p[:k] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

func newQP(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }
