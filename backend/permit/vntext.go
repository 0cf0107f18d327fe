package permit

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The GDD1 text codec packs Vietnamese names and places into a bit stream. Plain UTF-8 spends
// 2-3 bytes on every accented vowel, and a permit with a long name and two long places does
// not fit QR version 12 at level Q that way (see TestQRVersionSize). The codec is lossless for
// every valid UTF-8 string; it is only small for Vietnamese.
//
// Tokens, most significant bit first:
//
//	0 c iiiiiiii     dictionary word i (vnDictionary), first letter upper-cased if c = 1
//	10 c letters     spelled word: 5-bit letter codes, each vowel followed by a tone code,
//	                 ended by code 0; c as above; code 30 upper-cases the next letter;
//	                 code 31 + 2 bits is f, j, w or z
//	110 xxxx         a digit, ", " or one of , . - / ' (vnSymbols)
//	1110             a space
//	1111 21 bits     any other code point
//
// Two word tokens in a row are separated by one implied space, so "Nguyễn Văn An" costs three
// dictionary tokens (30 bits). Tone codes: none 0, grave 100, acute 101, dot below 110,
// hook above 1110, tilde 1111. The stream is padded with zero bits to a whole byte; fewer
// than 8 trailing zero bits can never be a token because the only token starting with 0 is
// 10 bits long.

const (
	vnLetters      = "aăâbcdđeêghiklmnoôơpqrstuưvxy" // letter codes 1..29
	vnExtraLetters = "fjwz"                          // after code 31
	vnCodeEnd      = 0
	vnCodeShift    = 30
	vnCodeExtra    = 31
)

// vnSymbols are the 4-bit symbols. ", " is one symbol because every address has a few.
var vnSymbols = [16]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ", ", ",", ".", "-", "/", "'"}

// vnToned lists each vowel with its tones in the order none, grave, acute, dot below, hook
// above, tilde; the tone index is the position in the row.
var vnToned = [...]string{
	"aàáạảã", "ăằắặẳẵ", "âầấậẩẫ", "eèéẹẻẽ", "êềếệểễ", "iìíịỉĩ",
	"oòóọỏõ", "ôồốộổỗ", "ơờớợởỡ", "uùúụủũ", "ưừứựửữ", "yỳýỵỷỹ",
}

// vnToneCodes are the tone prefix codes as (bits, length), indexed like vnToned's columns.
var vnToneCodes = [6][2]uint32{{0b0, 1}, {0b100, 3}, {0b101, 3}, {0b110, 3}, {0b1110, 4}, {0b1111, 4}}

// vnDictRef is a dictionary token: the index and whether to upper-case the first letter.
type vnDictRef struct {
	index   int
	capital bool
}

// vnLetter describes one rune the spelled-word coder can write.
type vnLetter struct {
	code  uint8 // 1..29, or 32+i for vnExtraLetters[i]
	tone  uint8 // index into vnToneCodes; only meaningful for vowels
	vowel bool
	upper bool
}

var (
	errText = errors.New("invalid text encoding")

	vnLetterOf   map[rune]vnLetter    // every lower- and upper-case letter the coder spells
	vnRuneOf     [32 + 4][6]rune      // [code][tone] -> lower-case rune
	vnIsVowel    [32 + 4]bool         // by code
	vnSymbolIdx  [128]int8            // ASCII -> index of the one-character symbol, or -1
	vnDictIndex  map[string]vnDictRef // word as written -> dictionary token
	vnDictWords  []string             // index -> word in its natural case
	vnDictTitled []string             // index -> word with its first letter upper-cased
)

func init() {
	vnLetterOf = make(map[rune]vnLetter, 2*(len(vnToned)*6+32))
	add := func(lower rune, l vnLetter) {
		vnLetterOf[lower] = l
		// Only pairs that map back exactly are letters; this keeps the Kelvin sign, dotless i
		// and the like out (they become literal code points) so decoding is exact.
		if up := unicode.ToUpper(lower); up != lower && unicode.ToLower(up) == lower {
			l.upper = true
			vnLetterOf[up] = l
		}
	}
	code := uint8(1)
	for _, r := range vnLetters {
		row := -1
		for i, v := range vnToned {
			if first, _ := utf8.DecodeRuneInString(v); first == r {
				row = i
			}
		}
		if row < 0 {
			add(r, vnLetter{code: code})
			vnRuneOf[code][0] = r
		} else {
			vnIsVowel[code] = true
			for tone, tr := range []rune(vnToned[row]) {
				add(tr, vnLetter{code: code, tone: uint8(tone), vowel: true})
				vnRuneOf[code][tone] = tr
			}
		}
		code++
	}
	for i, r := range vnExtraLetters {
		add(r, vnLetter{code: uint8(32 + i)})
		vnRuneOf[32+i][0] = r
	}
	for i := range vnSymbolIdx {
		vnSymbolIdx[i] = -1
	}
	for i, sym := range vnSymbols {
		if len(sym) == 1 {
			vnSymbolIdx[sym[0]] = int8(i)
		}
	}
	vnDictWords = strings.Fields(vnDictionary)
	vnDictIndex = make(map[string]vnDictRef, 2*len(vnDictWords))
	vnDictTitled = make([]string, len(vnDictWords))
	for i, w := range vnDictWords {
		r, n := utf8.DecodeRuneInString(w)
		vnDictTitled[i] = string(unicode.ToUpper(r)) + w[n:]
		if _, dup := vnDictIndex[w]; !dup {
			vnDictIndex[w] = vnDictRef{i, false}
		}
		if _, dup := vnDictIndex[vnDictTitled[i]]; !dup {
			vnDictIndex[vnDictTitled[i]] = vnDictRef{i, true}
		}
	}
}

// bitWriter appends bits most significant first.
type bitWriter struct {
	buf []byte
	n   uint // bits written
}

func (w *bitWriter) write(v uint32, bits uint) {
	for i := bits; i > 0; i-- {
		if w.n%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if v>>(i-1)&1 == 1 {
			w.buf[len(w.buf)-1] |= 0x80 >> (w.n % 8)
		}
		w.n++
	}
}

// bitReader reads bits most significant first.
type bitReader struct {
	buf []byte
	pos uint
}

func (r *bitReader) remaining() uint { return uint(len(r.buf))*8 - r.pos }

func (r *bitReader) read(bits uint) (uint32, error) {
	if bits > r.remaining() {
		return 0, fmt.Errorf("%w: truncated at bit %d", errText, r.pos)
	}
	var v uint32
	for range bits {
		v = v<<1 | uint32(r.buf[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v, nil
}

// onlyZeros reports whether every remaining bit is zero (the padding).
func (r *bitReader) onlyZeros() bool {
	for p := r.pos; p < uint(len(r.buf))*8; p++ {
		if r.buf[p/8]>>(7-p%8)&1 == 1 {
			return false
		}
	}
	return true
}

// encodeText packs s with the GDD1 text codec. It fails only on invalid UTF-8.
func encodeText(s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: not valid UTF-8", errText)
	}
	rs := []rune(s)
	w := bitWriter{buf: make([]byte, 0, len(s))}
	prevWord := false
	for i := 0; i < len(rs); {
		r := rs[i]
		if _, ok := vnLetterOf[r]; ok {
			j := i + 1
			for j < len(rs) {
				if _, ok := vnLetterOf[rs[j]]; !ok {
					break
				}
				j++
			}
			encodeWord(&w, rs[i:j])
			prevWord = true
			i = j
			continue
		}
		switch {
		case r == ' ' && prevWord && i+1 < len(rs) && isVNLetter(rs[i+1]):
			// implied by the two word tokens around it
		case r == ' ':
			w.write(0b1110, 4)
		case r == ',' && i+1 < len(rs) && rs[i+1] == ' ':
			w.write(0b110, 3)
			w.write(10, 4) // ", "
			i++
		case r < 128 && vnSymbolIdx[r] >= 0:
			w.write(0b110, 3)
			w.write(uint32(vnSymbolIdx[r]), 4)
		default:
			w.write(0b1111, 4)
			w.write(uint32(r), 21)
		}
		prevWord = false
		i++
	}
	return w.buf, nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func isVNLetter(r rune) bool {
	_, ok := vnLetterOf[r]
	return ok
}

// encodeWord writes one maximal run of letters, from the dictionary when it is there as
// written or with its first letter upper-cased, spelled out otherwise.
func encodeWord(w *bitWriter, word []rune) {
	if ref, ok := vnDictIndex[string(word)]; ok {
		w.write(0, 1)
		w.write(b2u(ref.capital), 1)
		w.write(uint32(ref.index), 8)
		return
	}
	capital := b2u(vnLetterOf[word[0]].upper)
	w.write(0b10, 2)
	w.write(capital, 1)
	for k, r := range word {
		l := vnLetterOf[r]
		if k > 0 && l.upper {
			w.write(vnCodeShift, 5)
		}
		if l.code >= 32 {
			w.write(vnCodeExtra, 5)
			w.write(uint32(l.code-32), 2)
		} else {
			w.write(uint32(l.code), 5)
		}
		if l.vowel {
			tc := vnToneCodes[l.tone]
			w.write(tc[0], uint(tc[1]))
		}
	}
	w.write(vnCodeEnd, 5)
}

// decodeText unpacks a GDD1 text. It accepts some streams encodeText never writes (an explicit
// space between two words, say); callers re-encode and compare to refuse those.
func decodeText(b []byte) (string, error) {
	r := bitReader{buf: b}
	var out strings.Builder
	out.Grow(len(b) * 2)
	prevWord := false
	for r.remaining() > 0 {
		if r.remaining() < 8 && r.onlyZeros() {
			break
		}
		bit, err := r.read(1)
		if err != nil {
			return "", err
		}
		if bit == 0 { // dictionary word
			v, err := r.read(9)
			if err != nil {
				return "", err
			}
			idx := int(v & 0xFF)
			if idx >= len(vnDictWords) {
				return "", fmt.Errorf("%w: dictionary index %d", errText, idx)
			}
			if prevWord {
				out.WriteByte(' ')
			}
			if v>>8 == 1 {
				out.WriteString(vnDictTitled[idx])
			} else {
				out.WriteString(vnDictWords[idx])
			}
			prevWord = true
			continue
		}
		kind, err := r.read(1)
		if err != nil {
			return "", err
		}
		if kind == 0 { // spelled word
			if prevWord {
				out.WriteByte(' ')
			}
			if err := decodeWord(&r, &out); err != nil {
				return "", err
			}
			prevWord = true
			continue
		}
		prevWord = false
		if kind, err = r.read(1); err != nil {
			return "", err
		}
		if kind == 0 { // symbol
			v, err := r.read(4)
			if err != nil {
				return "", err
			}
			out.WriteString(vnSymbols[v])
			continue
		}
		if kind, err = r.read(1); err != nil {
			return "", err
		}
		if kind == 0 {
			out.WriteByte(' ')
			continue
		}
		v, err := r.read(21)
		if err != nil {
			return "", err
		}
		cp := rune(v)
		if !utf8.ValidRune(cp) {
			return "", fmt.Errorf("%w: code point %#x", errText, v)
		}
		out.WriteRune(cp)
	}
	return out.String(), nil
}

func decodeWord(r *bitReader, out *strings.Builder) error {
	capital, err := r.read(1)
	if err != nil {
		return err
	}
	upper := capital == 1
	n := 0
	for {
		c, err := r.read(5)
		if err != nil {
			return err
		}
		switch c {
		case vnCodeEnd:
			if n == 0 {
				return fmt.Errorf("%w: empty spelled word", errText)
			}
			if upper {
				return fmt.Errorf("%w: shift at the end of a word", errText)
			}
			return nil
		case vnCodeShift:
			if upper {
				return fmt.Errorf("%w: misplaced shift", errText)
			}
			upper = true
			continue
		case vnCodeExtra:
			x, err := r.read(2)
			if err != nil {
				return err
			}
			c = 32 + x
		}
		tone := 0
		if vnIsVowel[c] {
			if tone, err = readTone(r); err != nil {
				return err
			}
		}
		lr := vnRuneOf[c][tone]
		if upper {
			lr = unicode.ToUpper(lr)
		}
		out.WriteRune(lr)
		upper = false
		n++
	}
}

func readTone(r *bitReader) (int, error) {
	// Prefix code: 0 | 100 101 110 | 1110 1111.
	b, err := r.read(1)
	if err != nil || b == 0 {
		return 0, err
	}
	v, err := r.read(2)
	if err != nil {
		return 0, err
	}
	if v < 3 {
		return int(v) + 1, nil
	}
	b, err = r.read(1)
	if err != nil {
		return 0, err
	}
	return int(b) + 4, nil
}
