package app

import (
	"context"
	"errors"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/scan"
)

// CCCDCard is what the chip-based ID card's QR gives, plus the residence matched to a
// commune of the province's unit list when the address names one.
type CCCDCard struct {
	domain.CCCDCard
	ResidenceCommuneCode string `json:"residence_commune_code"`
	ResidenceStreet      string `json:"residence_street"`
}

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
	text, err := qrText("cccd_image", data)
	if err != nil {
		return CCCDCard{}, err
	}
	return a.ParseCCCD(text)
}

// qrText reads a QR code from an image, turning a refusal into a field error.
func qrText(field string, data []byte) (string, error) {
	text, err := scan.QRFromImage(data)
	var se *scan.Error
	if errors.As(err, &se) {
		return "", invalid(field, "bad_image", se.VI, se.EN)
	}
	return text, err
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

// QRTextFromImage reads the QR code in an image, refusing bad files with a field error.
func QRTextFromImage(data []byte) (string, error) { return qrText("image", data) }

// QRTextsFromPDF reads the QR code on each page of a PDF; a page without a readable one
// gives "", which verifies as MALFORMED.
func QRTextsFromPDF(ctx context.Context, pdf []byte) ([]string, error) {
	pages, err := pdfPages(ctx, pdf)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(pages))
	for i, p := range pages {
		out[i] = p.Text
	}
	return out, nil
}

// pdfPages finds the QR code on each page, turning a refused file into a field error.
func pdfPages(ctx context.Context, pdf []byte) ([]scan.PageQR, error) {
	pages, err := scan.QRsFromPDF(ctx, pdf)
	var se *scan.Error
	if errors.As(err, &se) {
		return nil, invalid("pdf", "bad_pdf", se.VI, se.EN)
	}
	return pages, err
}
