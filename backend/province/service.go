// Package province holds the provincial server's use cases: setting up the province's
// authority, creating offices and their one-time codes, enrolling an office's key, and
// deciding per request whether an office certificate still speaks for its office. HTTP,
// the CLI and tests call these; none of them holds a rule.
package province

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/auth"
	"giaydiduong/backend/pki"
)

// RootKeyFile is the sealed provincial root key inside the data directory.
const RootKeyFile = "root-key.pem"

// Service is the province's service layer over its database. It holds no state of its own
// beyond the unlocked online keys, so any number of instances can share one database.
type Service struct {
	db      *gorm.DB
	dialect Dialect
	// Now is the clock; tests move it.
	Now func() time.Time
	Log *slog.Logger

	mu       sync.RWMutex
	unlocked *onlineKeys
	// root is the provincial root key when this instance holds it (UseRoot), for signing
	// audit receipts and lists.
	root pki.RootKey
}

// onlineKeys are what serving needs: the office CA and the TLS identity.
type onlineKeys struct {
	root     *x509.Certificate
	rootHash string
	ca       pki.Authority
	server   tls.Certificate
}

// New wraps an open, migrated database.
func New(db *gorm.DB, d Dialect) *Service {
	return &Service{db: db, dialect: d, Now: time.Now, Log: slog.Default()}
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// DB is the database, for maintenance commands and tests.
func (s *Service) DB() *gorm.DB { return s.db }

// Dialect is the engine the service runs on.
func (s *Service) Dialect() Dialect { return s.dialect }

// write runs fn in one transaction with the actor's audit event(s) beside the change.
func (s *Service) write(ctx context.Context, fn func(tx *gorm.DB, at time.Time) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(tx, s.now())
	})
}

func (s *Service) audit(tx *gorm.DB, at time.Time, actor, action, entity, id string, details any) error {
	if err := lockAuditHead(tx, s.dialect); err != nil {
		return err
	}
	return audit.Append(tx, at, actor, action, entity, id, details)
}

// InitInput sets up a province.
type InitInput struct {
	ProvinceName   string   `json:"province_name"`
	AdminUsername  string   `json:"admin_username"`
	AdminFullName  string   `json:"admin_full_name"`
	AdminPassword  string   `json:"-"`
	RootPassphrase string   `json:"-"`
	CAPassphrase   string   `json:"-"`
	ServerHosts    []string `json:"server_hosts"`
	// RootKeyPath is where the sealed root key is written (the data directory's RootKeyFile).
	RootKeyPath string `json:"-"`
	// Root, when set, is a root key already made elsewhere (in a PKCS#11 token); the file
	// and its passphrase are then not used.
	Root pki.RootKey `json:"-"`
}

// InitResult is what init reports.
type InitResult struct {
	ProvinceName string    `json:"province_name"`
	Admin        string    `json:"admin"`
	RootKeyHash  string    `json:"root_key_hash"`
	RootNotAfter time.Time `json:"root_not_after"`
	CANotAfter   time.Time `json:"ca_not_after"`
	ServerHosts  []string  `json:"server_hosts"`
	RootKeyFile  string    `json:"root_key_file,omitempty"`
	RootKeyStore string    `json:"root_key_store"`
}

// Init creates the provincial root key (sealed in a file under the root passphrase), the
// online office CA and the server's TLS certificate (sealed in the database under the CA
// passphrase), and the first provincial admin, all at once: a second init is refused.
func (s *Service) Init(ctx context.Context, in InitInput) (InitResult, error) {
	in.AdminUsername = strings.TrimSpace(in.AdminUsername)
	in.ProvinceName = strings.TrimSpace(in.ProvinceName)
	switch {
	case in.AdminUsername == "":
		return InitResult{}, newErr(KindInvalid, "Thiếu tên đăng nhập của quản trị viên tỉnh (--admin)", "The provincial admin's username is missing (--admin)")
	case len(in.AdminPassword) < auth.MinPasswordLen:
		return InitResult{}, newErr(KindInvalid, fmt.Sprintf("Mật khẩu quản trị (GDD_PASSWORD) phải có ít nhất %d ký tự", auth.MinPasswordLen), fmt.Sprintf("The admin password (GDD_PASSWORD) must have at least %d characters", auth.MinPasswordLen))
	case in.Root == nil && len(in.RootPassphrase) < pki.MinPassphraseLen:
		return InitResult{}, newErr(KindInvalid, fmt.Sprintf("Cụm mật khẩu khoá gốc (GDD_ROOT_PASSPHRASE) phải có ít nhất %d ký tự", pki.MinPassphraseLen), fmt.Sprintf("The root key passphrase (GDD_ROOT_PASSPHRASE) must have at least %d characters", pki.MinPassphraseLen))
	case len(in.CAPassphrase) < pki.MinPassphraseLen:
		return InitResult{}, newErr(KindInvalid, fmt.Sprintf("Cụm mật khẩu CA (GDD_CA_PASSPHRASE) phải có ít nhất %d ký tự", pki.MinPassphraseLen), fmt.Sprintf("The CA passphrase (GDD_CA_PASSPHRASE) must have at least %d characters", pki.MinPassphraseLen))
	case in.CAPassphrase == in.RootPassphrase:
		return InitResult{}, newErr(KindInvalid, "Cụm mật khẩu CA phải khác cụm mật khẩu khoá gốc", "The CA passphrase must differ from the root key's")
	case len(in.ServerHosts) == 0:
		return InitResult{}, newErr(KindInvalid, "Thiếu tên máy chủ cho chứng thư TLS (--host)", "The server's host names for its TLS certificate are missing (--host)")
	}
	if in.ProvinceName == "" {
		in.ProvinceName = "GiayDiDuong"
	}
	if _, ok, err := readAuthority(s.db.WithContext(ctx)); err != nil {
		return InitResult{}, err
	} else if ok {
		return InitResult{}, newErr(KindConflict, "Máy chủ tỉnh đã được khởi tạo", "The provincial server is already set up")
	}
	at := s.now()
	rootKey := in.Root
	if rootKey == nil {
		k, err := s.loadOrCreateRootKey(in.RootKeyPath, in.RootPassphrase)
		if err != nil {
			return InitResult{}, err
		}
		rootKey = pki.NewFileRoot(k)
	} else {
		in.RootKeyPath = ""
	}
	rootCert, err := pki.NewRoot(rootKey, in.ProvinceName, at)
	if err != nil {
		return InitResult{}, err
	}
	root := pki.Authority{Cert: rootCert, Key: rootKey}
	caKey, err := pki.NewKey()
	if err != nil {
		return InitResult{}, err
	}
	caCert, err := pki.NewOfficeCA(root, caKey.Public(), in.ProvinceName, at)
	if err != nil {
		return InitResult{}, err
	}
	serverKey, err := pki.NewKey()
	if err != nil {
		return InitResult{}, err
	}
	serverCert, err := pki.NewServerCert(pki.Authority{Cert: caCert, Key: caKey}, serverKey.Public(), in.ServerHosts, at)
	if err != nil {
		return InitResult{}, err
	}
	sealedCA, err := pki.EncryptKey(caKey, in.CAPassphrase)
	if err != nil {
		return InitResult{}, err
	}
	sealedServer, err := pki.EncryptKey(serverKey, in.CAPassphrase)
	if err != nil {
		return InitResult{}, err
	}
	rootHash, err := pki.KeyHash(rootKey.Public())
	if err != nil {
		return InitResult{}, err
	}
	hash, err := auth.HashPassword(in.AdminPassword)
	if err != nil {
		return InitResult{}, err
	}
	err = s.write(ctx, func(tx *gorm.DB, at time.Time) error {
		a := authorityRow{ID: 1, ProvinceName: in.ProvinceName, RootCert: string(pki.EncodeCerts(rootCert)), RootKeyHash: rootHash,
			CACert: string(pki.EncodeCerts(caCert)), CAKey: string(sealedCA), ServerCert: string(pki.EncodeCerts(serverCert)), ServerKey: string(sealedServer), CreatedAt: at,
			RootKeyStore: rootKey.Store()}
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("save the authority: %w", err)
		}
		admin := adminRow{ID: newID(), Username: in.AdminUsername, FullName: strings.TrimSpace(in.AdminFullName), PasswordHash: hash, CreatedAt: at}
		if err := tx.Create(&admin).Error; err != nil {
			return fmt.Errorf("create the admin: %w", err)
		}
		actor := "cli:init"
		if err := s.audit(tx, at, actor, "province.init", "authority", "1", map[string]any{"province": in.ProvinceName, "root_key_hash": rootHash, "ca_serial": caCert.SerialNumber.Text(16), "server_hosts": in.ServerHosts, "root_key_store": rootKey.Store()}); err != nil {
			return err
		}
		return s.audit(tx, at, actor, "admin.create", "admin", admin.ID, map[string]string{"username": admin.Username})
	})
	if err != nil {
		return InitResult{}, err
	}
	s.setRoot(rootKey)
	return InitResult{ProvinceName: in.ProvinceName, Admin: in.AdminUsername, RootKeyHash: rootHash, RootNotAfter: rootCert.NotAfter, CANotAfter: caCert.NotAfter, ServerHosts: in.ServerHosts, RootKeyFile: in.RootKeyPath, RootKeyStore: rootKey.Store()}, nil
}

// loadOrCreateRootKey reuses a root key left by an init whose database commit failed (it
// opens with the same passphrase), else seals a new one in a file only the owner can read.
func (s *Service) loadOrCreateRootKey(path, passphrase string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := pki.DecryptKey(data, passphrase)
		if err != nil {
			return nil, &Error{Kind: KindConflict, VI: "Đã có tệp khoá gốc " + path + " nhưng không mở được bằng cụm mật khẩu này", EN: "A root key file already exists and does not open with this passphrase", cause: err}
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read root key: %w", err)
	}
	k, err := pki.NewKey()
	if err != nil {
		return nil, err
	}
	sealed, err := pki.EncryptKey(k, passphrase)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create root key file: %w", err)
	}
	if _, err := f.Write(sealed); err != nil {
		f.Close()
		return nil, fmt.Errorf("write root key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write root key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write root key file: %w", err)
	}
	return k, nil
}

// Unlock opens the online keys with the CA passphrase; serving needs them.
func (s *Service) Unlock(ctx context.Context, caPassphrase string) error {
	a, ok, err := readAuthority(s.db.WithContext(ctx))
	if err != nil {
		return err
	}
	if !ok {
		return newErr(KindUnavailable, "Máy chủ tỉnh chưa được khởi tạo (gdd-server init)", "The provincial server is not set up yet (gdd-server init)")
	}
	root, err := pki.ParseCert([]byte(a.RootCert))
	if err != nil {
		return fmt.Errorf("root certificate: %w", err)
	}
	caCert, err := pki.ParseCert([]byte(a.CACert))
	if err != nil {
		return fmt.Errorf("CA certificate: %w", err)
	}
	caKey, err := pki.DecryptKey([]byte(a.CAKey), caPassphrase)
	if err != nil {
		return &Error{Kind: KindUnauthenticated, VI: "Không mở được khoá CA: sai cụm mật khẩu (GDD_CA_PASSPHRASE)", EN: "Cannot open the CA key: wrong passphrase (GDD_CA_PASSPHRASE)", cause: err}
	}
	serverCert, err := pki.ParseCert([]byte(a.ServerCert))
	if err != nil {
		return fmt.Errorf("server certificate: %w", err)
	}
	serverKey, err := pki.DecryptKey([]byte(a.ServerKey), caPassphrase)
	if err != nil {
		return &Error{Kind: KindUnauthenticated, VI: "Không mở được khoá TLS của máy chủ", EN: "Cannot open the server's TLS key", cause: err}
	}
	k := &onlineKeys{root: root, rootHash: a.RootKeyHash, ca: pki.Authority{Cert: caCert, Key: caKey}}
	// The whole chain up to the root goes in the handshake: an office enrolling checks the
	// root against the pin in its code before it holds the root.
	k.server = tls.Certificate{Certificate: [][]byte{serverCert.Raw, caCert.Raw, root.Raw}, PrivateKey: serverKey, Leaf: serverCert}
	s.mu.Lock()
	s.unlocked = k
	s.mu.Unlock()
	return nil
}

func (s *Service) keys() (*onlineKeys, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.unlocked == nil {
		return nil, newErr(KindUnavailable, "Máy chủ chưa mở khoá CA", "The server has not unlocked its CA")
	}
	return s.unlocked, nil
}

// ServerCertificate is the TLS identity (with the chain to the root).
func (s *Service) ServerCertificate() (tls.Certificate, error) {
	k, err := s.keys()
	if err != nil {
		return tls.Certificate{}, err
	}
	return k.server, nil
}

// ClientCAs is the pool office certificates must chain to.
func (s *Service) ClientCAs() (*x509.CertPool, error) {
	k, err := s.keys()
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	p.AddCert(k.ca.Cert)
	return p, nil
}

// RootKeyHash is the provincial root's key hash, what enrollment codes pin.
func (s *Service) RootKeyHash(ctx context.Context) (string, error) {
	a, ok, err := readAuthority(s.db.WithContext(ctx))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", newErr(KindUnavailable, "Máy chủ tỉnh chưa được khởi tạo (gdd-server init)", "The provincial server is not set up yet (gdd-server init)")
	}
	return a.RootKeyHash, nil
}

// Ready reports whether this instance can serve: the database answers and the CA is open.
func (s *Service) Ready(ctx context.Context) error {
	if _, err := s.keys(); err != nil {
		return err
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
