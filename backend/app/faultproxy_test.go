package app

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultMode is what the proxy does to the connections it accepts from now on.
type faultMode int32

const (
	faultPass faultMode = iota
	faultDelay
	faultDropMidRequest // close both sides once the office has sent faultThreshold bytes
	faultCutReply       // pass the request, then throw the server's answer away and hang up
	fault502            // a balancer whose backend is down: TLS ends here, every request gets 502
	faultBlackhole      // a dead 3G link: bytes go in, nothing ever comes back
)

// faultThreshold is past the TLS handshake and into a push body.
const faultThreshold = 6000

// faultProxy is a TCP proxy on loopback between the office and the provincial server.
type faultProxy struct {
	ln     net.Listener
	target string
	cert   tls.Certificate
	mode   atomic.Int32
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func newFaultProxy(t *testing.T, target string, cert tls.Certificate) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, cert: cert, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *faultProxy) URL() string        { return "https://" + p.ln.Addr().String() }
func (p *faultProxy) set(m faultMode)    { p.mode.Store(int32(m)) }
func (p *faultProxy) current() faultMode { return faultMode(p.mode.Load()) }
func (p *faultProxy) track(f func())     { p.wg.Add(1); go func() { defer p.wg.Done(); f() }() }

func (p *faultProxy) keep(c net.Conn) { p.mu.Lock(); p.conns[c] = true; p.mu.Unlock() }
func (p *faultProxy) drop(c net.Conn) { p.mu.Lock(); delete(p.conns, c); p.mu.Unlock() }

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		mode := p.current()
		p.keep(c)
		p.track(func() { defer p.drop(c); p.handle(c, mode) })
	}
}

func (p *faultProxy) handle(office net.Conn, mode faultMode) {
	defer office.Close()
	if mode == faultBlackhole {
		io.Copy(io.Discard, office)
		return
	}
	if mode == fault502 {
		tc := tls.Server(office, &tls.Config{Certificates: []tls.Certificate{p.cert}, NextProtos: []string{"http/1.1"}})
		r := bufio.NewReader(tc)
		for {
			req, err := http.ReadRequest(r)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			if _, err := io.WriteString(tc, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"); err != nil {
				return
			}
		}
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.keep(server)
	defer p.drop(server)
	defer server.Close()
	var sent atomic.Int64
	done := make(chan struct{}, 2)
	go func() { // office → server
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 1024)
		for {
			n, err := office.Read(buf)
			if n > 0 {
				if mode == faultDelay {
					time.Sleep(20 * time.Millisecond)
				}
				total := sent.Add(int64(n))
				if mode == faultDropMidRequest && total > faultThreshold {
					server.Write(buf[:n/2])
					return
				}
				if _, werr := server.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { // server → office
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 {
				if mode == faultCutReply && sent.Load() > faultThreshold {
					// The server has the request and answers: give it time to commit, then
					// the office never hears the answer.
					time.Sleep(300 * time.Millisecond)
					return
				}
				if mode == faultDelay {
					time.Sleep(20 * time.Millisecond)
				}
				if _, werr := office.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	<-done
}
