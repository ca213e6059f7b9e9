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
