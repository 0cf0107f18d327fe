package domain

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeText(t *testing.T) {
	nfd := norm.NFD.String("Ấp Tân Hòa")
	if nfd == "Ấp Tân Hòa" {
		t.Fatal("test setup: NFD form should differ from NFC")
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"trim and collapse", "  Ấp   Tân\tHòa \r\n ", "Ấp Tân Hòa"},
		{"nbsp is whitespace", "Xã\u00a0Tân Mỹ Chánh", "Xã Tân Mỹ Chánh"},
		{"NFD to NFC", nfd, "Ấp Tân Hòa"},
		{"eth repaired to đ", "\u00d0ồng Tháp, \u00f0ường", "Đồng Tháp, đường"},
		{"ascii untouched", "So 12 duong 30/4", "So 12 duong 30/4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeText(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("NormalizeText(%q) = %q is not NFC", tt.in, got)
			}
			if again := NormalizeText(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower", "nguyễn văn dũng", "Nguyễn Văn Dũng"},
		{"upper with đ", "ĐẶNG THỊ", "Đặng Thị"},
		{"mixed and spaced", "  lÊ   thị HỒNG nhung ", "Lê Thị Hồng Nhung"},
		// ngang, huyền, sắc, hỏi, ngã, nặng on several vowels, plus ă â ê ô ơ ư đ.
		{"all tones", "ba bà bá bả bã bạ", "Ba Bà Bá Bả Bã Bạ"},
		{"all vowel letters", "ĂN ÂM ÊM ÔNG ƠN ƯNG ĐI", "Ăn Âm Êm Ông Ơn Ưng Đi"},
		{"tones on modified vowels", "TRƯỜNG QUỲNH HUỆ ỔN ỮA ẶC ẪM", "Trường Quỳnh Huệ Ổn Ữa Ặc Ẫm"},
		{"NFD input becomes NFC", norm.NFD.String("trần thị ánh tuyết"), "Trần Thị Ánh Tuyết"},
		{"NFD upper input", norm.NFD.String("PHẠM HỮU HÒA"), "Phạm Hữu Hòa"},
		{"apostrophe word start", "h'hen niê", "H'Hen Niê"},
		{"typographic apostrophe", "H\u2019HEN NIÊ", "H'Hen Niê"},
		{"hyphen word start", "ksor y-moan", "Ksor Y-Moan"},
		{"empty", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeName(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("NormalizeName(%q) = %q is not NFC", tt.in, got)
			}
		})
	}
}

func TestFoldForSearch(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"name", "Nguyễn Văn Dũng", "nguyen van dung"},
		{"đ and Đ", "ĐẶNG ĐÌNH Đức đạt", "dang dinh duc dat"},
		{"vowel letters", "ă â ê ô ơ ư Ă Â Ê Ô Ơ Ư", "a a e o o u a a e o o u"},
		{"all tones", "a à á ả ã ạ", "a a a a a a"},
		{"NFD input", norm.NFD.String("Trần Thị Ánh Tuyết"), "tran thi anh tuyet"},
		{"spaces collapsed", "  Hồ   Chí\tMinh ", "ho chi minh"},
		{"eth as d", "\u00d0ồng", "dong"},
		{"ascii query unchanged", "nguyen van dung", "nguyen van dung"},
		{"digits kept", "Phường 5", "phuong 5"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FoldForSearch(tt.in); got != tt.want {
				t.Errorf("FoldForSearch(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
