package notify

import "testing"

func TestGreetingNameLeavesOutTextThatIsNotAName(t *testing.T) {
	for name, want := range map[string]string{
		"Ada Lovelace":               "Ada Lovelace",
		"  Ada   Lovelace ":          "Ada Lovelace",
		"José María O’Neill-Sánchez": "José María O’Neill-Sánchez",
		"J. R. Tolkien":              "J. R. Tolkien",
		"Zoë":                        "Zoë",
		"山田 太郎":                      "山田 太郎",
		"Visit evil.example now to claim your refund": "",
		"evil.example":                 "",
		"www.evil.example":             "",
		"Call 555 0100":                "",
		"Ada <ada@example.org>":        "",
		"https://evil.example":         "",
		"Ada Augusta King Countess of": "",
		"":                             "",
		"A very long name that goes on and on beyond": "",
	} {
		if got := greetingName(name); got != want {
			t.Errorf("greetingName(%q) = %q, want %q", name, got, want)
		}
	}
}
