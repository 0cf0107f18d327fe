package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // card photos come from phones and scanners as JPEG or PNG
	_ "image/png"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"giaydiduong/backend/domain"
)

// CCCDCard is what the chip-based ID card's QR gives, plus the residence matched to a
// commune of the province's unit list when the address names one.
type CCCDCard struct {
	domain.CCCDCard
	ResidenceCommuneCode string `json:"residence_commune_code"`
	ResidenceStreet      string `json:"residence_street"`
}

// Limits on a card image: a phone photo is ~12 Mpx; anything far beyond that is refused
// before it is decoded into memory.
const (
	MaxCardImageBytes  = 20 << 20
	MaxCardImagePixels = 40_000_000
)

// ParseCCCD reads the card QR text that a scanner typed.
func (a *App) ParseCCCD(text string) (CCCDCard, error) {
	card, err := domain.ParseCCCDQR(text)
	if err != nil {
		return CCCDCard{}, err
	}
	out := CCCDCard{CCCDCard: card, ResidenceStreet: card.Address}
	a.unitsMu.RLock()
	list := make([]domain.Unit, 0, len(a.units))
	for _, u := range a.units {
		list = append(list, u)
	}
	a.unitsMu.RUnlock()
	if code, street, ok := domain.MatchCommune(card.Address, list); ok {
		out.ResidenceCommuneCode, out.ResidenceStreet = code, street
	}
	return out, nil
}

// DecodeCCCDImage finds the card's QR in a photo or scan and reads it.
func (a *App) DecodeCCCDImage(ctx context.Context, data []byte) (CCCDCard, error) {
	text, err := decodeQRImage(data)
	if err != nil {
		return CCCDCard{}, err
	}
	return a.ParseCCCD(text)
}

func badImage(vi, en string) error { return invalid("cccd_image", "bad_image", vi, en) }

func decodeQRImage(data []byte) (string, error) {
	if len(data) == 0 {
		return "", badImage("Tệp ảnh trống", "The image file is empty")
	}
	if len(data) > MaxCardImageBytes {
		return "", badImage(fmt.Sprintf("Ảnh quá lớn (%d MB); tối đa %d MB", len(data)>>20, MaxCardImageBytes>>20),
			fmt.Sprintf("Image too large (%d MB); at most %d MB", len(data)>>20, MaxCardImageBytes>>20))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", badImage("Tệp không phải ảnh PNG/JPEG hợp lệ", "Not a valid PNG or JPEG image")
	}
	if cfg.Width*cfg.Height > MaxCardImagePixels {
		return "", badImage(fmt.Sprintf("Ảnh quá lớn (%dx%d điểm ảnh)", cfg.Width, cfg.Height), fmt.Sprintf("Image too large (%dx%d pixels)", cfg.Width, cfg.Height))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", badImage("Ảnh bị hỏng, không đọc được", "The image is corrupt")
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", badImage("Không xử lý được ảnh", "Could not process the image")
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true, gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		var nf gozxing.NotFoundException
		if errors.As(err, &nf) {
			return "", badImage("Không tìm thấy mã QR trong ảnh", "No QR code found in the image")
		}
		return "", badImage("Không đọc được mã QR trong ảnh", "Could not read the QR code in the image")
	}
	return res.GetText(), nil
}

// FillFromCard puts what the card says into an application; the card wins, since it is the
// citizen's own document.
func FillFromCard(in *domain.ApplicationInput, card CCCDCard) {
	in.FullName, in.BirthDate, in.Gender, in.IDNumber = card.FullName, card.BirthDate, card.Gender, card.IDNumber
	if card.ResidenceCommuneCode != "" {
		in.ResidenceCommuneCode, in.ResidenceStreet = card.ResidenceCommuneCode, card.ResidenceStreet
	} else {
		in.ResidenceStreet = card.Address
	}
}
