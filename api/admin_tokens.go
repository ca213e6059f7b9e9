package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/booking"
)

// tokenRow is an API token as listed.
type tokenRow struct {
	ID        int64
	Name      string
	Created   string
	LastUsed  string
	Revoked   string
	IsRevoked bool
}

// tokensData is the API tokens page; NewToken is shown once, right after
// it is made.
type tokensData struct {
	Tokens   []tokenRow
	NewToken string
	NewName  string
	Name     string
}

func (s *Server) renderTokens(c echo.Context, status int, d tokensData, errs map[string]string) error {
	loc, _, err := s.adminZone(c)
	if err != nil {
		return err
	}
	ts, err := s.admin.APITokens(c.Request().Context(), actor(c).User.ID)
	if err != nil {
		return err
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2 Jan 2006 15:04 MST")
	}
	for _, t := range ts {
		d.Tokens = append(d.Tokens, tokenRow{ID: t.ID, Name: t.Name, Created: stamp(&t.CreatedAt),
			LastUsed: stamp(t.LastUsedAt), Revoked: stamp(t.RevokedAt), IsRevoked: t.RevokedAt != nil})
	}
	return s.renderAdmin(c, status, "tokens", "API tokens", d, errs)
}

func (s *Server) handleTokens(c echo.Context) error {
	return s.renderTokens(c, http.StatusOK, tokensData{}, nil)
}

// handleTokenCreate makes a token and shows it once; only its hash is kept.
func (s *Server) handleTokenCreate(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	token, _, err := s.adminOps.CreateToken(c.Request().Context(), who(c), name)
	if err != nil {
		if fe := adminFieldErrors(err); fe != nil {
			d := tokensData{}
			if booking.PlainText(name, false) { // typed text is shown again only if it can be
				d.Name = name
			}
			return s.renderTokens(c, http.StatusUnprocessableEntity, d, fe)
		}
		return err
	}
	return s.renderTokens(c, http.StatusOK, tokensData{NewToken: token, NewName: name}, nil)
}

func (s *Server) handleTokenRevoke(c echo.Context) error {
	id, err := adminPathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.adminOps.RevokeToken(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	return s.adminRedirect(c, "/admin/tokens", "The token is revoked.")
}

// auditPerPage is the audit log's page size.
const auditPerPage = 50

type auditRow struct {
	At, Who, Via, Action, Target, Address string
}

type auditData struct {
	Rows    []auditRow
	Total   int
	PrevURL string
	NextURL string
}

func (s *Server) handleAuditLog(c echo.Context) error {
	loc, _, err := s.adminZone(c)
	if err != nil {
		return err
	}
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 || page > 1000000 {
		page = 1
	}
	es, total, err := s.admin.AuditLog(c.Request().Context(), auditPerPage, (page-1)*auditPerPage)
	if err != nil {
		return err
	}
	d := auditData{Total: total}
	for _, e := range es {
		who := e.UserEmail
		if who == "" {
			who = "—"
		}
		via := e.Via
		if e.TokenID != 0 {
			via = fmt.Sprintf("token %d", e.TokenID)
		}
		d.Rows = append(d.Rows, auditRow{At: e.At.In(loc).Format("2006-01-02 15:04:05 MST"), Who: who, Via: via,
			Action: e.Action, Target: e.Target, Address: e.Address})
	}
	link := func(p int) string { return "/admin/audit?" + url.Values{"page": {strconv.Itoa(p)}}.Encode() }
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page*auditPerPage < total {
		d.NextURL = link(page + 1)
	}
	return s.renderAdmin(c, http.StatusOK, "audit", "Audit log", d, nil)
}
