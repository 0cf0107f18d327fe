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
	// The card keeps the address of its issue date, often naming a district that no longer
	// exists: only a commune of today's list is taken from it, and the address itself is
	// kept as the card gave it.
	out := CCCDCard{CCCDCard: card}
	if code, street, ok := domain.MatchCommune(card.Address, a.unitsNow().ix.List(a.today(), "")); ok {
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

// CardFill is an application form after a card was read into it, with the card.
type CardFill struct {
	Input domain.ApplicationInput `json:"input"`
	Card  CCCDCard                `json:"card"`
}

// FillFromCCCD reads a card's QR text into the form in (FillFromCard's rule), so the window
// asks instead of knowing which field the card decides.
func (a *App) FillFromCCCD(in domain.ApplicationInput, text string) (CardFill, error) {
	card, err := a.ParseCCCD(text)
	if err != nil {
		return CardFill{}, err
	}
	FillFromCard(&in, card)
	return CardFill{Input: in, Card: card}, nil
}

// FillFromCCCDImage is FillFromCCCD for a photo or scan of the card.
func (a *App) FillFromCCCDImage(ctx context.Context, in domain.ApplicationInput, data []byte) (CardFill, error) {
	card, err := a.DecodeCCCDImage(ctx, data)
	if err != nil {
		return CardFill{}, err
	}
	FillFromCard(&in, card)
	return CardFill{Input: in, Card: card}, nil
}

// FillFromCard puts what the card says into an application; the card wins, since it is the
// citizen's own document. The card's address is kept as given; the commune of residence is
// taken from it only when it names one of today's.
func FillFromCard(in *domain.ApplicationInput, card CCCDCard) {
	in.FullName, in.BirthDate, in.Gender, in.IDNumber = card.FullName, card.BirthDate, card.Gender, card.IDNumber
	in.CardAddress = card.Address
	if card.ResidenceCommuneCode != "" {
		in.ResidenceCommuneCode, in.ResidenceStreet = card.ResidenceCommuneCode, card.ResidenceStreet
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
