package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
)

// maxJSONBody bounds every JSON request body; a booking is well under 2 KB.
const maxJSONBody = 16 << 10

// JSONEncoder writes JSON with HTML-significant characters escaped.
func JSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc
}

// DecodeJSON reads exactly one JSON object into v, refusing unknown
// fields, trailing data, a wrong content type and oversized bodies.
func DecodeJSON(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/problem+json") {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the body as application/json.")
		}
	}
	body := http.MaxBytesReader(c.Response(), r.Body, maxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return jsonError(err)
		}
		return echo.NewHTTPError(http.StatusBadRequest, "The body must hold a single JSON object.")
	}
	return nil
}

// jsonError explains a decoding failure without echoing the input.
func jsonError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The body must be at most 16 KB.")
	case errors.Is(err, io.EOF):
		return echo.NewHTTPError(http.StatusBadRequest, "The body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return echo.NewHTTPError(http.StatusBadRequest, "The body is not valid JSON.")
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return echo.NewHTTPError(http.StatusBadRequest, "The field \""+typeErr.Field+"\" has the wrong type.")
		}
		return echo.NewHTTPError(http.StatusBadRequest, "The body must be a JSON object.")
	default:
		// json reports unknown fields only as text: `json: unknown field "x"`.
		return echo.NewHTTPError(http.StatusBadRequest, "The body has a field this API does not accept.")
	}
}

// WriteJSON sends v with status, never cached (responses may carry personal data).
func WriteJSON(c echo.Context, status int, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSONCharsetUTF8)
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	c.Response().WriteHeader(status)
	return JSONEncoder(c.Response()).Encode(v)
}
