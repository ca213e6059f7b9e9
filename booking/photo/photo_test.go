package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"consult/booking/photo"
)

// withExif returns a JPEG of w by h with an EXIF segment holding marker
// (as a phone writes the place and the device).
func withExif(t *testing.T, w, h int, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), []byte(marker)...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	data := buf.Bytes()
	return append(append(append([]byte{}, data[:2]...), seg...), data[2:]...)
}

func TestPrepareScalesAndStripsMetadata(t *testing.T) {
	in := withExif(t, 1200, 800, "GPS 52.52N 13.40E iPhone")
	if _, _, err := image.Decode(bytes.NewReader(in)); err != nil || !bytes.Contains(in, []byte("GPS 52.52N")) {
		t.Fatalf("the test photo is not a JPEG with metadata: %v", err)
	}
	p, err := photo.Prepare(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.JPEG, []byte("Exif")) || bytes.Contains(p.JPEG, []byte("GPS 52.52N")) {
		t.Error("the metadata survived")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(p.JPEG))
	if err != nil || format != "jpeg" || cfg.Width != 480 || cfg.Height != 320 || p.Width != 480 || p.Height != 320 {
		t.Errorf("prepared %s %dx%d (%v), want a 480x320 JPEG", format, cfg.Width, cfg.Height, err)
	}
	again, _ := photo.Prepare(in)
	if again.Version != p.Version || len(p.Version) != 24 {
		t.Errorf("versions %q and %q", p.Version, again.Version)
	}

	// A small PNG stays its size, as a JPEG.
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewNRGBA(image.Rect(0, 0, 200, 300))); err != nil {
		t.Fatal(err)
	}
	small, err := photo.Prepare(pngBuf.Bytes())
	if err != nil || small.Width != 200 || small.Height != 300 {
		t.Errorf("small PNG: %+v, %v", small, err)
	}
}

func TestPrepareRefusesWhatIsNotAPhoto(t *testing.T) {
	// A PNG header claiming 100000 by 100000 pixels: refused before decoding.
	hdr := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 6
	crc := crc32.ChecksumIEEE(append([]byte("IHDR"), ihdr...))
	bomb := append(append(hdr, ihdr...), byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
	for name, data := range map[string][]byte{
		"empty": nil, "text": []byte("<svg onload=alert(1)>"), "bomb": bomb,
		"too large": make([]byte, photo.MaxUpload+1), "cut short": withExif(t, 50, 50, "x")[:100],
	} {
		if _, err := photo.Prepare(data); !errors.Is(err, photo.ErrNotAPhoto) {
			t.Errorf("%s: %v, want ErrNotAPhoto", name, err)
		}
	}
}

// withOrientation is a w by h JPEG, its left half red and right half
// blue, whose EXIF says to turn it as orientation o.
func withOrientation(t *testing.T, w, h, o int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			c := color.RGBA{220, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	// A big-endian TIFF header with one IFD0 entry: Orientation, SHORT.
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, 0, 0, 0, 0, 0, 0}
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	data := buf.Bytes()
	return append(append(append([]byte{}, data[:2]...), append(seg, payload...)...), data[2:]...)
}

// TestPrepareTurnsPhotosUpright: a phone photo stored on its side shows
// upright once its metadata, which said how to turn it, is gone.
func TestPrepareTurnsPhotosUpright(t *testing.T) {
	p, err := photo.Prepare(withOrientation(t, 200, 100, 6)) // turn 90° clockwise
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.JPEG))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 100 || b.Dy() != 200 {
		t.Fatalf("turned photo is %dx%d, want 100x200", b.Dx(), b.Dy())
	}
	// Turned clockwise, the red left half is now on top.
	top, _, _, _ := img.At(50, 20).RGBA()
	bottom, _, _, _ := img.At(50, 180).RGBA()
	if top < 0x8000 || bottom > 0x8000 {
		t.Errorf("red %x at the top, %x at the bottom: not turned clockwise", top, bottom)
	}
	if q, _ := photo.Prepare(withOrientation(t, 200, 100, 1)); q.Width != 200 || q.Height != 100 {
		t.Errorf("an upright photo became %dx%d", q.Width, q.Height)
	}
}

// FuzzPrepare: whatever is uploaded, Prepare returns a JPEG within the
// size kept, or ErrNotAPhoto; it never panics.
func FuzzPrepare(f *testing.F) {
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x08Exif\x00\x00"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := photo.Prepare(data)
		if err != nil {
			if !errors.Is(err, photo.ErrNotAPhoto) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if p.Width > photo.Side || p.Height > photo.Side || bytes.Contains(p.JPEG, []byte("Exif")) {
			t.Errorf("prepared %dx%d, %d bytes", p.Width, p.Height, len(p.JPEG))
		}
	})
}
