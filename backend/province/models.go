package province

import "time"

// Rows of the server's tables. Every time is UTC.

type authorityRow struct {
	ID           int `gorm:"primaryKey"`
	ProvinceName string
	RootCert     string
	RootKeyHash  string
	CACert       string
	CAKey        string
	ServerCert   string
	ServerKey    string
	CreatedAt    time.Time
	RootKeyStore string
}

func (authorityRow) TableName() string { return "authority" }

type adminRow struct {
	ID           string `gorm:"primaryKey"`
	Username     string
	FullName     string
	PasswordHash string
	CreatedAt    time.Time
}

func (adminRow) TableName() string { return "admins" }

// Office statuses.
const (
	OfficePending = "pending" // created, not enrolled yet
	OfficeActive  = "active"
	OfficeRevoked = "revoked"
)

type officeRow struct {
	ID        string `gorm:"primaryKey"`
	UnitCode  string
	Name      string
	Status    string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (officeRow) TableName() string { return "offices" }

type enrollmentCodeRow struct {
	Selector       string `gorm:"primaryKey"`
	SecretHash     string
	OfficeID       string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	FailedAttempts int
	UsedAt         *time.Time
	KeyHash        *string
	CertSerial     *string
}

func (enrollmentCodeRow) TableName() string { return "enrollment_codes" }

type officeCertRow struct {
	Serial       string `gorm:"primaryKey"`
	OfficeID     string
	KeyHash      string
	Cert         string
	NotBefore    time.Time
	NotAfter     time.Time
	IssuedAt     time.Time
	RevokedAt    *time.Time
	RevokeReason string
}

func (officeCertRow) TableName() string { return "office_certificates" }

type enrollFailureRow struct {
	ID     string `gorm:"primaryKey"`
	Client string
	At     time.Time
}

func (enrollFailureRow) TableName() string { return "enroll_failures" }

type officeRecordRow struct {
	Entity     string `gorm:"primaryKey"`
	EntityID   string `gorm:"primaryKey"`
	Version    int64  `gorm:"primaryKey"`
	Hash       string
	OfficeID   string
	UnitCode   string
	Body       []byte
	ReceivedAt time.Time
}

func (officeRecordRow) TableName() string { return "office_records" }

type pushQuarantineRow struct {
	ID         string `gorm:"primaryKey"`
	OfficeID   string
	Status     string
	Entity     string
	EntityID   string
	Version    int64
	Hash       string
	Reason     string
	Body       []byte
	ReceivedAt time.Time
}

func (pushQuarantineRow) TableName() string { return "push_quarantine" }
