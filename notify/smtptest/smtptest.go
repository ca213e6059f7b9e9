// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// inside a test, recording what it receives and refusing on demand, so
// mail tests exercise the real client, protocol and MIME end to end.
package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string   // envelope sender
	To   []string // envelope recipients
	Data []byte   // the message as transmitted
	// Header is the parsed header of Data.
	Header mail.Header
}

// Server is an SMTP server on 127.0.0.1 with a random port.
type Server struct {
	srv  *smtp.Server
	addr string

	mu       sync.Mutex
	received []Received
	refusals []*smtp.SMTPError // the next messages' replies, in order
	always   *smtp.SMTPError   // refuse every message while set
}

// Start starts a server for the duration of t.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "smtptest.localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	s.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.srv.Close()
		<-done
	})
	return s
}

// URL is the server's SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.addr }

// RefuseNext makes the next n messages be refused at the end of DATA with
// code (e.g. 451 for a temporary, 550 for a permanent refusal).
func (s *Server) RefuseNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.refusals = append(s.refusals, refusal(code))
	}
}

// RefuseAll makes every message be refused with code until called with 0.
func (s *Server) RefuseAll(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = nil
	if code != 0 {
		s.always = refusal(code)
	}
}

func refusal(code int) *smtp.SMTPError {
	class := code / 100
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{class, 0, 0},
		Message: fmt.Sprintf("smtptest refuses this message (%d)", code)}
}

// Messages returns a copy of what the server has accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.always != nil {
		return s.always
	}
	if len(s.refusals) > 0 {
		e := s.refusals[0]
		s.refusals = s.refusals[1:]
		return e
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return errors.New("smtptest: message does not parse: " + err.Error())
	}
	s.received = append(s.received, Received{From: x.from, To: append([]string(nil), x.to...), Data: data, Header: m.Header})
	return nil
}
