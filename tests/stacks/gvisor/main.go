// tcpconform-gvisor: gVisor's netstack (Debian's golang-gvisor-gvisor-dev, unmodified) on a TAP
// device, driven over the agent protocol (docs/agent-protocol.md) on stdin/stdout.
//
//	tcpconform-gvisor --tap IFNAME [--mac 02:00:00:00:00:01] [--ipv4 192.0.2.1/24]
//	                  [--ipv6 2001:db8::1]
//
// The TAP device must exist (the runner creates it, persistent, in the case's namespace). The
// harness opens it (TUNSETIFF with IFF_TAP|IFF_NO_PI, netstack's own link/tun helper) and
// attaches netstack to the descriptor with the fdbased link endpoint, Ethernet framing and the
// MAC from --mac. netstack does its own ARP and neighbour discovery: the runner's injector
// answers for its addresses (injector/neigh.h), so nothing is configured statically.
//
// Requests are parsed by the runner's own C parser (runner/agent/proto.c, through cgo and
// proto.c in this folder), so this harness and tcpconform-agent share one codec.
//
// Concurrency: netstack runs its own goroutines (the link endpoint's dispatcher, TCP's
// processors and timers). Everything of the harness's own (sockets, pending calls, replies) is
// touched only by the main loop goroutine; netstack's waiter queues merely wake it. Each CALL
// maps onto netstack's tcpip.Endpoint, whose calls never block (they return ErrWouldBlock or
// ErrConnectStarted), so a call that cannot complete at once is answered PENDING and retried
// whenever netstack signals an event on its endpoint (and on a 20 ms tick, a safety net).
// STATE reads netstack's own endpoint table (stack.Stack.RegisteredEndpoints), so connections
// the application has closed (FIN_WAIT_2, LAST_ACK, TIME_WAIT) are found too.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../.. -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wno-format-truncation
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "runner/agent/proto.h"

// The address bytes (4 or 16) and port of a parsed sockaddr; cgo cannot name the union-like
// members of struct sockaddr_storage conveniently. Returns the address length, or 0.
static int tcg_addr(const struct sockaddr_storage *ss, unsigned char *out, int *port)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		memcpy(out, &s->sin_addr, 4);
		*port = ntohs(s->sin_port);
		return 4;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		memcpy(out, &s->sin6_addr, 16);
		*port = ntohs(s->sin6_port);
		return 16;
	}
	return 0;
}

static const char *tcg_errno_name(int e)
{
	static char buf[32];
	return ag_errno_name(e, buf, sizeof(buf));
}
*/
import "C"

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"gvisor.dev/gvisor/pkg/syserr"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"
	"gvisor.dev/gvisor/pkg/tcpip/link/tun"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/waiter"
)

const nicID = 1

// Linux errno values (the protocol's names come from the C table, ag_errno_name).
const (
	eBADF   = 9
	eAGAIN  = 11
	eINVAL  = 22
	ePIPE   = 32
	eNOBUFS = 105
)

// sock is one socket of the application: a netstack endpoint and its waiter queue.
type sock struct {
	ep    tcpip.Endpoint
	wq    *waiter.Queue
	entry waiter.Entry
}

type pkind int

const (
	pAccept pkind = iota
	pConnect
	pWrite
	pRead
)

func (k pkind) name() string {
	return [...]string{"accept", "connect", "write", "read"}[k]
}

// pcall is a call that could not complete when it was made.
type pcall struct {
	kind pkind
	tag  string
	s    *sock
	len  int    // write/read length
	done int    // write: bytes queued so far
	data []byte // write data=, or nil for filler
}

// tuple is a connection's 4-tuple (addresses as netstack's byte strings).
type tuple struct {
	local, peer    tcpip.Address
	port, peerPort uint16
}

type harness struct {
	st         *stack.Stack
	configured bool
	family     int
	tup        tuple
	pre        *sock // made by set/getsockopt before listen/connect
	lst        *sock // the listener
	conn       *sock // the connection the application holds
	pend       []*pcall
	// Connections netstack handed to accept, that connect opened, or that the harness saw
	// synchronized: RFC 9293 never returns such a connection to LISTEN, so once netstack has
	// let go of its endpoint STATE reports CLOSED for it rather than the listener's LISTEN.
	known map[tuple]bool
	// Connections accepted by the application: they are no longer in the accept queue.
	accepted map[tuple]bool
	wake     chan struct{}
	out      *bufio.Writer
	sysctls  map[string]string
}

var h harness

// ---- output ----

func reply(format string, args ...any) {
	fmt.Fprintf(h.out, format, args...)
	h.out.WriteByte('\n')
}

func ename(e int) string { return C.GoString(C.tcg_errno_name(C.int(e))) }

func done(tag, call string, ret int, e int) {
	reply("%s DONE call=%s ret=%d errno=%s", tag, call, ret, ename(e))
}

// errnoOf maps a netstack error to the Linux errno gVisor's own sentry reports to
// applications for it (pkg/syserr/netstack.go, TranslateNetstackError), so the harness answers
// as a program running on gVisor would see it.
func errnoOf(err tcpip.Error) int {
	if se := syserr.TranslateNetstackError(err); se != nil {
		return int(se.ToLinux())
	}
	return eINVAL
}

// ---- sockets ----

func (h *harness) netProto() tcpip.NetworkProtocolNumber {
	if h.family == C.AF_INET6 {
		return ipv6.ProtocolNumber
	}
	return ipv4.ProtocolNumber
}

func (h *harness) newSock() (*sock, tcpip.Error) {
	wq := &waiter.Queue{}
	ep, err := h.st.NewEndpoint(tcp.ProtocolNumber, h.netProto(), wq)
	if err != nil {
		return nil, err
	}
	return h.wrap(ep, wq), nil
}

// wrap registers the harness's wake-up on an endpoint's waiter queue: every event netstack
// signals (readable, writable, error, hang-up) makes the main loop retry the pending calls.
func (h *harness) wrap(ep tcpip.Endpoint, wq *waiter.Queue) *sock {
	s := &sock{ep: ep, wq: wq}
	s.entry = waiter.NewFunctionEntry(waiter.EventIn|waiter.EventOut|waiter.EventErr|waiter.EventHUp|waiter.EventRdNorm|waiter.EventWrNorm,
		func(waiter.EventMask) {
			select {
			case h.wake <- struct{}{}:
			default:
			}
		})
	wq.EventRegister(&s.entry)
	return s
}

func (h *harness) closeSock(s *sock) {
	s.wq.EventUnregister(&s.entry)
	s.ep.Close()
}

func (h *harness) getPre() (*sock, tcpip.Error) {
	if h.pre == nil {
		s, err := h.newSock()
		if err != nil {
			return nil, err
		}
		h.pre = s
	}
	return h.pre, nil
}

// sockFor is the socket a call acts on: sock=listener, sock=conn, or by default the conn if
// one is open, else the listener, else the pre socket (docs/agent-protocol.md "Sockets").
func (h *harness) sockFor(which C.enum_ag_sock) *sock {
	switch which {
	case C.AG_S_LISTENER:
		return h.lst
	case C.AG_S_CONN:
		return h.conn
	}
	if h.conn != nil {
		return h.conn
	}
	if h.lst != nil {
		return h.lst
	}
	return h.pre
}

// ---- the endpoint table ----

func tupleOf(ep tcpip.Endpoint) (tuple, bool) {
	info, ok := ep.Info().(*stack.TransportEndpointInfo)
	if !ok {
		return tuple{}, false
	}
	id := info.ID
	return tuple{local: id.LocalAddress, peer: id.RemoteAddress, port: id.LocalPort, peerPort: id.RemotePort}, true
}

// tcpEndpoints lists netstack's registered TCP endpoints: every endpoint packets can reach,
// including those the application has closed (FIN_WAIT_*, LAST_ACK, CLOSING, TIME_WAIT),
// connections in a listener's accept queue and handshakes in SYN-RECEIVED.
func (h *harness) tcpEndpoints() []tcpip.Endpoint {
	var out []tcpip.Endpoint
	for _, te := range h.st.RegisteredEndpoints() {
		if ep, ok := te.(tcpip.Endpoint); ok {
			if _, isTCP := te.(interface{ SocketOptions() *tcpip.SocketOptions }); isTCP {
				out = append(out, ep)
			}
		}
	}
	return out
}

func synchronized(st tcp.EndpointState) bool {
	switch st {
	case tcp.StateEstablished, tcp.StateFinWait1, tcp.StateFinWait2, tcp.StateTimeWait,
		tcp.StateCloseWait, tcp.StateLastAck, tcp.StateClosing:
		return true
	}
	return false
}

// scan remembers every connection netstack shows synchronized, so one that later disappears
// (a RST while it waited in the accept queue) reads CLOSED, never the listener's LISTEN.
func (h *harness) scan() {
	for _, ep := range h.tcpEndpoints() {
		if synchronized(tcp.EndpointState(ep.State())) {
			if t, ok := tupleOf(ep); ok && t.peerPort != 0 {
				h.known[t] = true
			}
		}
	}
}

// stateName maps netstack's states (tcp.EndpointState, Linux's numbering plus states of its
// own) to RFC 9293's names as the case format spells them.
func stateName(st tcp.EndpointState) string {
	switch st {
	case tcp.StateEstablished:
		return "ESTABLISHED"
	case tcp.StateSynSent, tcp.StateConnecting:
		return "SYN_SENT"
	case tcp.StateSynRecv:
		return "SYN_RECEIVED"
	case tcp.StateFinWait1:
		return "FIN_WAIT_1"
	case tcp.StateFinWait2:
		return "FIN_WAIT_2"
	case tcp.StateTimeWait:
		return "TIME_WAIT"
	case tcp.StateCloseWait:
		return "CLOSE_WAIT"
	case tcp.StateLastAck:
		return "LAST_ACK"
	case tcp.StateListen:
		return "LISTEN"
	case tcp.StateClosing:
		return "CLOSING"
	}
	// StateClose, StateError, and the never-connected StateInitial and StateBound.
	return "CLOSED"
}

// nsName is netstack's own name for its state (EndpointState.String()).
func nsName(st tcp.EndpointState) string {
	return strings.ReplaceAll(st.String(), " ", "_")
}

// acceptQueueLen is the number of connections waiting in the listener's accept queue. netstack
// exports no such count (Linux's sock_diag has idiag_rqueue), so it is read from the endpoint's
// unexported acceptQueue.endpoints list by reflection; a racy read of one integer, which at
// worst gives a count a moment old. -1 if the field is not where this netstack keeps it.
func acceptQueueLen(ep tcpip.Endpoint) int {
	v := reflect.ValueOf(ep)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return -1
	}
	q := v.Elem().FieldByName("acceptQueue")
	if !q.IsValid() {
		return -1
	}
	l := q.FieldByName("endpoints")
	if !l.IsValid() {
		return -1
	}
	n := l.FieldByName("len")
	if !n.IsValid() || n.Kind() != reflect.Int {
		return -1
	}
	return int(n.Int())
}

func (h *harness) doState(tag string, listener bool) {
	if listener {
		// STATE sock=listener: the application's listener, LISTEN while it is open.
		if h.lst != nil {
			st := tcp.EndpointState(h.lst.ep.State())
			reply("%s OK state=%s gvisor_state=%s", tag, stateName(st), nsName(st))
		} else {
			reply("%s OK state=CLOSED gvisor_state=none", tag)
		}
		return
	}
	h.scan()
	var best tcpip.Endpoint
	var lstEP tcpip.Endpoint
	visibleQueued := 0
	for _, ep := range h.tcpEndpoints() {
		t, ok := tupleOf(ep)
		if !ok {
			continue
		}
		st := tcp.EndpointState(ep.State())
		if st == tcp.StateListen && t.port == h.tup.port && (t.local == "" || t.local == h.tup.local) {
			lstEP = ep
			continue
		}
		if t.port == h.tup.port && t.local == h.tup.local && !h.accepted[t] &&
			(st == tcp.StateEstablished || st == tcp.StateCloseWait) {
			visibleQueued++
		}
		if t != h.tup {
			continue
		}
		// The live connection wins over an old TIME_WAIT with the same tuple.
		if best == nil || tcp.EndpointState(best.State()) == tcp.StateTimeWait ||
			stateName(tcp.EndpointState(best.State())) == "CLOSED" {
			best = ep
		}
	}
	if best != nil {
		st := tcp.EndpointState(best.State())
		if synchronized(st) {
			h.known[h.tup] = true
		}
		reply("%s OK state=%s gvisor_state=%s", tag, stateName(st), nsName(st))
		return
	}
	// No endpoint: netstack has let the connection go, or never had it. It is the
	// connection's state that is asked for, so it is CLOSED, except where RFC 9293 3.10.7.4
	// returns a passive open to LISTEN: a connection reset (or given up) in SYN-RECEIVED.
	// A connection in the accept queue that was reset stays queued but leaves the table:
	// more queued connections than the table shows means this one is such a connection.
	if !h.known[h.tup] && lstEP != nil {
		if n := acceptQueueLen(lstEP); n < 0 || n <= visibleQueued {
			reply("%s OK state=LISTEN gvisor_state=none", tag)
			return
		}
	}
	reply("%s OK state=CLOSED gvisor_state=none", tag)
}

// ---- pending calls ----

func (h *harness) addPending(p *pcall) bool {
	if len(h.pend) >= 1024 {
		reply("%s ERR BADSTATE too many pending calls", p.tag)
		return false
	}
	h.pend = append(h.pend, p)
	return true
}

func (h *harness) isPending(p *pcall) bool {
	for _, q := range h.pend {
		if q == p {
			return true
		}
	}
	return false
}

// failPending completes the pending calls on s (and a pending accept if accepts) with EBADF,
// oldest first, as close() of a busy socket does (docs/agent-protocol.md "Ordering").
func (h *harness) failPending(s *sock, accepts bool) {
	keep := h.pend[:0]
	var failed []*pcall
	for _, p := range h.pend {
		if p.s == s || (accepts && p.kind == pAccept) {
			failed = append(failed, p)
		} else {
			keep = append(keep, p)
		}
	}
	h.pend = keep
	for _, p := range failed {
		done(p.tag, p.kind.name(), -1, eBADF)
	}
}

var filler = func() []byte {
	b := make([]byte, 65536+10)
	for i := range b {
		b[i] = byte('0' + i%10)
	}
	return b
}()

// tryCall makes progress on one pending call; true when it completed (its DONE written).
func (h *harness) tryCall(p *pcall) bool {
	switch p.kind {
	case pAccept:
		ep, wq, err := p.s.ep.Accept(nil)
		if _, wb := err.(*tcpip.ErrWouldBlock); wb {
			return false
		}
		if err != nil {
			done(p.tag, "accept", -1, errnoOf(err))
			return true
		}
		c := h.wrap(ep, wq)
		if t, ok := tupleOf(ep); ok {
			h.known[t] = true
			h.accepted[t] = true
		}
		h.conn = c
		done(p.tag, "accept", 0, 0)
		return true
	case pConnect:
		st := tcp.EndpointState(p.s.ep.State())
		// SYN-RECEIVED is still the handshake: after a simultaneous open (RFC 9293 3.5
		// Figure 7) netstack's active endpoint waits there for the ACK of its SYN
		// (connect.go synSentState -> handshakeSynRcvd), and connect completes after it.
		if st == tcp.StateSynSent || st == tcp.StateConnecting || st == tcp.StateSynRecv {
			return false
		}
		if err := p.s.ep.LastError(); err != nil {
			done(p.tag, "connect", -1, errnoOf(err))
			return true
		}
		if synchronized(st) {
			done(p.tag, "connect", 0, 0)
		} else {
			// Closed without an error netstack kept: the handshake was given up.
			done(p.tag, "connect", -1, errnoOf(&tcpip.ErrConnectionAborted{}))
		}
		return true
	case pWrite:
		for p.done < p.len {
			n := p.len - p.done
			if n > 65536 {
				n = 65536
			}
			var src []byte
			if p.data != nil {
				src = p.data[p.done : p.done+n]
			} else {
				off := p.done % 10
				src = filler[off : off+n]
			}
			w, err := p.s.ep.Write(bytes.NewReader(src), tcpip.WriteOptions{})
			p.done += int(w)
			if _, wb := err.(*tcpip.ErrWouldBlock); wb {
				return false
			}
			if err != nil {
				if p.done > 0 {
					done(p.tag, "write", p.done, errnoOf(err))
				} else {
					done(p.tag, "write", -1, errnoOf(err))
				}
				return true
			}
		}
		done(p.tag, "write", p.len, 0)
		return true
	case pRead:
		var buf bytes.Buffer
		res, err := p.s.ep.Read(&tcpip.LimitedWriter{W: &buf, N: int64(p.len)}, tcpip.ReadOptions{})
		if _, wb := err.(*tcpip.ErrWouldBlock); wb {
			return false
		}
		if _, eof := err.(*tcpip.ErrClosedForReceive); eof {
			done(p.tag, "read", 0, 0)
			return true
		}
		if err != nil {
			done(p.tag, "read", -1, errnoOf(err))
			return true
		}
		if res.Count == 0 {
			done(p.tag, "read", 0, 0)
			return true
		}
		b := buf.Bytes()[:res.Count]
		reply("%s DONE call=read ret=%d errno=0 data=%x", p.tag, res.Count, b)
		return true
	}
	return true
}

// pump retries the pending calls, oldest first. Calls that read (accept, read) on one socket run
// one at a time in order, so do calls that write (connect, write); a connect in progress holds
// back every later call on its socket.
func (h *harness) pump() {
	h.scan()
	type key struct {
		s     *sock
		write bool
	}
	blocked := map[key]bool{}
	connecting := map[*sock]bool{}
	keep := h.pend[:0]
	for _, p := range h.pend {
		wr := p.kind == pConnect || p.kind == pWrite
		k := key{p.s, wr}
		if blocked[k] || (connecting[p.s] && p.kind != pConnect) || !h.sockOpen(p.s) {
			if !h.sockOpen(p.s) {
				done(p.tag, p.kind.name(), -1, eBADF)
				continue
			}
			keep = append(keep, p)
			continue
		}
		if h.tryCall(p) {
			continue
		}
		blocked[k] = true
		if p.kind == pConnect {
			connecting[p.s] = true
		}
		keep = append(keep, p)
	}
	// tryCall may not append; clear the tail so dropped calls can be collected.
	for i := len(keep); i < len(h.pend); i++ {
		h.pend[i] = nil
	}
	h.pend = keep
}

// settle completes, before a request is handled, every pending call netstack lets complete,
// as tcpconform-agent's loop serves its sockets before its input and the harness kit does
// (tests/stacks/kit/kit.c). The main loop's select may take the request before the wake-up
// that says an accept can complete, and then a default-socket `shutdown`, `write` or `close`
// would act on the listener. netstack also marks a passive open ESTABLISHED (the handshake's
// goroutine) a moment before it queues it for Accept (transport/tcp/accept.go
// handleListenSegment -> deliverAccepted), so while an accept is pending and the case's
// connection already shows a synchronized state, the harness waits for the accept queue, for at
// most settleWait.
func (h *harness) settle() {
	h.pump()
	deadline := time.Now().Add(settleWait)
	for h.acceptPending() && h.handshakeDone() && time.Now().Before(deadline) {
		time.Sleep(200 * time.Microsecond)
		h.pump()
	}
}

// settleWait bounds settle's wait for a connection netstack has established but not yet queued.
const settleWait = 50 * time.Millisecond

func (h *harness) acceptPending() bool {
	for _, p := range h.pend {
		if p.kind == pAccept {
			return true
		}
	}
	return false
}

// handshakeDone: netstack shows the case's connection synchronized and the application has not
// accepted it yet.
func (h *harness) handshakeDone() bool {
	for _, ep := range h.tcpEndpoints() {
		if t, ok := tupleOf(ep); ok && t == h.tup && !h.accepted[t] &&
			synchronized(tcp.EndpointState(ep.State())) {
			return true
		}
	}
	return false
}

func (h *harness) sockOpen(s *sock) bool {
	return s != nil && (s == h.conn || s == h.lst || s == h.pre)
}

// ---- calls ----

func (h *harness) fullAddr(a tcpip.Address, port uint16) tcpip.FullAddress {
	return tcpip.FullAddress{NIC: nicID, Addr: a, Port: port}
}

func (h *harness) callListen(tag string, backlog int) {
	if h.lst != nil {
		reply("%s ERR BADSTATE a listener is already open", tag)
		return
	}
	s := h.pre
	h.pre = nil
	if s == nil {
		var err tcpip.Error
		if s, err = h.newSock(); err != nil {
			done(tag, "listen", -1, errnoOf(err))
			return
		}
	}
	s.ep.SocketOptions().SetReuseAddress(true)
	if err := s.ep.Bind(h.fullAddr(h.tup.local, h.tup.port)); err != nil {
		h.closeSock(s)
		done(tag, "listen", -1, errnoOf(err))
		return
	}
	if err := s.ep.Listen(backlog); err != nil {
		h.closeSock(s)
		done(tag, "listen", -1, errnoOf(err))
		return
	}
	h.lst = s
	done(tag, "listen", 0, 0)
}

func (h *harness) callAccept(tag string) {
	if h.lst == nil {
		done(tag, "accept", -1, eBADF)
		return
	}
	for _, p := range h.pend {
		if p.kind == pAccept {
			reply("%s ERR BADSTATE an accept is already pending", tag)
			return
		}
	}
	if h.conn != nil {
		reply("%s ERR BADSTATE a connection is already open (close it first)", tag)
		return
	}
	h.start(&pcall{kind: pAccept, tag: tag, s: h.lst})
}

// start queues a call that may have to wait and tries it at once: its DONE comes now, or
// PENDING now and the DONE later.
func (h *harness) start(p *pcall) {
	if !h.addPending(p) {
		return
	}
	h.pump()
	if h.isPending(p) {
		reply("%s PENDING call=%s", p.tag, p.kind.name())
	}
}

func (h *harness) callConnect(tag string) {
	if h.conn != nil {
		reply("%s ERR BADSTATE a connection is already open (close it first)", tag)
		return
	}
	s := h.pre
	h.pre = nil
	if s == nil {
		var err tcpip.Error
		if s, err = h.newSock(); err != nil {
			done(tag, "connect", -1, errnoOf(err))
			return
		}
	}
	// The socket is the application's connection even if connect fails.
	h.conn = s
	s.ep.SocketOptions().SetReuseAddress(true)
	if err := s.ep.Bind(h.fullAddr(h.tup.local, h.tup.port)); err != nil {
		done(tag, "connect", -1, errnoOf(err))
		return
	}
	// An active open is never returned to LISTEN (RFC 9293 3.10.7.3).
	h.known[h.tup] = true
	err := s.ep.Connect(h.fullAddr(h.tup.peer, h.tup.peerPort))
	if _, started := err.(*tcpip.ErrConnectStarted); started {
		h.start(&pcall{kind: pConnect, tag: tag, s: s})
		return
	}
	if err != nil {
		done(tag, "connect", -1, errnoOf(err))
		return
	}
	done(tag, "connect", 0, 0)
}

func (h *harness) callWrite(tag string, which C.enum_ag_sock, n int, data []byte) {
	s := h.sockFor(which)
	if s == nil {
		done(tag, "write", -1, eBADF)
		return
	}
	h.start(&pcall{kind: pWrite, tag: tag, s: s, len: n, data: data})
}

func (h *harness) callRead(tag string, which C.enum_ag_sock, n int) {
	s := h.sockFor(which)
	if s == nil {
		done(tag, "read", -1, eBADF)
		return
	}
	h.start(&pcall{kind: pRead, tag: tag, s: s, len: n})
}

func (h *harness) callShutdown(tag string, which C.enum_ag_sock, how int) {
	s := h.sockFor(which)
	if s == nil {
		done(tag, "shutdown", -1, eBADF)
		return
	}
	var f tcpip.ShutdownFlags
	switch how {
	case C.SHUT_RD:
		f = tcpip.ShutdownRead
	case C.SHUT_WR:
		f = tcpip.ShutdownWrite
	default:
		f = tcpip.ShutdownRead | tcpip.ShutdownWrite
	}
	if err := s.ep.Shutdown(f); err != nil {
		done(tag, "shutdown", -1, errnoOf(err))
		return
	}
	done(tag, "shutdown", 0, 0)
}

func (h *harness) callClose(tag string, which C.enum_ag_sock) {
	s := h.sockFor(which)
	if s == nil {
		done(tag, "close", -1, eBADF)
		return
	}
	h.failPending(s, s == h.lst)
	switch s {
	case h.conn:
		h.conn = nil
	case h.lst:
		h.lst = nil
	case h.pre:
		h.pre = nil
	}
	// netstack's Close: a FIN (or a RST with SO_LINGER {1,0}, or with unread data); a
	// listener resets the connections still in its accept queue.
	h.closeSock(s)
	done(tag, "close", 0, 0)
}

// sockopt maps the protocol's options onto netstack's (tcpip.SocketOptions and the TCP
// endpoint's SetSockOpt/SetSockOptInt), with the range checks gVisor's sentry applies before
// passing them on (pkg/sentry/socket/netstack/netstack.go). Returns the value (and the second
// one for SO_LINGER), or an errno; unsupported is true for an option netstack lacks.
func (h *harness) sockopt(s *sock, set bool, opt C.enum_ag_opt, v, v2 int) (val, val2, e int, unsupported string) {
	so := s.ep.SocketOptions()
	secs := func(d time.Duration) int { return int(d / time.Second) }
	tcpErr := func(err tcpip.Error) int {
		if err != nil {
			return errnoOf(err)
		}
		return 0
	}
	switch opt {
	case C.AG_O_SO_LINGER:
		if set {
			so.SetLinger(tcpip.LingerOption{Enabled: v != 0, Timeout: time.Duration(v2) * time.Second})
		}
		l := so.GetLinger()
		if l.Enabled {
			val = 1
		}
		return val, secs(l.Timeout), 0, ""
	case C.AG_O_SO_KEEPALIVE:
		if set {
			so.SetKeepAlive(v != 0)
		}
		return b2i(so.GetKeepAlive()), 0, 0, ""
	case C.AG_O_SO_REUSEADDR:
		if set {
			so.SetReuseAddress(v != 0)
		}
		return b2i(so.GetReuseAddress()), 0, 0, ""
	case C.AG_O_SO_RCVBUF:
		if set {
			so.SetReceiveBufferSize(int64(v), true)
		}
		return int(so.GetReceiveBufferSize()), 0, 0, ""
	case C.AG_O_SO_SNDBUF:
		if set {
			so.SetSendBufferSize(int64(v), true)
		}
		return int(so.GetSendBufferSize()), 0, 0, ""
	case C.AG_O_TCP_NODELAY:
		// netstack keeps the inverse: the "delay option" is Nagle's algorithm on.
		if set {
			so.SetDelayOption(v == 0)
		}
		return b2i(!so.GetDelayOption()), 0, 0, ""
	case C.AG_O_TCP_CORK:
		if set {
			so.SetCorkOption(v != 0)
		}
		return b2i(so.GetCorkOption()), 0, 0, ""
	case C.AG_O_TCP_KEEPIDLE, C.AG_O_TCP_KEEPINTVL:
		if set {
			// The sentry refuses values below 1 s and above MAX_TCP_KEEPIDLE (32767).
			if v < 1 || v > 32767 {
				return 0, 0, eINVAL, ""
			}
			d := time.Duration(v) * time.Second
			var err tcpip.Error
			if opt == C.AG_O_TCP_KEEPIDLE {
				o := tcpip.KeepaliveIdleOption(d)
				err = s.ep.SetSockOpt(&o)
			} else {
				o := tcpip.KeepaliveIntervalOption(d)
				err = s.ep.SetSockOpt(&o)
			}
			if err != nil {
				return 0, 0, errnoOf(err), ""
			}
		}
		if opt == C.AG_O_TCP_KEEPIDLE {
			var o tcpip.KeepaliveIdleOption
			err := s.ep.GetSockOpt(&o)
			return secs(time.Duration(o)), 0, tcpErr(err), ""
		}
		var o tcpip.KeepaliveIntervalOption
		err := s.ep.GetSockOpt(&o)
		return secs(time.Duration(o)), 0, tcpErr(err), ""
	case C.AG_O_TCP_KEEPCNT, C.AG_O_TCP_MAXSEG:
		which := tcpip.KeepaliveCountOption
		if opt == C.AG_O_TCP_MAXSEG {
			which = tcpip.MaxSegOption
		}
		if set {
			if opt == C.AG_O_TCP_KEEPCNT && (v < 1 || v > 127) {
				return 0, 0, eINVAL, ""
			}
			if err := s.ep.SetSockOptInt(which, v); err != nil {
				return 0, 0, errnoOf(err), ""
			}
		}
		n, err := s.ep.GetSockOptInt(which)
		return n, 0, tcpErr(err), ""
	case C.AG_O_TCP_DEFER_ACCEPT:
		if set {
			if v < 0 {
				v = 0
			}
			o := tcpip.TCPDeferAcceptOption(time.Duration(v) * time.Second)
			if err := s.ep.SetSockOpt(&o); err != nil {
				return 0, 0, errnoOf(err), ""
			}
		}
		var o tcpip.TCPDeferAcceptOption
		err := s.ep.GetSockOpt(&o)
		return secs(time.Duration(o)), 0, tcpErr(err), ""
	case C.AG_O_TCP_USER_TIMEOUT:
		if set {
			if v < 0 {
				return 0, 0, eINVAL, ""
			}
			o := tcpip.TCPUserTimeoutOption(time.Duration(v) * time.Millisecond)
			if err := s.ep.SetSockOpt(&o); err != nil {
				return 0, 0, errnoOf(err), ""
			}
		}
		var o tcpip.TCPUserTimeoutOption
		err := s.ep.GetSockOpt(&o)
		return int(time.Duration(o) / time.Millisecond), 0, tcpErr(err), ""
	case C.AG_O_TCP_QUICKACK:
		// tcpip.SocketOptions keeps a TCP_QUICKACK flag, but netstack's TCP never reads it
		// (nothing in transport/tcp calls GetQuickAck): setting it would change nothing.
		return 0, 0, 0, "TCP_QUICKACK is stored but never acted on by netstack's TCP"
	}
	return 0, 0, 0, "not available on gvisor"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (h *harness) callSockopt(tag string, set bool, which C.enum_ag_sock, opt C.enum_ag_opt, v, v2 int) {
	call := "getsockopt"
	if set {
		call = "setsockopt"
	}
	var s *sock
	if which == C.AG_S_DEFAULT && h.conn == nil && h.lst == nil {
		var err tcpip.Error
		if s, err = h.getPre(); err != nil {
			done(tag, call, -1, errnoOf(err))
			return
		}
	} else {
		s = h.sockFor(which)
	}
	if s == nil {
		done(tag, call, -1, eBADF)
		return
	}
	val, val2, e, unsup := h.sockopt(s, set, opt, v, v2)
	name := C.GoString(C.ag_opt_name(C.int(opt)))
	switch {
	case unsup != "":
		reply("%s ERR UNSUPPORTED %s: %s", tag, name, unsup)
	case e != 0:
		done(tag, call, -1, e)
	case set:
		done(tag, call, 0, 0)
	case opt == C.AG_O_SO_LINGER:
		reply("%s DONE call=getsockopt ret=0 errno=0 value=%d,%d", tag, val, val2)
	default:
		reply("%s DONE call=getsockopt ret=0 errno=0 value=%d", tag, val)
	}
}

// ---- SYSCTL ----

// The run-time settings of netstack a target file's sysctl_map can name with {key: ...}
// (suites/targets/gvisor.yaml). Each is a stack-wide option, set for the rest of the session:
// the session is the harness process, so nothing outlives it and nothing needs putting back.
func (h *harness) doSysctl(tag, key, value string) {
	num, perr := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if perr != nil && key != "" {
		reply("%s ERR INTERNAL %s: value %q is not a number", tag, key, value)
		return
	}
	var err tcpip.Error
	old := ""
	switch key {
	case "gvisor.tcp_min_rto_us":
		var o tcpip.TCPMinRTOOption
		h.st.TransportProtocolOption(tcp.ProtocolNumber, &o)
		old = strconv.FormatInt(int64(time.Duration(o)/time.Microsecond), 10)
		n := tcpip.TCPMinRTOOption(time.Duration(num) * time.Microsecond)
		err = h.st.SetTransportProtocolOption(tcp.ProtocolNumber, &n)
	case "gvisor.tcp_max_retries":
		var o tcpip.TCPMaxRetriesOption
		h.st.TransportProtocolOption(tcp.ProtocolNumber, &o)
		old = strconv.FormatUint(uint64(o), 10)
		n := tcpip.TCPMaxRetriesOption(num)
		err = h.st.SetTransportProtocolOption(tcp.ProtocolNumber, &n)
	case "gvisor.tcp_syn_retries":
		var o tcpip.TCPSynRetriesOption
		h.st.TransportProtocolOption(tcp.ProtocolNumber, &o)
		old = strconv.FormatUint(uint64(o), 10)
		n := tcpip.TCPSynRetriesOption(num)
		err = h.st.SetTransportProtocolOption(tcp.ProtocolNumber, &n)
	case "gvisor.tcp_linger_timeout_s":
		var o tcpip.TCPLingerTimeoutOption
		h.st.TransportProtocolOption(tcp.ProtocolNumber, &o)
		old = strconv.FormatInt(int64(time.Duration(o)/time.Second), 10)
		n := tcpip.TCPLingerTimeoutOption(time.Duration(num) * time.Second)
		err = h.st.SetTransportProtocolOption(tcp.ProtocolNumber, &n)
	case "gvisor.tcp_invalid_ratelimit_ms":
		var o stack.TCPInvalidRateLimitOption
		h.st.Option(&o)
		old = strconv.FormatInt(int64(time.Duration(o)/time.Millisecond), 10)
		err = h.st.SetOption(stack.TCPInvalidRateLimitOption(time.Duration(num) * time.Millisecond))
	default:
		reply("%s ERR UNSUPPORTED gvisor has no setting %s", tag, key)
		return
	}
	if err != nil {
		reply("%s ERR INTERNAL %s=%s refused by netstack: %s", tag, key, value, err)
		return
	}
	if old == "" {
		reply("%s OK", tag)
	} else {
		reply("%s OK old=%s", tag, old)
	}
}

// ---- requests ----

func addrOf(ss *C.struct_sockaddr_storage) (tcpip.Address, uint16) {
	var b [16]byte
	var port C.int
	n := C.tcg_addr(ss, (*C.uchar)(unsafe.Pointer(&b[0])), &port)
	return tcpip.Address(b[:n]), uint16(port)
}

var (
	rq     = (*C.struct_ag_request)(C.malloc(C.sizeof_struct_ag_request))
	errBuf = (*C.char)(C.malloc(512))
	empty  = []byte{0}
)

func (h *harness) handle(line []byte) {
	p := empty
	if len(line) > 0 {
		p = line
	}
	r := C.ag_parse((*C.char)(unsafe.Pointer(&p[0])), C.size_t(len(line)), rq, errBuf, 512)
	tag := C.GoString(&rq.tag[0])
	if r == 1 {
		return
	}
	if r < 0 {
		reply("%s ERR BADREQ %s", tag, C.GoString(errBuf))
		return
	}
	switch rq.verb {
	case C.AG_V_PING, C.AG_V_QUIT:
	default:
		h.settle()
	}
	switch rq.verb {
	case C.AG_V_PING:
		reply("%s OK", tag)
		return
	case C.AG_V_QUIT:
		reply("%s OK", tag)
		h.out.Flush()
		os.Exit(0)
	case C.AG_V_SYSCTL:
		h.doSysctl(tag, C.GoString(&rq.sysctl_key[0]), C.GoString(&rq.sysctl_value[0]))
		return
	case C.AG_V_CONFIG:
		fam := int(rq.family)
		if (h.conn != nil || h.lst != nil || h.pre != nil) && h.configured && fam != h.family {
			reply("%s ERR BADSTATE cannot change the family while a socket is open", tag)
			return
		}
		h.tup.local, h.tup.port = addrOf(&rq.local)
		h.tup.peer, h.tup.peerPort = addrOf(&rq.peer)
		h.family = fam
		h.configured = true
		reply("%s OK", tag)
		return
	case C.AG_V_STATE:
		if !h.configured {
			reply("%s ERR BADSTATE no CONFIG yet", tag)
			return
		}
		h.doState(tag, rq.sock == C.AG_S_LISTENER)
		return
	}
	if !h.configured {
		reply("%s ERR BADSTATE no CONFIG yet", tag)
		return
	}
	which := rq.sock
	switch rq.call {
	case C.AG_C_LISTEN:
		h.callListen(tag, int(rq.backlog))
	case C.AG_C_ACCEPT:
		h.callAccept(tag)
	case C.AG_C_CONNECT:
		h.callConnect(tag)
	case C.AG_C_WRITE:
		var data []byte
		if rq.has_data != 0 {
			data = C.GoBytes(unsafe.Pointer(&rq.data[0]), C.int(rq.len))
		}
		h.callWrite(tag, which, int(rq.len), data)
	case C.AG_C_READ:
		h.callRead(tag, which, int(rq.len))
	case C.AG_C_SHUTDOWN:
		h.callShutdown(tag, which, int(rq.how))
	case C.AG_C_CLOSE:
		h.callClose(tag, which)
	case C.AG_C_SETSOCKOPT, C.AG_C_GETSOCKOPT:
		h.callSockopt(tag, rq.call == C.AG_C_SETSOCKOPT, which, rq.opt, int(rq.value[0]), int(rq.value[1]))
	default:
		reply("%s ERR BADREQ unknown call", tag)
	}
}

// ---- start-up ----

func usage() {
	fmt.Fprintln(os.Stderr, "usage: tcpconform-gvisor --tap IFNAME [--mac MAC] [--ipv4 ADDR/PREFIX] [--ipv6 ADDR]")
	os.Exit(2)
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tcpconform-gvisor: "+format+"\n", args...)
	os.Exit(1)
}

type inLine struct {
	b       []byte
	tooLong bool
}

// readLines sends stdin's lines to the main loop; a line longer than the protocol allows is
// reported (and skipped to its end); a final line without "\n" is ignored, and end of input
// closes the channel.
func readLines(ch chan<- inLine) {
	r := bufio.NewReaderSize(os.Stdin, C.AG_MAX_LINE+2)
	for {
		b, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			ch <- inLine{tooLong: true}
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			if err != nil {
				close(ch)
				return
			}
			continue
		}
		if err != nil {
			close(ch)
			return
		}
		line := make([]byte, len(b)-1)
		copy(line, b)
		ch <- inLine{b: line}
	}
}

func main() {
	var tap, v4, v6 string
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	args := os.Args[1:]
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			usage()
		}
		switch args[i] {
		case "--tap":
			tap = args[i+1]
		case "--ipv4":
			v4 = args[i+1]
		case "--ipv6":
			v6 = args[i+1]
		case "--mac":
			m, err := net.ParseMAC(args[i+1])
			if err != nil || len(m) != 6 {
				fmt.Fprintf(os.Stderr, "tcpconform-gvisor: bad --mac '%s'\n", args[i+1])
				os.Exit(2)
			}
			mac = m
		default:
			usage()
		}
	}
	if tap == "" || len(tap) >= 16 {
		usage()
	}
	var addrs []tcpip.ProtocolAddress
	var routes []tcpip.Route
	if v4 != "" {
		s := v4
		if !strings.Contains(s, "/") {
			s += "/24"
		}
		ip, n, err := net.ParseCIDR(s)
		if err != nil || ip.To4() == nil {
			fmt.Fprintf(os.Stderr, "tcpconform-gvisor: bad --ipv4 '%s'\n", v4)
			os.Exit(2)
		}
		plen, _ := n.Mask.Size()
		awp := tcpip.AddressWithPrefix{Address: tcpip.Address(ip.To4()), PrefixLen: plen}
		addrs = append(addrs, tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: awp})
		routes = append(routes, tcpip.Route{Destination: awp.Subnet(), NIC: nicID})
	}
	if v6 != "" {
		s := v6
		if !strings.Contains(s, "/") {
			s += "/64" // an on-link /64, as lwIP takes it
		}
		ip, n, err := net.ParseCIDR(s)
		if err != nil || ip.To4() != nil {
			fmt.Fprintf(os.Stderr, "tcpconform-gvisor: bad --ipv6 '%s'\n", v6)
			os.Exit(2)
		}
		plen, _ := n.Mask.Size()
		awp := tcpip.AddressWithPrefix{Address: tcpip.Address(ip.To16()), PrefixLen: plen}
		addrs = append(addrs, tcpip.ProtocolAddress{Protocol: ipv6.ProtocolNumber, AddressWithPrefix: awp})
		routes = append(routes, tcpip.Route{Destination: awp.Subnet(), NIC: nicID})
	}

	// IPv6 with netstack's zero options: no duplicate address detection (RFC 4862 5.4 would
	// hold the address tentative on a link where nobody else can have it), no router
	// solicitations, no SLAAC.
	st := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, ipv6.NewProtocolWithOptions(ipv6.Options{}), arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol},
	})
	// SACK and Nagle's algorithm on, as gVisor's runsc configures netstack for its sandboxes
	// (runsc/boot/loader.go sets tcpip.TCPSACKEnabled(true) and tcpip.TCPDelayEnabled(true));
	// the library's own defaults are off (transport/tcp/protocol.go), and a new endpoint
	// takes Nagle from TCPDelayEnabled (endpoint.go newEndpoint). Everything else is the
	// library's default (tcp.NewProtocol): RACK loss detection, Reno, 1 MB buffers.
	sack := tcpip.TCPSACKEnabled(true)
	if err := st.SetTransportProtocolOption(tcp.ProtocolNumber, &sack); err != nil {
		fatal("cannot enable SACK: %s", err)
	}
	delay := tcpip.TCPDelayEnabled(true)
	if err := st.SetTransportProtocolOption(tcp.ProtocolNumber, &delay); err != nil {
		fatal("cannot enable Nagle's algorithm: %s", err)
	}

	fd, err := tun.OpenTAP(tap)
	if err != nil {
		fatal("cannot open TAP device %s: %v", tap, err)
	}
	linkEP, lerr := fdbased.New(&fdbased.Options{
		FDs:            []int{fd},
		MTU:            1500,
		EthernetHeader: true,
		Address:        tcpip.LinkAddress(mac),
	})
	if lerr != nil {
		fatal("cannot attach to TAP device %s: %s", tap, lerr)
	}
	if terr := st.CreateNIC(nicID, linkEP); terr != nil {
		fatal("cannot create the NIC: %s", terr)
	}
	for _, a := range addrs {
		if terr := st.AddProtocolAddress(nicID, a, stack.AddressProperties{}); terr != nil {
			fatal("cannot add %s: %s", a.AddressWithPrefix, terr)
		}
	}
	st.SetRouteTable(routes)

	h = harness{
		st:       st,
		known:    map[tuple]bool{},
		accepted: map[tuple]bool{},
		wake:     make(chan struct{}, 1),
		out:      bufio.NewWriterSize(os.Stdout, C.AG_MAX_LINE+256),
	}
	fmt.Fprintf(h.out, "HELLO tcpconform-gvisor %d os=gvisor netstack=%s\n", C.AG_PROTO_VERSION, netstackVersion)
	h.out.Flush()

	lines := make(chan inLine, 16)
	go readLines(lines)
	tick := time.NewTicker(20 * time.Millisecond)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				// End of input: the session is over (docs/agent-protocol.md).
				h.out.Flush()
				os.Exit(0)
			}
			if l.tooLong {
				reply("* ERR BADREQ line too long (more than %d bytes)", C.AG_MAX_LINE)
			} else {
				h.handle(l.b)
			}
		case <-h.wake:
			h.pump()
		case <-tick.C:
			if len(h.pend) > 0 {
				h.pump()
			}
		}
		if err := h.out.Flush(); err != nil {
			// The runner has gone away: nobody is left to answer.
			os.Exit(0)
		}
	}
}

// netstackVersion names the Debian package the harness was built against (the Makefile passes
// it with -ldflags -X), for the HELLO line and reports.
var netstackVersion = "unknown"
