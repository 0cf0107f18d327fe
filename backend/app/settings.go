package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"giaydiduong/backend/auth"
	"giaydiduong/backend/scan"
	"giaydiduong/backend/store"
)

// Settings are the office's local preferences.
type Settings struct {
	IdleLockMinutes int    `json:"idle_lock_minutes"`
	FourEyes        bool   `json:"four_eyes"`
	DefaultPrinter  string `json:"default_printer"`
	// PKCS11Library is the certificate token's PKCS#11 library (the CA's DLL or .so).
	PKCS11Library string `json:"pkcs11_library"`
	// OfficeKeyProtection says how the office key is held (tpm, dpapi or file); read-only.
	OfficeKeyProtection string `json:"office_key_protection"`
	// ScanMaxFileMB is the largest scanned file an import takes, in MB (1 to the built-in
	// ceiling, scan.DefaultLimits), whatever the route: picker, drop, gddctl, folder, scanner.
	ScanMaxFileMB int `json:"scan_max_file_mb"`
}

// DefaultSettings: lock after 5 idle minutes; an approver may not decide what they entered.
var DefaultSettings = Settings{IdleLockMinutes: 5, FourEyes: true, ScanMaxFileMB: int(scan.DefaultLimits.MaxFileBytes >> 20)}

const (
	keyIdleLock = "idle_lock_minutes"
	keyFourEyes = "four_eyes"
	keyPrinter  = "default_printer"
	keyPKCS11   = "pkcs11_library"
	keyScanMax  = "scan_max_file_mb"
)

// Settings reads the office settings, defaults filled in (any signed-in user: the window
// needs the idle lock and the printer).
func (a *App) Settings(ctx context.Context, actor Actor) (Settings, error) {
	if err := a.require(actor, auth.ViewApplications); err != nil {
		return Settings{}, err
	}
	return a.settings(ctx)
}

func (a *App) settings(ctx context.Context) (Settings, error) {
	rows, err := a.read(ctx).Settings()
	if err != nil {
		return Settings{}, err
	}
	s := DefaultSettings
	for _, r := range rows {
		switch r.Key {
		case keyIdleLock:
			if n, err := strconv.Atoi(r.Value); err == nil {
				s.IdleLockMinutes = n
			}
		case keyFourEyes:
			s.FourEyes = r.Value == "true"
		case keyPrinter:
			s.DefaultPrinter = r.Value
		case keyPKCS11:
			s.PKCS11Library = r.Value
		case keyScanMax:
			if n, err := strconv.Atoi(r.Value); err == nil {
				s.ScanMaxFileMB = n
			}
		}
	}
	prot, err := a.OfficeKeyProtection(ctx)
	if err != nil {
		return Settings{}, err
	}
	s.OfficeKeyProtection = prot
	return s, nil
}

// UpdateSettings saves the settings (office admin).
func (a *App) UpdateSettings(ctx context.Context, actor Actor, in Settings) (Settings, error) {
	if err := a.require(actor, auth.ManageSettings); err != nil {
		return Settings{}, err
	}
	if in.IdleLockMinutes < 1 || in.IdleLockMinutes > 240 {
		return Settings{}, invalid("idle_lock_minutes", "range", "Thời gian khóa màn hình phải từ 1 đến 240 phút", "Idle lock must be 1 to 240 minutes")
	}
	in.DefaultPrinter = strings.TrimSpace(in.DefaultPrinter)
	if len(in.DefaultPrinter) > 200 {
		return Settings{}, invalid("default_printer", "too_long", "Tên máy in quá dài", "Printer name too long")
	}
	in.PKCS11Library = strings.TrimSpace(in.PKCS11Library)
	if len(in.PKCS11Library) > 1000 {
		return Settings{}, invalid("pkcs11_library", "too_long", "Đường dẫn tệp thư viện của thiết bị ký số quá dài", "PKCS#11 library path too long")
	}
	if in.ScanMaxFileMB == 0 { // a caller that does not know the field keeps the default
		in.ScanMaxFileMB = DefaultSettings.ScanMaxFileMB
	}
	if ceiling := int(ScanLimits.MaxFileBytes >> 20); in.ScanMaxFileMB < 1 || in.ScanMaxFileMB > ceiling {
		return Settings{}, invalid("scan_max_file_mb", "range", fmt.Sprintf("Dung lượng tối đa của tệp quét phải từ 1 đến %d MB", ceiling),
			fmt.Sprintf("The largest scanned file must be 1 to %d MB", ceiling))
	}
	err := a.write(ctx, actor.Username, func(c *change) error {
		for key, val := range map[string]string{keyIdleLock: strconv.Itoa(in.IdleLockMinutes), keyFourEyes: strconv.FormatBool(in.FourEyes), keyPrinter: in.DefaultPrinter, keyPKCS11: in.PKCS11Library, keyScanMax: strconv.Itoa(in.ScanMaxFileMB)} {
			cur, err := c.q.Setting(key)
			if err != nil && !isNotFound(err) {
				return err
			}
			if err == nil && cur.Value == val {
				continue
			}
			row := store.Setting{Key: key, Value: val, Version: cur.Version + 1, UpdatedAt: c.at}
			if err := c.q.SaveSetting(&row); err != nil {
				return err
			}
			if err := c.record("settings.update", "setting", key, row.Wire(), map[string]string{key: val}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Settings{}, err
	}
	return a.settings(ctx)
}
