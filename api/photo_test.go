package api_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"consult/api"
)

// uploadPhoto sends data as the admin page's photo form does.
func uploadPhoto(t *testing.T, b *adminBrowser, data []byte) adminResp {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("csrf", b.csrf); err != nil {
		t.Fatal(err)
	}
	fw, err := w.CreateFormFile("photo", "me.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req, err := http.NewRequest("POST", b.base+"/admin/practice/photo", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.send(req)
}

// TestPractitionerPhoto uploads a large photo with metadata in the admin
// area: the site serves it from its own origin, scaled down and without
// the metadata, with caching headers; a file that is not a photo is
// refused at the field and changes nothing; removing it leaves no photo.
func TestPractitionerPhoto(t *testing.T) {
	a := newAdminTest(t, api.Config{})
	b := a.mustSignIn()
	b.get("/admin/practice")

	img := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
	// Noise, so the file is well over the 64 KB other requests may send.
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7919 ^ i>>3)
	}
	var raw bytes.Buffer
	if err := jpeg.Encode(&raw, img, nil); err != nil {
		t.Fatal(err)
	}
	// An EXIF segment, as a phone writes where the photo was taken.
	exif := []byte("\xff\xe1\x00\x1cExif\x00\x00GPS 52.5200N 13.4050E")
	upload := append(append([]byte{0xff, 0xd8}, exif...), raw.Bytes()[2:]...)
	if len(upload) < 64<<10 {
		t.Fatalf("the test photo (%d bytes) does not test the upload limit above 64 KB", len(upload))
	}
	before := a.state()
	if p := uploadPhoto(t, b, []byte("GIF89a not really")); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Upload a photo as a JPEG") {
		t.Fatalf("a file that is not a photo: %d", p.Status)
	}
	if a.state() != before || a.count(`SELECT count(*) FROM practice_photo`) != 0 {
		t.Fatal("a refused upload changed something")
	}
	wantAdminRedirect(t, uploadPhoto(t, b, upload), "/admin/practice")
	if err := a.store.UpdateProfile(t.Context(), testProfile, testNow); err != nil {
		t.Fatal(err)
	}
	about := string(a.do("GET", "/about", nil, nil).Body)
	src := regexp.MustCompile(`<img src="(/practice/photo\?v=[0-9a-f]{24})" alt="Photo of Dr. Ana Ruiz, PsyD"`).FindStringSubmatch(about)
	if src == nil {
		t.Fatalf("the About page shows no photo:\n%s", about)
	}
	resp, err := a.client.Get(a.url + src[1])
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	got.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" ||
		resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || resp.Header.Get("ETag") == "" {
		t.Errorf("photo: %d %v", resp.StatusCode, resp.Header)
	}
	if bytes.Contains(got.Bytes(), []byte("Exif")) || bytes.Contains(got.Bytes(), []byte("GPS 52.5200N")) {
		t.Error("the served photo keeps its metadata")
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(got.Bytes())); err != nil || cfg.Width != 480 || cfg.Height != 360 {
		t.Errorf("served %dx%d (%v), want 480x360", cfg.Width, cfg.Height, err)
	}
	req, _ := http.NewRequest("GET", a.url+"/practice/photo", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if r, err := a.client.Do(req); err != nil || r.StatusCode != http.StatusNotModified || r.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("revalidating: %v %v", r, err)
	}

	wantAdminRedirect(t, b.post("/admin/practice/photo/delete", nil), "/admin/practice")
	if r, _ := a.client.Get(a.url + "/practice/photo"); r.StatusCode != http.StatusNotFound {
		t.Errorf("after removing: %d", r.StatusCode)
	}
	if strings.Contains(string(a.do("GET", "/about", nil, nil).Body), "/practice/photo") {
		t.Error("the About page still links the photo")
	}
}
