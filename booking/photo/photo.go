// Package photo prepares the practitioner's photo for the site: it
// decodes what was uploaded, scales it down and encodes it again as a
// JPEG. Only pixels survive re-encoding, so the metadata a camera or phone
// writes (EXIF: the place, the device, the time) never reaches the site.
package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"

	// PNG and GIF uploads are decoded too; the result is always a JPEG.
	_ "image/gif"
	_ "image/png"

	"golang.org/x/image/draw"
)

// Limits on uploads and on what is kept.
const (
	// MaxUpload is the largest file accepted, in bytes.
	MaxUpload = 5 << 20
	// MaxPixels bounds the decoded size, so a small file cannot claim a
	// huge image and exhaust memory when decoded.
	MaxPixels = 40_000_000
	// Side is the longest side of the photo kept, in pixels.
	Side = 480
	// ContentType is the type of every photo kept.
	ContentType = "image/jpeg"
)

// ErrNotAPhoto is returned for a file that is not a JPEG, PNG or GIF
// image of a sensible size.
var ErrNotAPhoto = errors.New("photo: not a JPEG, PNG or GIF image of a sensible size")

// Photo is a prepared photo.
type Photo struct {
	JPEG []byte
	// Version names the photo by its content, for links that may be
	// cached for good.
	Version       string
	Width, Height int
}

// Prepare decodes data, scales the image to fit Side by Side (never up),
// turns it upright as its EXIF orientation says and encodes it as a JPEG
// without any metadata. ErrNotAPhoto for
// anything else.
func Prepare(data []byte) (*Photo, error) {
	if len(data) == 0 || len(data) > MaxUpload {
		return nil, ErrNotAPhoto
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, ErrNotAPhoto
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrNotAPhoto
	}
	w, h := fit(src.Bounds().Dx(), src.Bounds().Dy(), Side)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// Transparency becomes white: a JPEG has none.
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	// The metadata goes, so its orientation is applied to the pixels.
	dst = orient(dst, orientation(data))
	w, h = dst.Bounds().Dx(), dst.Bounds().Dy()
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(out.Bytes())
	return &Photo{JPEG: out.Bytes(), Version: hex.EncodeToString(sum[:12]), Width: w, Height: h}, nil
}

// fit returns w by h scaled down to fit side by side, keeping its shape.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}
