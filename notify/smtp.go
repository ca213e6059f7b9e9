package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTPSender delivers messages to one SMTP server with go-mail, one
// connection per message (the volume is a few messages an hour).
type SMTPSender struct {
	host string
	opts []mail.Option
}

// NewSMTPSender returns a sender for rawURL, SMTP_URL:
// smtp://[user:pass@]host[:port] speaks STARTTLS when the server offers it
// (default port 587); smtps://… uses TLS from the start (default port 465).
// With a user, it signs in with the best mechanism the server offers.
func NewSMTPSender(rawURL string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		// The URL may hold a password: keep it out of the message.
		return nil, errors.New("SMTP_URL must look like smtp://user:pass@host:port")
	}
	s := &SMTPSender{host: u.Hostname()}
	port := 587
	switch u.Scheme {
	case "smtp":
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		s.opts = append(s.opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("SMTP_URL scheme %q is not smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("SMTP_URL port %q is not a port number", p)
		}
	}
	s.opts = append(s.opts, mail.WithPort(port), mail.WithTimeout(30*time.Second))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(user), mail.WithPassword(pass))
	}
	return s, nil
}

// Send delivers m. A refusal with a 5xx reply, or a message the server can
// never take, is a *PermanentError; anything else (4xx, network) may pass
// when tried again.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	msg, err := BuildMIME(m)
	if err != nil {
		return &PermanentError{Err: err}
	}
	client, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("smtp client: %w", err)}
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if err == nil {
		return nil
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case code >= 500:
			return &PermanentError{Err: err}
		case code >= 400:
			return err
		}
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return &PermanentError{Err: err}
		}
	}
	return err
}

// BuildMIME turns m into a go-mail message: plain text and HTML as
// alternatives, the invitation (when there is one) as a third alternative
// of type text/calendar with its method, which is what mail clients offer
// to add to a calendar, and as an invite.ics attachment for those that
// only show attachments.
func BuildMIME(m *Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&m.From)
	msg.ToMailAddress(&m.To)
	if m.ReplyTo != nil {
		msg.ReplyToMailAddress(m.ReplyTo)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(m.MessageID)
	// RFC 3834: automatic mail, so auto-responders stay quiet.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	if m.Language != "" {
		msg.SetGenHeader(mail.HeaderContentLang, m.Language.Tag())
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	if len(m.Invitation) > 0 {
		if m.Method == "" {
			return nil, errors.New("notify: invitation without a method")
		}
		msg.AddAlternativeString(mail.ContentType("text/calendar; method="+string(m.Method)),
			string(m.Invitation), mail.WithPartEncoding(mail.EncodingB64))
		err := msg.AttachReader("invite.ics", bytes.NewReader(m.Invitation),
			mail.WithFileContentType(mail.ContentType("application/ics")), mail.WithFileEncoding(mail.EncodingB64))
		if err != nil {
			return nil, fmt.Errorf("notify: attach invitation: %w", err)
		}
	}
	return msg, nil
}
