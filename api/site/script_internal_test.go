package site

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"consult/web/i18n"
)

// site.js carries its English words itself; they are the English
// catalogue's, as every other language's come from theirs.
func TestScriptEnglishIsTheCatalogues(t *testing.T) {
	src, err := os.ReadFile("../../web/static/site.js")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "var TEXT = ")
	line, _, _ := strings.Cut(rest, ";\n")
	if !ok {
		t.Fatal("site.js has no var TEXT")
	}
	var inScript, inCatalogue map[string]any
	if err := json.Unmarshal([]byte(line), &inScript); err != nil {
		t.Fatalf("site.js TEXT: %v", err)
	}
	if err := json.Unmarshal([]byte(scriptText(i18n.EN)), &inCatalogue); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(inScript, inCatalogue) {
		t.Errorf("site.js TEXT\n%v\ndiffers from the catalogue's\n%v", inScript, inCatalogue)
	}
	for _, l := range i18n.Supported[1:] {
		var got map[string]any
		if err := json.Unmarshal([]byte(scriptText(l)), &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range got {
			// Some patterns read the same in French as in English.
			if k != "placeTime" && k != "dayShort" && k != "dayLabel" && reflect.DeepEqual(v, inCatalogue[k]) {
				t.Errorf("%s: %s is the English %v", l, k, v)
			}
		}
	}
}
