package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
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

func (h *Handler) renderTokens(c echo.Context, status int, d tokensData, errs map[string]string) error {
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	ts, err := h.store.APITokens(c.Request().Context(), user(c).ID)
	if err != nil {
		return err
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return dateIn(lang(c), t.In(loc), "2 Jan 2006 15:04 MST")
	}
	for _, t := range ts {
		d.Tokens = append(d.Tokens, tokenRow{ID: t.ID, Name: t.Name, Created: stamp(&t.CreatedAt),
			LastUsed: stamp(t.LastUsedAt), Revoked: stamp(t.RevokedAt), IsRevoked: t.RevokedAt != nil})
	}
	return h.render(c, status, "tokens", "API tokens", d, errs)
}

// Tokens lists the account's API tokens.
func (h *Handler) Tokens(c echo.Context) error {
	return h.renderTokens(c, http.StatusOK, tokensData{}, nil)
}

// CreateToken makes a token and shows it once; only its hash is kept.
func (h *Handler) CreateToken(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	token, _, err := h.admin.CreateToken(c.Request().Context(), h.who(c), name)
	if err != nil {
		if fe := fieldErrors(err); fe != nil {
			d := tokensData{}
			if booking.PlainText(name, false) { // typed text is shown again only if it can be
				d.Name = name
			}
			return h.renderTokens(c, http.StatusUnprocessableEntity, d, fe)
		}
		return err
	}
	return h.renderTokens(c, http.StatusOK, tokensData{NewToken: token, NewName: name}, nil)
}

// RevokeToken revokes one of the account's API tokens.
func (h *Handler) RevokeToken(c echo.Context) error {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.admin.RevokeToken(c.Request().Context(), h.who(c), id); err != nil {
		return err
	}
	return h.redirect(c, "/admin/tokens", "The token is revoked.")
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

// AuditLog shows one page of the audit log, newest first.
func (h *Handler) AuditLog(c echo.Context) error {
	loc, _, err := h.zone(c)
	if err != nil {
		return err
	}
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 || page > 1000000 {
		page = 1
	}
	es, total, err := h.store.AuditLog(c.Request().Context(), auditPerPage, (page-1)*auditPerPage)
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
		switch via {
		case booking.ViaSession, booking.ViaToken, booking.ViaCLI, booking.ViaAnonymous:
			via = msg(lang(c), "admin.audit.via_"+via)
		}
		if e.TokenID != 0 {
			via = msg(lang(c), "admin.audit.token", "ID", e.TokenID)
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
	return h.render(c, http.StatusOK, "audit", "Audit log", d, nil)
}
