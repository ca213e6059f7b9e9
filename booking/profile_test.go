package booking_test

import (
	"slices"
	"strings"
	"testing"

	"consult/booking"
)

func TestRegionListIsSortedAndComplete(t *testing.T) {
	cs := booking.Countries()
	if len(cs) != 249 {
		t.Errorf("%d countries, want the 249 of ISO 3166-1", len(cs))
	}
	if !slices.IsSortedFunc(cs, func(a, b booking.Region) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("countries are not sorted by code")
	}
	for country, want := range map[string]int{"US": 51, "CA": 13, "DE": 16, "AU": 8} {
		if got := len(booking.Subdivisions(country)); got != want {
			t.Errorf("%s: %d subdivisions, want %d", country, got, want)
		}
	}
	for _, code := range []string{"US", "us-ca", "DE-BE", "AU-NSW", "CA-QC", "GB", "CH"} {
		if _, ok := booking.LookupRegion(code); !ok {
			t.Errorf("LookupRegion(%q) found nothing", code)
		}
	}
	for _, code := range []string{"", "XX", "US-XX", "EU", "UN", "USA", "U", "DE-CA"} {
		if _, ok := booking.LookupRegion(code); ok {
			t.Errorf("LookupRegion(%q) found a region", code)
		}
	}
	if r, _ := booking.LookupRegion("US-CA"); r.Label() != "California, United States" {
		t.Errorf("label %q", r.Label())
	}
}

func TestServes(t *testing.T) {
	served := []string{"US-CA", "US-OR", "DE"}
	for region, want := range map[string]bool{
		"US-CA": true, "us-or": true, "US-WA": false, "US": false,
		"DE": true, "DE-BE": true, "AT": false, "": false, "XX": false,
	} {
		if got := booking.Serves(served, region); got != want {
			t.Errorf("Serves(%v, %q) = %v, want %v", served, region, got, want)
		}
	}
}

func TestProfileValidation(t *testing.T) {
	ok := booking.Profile{
		PractitionerName: "  Dr. Maya Lindqvist ", Credentials: []string{"PsyD", " ", "Licensed psychologist, CA PSY 00000"},
		Bio: "Twelve years\r\nof practice.", ContactEmail: "office@example.org", ContactPhone: "+1 555 0100",
		Regions: []string{"us-ca", "US-CA", "US-OR"},
	}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid profile refused: %v", err)
	}
	if ok.PractitionerName != "Dr. Maya Lindqvist" || len(ok.Credentials) != 2 || ok.Bio != "Twelve years\nof practice." {
		t.Errorf("not normalized: %+v", ok)
	}
	if !slices.Equal(ok.Regions, []string{"US-CA", "US-OR"}) {
		t.Errorf("regions %v", ok.Regions)
	}
	long := strings.Repeat("a", 101)
	for field, p := range map[string]booking.Profile{
		"practitioner_name": {PractitionerName: long},
		"credentials":       {Credentials: []string{"one\x00"}},
		"bio":               {Bio: strings.Repeat("b", booking.MaxBioLen+1)},
		"contact_email":     {ContactEmail: "not an email"},
		"contact_phone":     {ContactPhone: "call me"},
		"regions":           {Regions: []string{"US-ZZ"}},
		"mail_sender_name":  {MailSenderName: "Maya <maya@example.org>"},
		"mail_subject":      {MailSubject: "two\nlines"},
	} {
		p.Normalize()
		err := p.Validate()
		if booking.ErrorCode(err) != booking.EINVALID || booking.FieldsOf(err)[field] == "" {
			t.Errorf("%s: got %v, want EINVALID naming it", field, err)
		}
	}
	many := booking.Profile{Credentials: make([]string, 11)}
	for i := range many.Credentials {
		many.Credentials[i] = "x"
	}
	if err := many.Validate(); booking.FieldsOf(err)["credentials"] == "" {
		t.Error("eleven credentials accepted")
	}
}

func TestCheckRegion(t *testing.T) {
	served := []string{"US-CA", "US-OR", "DE"}
	if got, want := booking.ServedText(served), "California or Oregon (United States) or Germany"; got != want {
		t.Errorf("ServedText = %q, want %q", got, want)
	}
	if got := booking.ServedText([]string{"US-CA", "US-OR", "US-WA"}); got != "California, Oregon or Washington (United States)" {
		t.Errorf("ServedText = %q", got)
	}
	for _, tc := range []struct {
		served []string
		region string
		ok     bool
	}{
		{served, "US-CA", true}, {served, "de-by", true}, {served, "US-WA", false}, {served, "", false}, {served, "XX", false},
		{nil, "", true}, {nil, "FR", true}, {nil, "FR-XX", false},
	} {
		err := booking.CheckRegion(tc.served, tc.region)
		if (err == nil) != tc.ok || (err != nil && booking.FieldsOf(err)["region"] == "") {
			t.Errorf("CheckRegion(%v, %q) = %v, want ok %v", tc.served, tc.region, err, tc.ok)
		}
	}
}

func TestCheckAnswers(t *testing.T) {
	qs := []booking.Question{
		{Kind: booking.QuestionChoice, Label: "Heard of us?", Choices: []string{"A friend", "A search"}},
		{Kind: booking.QuestionText, Label: "Anything else?"},
		{Kind: booking.QuestionYesNo, Label: "Before?"},
	}
	got, err := booking.CheckAnswers(qs, []string{"A friend", " ", "yes"})
	if err != nil || len(got) != 2 || got[0] != (booking.Answer{Question: "Heard of us?", Answer: "A friend"}) || got[1].Answer != "yes" {
		t.Errorf("CheckAnswers = %+v, %v", got, err)
	}
	for field, raw := range map[string][]string{
		"answer_1": {"A neighbour"}, "answer_2": {"", strings.Repeat("x", 301)}, "answer_3": {"", "", "perhaps"},
		"answers": {"", "", "", "one too many"},
	} {
		if _, err := booking.CheckAnswers(qs, raw); booking.FieldsOf(err)[field] == "" {
			t.Errorf("%v: %v, want errors.%s", raw, err, field)
		}
	}
	p := booking.Profile{Questions: make([]booking.Question, 6)}
	for i := range p.Questions {
		p.Questions[i] = booking.Question{Kind: booking.QuestionText, Label: "Q"}
	}
	if p.Normalize(); booking.FieldsOf(p.Validate())["questions"] == "" {
		t.Error("six questions accepted")
	}
}
