package app

import "gorm.io/gorm"

// DB is the raw database, for tests that count or tamper with rows.
func (a *App) DB() *gorm.DB { return a.st.Gorm() }
