package scan

import "bytes"

// Complete reports whether a file ends the way its format says a finished file ends: a JPEG
// end-of-image marker, a PNG IEND chunk, a PDF %%EOF, a TIFF whose page chain and image data
// all lie inside the file. A watched folder uses it so that a file still being written by a
// network scanner is not read early; Open uses it to refuse truncated files with a reason.
func Complete(data []byte) bool {
	f, ok := Sniff(data)
	if !ok {
		return false
	}
	switch f {
	case FormatJPEG:
		d := bytes.TrimRight(data, "\x00\r\n ")
		return bytes.HasSuffix(d, []byte{0xFF, 0xD9})
	case FormatPNG:
		return bytes.HasSuffix(data, []byte("\x00\x00\x00\x00IEND\xaeB`\x82"))
	case FormatPDF:
		tail := data[max(0, len(data)-1024):]
		return bytes.Contains(tail, []byte("%%EOF"))
	case FormatTIFF:
		_, err := walkTIFF(data)
		return err == nil
	}
	return false
}
