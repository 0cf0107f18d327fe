package app

import (
	"context"
	"fmt"
	"time"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/permit"
)

// Maintenance checks are for whoever can read the office's files (the OS account running
// gddctl); they change nothing and show no office data beyond counts.

// DatabaseCheck is SQLite's verdict on the office database.
type DatabaseCheck struct {
	OK     bool     `json:"ok"`
	Result []string `json:"result"`
}

// CheckDatabase runs SQLite's integrity check.
func (a *App) CheckDatabase(ctx context.Context) (DatabaseCheck, error) {
	res, err := a.read(ctx).IntegrityCheck()
	if err != nil {
		return DatabaseCheck{}, err
	}
	return DatabaseCheck{OK: len(res) == 1 && res[0] == "ok", Result: res}, nil
}

// VerifyAudit walks the audit log's hash chain and names the first broken event.
func (a *App) VerifyAudit(ctx context.Context) (audit.Report, error) {
	return a.verifyAnchoredAudit(ctx)
}

// BundleCheck is an offline verification without an office database: the permit (its QR
// text, a photo or a PDF), the trust bundle file and the provincial root that must have
// signed it.
type BundleCheck struct {
	Text    string
	Image   []byte
	PDF     []byte
	Bundle  []byte
	RootPEM []byte
	Now     time.Time
}

// VerifyAgainstBundle verifies a permit (every page of a PDF) against a trust bundle file:
// a checkpoint laptop with no office database.
func VerifyAgainstBundle(ctx context.Context, in BundleCheck) ([]Verification, error) {
	root, err := permit.ParsePublicKeyPEM(in.RootPEM)
	if err != nil {
		return nil, fmt.Errorf("read the provincial root key: %w", err)
	}
	texts := []string{in.Text}
	switch {
	case in.Image != nil:
		if texts[0], err = QRTextFromImage(in.Image); err != nil {
			return nil, err
		}
	case in.PDF != nil:
		if texts, err = QRTextsFromPDF(ctx, in.PDF); err != nil {
			return nil, err
		}
	}
	out := make([]Verification, len(texts))
	for i, t := range texts {
		if out[i], err = VerifyWithBundle(t, in.Bundle, root, in.Now); err != nil {
			return nil, err
		}
	}
	return out, nil
}
