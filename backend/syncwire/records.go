package syncwire

// Office-owned records.

// Application is a citizen's application.
type Application struct {
	ID                   string `json:"id"`
	Version              int64  `json:"version"`
	OfficeUnitCode       string `json:"office_unit_code"`
	Status               string `json:"status"`
	FullName             string `json:"full_name"`
	BirthDate            string `json:"birth_date"`
	Gender               string `json:"gender"`
	IDNumber             string `json:"id_number"`
	Phone                string `json:"phone"`
	ResidenceCommuneCode string `json:"residence_commune_code"`
	ResidenceStreet      string `json:"residence_street"`
	Workplace            string `json:"workplace"`
	PurposeCode          string `json:"purpose_code"`
	RouteFrom            string `json:"route_from"`
	RouteTo              string `json:"route_to"`
	VehicleType          string `json:"vehicle_type"`
	VehiclePlate         string `json:"vehicle_plate"`
	ValidFrom            string `json:"valid_from"`
	ValidTo              string `json:"valid_to"`
	Note                 string `json:"note"`
	RejectReason         string `json:"reject_reason"`
	RulesVersion         int    `json:"rules_version"`
	CreatedBy            string `json:"created_by"`
	DecidedBy            string `json:"decided_by"`
	DecidedAt            string `json:"decided_at"`
	CreatedAt            string `json:"created_at"`
	UpdatedAt            string `json:"updated_at"`
}

// Key identifies this version.
func (r Application) Key() (Kind, string, int64) { return KindApplication, r.ID, r.Version }

// Permit is an issued permit.
type Permit struct {
	ID             string `json:"id"`
	Version        int64  `json:"version"`
	Number         string `json:"number"`
	UnitCode       string `json:"unit_code"`
	Year           int    `json:"year"`
	Seq            int    `json:"seq"`
	ApplicationID  string `json:"application_id"`
	Status         string `json:"status"`
	QR             string `json:"qr"`
	KeyID          string `json:"key_id"`
	SignatureKind  string `json:"signature_kind"`
	SignerName     string `json:"signer_name"`
	SignerTitle    string `json:"signer_title"`
	IssuedAt       string `json:"issued_at"`
	IssuedBy       string `json:"issued_by"`
	HandSignedAt   string `json:"hand_signed_at"`
	HandSignedBy   string `json:"hand_signed_by"`
	HandSignedPage string `json:"hand_signed_page"` // the scan page the signed copy is
	HandedOverBy   string `json:"handed_over_by"`
	HandedOverAt   string `json:"handed_over_at"`
	RevokedAt      string `json:"revoked_at"`
	RevokeReason   string `json:"revoke_reason"`
	RevokedBy      string `json:"revoked_by"`
	SignedAt       string `json:"signed_at"`
	SignedBy       string `json:"signed_by"`
	SignedPDF      string `json:"signed_pdf"`   // SHA-256 of the token-signed PDF
	Channel        string `json:"channel"`      // walk_in or paper_backfill
	PaperNumber    string `json:"paper_number"` // a paper permit's own number
	IssuedOn       string `json:"issued_on"`    // YYYY-MM-DD, Vietnam
	PurposeCode    string `json:"purpose_code"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

// Key identifies this version.
func (r Permit) Key() (Kind, string, int64) { return KindPermit, r.ID, r.Version }

// AuditEvent is one event of the office's hash-chained log, exactly as chained.
type AuditEvent struct {
	Seq      int64  `json:"seq"`
	ID       string `json:"id"`
	At       string `json:"at"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
	Data     string `json:"data"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Key identifies the event; an event never changes, so it has one version.
func (r AuditEvent) Key() (Kind, string, int64) { return KindAuditEvent, r.ID, 1 }

// SigningKeyRequest is a key enrolled at the office, asking to join the provincial trust list.
type SigningKeyRequest struct {
	KeyID        string `json:"key_id"`
	Version      int64  `json:"version"`
	Kind         string `json:"kind"` // office, fido, pkcs11
	Algorithm    string `json:"algorithm"`
	PublicKey    string `json:"public_key"` // PEM
	Officer      string `json:"officer"`
	UnitCode     string `json:"unit_code"`
	UserID       string `json:"user_id"`
	CredentialID []byte `json:"credential_id"`
	Protocol     string `json:"protocol"`
	Certificate  []byte `json:"certificate"` // X.509 DER
	TokenLabel   string `json:"token_label"`
	ValidFrom    string `json:"valid_from"`
	ValidTo      string `json:"valid_to"`
	CreatedAt    string `json:"created_at"`
}

// Key identifies this version.
func (r SigningKeyRequest) Key() (Kind, string, int64) { return KindSigningKey, r.KeyID, r.Version }

// ScanPage is one scanned page of a hand-signed permit: attached to the permit, in the
// office's review queue, or discarded; its image is the blob named by SHA256.
type ScanPage struct {
	ID            string `json:"id"`
	Version       int64  `json:"version"`
	UnitCode      string `json:"unit_code"`
	PermitID      string `json:"permit_id"` // "" unless attached
	Status        string `json:"status"`    // attached, review, discarded
	Reason        string `json:"reason"`    // why it waits for review
	Page          int    `json:"page"`      // in the scanned file
	SourceName    string `json:"source_name"`
	SourceSHA256  string `json:"source_sha256"`
	MediaType     string `json:"media_type"`
	SHA256        string `json:"sha256"` // the stored page ("" when it could not be read)
	ThumbSHA256   string `json:"thumb_sha256"`
	ScannedBy     string `json:"scanned_by"`
	DecidedBy     string `json:"decided_by"`
	DecidedAt     string `json:"decided_at"`
	DiscardReason string `json:"discard_reason"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

// Key identifies this version.
func (r ScanPage) Key() (Kind, string, int64) { return KindScanPage, r.ID, r.Version }

// Office is the office itself.
type Office struct {
	ID         string `json:"id"`
	Version    int64  `json:"version"`
	Name       string `json:"name"`
	AgencyKind string `json:"agency_kind"`
	UnitCode   string `json:"unit_code"`
	Demo       bool   `json:"demo"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

// Key identifies this version.
func (r Office) Key() (Kind, string, int64) { return KindOffice, r.ID, r.Version }

// Setting is one office setting.
type Setting struct {
	Name      string `json:"key"`
	Value     string `json:"value"`
	Version   int64  `json:"version"`
	UpdatedAt string `json:"updated_at"`
}

// Key identifies this version.
func (r Setting) Key() (Kind, string, int64) { return KindSetting, r.Name, r.Version }

// Province-owned records.

// Unit is an administrative unit.
type Unit struct {
	Code       string `json:"code"`
	Version    int64  `json:"version"`
	Name       string `json:"name"`
	Level      string `json:"level"`
	ParentCode string `json:"parent_code"`
	Type       string `json:"type"`
}

// Key identifies this version.
func (r Unit) Key() (Kind, string, int64) { return KindUnit, r.Code, r.Version }

// Account is a user account. An office's own accounts never send their password hash (the
// office does not push accounts); an account the province creates carries its argon2id hash
// down to its unit's offices (never the password), signed with the record.
type Account struct {
	ID        string `json:"id"`
	Version   int64  `json:"version"`
	Username  string `json:"username"`
	FullName  string `json:"full_name"`
	Title     string `json:"title"`
	Role      string `json:"role"`
	Active    bool   `json:"active"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	// Added for the province's accounts feed.
	UnitCode     string `json:"unit_code"`
	PasswordHash string `json:"password_hash"`
}

// Key identifies this version.
func (r Account) Key() (Kind, string, int64) { return KindAccount, r.ID, r.Version }

// Role is a role and the actions it allows.
type Role struct {
	Code        string   `json:"code"`
	Version     int64    `json:"version"`
	VI          string   `json:"vi"`
	EN          string   `json:"en"`
	Permissions []string `json:"permissions"` // sorted
}

// Key identifies this version.
func (r Role) Key() (Kind, string, int64) { return KindRole, r.Code, r.Version }

// Purpose is a reason to travel that the rules allow.
type Purpose struct {
	Code string `json:"code"`
	VI   string `json:"vi"`
	EN   string `json:"en"`
}

// Rules is one version of a unit's locality rules.
type Rules struct {
	ID              string    `json:"id"`
	Version         int64     `json:"version"`
	UnitCode        string    `json:"unit_code"`
	RuleVersion     int       `json:"rule_version"`
	PermitsRequired bool      `json:"permits_required"`
	Purposes        []Purpose `json:"purposes"`
	MaxDays         int       `json:"max_days"`
	CurfewStart     string    `json:"curfew_start"`
	CurfewEnd       string    `json:"curfew_end"`
	UpdatedBy       string    `json:"updated_by"`
	CreatedAt       string    `json:"created_at"`
	// EffectiveFrom is the day (YYYY-MM-DD, Vietnam) the version takes effect; the province
	// publishes it ahead so offline offices hold it in time. "" = at once.
	EffectiveFrom string `json:"effective_from"`
}

// Key identifies this version.
func (r Rules) Key() (Kind, string, int64) { return KindRules, r.ID, r.Version }

// TrustList is a provincial trust and revocation bundle, as signed by the province.
type TrustList struct {
	ID                 string `json:"id"`
	Version            int64  `json:"version"`
	RootFingerprint    string `json:"root_fingerprint"`
	Bundle             []byte `json:"bundle"` // the signed file itself
	TrustIssuedAt      string `json:"trust_issued_at"`
	RevocationIssuedAt string `json:"revocation_issued_at"`
}

// Key identifies this version.
func (r TrustList) Key() (Kind, string, int64) { return KindTrustList, r.ID, r.Version }

// Revocation withdraws one permit.
type Revocation struct {
	Number    string `json:"number"`
	Version   int64  `json:"version"`
	UnitCode  string `json:"unit_code"`
	Reason    string `json:"reason"`
	RevokedAt string `json:"revoked_at"`
	RevokedBy string `json:"revoked_by"`
}

// Key identifies this version.
func (r Revocation) Key() (Kind, string, int64) { return KindRevocation, r.Number, r.Version }
