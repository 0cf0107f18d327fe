package app

import (
	"bytes"
	"reflect"
	"testing"

	"giaydiduong/backend/audit"
	"giaydiduong/backend/syncwire"
)

func TestRetentionPurgeRemovesPersonalDataAndKeepsStatistics(t *testing.T) {
	f := newFixture(t)
	file, _ := backfillWorkbook(t, f, 40, 0) // August 2021 papers: long expired
	if rep, err := f.ImportBackfill(f.ctx, f.clerk, bytes.NewReader(file), true, nil); err != nil || rep.Added != 40 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	paper, err := f.BackfillPermit(f.ctx, f.clerk, paperForm(f, "900/GĐĐ"), &PaperScan{Name: "900.jpg", Data: paperCopyJPEG(t, 245)})
	if err != nil {
		t.Fatal(err)
	}
	current, err := f.IssuePermit(f.ctx, f.clerk, f.approved(t).ID) // valid now: kept
	if err != nil {
		t.Fatal(err)
	}
	before, err := f.ReportSummary(f.ctx, f.clerk, "2021-01-01", "2030-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.RunPurge(f.ctx, f.clerk); codeOf(err) != CodeForbidden {
		t.Fatalf("clerk purge: %v", err)
	}
	if _, err := f.SetRetentionDays(f.ctx, f.admin, 0); codeOf(err) != CodeValidation {
		t.Fatalf("0 days: %v", err)
	}
	res, err := f.RunPurge(f.ctx, f.admin)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applications != 41 || res.Permits != 41 || res.ScanPages != 1 || res.Blobs != 2 || res.RetentionDays != DefaultRetentionDays {
		t.Fatalf("purge: %+v", res)
	}
	after, err := f.ReportSummary(f.ctx, f.clerk, "2021-01-01", "2030-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("statistics changed:\n%+v\n%+v", before, after)
	}
	// Personal fields gone from every purged application and permit; the current one kept.
	var left int64
	f.DB().Table("applications").Where("purged_at IS NOT NULL AND (full_name <> '' OR id_number <> '' OR phone <> '' OR residence_street <> '' OR birth_date <> '')").Count(&left)
	if left != 0 {
		t.Fatalf("%d purged applications still hold personal data", left)
	}
	var kept, recent int64
	f.DB().Table("applications").Where("purged_at IS NULL AND full_name <> ''").Count(&kept)
	f.DB().Table("applications").Where("valid_to >= ?", res.ExpiredBefore).Count(&recent)
	if kept != recent || kept == 0 {
		t.Fatalf("%d applications kept, want the %d not expired long enough", kept, recent)
	}
	f.DB().Table("permits").Where("channel = 'walk_in' AND qr = ''").Count(&left)
	if left != 0 {
		t.Fatal("the current permit lost its QR")
	}
	if pg, err := f.PermitScan(f.ctx, f.clerk, paper.Number); err != nil || pg == nil || pg.BlobSHA256 != nil {
		t.Fatalf("scan page after purge: %+v %v", pg, err)
	}
	var blobs int64
	f.DB().Table("blobs").Count(&blobs)
	if blobs != 0 {
		t.Fatalf("%d blobs left", blobs)
	}
	// Audited, the chain intact, and one purge record queued for the province.
	var events int64
	f.DB().Table("audit_events").Where("action = 'retention.purge'").Count(&events)
	if events != 1 {
		t.Fatalf("%d purge events", events)
	}
	if rep, err := audit.Verify(f.ctx, f.DB()); err != nil || !rep.OK {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
	var recs [][]byte
	f.DB().Table("outbox").Where("entity = ?", string(syncwire.KindPurge)).Pluck("record", &recs)
	if len(recs) != 1 {
		t.Fatalf("%d purge records queued", len(recs))
	}
	rec, err := syncwire.Decode(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	if p := rec.(*syncwire.Purge); len(p.ApplicationIDs) != 41 || len(p.ScanPageIDs) != 1 {
		t.Fatalf("purge record: %+v", p)
	}
	// A second run finds nothing; the current permit stays listed.
	if res, err := f.RunPurge(f.ctx, f.admin); err != nil || res.Applications != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
	if _, err := f.GetPermit(f.ctx, f.clerk, current.Number); err != nil {
		t.Fatal(err)
	}
}
