// Package permittest makes realistic permits for tests and benchmarks, the way
// net/http/httptest serves tests of net/http: the QR size figures, the decoder's fuzz seeds
// and the issue → PDF → scan → verify round trip all draw from the same Generator.
package permittest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"giaydiduong/backend/permit"
)

// wellKnownPurposes are the purpose codes the GDD1 format writes as a small integer, in the
// codec's order (permit's wellKnownPurposes; a permit test checks the two agree).
var wellKnownPurposes = []string{"work", "medical", "essential_goods", "essential_service", "public_duty", "funeral", "other"}

// Generator makes realistic permits, deterministically from a seed: common and rare
// Vietnamese names (every tone mark, up to 40 characters), real Tiền Giang communes and
// districts (GSO list of 1 March 2025), hamlets, streets, landmarks, places outside the
// province, Tiền Giang plates. Many syllables are deliberately outside the codec's word list,
// so size measurements are not flattered by it. A Generator is not safe for concurrent use.
type Generator struct {
	r   *rand.Rand
	seq int
}

// NewGenerator returns a generator; the same seed gives the same permits, in the same order.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

type weighted struct {
	v string
	w int
}

// Surnames with rough national frequencies (per mille), then rarer ones.
var genSurnames = []weighted{
	{"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95}, {"Phạm", 70}, {"Huỳnh", 50}, {"Hoàng", 20},
	{"Phan", 45}, {"Võ", 40}, {"Vũ", 10}, {"Đặng", 20}, {"Bùi", 20}, {"Đỗ", 14}, {"Hồ", 13},
	{"Ngô", 13}, {"Dương", 10}, {"Lý", 5}, {"Trương", 8}, {"Lâm", 6}, {"Đoàn", 5}, {"Châu", 4},
	{"Thạch", 3}, {"Kha", 2}, {"Khổng", 1}, {"Doãn", 1}, {"Âu", 2}, {"Lữ", 2}, {"Mạc", 1},
	{"Nghiêm", 1}, {"Ưng", 1}, {"Quách", 3}, {"Tôn Nữ", 1}, {"Tăng", 3}, {"Văng", 1},
}

var genMiddle = []string{
	"Văn", "Thị", "Ngọc", "Minh", "Thanh", "Hoàng", "Quốc", "Hữu", "Đức", "Kim", "Thu", "Xuân",
	"Bảo", "Gia", "Công", "Đình", "Trọng", "Phước", "Thế", "Hồng", "Mỹ", "Tuyết", "Diễm",
	"Khánh", "Trường", "Nhựt", "Thượng", "Khắc", "Chí", "Duy", "Tường", "Thục", "Uyển", "Quế",
	"Hạnh", "Phương", "Bích", "Mộng", "Ngọc Bảo", "Thị Ngọc", "Văn Hoàng",
}

var genGiven = []string{
	"An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Dung", "Duy", "Giang", "Hà", "Hải", "Hạnh",
	"Hằng", "Hiền", "Hiếu", "Hòa", "Hùng", "Hưng", "Hương", "Huy", "Huyền", "Khánh", "Khoa",
	"Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngân", "Nghĩa", "Nhân", "Nhung", "Nhi",
	"Phát", "Phong", "Phúc", "Phương", "Phước", "Quang", "Quân", "Sang", "Sơn", "Tài", "Tâm",
	"Thành", "Thảo", "Thắng", "Thịnh", "Thủy", "Tiến", "Trang", "Trâm", "Trinh", "Tuấn", "Tú",
	"Uyên", "Vân", "Việt", "Vinh", "Vy", "Yến", "Lộc", "Lợi", "Hậu", "Khang", "Quyên", "Quỳnh",
	"Nguyệt", "Tuyền", "Thoại", "Khuê", "Quyết", "Thuận", "Phượng", "Hường", "Dưỡng", "Luyến",
	"Nhẫn", "Giàu", "Ẩn", "Khiêm", "Kỷ", "Ngữ", "Lãm", "Thoa", "Xuyến", "Tươi", "Thắm", "Mến",
	"Nhạn", "Diệu", "Huỳnh", "Trưởng", "Đạt", "Điệp", "Hân", "Huệ", "Liên", "Loan", "Lực",
	"Mạnh", "Nhàn", "Tấn", "Trúc", "Tín", "Toàn", "Khải", "Khôi", "Luân", "Oanh", "Thiện",
	"Thông", "Thư", "Thương", "Tiên", "Trọng", "Vỹ", "Kiệt", "Lượng", "Quý", "Sáng", "Tỏ",
	"Thanh Tâm", "Phương Thảo", "Bảo Ngọc", "Minh Khôi", "Gia Hân", "Hoàng Yến", "Thảo Nguyên",
	"Ngọc Trâm", "Khánh Linh", "Tuyết Nhung", "Xuân Mai", "Quỳnh Như", "Thiên Ân", "Kiều Diễm",
}

var genStreets = []string{
	"Lê Lợi", "Nguyễn Trãi", "Hùng Vương", "Ấp Bắc", "Trưng Trắc", "Nam Kỳ Khởi Nghĩa",
	"Lý Thường Kiệt", "Đinh Bộ Lĩnh", "Nguyễn Huệ", "Lê Thị Hồng Gấm", "Trần Hưng Đạo",
	"Học Lạc", "Rạch Gầm", "Thái Sanh Hạnh", "Nguyễn Văn Giác", "Phan Thanh Giản",
	"Quốc lộ 1A", "Quốc lộ 50", "Quốc lộ 60", "Đường tỉnh 864", "Đường tỉnh 868", "Đường tỉnh 870",
}

var genHamlets = []string{
	"Mỹ Lợi A", "Mỹ Lợi B", "Tân Hòa", "Bình Phú", "Long Hưng", "Hậu Thành", "Thạnh Phú",
	"Phú Hòa Đông", "Hòa Khánh", "Tân Thuận", "Bình Hòa Long", "Giồng Tre", "Rạch Miễu",
	"Cồn Qui", "Xóm Gò", "Kinh 4", "Bà Lý", "Mỹ Thạnh Hưng", "Hội Gò", "Thới Thuận", "Phú Xuân",
	"Lương Phú", "Trường Xuân", "Mương Điều", "Hưng Thạnh Mỹ", "Đông Hòa Hiệp", "Cây Xanh",
}

var genLandmarks = []string{
	"Bệnh viện Đa khoa Trung tâm Tiền Giang", "Bệnh viện Đa khoa khu vực Cai Lậy",
	"Bệnh viện Đa khoa khu vực Gò Công", "Chợ Cái Bè", "Chợ Mỹ Tho", "Chợ đầu mối trái cây Vĩnh Kim",
	"Khu công nghiệp Long Giang", "Khu công nghiệp Mỹ Tho", "Khu công nghiệp Tân Hương",
	"Bến xe Tiền Giang", "Cảng cá Vàm Láng", "Trường THPT Nguyễn Đình Chiểu",
	"Công ty TNHH Thủy sản Việt Thắng", "Nhà máy chế biến thực phẩm Tân Hương",
	"Ủy ban nhân dân huyện Châu Thành", "Trung tâm Y tế huyện Chợ Gạo",
}

var genOutside = []string{
	"Phường 7, Thành phố Tân An, Tỉnh Long An", "Quận 8, Thành phố Hồ Chí Minh",
	"Bệnh viện Chợ Rẫy, Quận 5, Thành phố Hồ Chí Minh", "Thành phố Bến Tre, Tỉnh Bến Tre",
	"Huyện Châu Thành, Tỉnh Bến Tre", "Thành phố Cao Lãnh, Tỉnh Đồng Tháp",
	"Huyện Cần Đước, Tỉnh Long An", "Quận Ninh Kiều, Thành phố Cần Thơ",
	"Bệnh viện Ung Bướu, Quận Bình Thạnh, Thành phố Hồ Chí Minh",
}

var genCustomPurposes = []string{"transport_goods", "agri_harvest", "exam", "vaccination"}

type genDistrict struct {
	name     string
	communes []string
}

var genDistricts = []genDistrict{
	{"Thành phố Mỹ Tho", []string{
		"Phường 5", "Phường 4", "Phường 1", "Phường 2", "Phường 6", "Phường 9", "Phường 10",
		"Phường Tân Long", "Xã Đạo Thạnh", "Xã Trung An", "Xã Mỹ Phong", "Xã Tân Mỹ Chánh",
		"Xã Phước Thạnh", "Xã Thới Sơn",
	}},
	{"Thành phố Gò Công", []string{
		"Phường 2", "Phường 1", "Phường 5", "Phường Long Hưng", "Phường Long Thuận", "Phường Long Chánh",
		"Phường Long Hòa", "Xã Bình Đông", "Xã Bình Xuân", "Xã Tân Trung",
	}},
	{"Thị xã Cai Lậy", []string{
		"Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Xã Mỹ Phước Tây", "Xã Mỹ Hạnh Đông",
		"Xã Mỹ Hạnh Trung", "Xã Tân Phú", "Xã Tân Bình", "Xã Tân Hội", "Phường Nhị Mỹ", "Xã Nhị Quý",
		"Xã Thanh Hòa", "Xã Phú Quý", "Xã Long Khánh",
	}},
	{"Huyện Tân Phước", []string{
		"Thị trấn Mỹ Phước", "Xã Tân Hòa Đông", "Xã Thạnh Tân", "Xã Thạnh Mỹ", "Xã Thạnh Hoà",
		"Xã Phú Mỹ", "Xã Tân Hòa Thành", "Xã Hưng Thạnh", "Xã Tân Lập 1", "Xã Tân Hòa Tây",
		"Xã Tân Lập 2", "Xã Phước Lập",
	}},
	{"Huyện Cái Bè", []string{
		"Thị trấn Cái Bè", "Xã Hậu Mỹ Bắc B", "Xã Hậu Mỹ Bắc A", "Xã Mỹ Trung", "Xã Hậu Mỹ Trinh",
		"Xã Hậu Mỹ Phú", "Xã Mỹ Tân", "Xã Mỹ Lợi B", "Xã Thiện Trung", "Xã Mỹ Hội", "Xã An Cư",
		"Xã Hậu Thành", "Xã Mỹ Lợi A", "Xã Hòa Khánh", "Xã Thiện Trí", "Xã Mỹ Đức Đông", "Xã Mỹ Đức Tây",
		"Xã Đông Hòa Hiệp", "Xã An Thái Đông", "Xã Tân Hưng", "Xã Mỹ Lương", "Xã Tân Thanh",
		"Xã An Thái Trung", "Xã An Hữu", "Xã Hòa Hưng",
	}},
	{"Huyện Cai Lậy", []string{
		"Xã Thạnh Lộc", "Xã Mỹ Thành Bắc", "Xã Phú Cường", "Xã Mỹ Thành Nam", "Xã Phú Nhuận",
		"Thị trấn Bình Phú", "Xã Cẩm Sơn", "Xã Phú An", "Xã Mỹ Long", "Xã Long Tiên", "Xã Hiệp Đức",
		"Xã Long Trung", "Xã Hội Xuân", "Xã Tân Phong", "Xã Tam Bình", "Xã Ngũ Hiệp",
	}},
	{"Huyện Châu Thành", []string{
		"Thị trấn Tân Hiệp", "Xã Tân Hội Đông", "Xã Tân Hương", "Xã Tân Lý Đông", "Xã Thân Cửu Nghĩa",
		"Xã Tam Hiệp", "Xã Điềm Hy", "Xã Nhị Bình", "Xã Đông Hòa", "Xã Long Định", "Xã Long An",
		"Xã Long Hưng", "Xã Bình Trưng", "Xã Thạnh Phú", "Xã Bàn Long", "Xã Vĩnh Kim", "Xã Bình Đức",
		"Xã Song Thuận", "Xã Kim Sơn", "Xã Phú Phong",
	}},
	{"Huyện Chợ Gạo", []string{
		"Thị trấn Chợ Gạo", "Xã Trung Hòa", "Xã Hòa Tịnh", "Xã Mỹ Tịnh An", "Xã Tân Bình Thạnh",
		"Xã Phú Kiết", "Xã Lương Hòa Lạc", "Xã Thanh Bình", "Xã Quơn Long", "Xã Bình Phục Nhứt",
		"Xã Đăng Hưng Phước", "Xã Tân Thuận Bình", "Xã Song Bình", "Xã Bình Phan", "Xã Long Bình Điền",
		"Xã An Thạnh Thủy", "Xã Xuân Đông", "Xã Hòa Định", "Xã Bình Ninh",
	}},
	{"Huyện Gò Công Tây", []string{
		"Thị trấn Vĩnh Bình", "Xã Đồng Sơn", "Xã Bình Phú", "Xã Đồng Thạnh", "Xã Thành Công",
		"Xã Bình Nhì", "Xã Yên Luông", "Xã Thạnh Trị", "Xã Thạnh Nhựt", "Xã Long Vĩnh", "Xã Bình Tân",
		"Xã Vĩnh Hựu", "Xã Long Bình",
	}},
	{"Huyện Gò Công Đông", []string{
		"Thị trấn Tân Hòa", "Xã Tăng Hoà", "Xã Tân Phước", "Xã Gia Thuận", "Thị trấn Vàm Láng",
		"Xã Tân Tây", "Xã Kiểng Phước", "Xã Tân Đông", "Xã Bình Ân", "Xã Tân Điền", "Xã Bình Nghị",
		"Xã Phước Trung", "Xã Tân Thành",
	}},
	{"Huyện Tân Phú Đông", []string{
		"Xã Tân Thới", "Xã Tân Phú", "Xã Phú Thạnh", "Xã Tân Thạnh", "Xã Phú Đông", "Xã Phú Tân",
	}},
}

func (g *Generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *Generator) pickWeighted(list []weighted) string {
	total := 0
	for _, x := range list {
		total += x.w
	}
	n := g.r.IntN(total)
	for _, x := range list {
		if n -= x.w; n < 0 {
			return x.v
		}
	}
	return list[0].v
}

// Name returns a full name: mostly three or four syllables, a tenth with the mother's surname
// too, and one in twenty as long as names get (up to 40 characters).
func (g *Generator) Name() string {
	for {
		long := g.r.IntN(20) == 0
		parts := []string{g.pickWeighted(genSurnames)}
		if long || g.r.IntN(10) == 0 {
			parts = append(parts, g.pickWeighted(genSurnames))
		}
		parts = append(parts, g.pick(genMiddle))
		if long || g.r.IntN(4) == 0 {
			parts = append(parts, g.pick(genMiddle))
		}
		parts = append(parts, g.pick(genGiven))
		if long {
			parts = append(parts, g.pick(genGiven))
		}
		if n := len([]rune(strings.Join(parts, " "))); n <= 40 && (!long || n >= 30) {
			return strings.Join(parts, " ")
		}
	}
}

// adminPrefix writes a GSO unit name the way clerks type it: as listed, or with the level in
// lower case ("xã Mỹ Phong"), or abbreviated ("TP Mỹ Tho").
func (g *Generator) adminPrefix(name string) string {
	switch g.r.IntN(4) {
	case 0:
		if first, rest, ok := strings.Cut(name, " "); ok {
			return strings.ToLower(first) + " " + rest
		}
	case 1:
		for _, ab := range [][2]string{{"Thành phố ", "TP "}, {"Thị xã ", "TX "}, {"Thị trấn ", "TT "}} {
			if rest, ok := strings.CutPrefix(name, ab[0]); ok {
				return ab[1] + rest
			}
		}
	}
	return name
}

func (g *Generator) commune() (commune, district string) {
	d := genDistricts[g.r.IntN(len(genDistricts))]
	return g.adminPrefix(d.communes[g.r.IntN(len(d.communes))]), g.adminPrefix(d.name)
}

// Address returns a place in Tiền Giang as clerks write it: a hamlet or a house number and
// street, then commune and district, or just the commune and district.
func (g *Generator) Address() string {
	c, d := g.commune()
	switch n := g.r.IntN(10); {
	case n < 5:
		hamlet := g.pick(genHamlets)
		if g.r.IntN(3) == 0 {
			hamlet = fmt.Sprint(1 + g.r.IntN(12))
		}
		return fmt.Sprintf("Ấp %s, %s, %s", hamlet, c, d)
	case n < 8:
		num := fmt.Sprint(1 + g.r.IntN(400))
		if g.r.IntN(3) == 0 {
			num += fmt.Sprintf("/%d", 1+g.r.IntN(30))
		}
		return fmt.Sprintf("Số %s %s, %s, %s", num, g.pick(genStreets), c, d)
	default:
		return c + ", " + d
	}
}

// Destination returns where a permit holder goes: an address, a landmark (hospital, market,
// industrial park) with or without its district, or a place in a neighbouring province.
func (g *Generator) Destination() string {
	switch n := g.r.IntN(10); {
	case n < 4:
		return g.Address()
	case n < 7:
		if g.r.IntN(2) == 0 {
			_, d := g.commune()
			return g.pick(genLandmarks) + ", " + d
		}
		return g.pick(genLandmarks)
	default:
		return g.pick(genOutside)
	}
}

// Plate returns a Tiền Giang plate: a motorbike's ("63B1-234.56") three times in five, a car's
// or truck's ("63A-123.45") three in twenty, else "" (on foot or by bicycle).
func (g *Generator) Plate() string {
	switch n := g.r.IntN(20); {
	case n < 12: // motorbike
		return fmt.Sprintf("63%c%d-%03d.%02d", "BCDEFGHKLMNPSTUVXYZ"[g.r.IntN(19)], 1+g.r.IntN(9), g.r.IntN(1000), g.r.IntN(100))
	case n < 15: // car or truck
		return fmt.Sprintf("63%c-%03d.%02d", "ACDH"[g.r.IntN(4)], g.r.IntN(1000), g.r.IntN(100))
	default: // walking or cycling
		return ""
	}
}

// Next returns a new permit payload, unsigned (KeyID unset): numbered gaplessly across the
// generator's calls, for a random Tiền Giang unit, valid from a day of 2026 for 1 to 14 days
// and issued up to two days before. One purpose in ten is a custom code outside the
// well-known list.
func (g *Generator) Next() permit.Payload {
	g.seq++
	unit := fmt.Sprint(28249 + 3*g.r.IntN(170))
	from := permit.Date{Year: 2026, Month: time.January, Day: 1}.Start(permit.VietnamTime).AddDate(0, 0, g.r.IntN(330))
	purpose := wellKnownPurposes[g.r.IntN(len(wellKnownPurposes))]
	if g.r.IntN(10) == 0 {
		purpose = g.pick(genCustomPurposes)
	}
	return permit.Payload{
		Number:       fmt.Sprintf("%s/2026/%06d", unit, g.seq),
		FullName:     g.Name(),
		BirthYear:    1940 + g.r.IntN(69),
		IDLast4:      fmt.Sprintf("%04d", g.r.IntN(10000)),
		PurposeCode:  purpose,
		RouteFrom:    g.Address(),
		RouteTo:      g.Destination(),
		VehiclePlate: g.Plate(),
		ValidFrom:    permit.DateOf(from),
		ValidTo:      permit.DateOf(from.AddDate(0, 0, g.r.IntN(14))),
		UnitCode:     unit,
		IssuedAt:     from.Add(-time.Duration(1+g.r.IntN(86400*2)) * time.Second).UTC(),
	}
}
