package store

import (
	"fmt"
)

// Office reads the office (ErrNotFound before the first-run set-up).
func (q Q) Office() (Office, error) {
	var o Office
	if err := q.db.Limit(1).Find(&o).Error; err != nil {
		return Office{}, fmt.Errorf("read office: %w", err)
	}
	if o.ID == "" {
		return Office{}, ErrNotFound
	}
	return o, nil
}

// InsertOffice saves the office.
func (q Q) InsertOffice(o *Office) error { return q.insert(o, "office") }

// Settings reads every office setting.
func (q Q) Settings() ([]Setting, error) {
	var rows []Setting
	if err := q.db.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return rows, nil
}

// Setting reads one setting.
func (q Q) Setting(key string) (Setting, error) {
	var s Setting
	return s, q.first(&s, "setting "+key, "key = ?", key)
}

// SaveSetting inserts or replaces a setting.
func (q Q) SaveSetting(row *Setting) error {
	if err := q.db.Save(row).Error; err != nil {
		return fmt.Errorf("save setting %s: %w", row.Key, err)
	}
	return nil
}

// InsertSetting adds a setting that must not exist yet.
func (q Q) InsertSetting(row *Setting) error { return q.insert(row, "setting "+row.Key) }
