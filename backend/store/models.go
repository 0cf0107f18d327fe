package store

import "time"

// Office is the one office this database belongs to.
type Office struct {
	ID         string
	Version    int64
	Name       string
	AgencyKind string
	UnitCode   string
	UnitName   string // the unit's name when the office chose it
	Demo       bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// User is a local account. The password hash never leaves the office.
type User struct {
	ID           string     `json:"id"`
	Version      int64      `json:"version"`
	Username     string     `json:"username"`
	FullName     string     `json:"full_name"`
	Title        string     `json:"title"`
	Role         string     `json:"role"`
	PasswordHash string     `json:"-"`
	Active       bool       `json:"active"`
	FailedLogins int        `json:"-"`
	LockedUntil  *time.Time `json:"locked_until"`
	// DecideAfter: a new or reset approver decides nothing before it (see app.ApproverHold).
	DecideAfter    *time.Time `json:"decide_after"`
	NoticesSeenSeq int64      `json:"-"` // the last audit event of an account change the user has seen
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// RulesRow is one immutable version of a unit's locality rules.
type RulesRow struct {
	ID              string
	Version         int64
	UnitCode        string
	RuleVersion     int
	PermitsRequired bool
	Purposes        string // JSON array of domain.Purpose
	MaxDays         int
	CurfewStart     string
	CurfewEnd       string
	UpdatedBy       string
	CreatedAt       time.Time
	EffectiveFrom   string // YYYY-MM-DD (Vietnam) the version takes effect; "" at once
}

// TableName is the rules table.
func (RulesRow) TableName() string { return "rules" }

// Application is a walk-in citizen's application as stored.
type Application struct {
	ID                   string     `json:"id"`
	Version              int64      `json:"version"`
	OfficeUnitCode       string     `json:"office_unit_code"`
	OfficeUnitName       string     `json:"office_unit_name"`
	Status               string     `json:"status"`
	FullName             string     `json:"full_name"`
	SearchText           string     `json:"-"`
	BirthDate            string     `json:"birth_date"`
	Gender               string     `json:"gender"`
	IDNumber             string     `json:"id_number"`
	Phone                string     `json:"phone"`
	ResidenceCommuneCode string     `json:"residence_commune_code"`
	ResidenceCommuneName string     `json:"residence_commune_name"` // as of the application's date
	ResidencePlace       string     `json:"residence_place"`        // commune, then its parents, as of that date
	CardAddress          string     `json:"card_address"`           // the ID card's address, as the card gave it
	ResidenceStreet      string     `json:"residence_street"`
	Workplace            string     `json:"workplace"`
	PurposeCode          string     `json:"purpose_code"`
	RouteFrom            string     `json:"route_from"`
	RouteTo              string     `json:"route_to"`
	VehicleType          string     `json:"vehicle_type"`
	VehiclePlate         string     `json:"vehicle_plate"`
	ValidFrom            string     `json:"valid_from"`
	ValidTo              string     `json:"valid_to"`
	Note                 string     `json:"note"`
	RejectReason         string     `json:"reject_reason"`
	RulesVersion         int        `json:"rules_version"`
	CreatedBy            string     `json:"created_by"`
	DecidedBy            *string    `json:"decided_by"`
	DecidedAt            *time.Time `json:"decided_at"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	// PurgedAt is when the retention purge removed its personal data (nil: kept).
	PurgedAt *time.Time `json:"purged_at"`
}

// Setting is one office setting.
type Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	Version   int64
	UpdatedAt time.Time
}

// SigningKey is a key enrolled to sign this office's permits: the office key, or a leader's
// token key (a FIDO credential or a PKCS#11 certificate) bound to an approver.
type SigningKey struct {
	KeyID        string     `gorm:"primaryKey" json:"key_id"`
	Version      int64      `json:"version"`
	Kind         string     `json:"kind"`       // office, fido, pkcs11
	PublicKey    string     `json:"public_key"` // PEM
	Officer      string     `json:"officer"`
	UnitCode     string     `json:"unit_code"`
	UserID       *string    `json:"user_id"`
	Algorithm    string     `json:"algorithm"`     // ES256, or RS256 for an RSA certificate (PDF only)
	CredentialID []byte     `json:"credential_id"` // FIDO credential id (U2F key handle)
	Protocol     string     `json:"protocol"`      // FIDO: ctap2 or u2f
	Certificate  []byte     `json:"certificate"`   // PKCS#11: X.509 DER
	TokenLabel   string     `json:"token_label"`
	ValidFrom    *time.Time `json:"valid_from"`
	ValidTo      *time.Time `json:"valid_to"`
	// FIDO: the highest signature counter seen (a clone of the key repeats or goes back) and
	// the attestation format at enrolment ("none" is a software key's usual answer).
	SignCount         int64  `json:"sign_count"`
	AttestationFormat string `json:"attestation_format"`
	// Protection is how the office key's private half is held: tpm, dpapi or file (office
	// keys only; a token's key never leaves the token).
	Protection string `json:"protection,omitempty"`
	// RetiredAt is set when the office key was replaced (a restored office enrolls a new one).
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Blob is a content-addressed file (a signed permit PDF).
type Blob struct {
	SHA256    string `gorm:"primaryKey;column:sha256"`
	MediaType string
	Size      int64
	Data      []byte
	CreatedAt time.Time
}

// TrustBundle is one imported provincial trust and revocation list.
type TrustBundle struct {
	ID                 int64 `gorm:"primaryKey"`
	RootFingerprint    string
	Bundle             []byte
	TrustIssuedAt      time.Time
	RevocationIssuedAt time.Time
	ImportedAt         time.Time
	ImportedBy         string
	// The lists' sequence numbers and expiries: an import never goes to a lower sequence.
	TrustSequence       uint64
	RevocationSequence  uint64
	TrustExpiresAt      *time.Time
	RevocationExpiresAt *time.Time
}

// Permit is an issued permit as stored.
type Permit struct {
	ID            string     `json:"id"`
	Version       int64      `json:"version"`
	Number        string     `json:"number"`
	UnitCode      string     `json:"unit_code"`
	UnitName      string     `json:"unit_name"`  // the issuing unit as of the issue date
	UnitPlace     string     `json:"unit_place"` // it and its parents, as of that date
	Year          int        `json:"year"`
	Seq           int        `json:"seq"`
	ApplicationID string     `json:"application_id"`
	Status        string     `json:"status"`
	QR            string     `json:"qr" gorm:"column:qr"`
	KeyID         string     `json:"key_id"`
	SignatureKind string     `json:"signature_kind"`
	SignerName    string     `json:"signer_name"`
	SignerTitle   string     `json:"signer_title"`
	IssuedAt      time.Time  `json:"issued_at"`
	IssuedBy      string     `json:"issued_by"`
	HandSignedAt  *time.Time `json:"hand_signed_at"`
	HandedOverAt  *time.Time `json:"handed_over_at"`
	// Who marked the paper hand-signed and from which scanned page (nil when marked by hand
	// without a scan, or before scans existed); who handed it over.
	HandSignedBy   *string    `json:"hand_signed_by"`
	HandSignedPage *string    `json:"hand_signed_page"`
	HandedOverBy   *string    `json:"handed_over_by"`
	RevokedAt      *time.Time `json:"revoked_at"`
	RevokeReason   string     `json:"revoke_reason"`
	RevokedBy      *string    `json:"revoked_by"`
	PrintCount     int        `json:"print_count"`
	SignedAt       *time.Time `json:"signed_at"`
	SignedBy       *string    `json:"signed_by"`
	SignedPDF      string     `json:"signed_pdf" gorm:"column:signed_pdf"` // SHA-256 of the token-signed PDF blob
	Channel        string     `json:"channel"`                             // walk_in, or paper_backfill for a paper permit entered afterwards
	PaperNumber    string     `json:"paper_number"`                        // the number written on a paper permit
	IssuedOn       string     `json:"issued_on"`                           // YYYY-MM-DD, the office's calendar day of issue
	PurposeCode    string     `json:"purpose_code"`                        // the application's, for reports
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}
