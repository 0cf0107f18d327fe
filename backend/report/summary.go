// Package report turns the permits of an office (later, of every office the province syncs)
// into the figures leaders ask for and the daily register book. It is shared with the
// provincial server, so it imports only shared packages (store, domain): the register PDF
// takes its fonts as bytes from the caller instead of importing the office's render package.
package report

import (
	"fmt"
	"sort"
	"time"

	"giaydiduong/backend/domain"
	"giaydiduong/backend/store"
)

// Channels of the reports: how a permit was issued and signed.
const (
	ChannelWalkInDigital = "walk_in_digital" // issued here, signed with a leader's token
	ChannelWalkInHand    = "walk_in_hand"    // issued here, signed and stamped by hand
	ChannelPaper         = "paper_backfill"  // issued on paper, entered afterwards
)

var channelLabels = map[string]string{
	ChannelWalkInDigital: "Cấp tại bộ phận một cửa, ký số",
	ChannelWalkInHand:    "Cấp tại bộ phận một cửa, ký tay",
	ChannelPaper:         domain.PaperPermitMark,
}

var statusLabels = map[string]string{
	string(domain.PermitSigned):       "Đã ký số",
	string(domain.PermitAwaitingHand): "Chờ ký tay",
	string(domain.PermitHandSigned):   "Đã ký tay",
	string(domain.PermitIssued):       "Đã giao",
	string(domain.PermitRevoked):      "Đã thu hồi",
}

// ChannelOf is a permit's report channel.
func ChannelOf(channel, signatureKind string) string {
	switch {
	case channel == domain.ChannelPaperBackfill:
		return ChannelPaper
	case signatureKind == "digital":
		return ChannelWalkInDigital
	default:
		return ChannelWalkInHand
	}
}

// Labels name units and purposes in Vietnamese; a code without a label is shown as is.
type Labels struct {
	Units    map[string]string
	Purposes map[string]string
}

// Bucket is one line of a breakdown.
type Bucket struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int64  `json:"count"`
}

// Summary is the permits of a period by day, unit, purpose, status and channel.
type Summary struct {
	From      string   `json:"from"`
	To        string   `json:"to"`
	Total     int64    `json:"total"`
	ByDay     []Bucket `json:"by_day"`
	ByUnit    []Bucket `json:"by_unit"`
	ByPurpose []Bucket `json:"by_purpose"`
	ByStatus  []Bucket `json:"by_status"`
	ByChannel []Bucket `json:"by_channel"`
}

// ParsePeriod checks a report period (YYYY-MM-DD, both ends included).
func ParsePeriod(from, to string) error {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return fmt.Errorf("ngày bắt đầu %q không hợp lệ (yyyy-MM-dd)", from)
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return fmt.Errorf("ngày kết thúc %q không hợp lệ (yyyy-MM-dd)", to)
	}
	if t.Before(f) {
		return fmt.Errorf("ngày kết thúc %s trước ngày bắt đầu %s", to, from)
	}
	return nil
}

// Summarize reads the grouped counts of a period and sums them.
func Summarize(q store.Q, from, to string, labels Labels) (Summary, error) {
	if err := ParsePeriod(from, to); err != nil {
		return Summary{}, err
	}
	counts, err := q.PermitCounts(from, to)
	if err != nil {
		return Summary{}, err
	}
	return Aggregate(counts, from, to, labels), nil
}

// Aggregate sums grouped counts into the breakdowns; pure, so the server can run it over
// another office's rows.
func Aggregate(counts []store.PermitCount, from, to string, labels Labels) Summary {
	day, unit, purpose, status, channel := map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	s := Summary{From: from, To: to}
	for _, c := range counts {
		s.Total += c.Count
		day[c.IssuedOn] += c.Count
		unit[c.UnitCode] += c.Count
		purpose[c.PurposeCode] += c.Count
		status[c.Status] += c.Count
		channel[ChannelOf(c.Channel, c.SignatureKind)] += c.Count
	}
	s.ByDay = buckets(day, nil, true)
	s.ByUnit = buckets(unit, labels.Units, false)
	s.ByPurpose = buckets(purpose, labels.Purposes, false)
	s.ByStatus = buckets(status, statusLabels, false)
	s.ByChannel = buckets(channel, channelLabels, false)
	return s
}

// buckets orders by key (days) or by count, largest first.
func buckets(m map[string]int64, labels map[string]string, byKey bool) []Bucket {
	out := make([]Bucket, 0, len(m))
	for k, n := range m {
		l := labels[k]
		if l == "" {
			l = k
		}
		out = append(out, Bucket{Key: k, Label: l, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if !byKey && out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}
