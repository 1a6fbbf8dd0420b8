package tokencount

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	_ "image/gif" // registers GIF for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"strings"
)

// imagePricing is how a model bills an image, per OpenAI's vision guide
// (platform.openai.com/docs/guides/images-vision, "Calculating costs").
type imagePricing struct {
	// Tile-billed models: base (all that detail "low" costs) plus perTile for
	// each 512-pixel tile of the image scaled to fit 2048×2048 and then to
	// 768 pixels on its short side.
	base, perTile int64
	// Patch-billed models (multiplier > 0): one token per 32-pixel patch, at
	// most 1536 patches, times multiplier, whatever the detail.
	multiplier float64
}

// imageModels maps model name prefixes to their pricing, most specific
// first. Models not listed are billed like gpt-4o, which covers gpt-4o,
// gpt-4.1, gpt-4.5 and gpt-4-turbo.
var imageModels = []struct {
	prefix  string
	pricing imagePricing
}{
	{"gpt-4o-mini", imagePricing{base: 2833, perTile: 5667}},
	{"gpt-4.1-mini", imagePricing{multiplier: 1.62}},
	{"gpt-4.1-nano", imagePricing{multiplier: 2.46}},
	{"gpt-5-mini", imagePricing{multiplier: 1.62}},
	{"gpt-5-nano", imagePricing{multiplier: 2.46}},
	{"o4-mini", imagePricing{multiplier: 1.72}},
	{"gpt-5", imagePricing{base: 70, perTile: 140}},
	{"o1", imagePricing{base: 75, perTile: 150}},
	{"o3", imagePricing{base: 75, perTile: 150}},
	{"computer-use-preview", imagePricing{base: 65, perTile: 129}},
}

var defaultImagePricing = imagePricing{base: 85, perTile: 170}

func imagePricingFor(model string) imagePricing {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:] // "openai/gpt-4o" → "gpt-4o"
	}
	model = strings.ToLower(model)
	for _, m := range imageModels {
		if strings.HasPrefix(model, m.prefix) {
			return m.pricing
		}
	}
	return defaultImagePricing
}

const (
	maxPatches = 1536
	patchSize  = 32
	tileSize   = 512
)

// imageTokens returns what an image costs model. The size is read from a
// data: URL; for any other URL it is unknown and the most the detail level
// can cost is returned: 8 tiles (2048×768 after scaling), or 1536 patches.
func imageTokens(model, url, detail string) int64 {
	p := imagePricingFor(model)
	w, h, known := dataURLSize(url)
	if p.multiplier > 0 {
		patches := int64(maxPatches)
		if known {
			patches = patchCount(w, h)
		}
		return int64(math.Ceil(float64(patches) * p.multiplier))
	}
	if detail == "low" {
		return p.base
	}
	tiles := int64(8)
	if known {
		tiles = tileCount(w, h)
	}
	return p.base + tiles*p.perTile
}

// tileCount is the number of 512-pixel tiles covering a w×h image once
// scaled down to fit 2048×2048 and then to 768 pixels on its short side.
// Images are never scaled up.
func tileCount(w, h int) int64 {
	fw, fh := float64(w), float64(h)
	if s := 2048 / max(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	if s := 768 / min(fw, fh); s < 1 {
		fw, fh = fw*s, fh*s
	}
	return int64(math.Ceil(fw/tileSize)) * int64(math.Ceil(fh/tileSize))
}

// patchCount is the number of 32-pixel patches covering a w×h image, scaled
// down when more than 1536 would be needed as the guide's example does:
// shrink by √(1536·32²/(w·h)), then further so a whole number of patches
// fits the width.
func patchCount(w, h int) int64 {
	fw, fh := float64(w), float64(h)
	n := int64(math.Ceil(fw/patchSize)) * int64(math.Ceil(fh/patchSize))
	if n <= maxPatches {
		return n
	}
	s := math.Sqrt(maxPatches * patchSize * patchSize / (fw * fh))
	fw, fh = fw*s, fh*s
	if cols := fw / patchSize; cols >= 1 {
		s = math.Floor(cols) / cols
		fw, fh = fw*s, fh*s
	}
	n = int64(math.Ceil(fw/patchSize)) * int64(math.Ceil(fh/patchSize))
	return min(n, maxPatches)
}

// dataURLSize reads the pixel size of a base64 data: URL image (PNG, JPEG,
// GIF or WebP) from its header, decoding no more of it than that needs.
func dataURLSize(url string) (w, h int, ok bool) {
	if !strings.HasPrefix(url, "data:") {
		return 0, 0, false
	}
	_, payload, found := strings.Cut(url, ";base64,")
	if !found {
		return 0, 0, false
	}
	// The decoder stops at the first byte that is not base64; the header is
	// what matters.
	data := base64.NewDecoder(base64.StdEncoding, strings.NewReader(payload))
	var head [30]byte
	n, _ := io.ReadFull(data, head[:])
	if w, h, ok := webpSize(head[:n]); ok {
		return w, h, true
	}
	cfg, _, err := image.DecodeConfig(io.MultiReader(bytes.NewReader(head[:n]), data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}

// webpSize reads the canvas size from the first 30 bytes of a WebP file:
// RIFF header, then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk.
func webpSize(b []byte) (w, h int, ok bool) {
	if len(b) < 30 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return 0, 0, false
	}
	switch string(b[12:16]) {
	case "VP8 ": // frame tag (3 bytes), start code (3), then 14-bit sizes
		w = int(binary.LittleEndian.Uint16(b[26:28]) & 0x3fff)
		h = int(binary.LittleEndian.Uint16(b[28:30]) & 0x3fff)
	case "VP8L": // signature byte, then 14-bit width−1 and height−1
		bits := binary.LittleEndian.Uint32(b[21:25])
		w = int(bits&0x3fff) + 1
		h = int(bits>>14&0x3fff) + 1
	case "VP8X": // flags (4 bytes), then 24-bit canvas width−1 and height−1
		w = int(uint32(b[24])|uint32(b[25])<<8|uint32(b[26])<<16) + 1
		h = int(uint32(b[27])|uint32(b[28])<<8|uint32(b[29])<<16) + 1
	default:
		return 0, 0, false
	}
	return w, h, w > 0 && h > 0
}
