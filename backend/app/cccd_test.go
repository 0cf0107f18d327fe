package app

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"giaydiduong/backend/scan"
)

// A card issued in 2021 names the three-level units of then; cardTodayText names today's.
const (
	cardText      = "082095001234|123456789|Nguyễn Văn Dũng|15031995|Nam|Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang|20042021"
	cardTodayText = "082095001234||Nguyễn Văn Dũng|15031995|Nam|Khu phố 1, Phường Mỹ Tho, Tỉnh Đồng Tháp|20082025"
)

func qrPNG(t *testing.T, text string, size int) []byte {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, size, size,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_CHARACTER_SET: "UTF-8"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hugePNG is a valid PNG header claiming w×h pixels: the kind of file that would exhaust
// memory if decoded blindly.
func hugePNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestCardFromTextAndImage(t *testing.T) {
	f := newFixture(t)
	fromText, err := f.ParseCCCD(cardText)
	if err != nil {
		t.Fatal(err)
	}
	// Xã Tân Mỹ Chánh is gone: no commune is taken from the card, and its address is kept.
	if fromText.FullName != "Nguyễn Văn Dũng" || fromText.BirthDate != "1995-03-15" || fromText.ResidenceCommuneCode != "" ||
		fromText.Address != "Ấp Tân Hòa, Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tiền Giang" {
		t.Fatalf("parsed %+v", fromText)
	}
	today, err := f.ParseCCCD(cardTodayText)
	if err != nil {
		t.Fatal(err)
	}
	if today.ResidenceCommuneCode != DemoUnitCode || today.ResidenceStreet != "Khu phố 1" {
		t.Fatalf("a card naming today's commune: %+v", today)
	}
	fromImage, err := f.DecodeCCCDImage(f.ctx, qrPNG(t, cardText, 400))
	if err != nil {
		t.Fatal(err)
	}
	if fromImage != fromText {
		t.Fatalf("image gave %+v, text gave %+v", fromImage, fromText)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not an image", []byte("GIF89a but not really")},
		{"truncated png", qrPNG(t, cardText, 400)[:300]},
		{"huge dimensions", hugePNG(t, 60000, 60000)},
		{"no qr", func() []byte {
			var b bytes.Buffer
			png.Encode(&b, image.NewGray(image.Rect(0, 0, 200, 200)))
			return b.Bytes()
		}()},
		{"qr that is not a card", qrPNG(t, "https://example.invalid/", 300)},
		{"oversized file", make([]byte, scan.MaxImageBytes+1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.DecodeCCCDImage(f.ctx, c.data)
			e := AsError(err)
			if e == nil || e.Code != CodeValidation || len(e.Fields) == 0 || e.Fields[0].VI == "" {
				t.Fatalf("got %v, want a validation error with a reason", err)
			}
		})
	}
}

func TestFillFromCardWins(t *testing.T) {
	f := newFixture(t)
	card, err := f.ParseCCCD(cardText)
	if err != nil {
		t.Fatal(err)
	}
	in := f.input()
	in.FullName, in.IDNumber, in.BirthDate, in.Gender = "Người Khác", "082190009999", "1990-01-01", "female"
	FillFromCard(&in, card)
	if in.FullName != card.FullName || in.IDNumber != card.IDNumber || in.BirthDate != card.BirthDate || in.Gender != card.Gender {
		t.Fatalf("card did not win: %+v", in)
	}
	saved, err := f.AddApplication(f.ctx, f.clerk, in, false)
	if err != nil {
		t.Fatal(err)
	}
	// The old address does not block the application: the clerk's commune stands, and the
	// card's address is kept as the card gave it.
	if saved.CardAddress != card.Address || saved.ResidenceCommuneCode != f.input().ResidenceCommuneCode {
		t.Fatalf("saved %+v", saved.Application)
	}
}
