package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	names, err := fs.Glob(Migrations(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	var out []int64
	for _, n := range names {
		v, err := strconv.ParseInt(strings.SplitN(n, "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", n, err)
		}
		out = append(out, v)
	}
	return out
}

// seeds put representative rows into a database at each schema version, using only the
// tables that version has; the upgrade must keep every one of them.
var seeds = map[int64][]string{
	1: {
		`INSERT INTO units VALUES ('82','Tỉnh Tiền Giang','province','','Tỉnh'), ('815','Thành phố Mỹ Tho','district','82','Thành phố'), ('28291','Xã Tân Mỹ Chánh','commune','815','Xã')`,
		`INSERT INTO offices VALUES ('o1',1,'UBND Xã Tân Mỹ Chánh','commune_committee','28291',0,'2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00')`,
		`INSERT INTO users (id,version,username,full_name,role,password_hash,created_at,updated_at) VALUES ('u1',1,'canbo','Nguyễn Thị Hà','clerk','x','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00')`,
		`INSERT INTO audit_events VALUES (1,'e1','2026-01-01T00:00:00Z','canbo','user.create','user','u1','{}','0','h1')`,
		`INSERT INTO outbox (entity,entity_id,version,payload,created_at) VALUES ('user','u1',1,'{}','2026-01-01 00:00:00+00:00')`,
	},
	2: {
		`INSERT INTO rules VALUES ('r1',1,'28291',1,1,'[{"code":"work","vi":"Đi làm","en":"Work"}]',14,'18:00','06:00','quantri','2026-01-01 00:00:00+00:00')`,
		`INSERT INTO applications (id,version,office_unit_code,status,full_name,search_text,birth_date,gender,id_number,residence_commune_code,purpose_code,route_from,route_to,vehicle_type,valid_from,valid_to,rules_version,created_by,created_at,updated_at)
		 VALUES ('a1',1,'28291','submitted','Nguyễn Văn Dũng','nguyen van dung 082095001234','1995-03-15','male','082095001234','28291','work','A','B','walk','2026-01-02','2026-01-03',1,'u1','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00')`,
	},
	3: {`INSERT INTO settings VALUES ('four_eyes','false',1,'2026-01-01 00:00:00+00:00')`},
	4: {
		`INSERT INTO signing_keys (key_id,version,kind,public_key,officer,unit_code,created_at) VALUES ('0102030405060708',1,'office','PEM','UBND Xã Tân Mỹ Chánh','28291','2026-01-01 00:00:00+00:00')`,
		`INSERT INTO permit_counters VALUES ('28291',2026,1)`,
		`INSERT INTO permits (id,version,number,unit_code,year,seq,application_id,status,qr,key_id,signature_kind,issued_at,issued_by,created_at,updated_at)
		 VALUES ('p1',1,'28291/2026/000001','28291',2026,1,'a1','awaiting_hand_signature','GDD1:X','0102030405060708','hand','2026-01-01 00:00:00+00:00','u1','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00')`,
	},
	5: {
		`INSERT INTO signing_keys (key_id,version,kind,public_key,officer,unit_code,user_id,algorithm,credential_id,protocol,token_label,valid_from,valid_to,created_at)
		 VALUES ('1112131415161718',1,'fido','PEM','Nguyễn Thị Hà','28291','u1','ES256',X'0a0b','ctap2','YubiKey','2026-01-01 00:00:00+00:00','2031-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00')`,
		`INSERT INTO blobs VALUES ('abc','application/pdf',3,X'255044','2026-01-01 00:00:00+00:00')`,
		`UPDATE permits SET status = 'signed', key_id = '1112131415161718', signature_kind = 'digital', signed_at = '2026-01-01 00:00:00+00:00', signed_by = 'u1', signed_pdf = 'abc' WHERE id = 'p1'`,
	},
	6: {
		`INSERT INTO outbox (entity,entity_id,version,payload,schema_version,record,content_hash,created_at) VALUES ('permit','p1',2,'',1,X'a1',
		 '0f9a','2026-01-02 00:00:00+00:00')`,
	},
	9: {
		`UPDATE users SET decide_after = '2026-01-02 00:00:00+00:00', notices_seen_seq = 1 WHERE id = 'u1'`,
		`UPDATE signing_keys SET sign_count = 42, attestation_format = 'packed' WHERE key_id = '1112131415161718'`,
	},
	7: {
		`INSERT INTO units VALUES ('01'), ('28261')`,
		`INSERT INTO unit_versions (code,name,type,level,parent_code,valid_from) VALUES ('28261','Phường Mỹ Tho','Phường','commune','82','2025-07-01')`,
		`INSERT INTO applications (id,version,office_unit_code,office_unit_name,status,full_name,search_text,birth_date,gender,id_number,residence_commune_code,residence_commune_name,residence_place,purpose_code,route_from,route_to,vehicle_type,valid_from,valid_to,rules_version,created_by,created_at,updated_at)
		 VALUES ('a7',1,'28291','Xã Tân Mỹ Chánh','submitted','Lê Thị Mai','le thi mai 082095001235','1995-03-15','female','082095001235','28261','Phường Mỹ Tho','Phường Mỹ Tho, Tỉnh Đồng Tháp','work','A','B','walk','2026-12-02','2026-12-03',1,'u1','2026-12-01 00:00:00+00:00','2026-12-01 00:00:00+00:00')`,
	},
	8: {
		`INSERT INTO trust_bundles (root_fingerprint,bundle,trust_issued_at,revocation_issued_at,imported_at,imported_by,trust_sequence,revocation_sequence,trust_expires_at,revocation_expires_at)
		 VALUES ('fp',X'7b7d','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00','quantri',7,12,'2026-02-01 00:00:00+00:00','2026-02-01 00:00:00+00:00')`,
		`UPDATE signing_keys SET protection = 'tpm' WHERE kind = 'office'`,
	},
	10: {
		`INSERT INTO blobs VALUES ('pg1','image/jpeg',2,X'ffd8','2026-01-03 00:00:00+00:00')`,
		`INSERT INTO scan_pages (id,version,unit_code,content_sha256,blob_sha256,source_name,source_sha256,source_page,status,permit_id,imported_by,imported_at,created_at,updated_at)
		 VALUES ('s1',1,'28291','pg1','pg1','stack.pdf','f1',1,'attached','p1','u1','2026-01-03 00:00:00+00:00','2026-01-03 00:00:00+00:00','2026-01-03 00:00:00+00:00')`,
		`UPDATE permits SET hand_signed_by = 'u1', hand_signed_page = 's1' WHERE id = 'p1'`,
	},
	12: {
		`UPDATE outbox SET push_status = 'rejected', push_reason = 'another unit', push_attempts = 1, sent_at = '2026-01-03 00:00:00+00:00' WHERE entity_id = 'p1'`,
		`INSERT INTO sync_state VALUES (1,'2026-01-03 00:00:00+00:00','2026-01-03 00:00:00+00:00','')`,
	},
	11: {
		`INSERT INTO applications (id,version,office_unit_code,status,full_name,search_text,birth_date,gender,id_number,residence_commune_code,purpose_code,route_from,route_to,vehicle_type,valid_from,valid_to,rules_version,created_by,created_at,updated_at)
		 VALUES ('a2',1,'28291','approved','Trần Thị Mai','tran thi mai 082185000123','1985-03-12','female','082185000123','28291','work','A','B','walk','2021-08-15','2021-08-21',1,'u1','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00')`,
		`INSERT INTO permits (id,version,number,unit_code,year,seq,application_id,status,qr,key_id,signature_kind,issued_at,issued_by,created_at,updated_at,channel,paper_number,issued_on,purpose_code)
		 VALUES ('p2',1,'TC/2021-08-15/12/GĐĐ','28291',2021,-1,'a2','issued','','','hand','2021-08-14 17:00:00+00:00','u1','2026-01-01 00:00:00+00:00','2026-01-01 00:00:00+00:00','paper_backfill','12/GĐĐ','2021-08-15','work')`,
	},
	16: {
		`INSERT INTO sync_attachment_scan SELECT seq, 1 FROM outbox WHERE entity_id = 'p1' AND version = 2`,
		`INSERT INTO sync_attachments (outbox_seq,sha256,entity,entity_id,version,present,attempts,last_error,updated_at) SELECT seq,'abc','permit','p1',2,1,1,'','2026-01-04 00:00:00+00:00' FROM outbox WHERE entity_id = 'p1' AND version = 2`,
		`INSERT INTO audit_receipts VALUES (1,'h1','o1','28291','2026-01-04T00:00:00Z','rk',X'3045','2026-01-04 00:00:00+00:00')`,
		`INSERT INTO audit_push VALUES (1,1)`,
	},
	15: {
		`INSERT INTO pull_cursors (feed,cursor,gen,in_snapshot,pulled,last_pull_at) VALUES ('accounts','e1.4',1,0,4,'2026-01-04 00:00:00+00:00')`,
		`INSERT INTO pulled_records VALUES ('user','u9','accounts',1,X'a1',X'30',1,'2026-01-04 00:00:00+00:00')`,
		`INSERT INTO pulled_revocations VALUES ('28291/2026/000001','28291','lost','cli:so','2026-01-04 00:00:00+00:00',X'a1',X'30',1)`,
		`UPDATE rules SET effective_from = '2026-01-05'`,
	},
	18: {
		`INSERT INTO account_registrations (id,version,full_name,id_number,title,unit,role,acts_for,has_token,created_by,created_at,updated_at)
		 VALUES ('r1',1,'Trần Văn Bình','082070000456','Chủ tịch','UBND','sign','28291',1,'u1','2026-01-05 00:00:00+00:00','2026-01-05 00:00:00+00:00')`,
		`UPDATE applications SET full_name = '', id_number = '', purged_at = '2026-01-05 00:00:00+00:00' WHERE id = 'a2'`,
	},
}

// checks read back what seeds wrote.
var checks = map[int64]string{
	1:  `SELECT count(*) FROM units u JOIN offices o ON o.unit_code = u.code JOIN users s ON s.username = 'canbo' JOIN audit_events a ON a.id = 'e1' JOIN outbox x ON x.entity_id = 'u1'`,
	2:  `SELECT count(*) FROM applications a JOIN rules r ON r.rule_version = a.rules_version WHERE a.full_name = 'Nguyễn Văn Dũng'`,
	3:  `SELECT count(*) FROM settings WHERE key = 'four_eyes' AND value = 'false'`,
	4:  `SELECT count(*) FROM permits p JOIN permit_counters c ON c.last_seq = p.seq JOIN signing_keys k ON k.key_id = p.key_id JOIN users u ON u.id = p.issued_by AND u.title = ''`,
	7:  `SELECT count(*) FROM applications a JOIN unit_versions v ON v.code = a.residence_commune_code AND v.valid_to = '' WHERE a.id = 'a7' AND a.residence_commune_name = 'Phường Mỹ Tho' AND v.name = 'Phường Mỹ Tho'`,
	5:  `SELECT count(*) FROM permits p JOIN signing_keys k ON k.key_id = p.key_id AND k.user_id = p.signed_by JOIN blobs b ON b.sha256 = p.signed_pdf WHERE k.credential_id = X'0a0b'`,
	6:  `SELECT count(*) FROM outbox o JOIN outbox old ON old.entity_id = 'u1' AND old.schema_version = 0 AND old.payload = '{}' WHERE o.record = X'a1' AND o.content_hash = '0f9a'`,
	9:  `SELECT count(*) FROM users u JOIN signing_keys k ON k.user_id = u.id WHERE u.notices_seen_seq = 1 AND u.decide_after IS NOT NULL AND k.sign_count = 42 AND k.attestation_format = 'packed'`,
	10: `SELECT count(*) FROM scan_pages s JOIN permits p ON p.hand_signed_page = s.id AND s.permit_id = p.id JOIN blobs b ON b.sha256 = s.blob_sha256`,
	8:  `SELECT count(*) FROM trust_bundles b JOIN signing_keys k ON k.protection = 'tpm' WHERE b.trust_sequence = 7 AND b.revocation_sequence = 12`,
	12: `SELECT count(*) FROM outbox o JOIN sync_state s ON s.id = 1 WHERE o.push_status = 'rejected' AND o.push_reason = 'another unit' AND s.last_success_at IS NOT NULL`,
	16: `SELECT count(*) FROM sync_attachments a JOIN sync_attachment_scan s ON s.outbox_seq = a.outbox_seq JOIN blobs b ON b.sha256 = a.sha256 JOIN audit_receipts r ON r.hash = 'h1' JOIN audit_push c ON c.seq = r.seq WHERE a.present = 1`,
	11: `SELECT count(*) FROM permits WHERE channel = 'paper_backfill' AND paper_number = '12/GĐĐ' AND issued_on = '2021-08-15' AND purpose_code = 'work'`,
	15: `SELECT count(*) FROM pull_cursors c JOIN pulled_records r ON r.feed = c.feed JOIN pulled_revocations v ON v.gen = c.gen JOIN rules ru ON ru.effective_from = '2026-01-05' WHERE c.cursor = 'e1.4'`,
	18: `SELECT count(*) FROM account_registrations r JOIN applications a ON a.id = 'a2' AND a.purged_at IS NOT NULL WHERE r.role = 'sign' AND r.has_token = 1`,
}

func TestMigrationUpgradeKeepsData(t *testing.T) {
	ctx := context.Background()
	versions := migrationVersions(t)
	latest := versions[len(versions)-1]
	for _, v := range versions {
		if seeds[v] == nil || checks[v] == "" {
			t.Fatalf("migration %d has no seed data in this test: add rows for its tables", v)
		}
	}
	for _, start := range versions {
		t.Run("from_v"+strconv.FormatInt(start, 10), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "office.db")
			db, err := sql.Open("sqlite3", DSN(path))
			if err != nil {
				t.Fatal(err)
			}
			// Each version's rows are written by that version's schema, as its release did.
			for _, v := range versions {
				if v > start {
					break
				}
				if err := Migrate(ctx, db, v); err != nil {
					t.Fatalf("migrate to %d: %v", v, err)
				}
				for _, stmt := range seeds[v] {
					if _, err := db.Exec(stmt); err != nil {
						t.Fatalf("seed v%d: %v", v, err)
					}
				}
			}
			db.Close()

			// Upgrade the way the app does on start.
			gdb, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("upgrade from %d: %v", start, err)
			}
			defer Close(gdb)
			var got int64
			if err := gdb.Raw(`SELECT max(version_id) FROM goose_db_version`).Scan(&got).Error; err != nil || got != latest {
				t.Fatalf("schema version after upgrade = %d (%v), want %d", got, err, latest)
			}
			for _, v := range versions {
				if v > start {
					break
				}
				var n int64
				if err := gdb.Raw(checks[v]).Scan(&n).Error; err != nil || n == 0 {
					t.Errorf("data written at v%d lost after upgrade from v%d (n=%d, err=%v)", v, start, n, err)
				}
			}
		})
	}
}

// TestUnitVersionsMigration upgrades a database of the release before versioned units: its
// units become the March 2025 version, and every record keeps the unit names of then.
func TestUnitVersionsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "office.db")
	db, err := sql.Open("sqlite3", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{1, 2, 3, 4, 5} {
		if err := Migrate(ctx, db, v); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range seeds[v] {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("seed v%d: %v", v, err)
			}
		}
	}
	db.Close()
	gdb, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(gdb)
	var row struct{ Office, App, Residence, Place, Permit, PermitPlace string }
	err = gdb.Raw(`SELECT o.unit_name AS office, a.office_unit_name AS app, a.residence_commune_name AS residence,
		a.residence_place AS place, p.unit_name AS permit, p.unit_place AS permit_place
		FROM offices o, applications a JOIN permits p ON p.application_id = a.id WHERE a.id = 'a1'`).Scan(&row).Error
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ Office, App, Residence, Place, Permit, PermitPlace string }{"Xã Tân Mỹ Chánh", "Xã Tân Mỹ Chánh", "Xã Tân Mỹ Chánh",
		"Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang", "Xã Tân Mỹ Chánh", "Xã Tân Mỹ Chánh, Thành phố Mỹ Tho, Tỉnh Tiền Giang"}
	if row != want {
		t.Errorf("names after upgrade = %+v, want %+v", row, want)
	}
	q := New(gdb).Read(ctx)
	vs, err := q.UnitVersions()
	if err != nil || len(vs) != 3 || vs[2].Code != "82" && vs[0].ValidTo != "" {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	l, err := q.CurrentUnitList()
	if err != nil || l == nil || l.EffectiveFrom != "2025-03-01" || l.Units != 3 {
		t.Fatalf("current list = %+v, %v", l, err)
	}
}

// TestMigration11FillsReportColumns: permits issued before migration 11 get their issue day
// (Vietnam) and purpose, so reports over the past count them.
func TestMigration11FillsReportColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "office.db")
	db, err := sql.Open("sqlite3", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db, 6); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{1, 2, 3, 4} {
		for _, stmt := range seeds[v] {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
	}
	// 18:30 UTC is already the next day in Vietnam.
	if _, err := db.Exec(`UPDATE permits SET issued_at = '2026-01-01 18:30:00.123456789+00:00'`); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db, 0); err != nil {
		t.Fatal(err)
	}
	var day, purpose, channel string
	if err := db.QueryRow(`SELECT issued_on, purpose_code, channel FROM permits WHERE id = 'p1'`).Scan(&day, &purpose, &channel); err != nil {
		t.Fatal(err)
	}
	if day != "2026-01-02" || purpose != "work" || channel != "walk_in" {
		t.Fatalf("after migration 11: issued_on %q, purpose %q, channel %q", day, purpose, channel)
	}
	db.Close()
}

func TestOpenSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "office.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(db)
	for _, c := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
	} {
		var got string
		if err := db.Raw("PRAGMA " + c.pragma).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %q, want %q", c.pragma, got, c.want)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, want 0600 (office OS account only)", st.Mode().Perm())
	}
	// Foreign keys are enforced, not just declared.
	err = db.Exec(`INSERT INTO offices (id,version,name,agency_kind,unit_code,demo,created_at,updated_at) VALUES ('o1',1,'x','commune_committee','nope',0,?,?)`, time.Now(), time.Now()).Error
	if err == nil {
		t.Error("an office with an unknown unit was accepted: foreign keys are off")
	}
}
