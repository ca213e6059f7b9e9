package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"consult/api/httpx"
	"consult/booking"
	"consult/booking/proof"
)

// challengeResponse is a proof-of-work challenge and whether booking
// requests need one solved now.
type challengeResponse struct {
	Required bool `json:"required"`
	*proof.Challenge
}

// challenge hands out a proof-of-work challenge. It is never cached: each
// is answered once.
func (s *Server) challenge(c echo.Context) error {
	ctx := c.Request().Context()
	required, err := s.proof.Required(ctx)
	if err != nil {
		return err
	}
	out := challengeResponse{Required: required}
	if s.proof != nil {
		ch, err := s.proof.New()
		if err != nil {
			return err
		}
		out.Challenge = &ch
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return httpx.WriteJSON(c, http.StatusOK, out)
}

// proofMessage is the answer to a booking request without a valid proof
// while one is required.
const proofMessage = "Many bookings are being made right now, so each request must carry a solved challenge: " +
	"get one from /api/v1/challenge and send the solution as proof."

// checkProof refuses a booking request without a valid proof while g
// requires one.
func checkProof(ctx context.Context, g *proof.Guard, solution string) error {
	if err := g.Check(ctx, solution); errors.Is(err, proof.ErrInvalid) {
		return &booking.Error{Code: booking.EINVALID, Message: proofMessage, Fields: map[string]string{"proof": proofMessage}}
	} else if err != nil {
		return err
	}
	return nil
}
