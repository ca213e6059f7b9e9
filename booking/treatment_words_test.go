package booking_test

import (
	"testing"

	"consult/booking"
)

// A treatment is named in the languages clients read in as well, so a
// German, French or Spanish practice name is kept out of inboxes too.
func TestTreatmentWordsInEveryLanguage(t *testing.T) {
	for s, want := range map[string]bool{
		"Harbour Ketamine Clinic": false, "Ketamin-Praxis Berlin": false, "Clinique de la kétamine": false,
		"Clínica de ketamina": false, "Psilocybin-Therapie": false, "Terapia psicodélica": false,
		"Thérapie psychédélique": false, "Psychedelische Begleitung": false, "Psilocibina Madrid": false,
		"Praxis Dr. Weber": true, "Cabinet Martin": true, "Consulta López": true, "Harbour Practice": true,
	} {
		if got := booking.NamesNoTreatment(s); got != want {
			t.Errorf("NamesNoTreatment(%q) = %v, want %v", s, got, want)
		}
	}
	st := booking.Settings{PracticeName: "Ketamin-Praxis Berlin"}
	if got := st.SenderName(); got != "Consultations" {
		t.Errorf("SenderName of %q = %q, want the neutral fallback", st.PracticeName, got)
	}
}
