package render

import (
	_ "embed"
	"fmt"

	"github.com/go-pdf/fpdf"
)

// Noto Serif covers every precomposed Vietnamese letter (Latin Extended
// Additional, Ơ/Ư, đ) and is OFL 1.1 (fonts/OFL.txt). It is embedded so a
// permit prints the same on an office PC that has no Vietnamese fonts
// installed; fpdf subsets it, so each PDF carries only the glyphs it uses.
var (
	//go:embed fonts/NotoSerif-Regular.ttf
	fontRegular []byte
	//go:embed fonts/NotoSerif-Bold.ttf
	fontBold []byte
	//go:embed fonts/NotoSerif-Italic.ttf
	fontItalic []byte
)

const family = "NotoSerif"

// Font styles as fpdf spells them.
const (
	regular = ""
	bold    = "B"
	italic  = "I"
)

// addFonts registers the embedded fonts with a new document.
func addFonts(pdf *fpdf.Fpdf) error {
	for _, f := range []struct {
		style string
		data  []byte
	}{{regular, fontRegular}, {bold, fontBold}, {italic, fontItalic}} {
		pdf.AddUTF8FontFromBytes(family, f.style, f.data)
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("load font %s %q: %w", family, f.style, err)
		}
	}
	// fpdf reports a font it could not parse only by leaving it out, so
	// selecting each style is the check that all three loaded.
	for _, style := range []string{regular, bold, italic} {
		pdf.SetFont(family, style, 10)
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("select font %s %q: %w", family, style, err)
		}
	}
	return nil
}

// SerifFonts returns the embedded Noto Serif regular and bold faces, for documents drawn
// outside this package (the daily register).
func SerifFonts() (regularTTF, boldTTF []byte) { return fontRegular, fontBold }
