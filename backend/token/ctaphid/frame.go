package ctaphid

import (
	"encoding/binary"
	"fmt"
	"runtime"
)

// Report and message sizes (CTAP 2.0 section 8.1.4).
const (
	ReportSize     = 64                                     // every HID report, without the report ID
	InitDataSize   = ReportSize - 7                         // 57 data bytes in an initialisation packet
	ContDataSize   = ReportSize - 5                         // 59 data bytes in a continuation packet
	MaxSeq         = 127                                    // continuation sequence numbers run 0..127
	MaxMessageSize = InitDataSize + (MaxSeq+1)*ContDataSize // 7609
)

// BroadcastCID is the channel on which CTAPHID_INIT allocates a channel.
const BroadcastCID uint32 = 0xffffffff

// Command is a CTAPHID command, without the 0x80 bit that marks initialisation packets.
type Command byte

// CTAPHID commands (CTAP 2.0 section 8.1.9).
const (
	CmdPing      Command = 0x01
	CmdMsg       Command = 0x03 // a U2F raw message (APDU)
	CmdLock      Command = 0x04
	CmdInit      Command = 0x06
	CmdWink      Command = 0x08
	CmdCBOR      Command = 0x10 // a CTAP2 request
	CmdCancel    Command = 0x11
	CmdKeepalive Command = 0x3b
	CmdError     Command = 0x3f
)

func (c Command) String() string {
	switch c {
	case CmdPing:
		return "PING"
	case CmdMsg:
		return "MSG"
	case CmdLock:
		return "LOCK"
	case CmdInit:
		return "INIT"
	case CmdWink:
		return "WINK"
	case CmdCBOR:
		return "CBOR"
	case CmdCancel:
		return "CANCEL"
	case CmdKeepalive:
		return "KEEPALIVE"
	case CmdError:
		return "ERROR"
	}
	return fmt.Sprintf("CMD(0x%02x)", byte(c))
}

// writeWithReportID: hidapi takes the report ID as the first byte of every write (0 for a
// device without numbered reports, which FIDO keys are) and strips it; without it, the first
// CID byte would be taken for a report ID. karalabe/hid prepends that byte itself on Windows
// and nowhere else, so adding it there too would shift every packet by one byte.
var writeWithReportID = runtime.GOOS != "windows"

// packets splits a message into its initialisation and continuation packets.
func packets(cid uint32, cmd Command, data []byte) ([][ReportSize]byte, error) {
	if len(data) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %s of %d bytes", ErrMessageTooLong, cmd, len(data))
	}
	n := 1
	if len(data) > InitDataSize {
		n += (len(data) - InitDataSize + ContDataSize - 1) / ContDataSize
	}
	out := make([][ReportSize]byte, n)
	p := &out[0]
	binary.BigEndian.PutUint32(p[0:4], cid)
	p[4] = byte(cmd) | 0x80
	binary.BigEndian.PutUint16(p[5:7], uint16(len(data)))
	rest := data[copy(p[7:], data):]
	for seq := 0; len(rest) > 0; seq++ {
		p = &out[seq+1]
		binary.BigEndian.PutUint32(p[0:4], cid)
		p[4] = byte(seq)
		rest = rest[copy(p[5:], rest):]
	}
	return out, nil
}
