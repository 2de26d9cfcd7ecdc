/*
 * harness.c - tcpconform-lwip: the lwIP TCP/IP stack (Debian's liblwip 2.1.3, unmodified) on a
 * TAP device, driven over the agent protocol (docs/agent-protocol.md) on stdin/stdout.
 *
 * This is the worked example of the `tap` target (docs/targets.md): a user-space stack that has
 * no POSIX sockets of the host and no kernel socket table, reached only through its own API.
 *
 *   tcpconform-lwip --tap IFNAME [--mac 02:00:00:00:00:01] [--ipv4 192.0.2.1/24]
 *                   [--ipv6 2001:db8::1]
 *
 * The TAP device must exist (the runner creates it, persistent, in the case's namespace); the
 * library's own tapif netif attaches to it by name (PRECONFIGURED_TAPIF) and feeds received
 * frames to the tcpip thread. lwIP does its own ARP and neighbour discovery: the runner's
 * injector answers for its addresses (injector/neigh.h), so nothing is configured statically.
 *
 * Threads: lwIP's tcpip thread runs the stack, its timers and every raw-API callback with the
 * core lock held (LWIP_TCPIP_CORE_LOCKING, as Debian builds it); the main thread reads requests
 * and handles each one with the core lock held too. So all harness state below is only touched
 * under the core lock and needs no other locking, and replies from both threads are whole lines.
 *
 * Each CALL maps onto lwIP's raw TCP API (tcp_new/bind/listen/accept/connect/write/recved/
 * shutdown/close/abort); STATE reports the state of lwIP's own pcb with the configured 4-tuple,
 * looked up in lwIP's pcb lists (tcp_active_pcbs, tcp_tw_pcbs, tcp_listen_pcbs), so connections
 * the application no longer holds (TIME_WAIT, FIN_WAIT_2 after close) are found too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/nd6.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"

#include "../../../runner/agent/proto.h"

#define MAX_PENDING 256
#define CHUNK 16384

/* Socket options the application set, kept by the harness: lwIP keeps some in the pcb, but a
 * listening pcb (struct tcp_pcb_listen) has no room for keep-alive timing or Nagle, and
 * SO_LINGER exists only in lwIP's socket layer. Accepted connections inherit the listener's
 * options, as they do on POSIX systems. */
struct sopts {
	int reuseaddr, keepalive, nodelay;
	int has_keepidle, has_keepintvl, has_keepcnt;
	u32_t keepidle_s, keepintvl_s, keepcnt;
	int linger_on, linger_s;
};

/* The connection: the pcb while lwIP and the application both hold it. */
struct conn {
	struct tcp_pcb *pcb;   /* NULL once lwIP freed it (error) or the application let it go */
	struct pbuf *rxq;      /* received, not yet read by the application */
	int rx_eof;            /* the peer's FIN arrived */
	int soerr;             /* a pending socket error (errno), reported once */
	int dead;              /* lwIP reported an error: the pcb is gone */
	int shut_wr;           /* shutdown(WR) or later: writes fail with EPIPE */
	int was_reported;      /* the error was reported once: later writes get EPIPE */
	struct sopts o;
	struct conn *next;     /* accept queue */
};

enum pkind { P_ACCEPT, P_CONNECT, P_WRITE, P_READ };

struct pcall {
	int used;
	enum pkind kind;
	unsigned long seq;
	char tag[AG_MAX_TAG + 1];
	struct conn *c;       /* the connection it waits on (not for accept) */
	size_t len, done;
	uint8_t *data;        /* write data=, or NULL for filler */
};

static struct {
	struct netif netif;
	int configured, family;
	ip_addr_t local, peer;
	u16_t port, peer_port;
	struct tcp_pcb *pre;          /* made by set/getsockopt before listen/connect */
	struct sopts pre_o;
	struct tcp_pcb *lpcb;         /* the listener */
	struct sopts lst_o;
	struct conn *conn;            /* the connection the application holds */
	struct conn *acceptq, **acceptq_tail;
	struct pcall pend[MAX_PENDING];
	unsigned long seq;
	/* Connections (local port, peer address and port; our local address is the one the
	 * netif has) that lwIP handed to the accept callback, that connect opened, or that
	 * STATE saw synchronized. RFC 9293 never returns such a connection to LISTEN, so once
	 * lwIP has freed its pcb, STATE reports CLOSED for it rather than the listener's LISTEN. */
	struct {
		ip_addr_t local, peer;
		u16_t port, peer_port;
	} known[16];
	int nknown;
} H;

static char outbuf[AG_MAX_LINE + 256];

/* ---- output ---- */

/* Writes the reply line the codec (runner/agent/proto.h) formatted into outbuf, n bytes. Called
 * with the core lock held, from either thread. A runner that has gone away ends the harness:
 * there is nobody left to answer. */
static void emit(const char *tag, int n)
{
	if (n < 0) /* cannot happen within AG_READ_MAX; our own bug, said as such */
		n = ag_fmt_err(outbuf, sizeof(outbuf) - 1, tag, "INTERNAL", "reply too long");
	if (n < 0)
		return;
	outbuf[n++] = '\n';
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = write(1, outbuf + off, (size_t)n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		off += (size_t)w;
	}
}

static void reply_ok(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_ok(const char *tag, const char *fmt, ...)
{
	char rest[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	emit(tag, ag_fmt_ok(outbuf, sizeof(outbuf) - 1, tag, rest));
}

static void reply_err(const char *tag, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply_err(const char *tag, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(tag, ag_fmt_err(outbuf, sizeof(outbuf) - 1, tag, code, msg));
}

static void reply_pending(const char *tag, enum ag_call call)
{
	emit(tag, ag_fmt_pending(outbuf, sizeof(outbuf) - 1, tag, call));
}

static void reply_done(const char *tag, enum ag_call call, long ret, int e, const uint8_t *data,
		       size_t ndata, const int *value, int nvalue)
{
	emit(tag, ag_fmt_done(outbuf, sizeof(outbuf) - 1, tag, call, ret, e, data, ndata, value,
			      nvalue));
}

/* The call whose protocol name is given ("read"). */
static enum ag_call call_of(const char *name)
{
	for (int c = 0; c < AG_C_COUNT; c++)
		if (strcmp(ag_call_name(c), name) == 0)
			return (enum ag_call)c;
	return AG_C_COUNT;
}

static void done(const char *tag, const char *call, long ret, int e)
{
	reply_done(tag, call_of(call), ret, e, NULL, 0, NULL, 0);
}

/* ---- lwIP state ---- */

static const char *lwip_state_name(enum tcp_state s)
{
	static const char *const n[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
					"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
					"LAST_ACK", "TIME_WAIT"};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

/* lwIP's enum tcp_state names RFC 9293's states one to one; only SYN_RCVD is spelt
 * differently from the case format's SYN_RECEIVED. */
static const char *our_state_name(enum tcp_state s)
{
	return s == SYN_RCVD ? "SYN_RECEIVED" : lwip_state_name(s);
}

/* Address equality without zones: our addresses are global, and a pcb's copy may carry a zone
 * lwIP assigned. */
static int addr_eq(const ip_addr_t *a, const ip_addr_t *b)
{
	if (IP_GET_TYPE(a) != IP_GET_TYPE(b))
		return 0;
	if (IP_IS_V4(a))
		return ip4_addr_get_u32(ip_2_ip4(a)) == ip4_addr_get_u32(ip_2_ip4(b));
	return memcmp(ip_2_ip6(a)->addr, ip_2_ip6(b)->addr, 16) == 0;
}

static struct tcp_pcb *find_pcb(struct tcp_pcb *list)
{
	struct tcp_pcb *best = NULL;
	for (struct tcp_pcb *p = list; p; p = p->next) {
		if (p->local_port != H.port || p->remote_port != H.peer_port ||
		    !addr_eq(&p->local_ip, &H.local) || !addr_eq(&p->remote_ip, &H.peer))
			continue;
		if (!best || best->state == CLOSED)
			best = p;
	}
	return best;
}

static int known_idx(const ip_addr_t *local, u16_t port, const ip_addr_t *peer, u16_t peer_port)
{
	for (int i = 0; i < H.nknown; i++)
		if (H.known[i].port == port && H.known[i].peer_port == peer_port &&
		    addr_eq(&H.known[i].local, local) && addr_eq(&H.known[i].peer, peer))
			return i;
	return -1;
}

static void remember(const ip_addr_t *local, u16_t port, const ip_addr_t *peer, u16_t peer_port)
{
	int n = (int)(sizeof(H.known) / sizeof(H.known[0]));
	if (known_idx(local, port, peer, peer_port) >= 0)
		return;
	if (H.nknown == n) {
		memmove(&H.known[0], &H.known[1], sizeof(H.known[0]) * (size_t)(n - 1));
		H.nknown--;
	}
	ip_addr_copy(H.known[H.nknown].local, *local);
	ip_addr_copy(H.known[H.nknown].peer, *peer);
	H.known[H.nknown].port = port;
	H.known[H.nknown].peer_port = peer_port;
	H.nknown++;
}

static int listener_open(void)
{
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		if (l->local_port == H.port &&
		    (ip_addr_isany(&l->local_ip) || addr_eq(&l->local_ip, &H.local)))
			return 1;
	return 0;
}

static void do_state(const char *tag, int listener)
{
	if (listener) {
		/* STATE sock=listener: the application's listener, LISTEN while it is open. */
		if (H.lpcb)
			reply_ok(tag, "state=LISTEN lwip_state=%s", lwip_state_name(H.lpcb->state));
		else
			reply_ok(tag, "state=CLOSED lwip_state=none");
		return;
	}
	/* The live connection wins over an old TIME_WAIT with the same tuple. */
	struct tcp_pcb *p = find_pcb(tcp_active_pcbs);
	if (!p)
		p = find_pcb(tcp_tw_pcbs);
	if (p) {
		if (p->state >= ESTABLISHED)
			remember(&H.local, H.port, &H.peer, H.peer_port);
		reply_ok(tag, "state=%s lwip_state=%s", our_state_name(p->state),
		      lwip_state_name(p->state));
		return;
	}
	/* No pcb: lwIP has freed the connection, or never had it. It is the connection's state
	 * that is asked for, so it is CLOSED, except where RFC 9293 3.10.7.4 returns a passive
	 * open to LISTEN: a connection reset (or given up) in SYN-RECEIVED, which lwIP frees
	 * without calling the accept callback. A connection lwIP accepted, that connect opened
	 * or that an earlier STATE saw synchronized is CLOSED. */
	if (known_idx(&H.local, H.port, &H.peer, H.peer_port) < 0 && listener_open()) {
		reply_ok(tag, "state=LISTEN lwip_state=LISTEN");
		return;
	}
	reply_ok(tag, "state=CLOSED lwip_state=none");
}

/* ---- pending calls ---- */

static struct pcall *pend_new(enum pkind k, const char *tag, struct conn *c)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (!H.pend[i].used) {
			struct pcall *p = &H.pend[i];
			memset(p, 0, sizeof(*p));
			p->used = 1;
			p->kind = k;
			p->seq = ++H.seq;
			p->c = c;
			snprintf(p->tag, sizeof(p->tag), "%s", tag);
			return p;
		}
	return NULL;
}

/* The oldest pending call of kind k on connection c (c ignored for accept). */
static struct pcall *pend_first(enum pkind k, const struct conn *c)
{
	struct pcall *best = NULL;
	for (int i = 0; i < MAX_PENDING; i++) {
		struct pcall *p = &H.pend[i];
		if (p->used && p->kind == k && (k == P_ACCEPT || p->c == c) &&
		    (!best || p->seq < best->seq))
			best = p;
	}
	return best;
}

static void pend_free(struct pcall *p)
{
	free(p->data);
	p->data = NULL;
	p->used = 0;
}

static const char *kind_call(enum pkind k)
{
	switch (k) {
	case P_ACCEPT: return "accept";
	case P_CONNECT: return "connect";
	case P_WRITE: return "write";
	default: return "read";
	}
}

/* close() of a socket first completes its pending calls with EBADF (docs/agent-protocol.md). */
static void pend_fail_all(struct conn *c, int accept_too)
{
	for (;;) {
		struct pcall *best = NULL;
		for (int i = 0; i < MAX_PENDING; i++) {
			struct pcall *p = &H.pend[i];
			if (!p->used)
				continue;
			if ((p->kind == P_ACCEPT && accept_too) || (p->kind != P_ACCEPT && c && p->c == c))
				if (!best || p->seq < best->seq)
					best = p;
		}
		if (!best)
			return;
		done(best->tag, kind_call(best->kind), -1, EBADF);
		pend_free(best);
	}
}

/* ---- connections ---- */

static void apply_opts(struct tcp_pcb *pcb, const struct sopts *o)
{
	if (o->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (o->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	if (o->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (o->has_keepidle)
		pcb->keep_idle = o->keepidle_s * 1000;
	if (o->has_keepintvl)
		pcb->keep_intvl = o->keepintvl_s * 1000;
	if (o->has_keepcnt)
		pcb->keep_cnt = o->keepcnt;
}

static void conn_detach(struct conn *c)
{
	if (!c->pcb)
		return;
	tcp_arg(c->pcb, NULL);
	tcp_recv(c->pcb, NULL);
	tcp_sent(c->pcb, NULL);
	tcp_err(c->pcb, NULL);
	tcp_poll(c->pcb, NULL, 0);
	c->pcb = NULL;
}

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->rxq)
		pbuf_free(c->rxq);
	free(c);
}

/* The error a dead or reset connection reports once; then writes get EPIPE and reads EOF. */
static int take_error(struct conn *c)
{
	int e = c->soerr;
	c->soerr = 0;
	c->was_reported = 1;
	return e;
}

static void write_pump(struct conn *c);
static void read_pump(struct conn *c);

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;
	(void)pcb;
	if (!c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (err != ERR_OK) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p)
		c->rx_eof = 1;
	else if (c->rxq)
		pbuf_cat(c->rxq, p);
	else
		c->rxq = p;
	/* The data is held like a socket's receive buffer: the window reopens (tcp_recved) only
	 * as the application reads. */
	read_pump(c);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	if (arg)
		write_pump(arg);
	return ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)pcb;
	if (arg)
		write_pump(arg);
	return ERR_OK;
}

/* lwIP calls this after it has freed the pcb: a reset (ERR_RST), retransmissions or
 * keep-alives given up (ERR_ABRT), or an abort of its own. */
static void on_err(void *arg, err_t err)
{
	struct conn *c = arg;
	if (!c)
		return;
	c->pcb = NULL;
	c->dead = 1;
	struct pcall *cp = pend_first(P_CONNECT, c);
	if (cp) {
		/* RFC 9293 3.10.7.3: a RST acceptable in SYN-SENT means "connection refused". */
		done(cp->tag, "connect", -1, err == ERR_RST ? ECONNREFUSED : ETIMEDOUT);
		pend_free(cp);
		c->was_reported = 1;
	} else {
		c->soerr = err == ERR_RST ? ECONNRESET : err == ERR_ABRT ? ETIMEDOUT : ECONNABORTED;
	}
	read_pump(c);
	write_pump(c);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct conn *c = arg;
	(void)pcb;
	struct pcall *cp = c ? pend_first(P_CONNECT, c) : NULL;
	if (cp) {
		done(cp->tag, "connect", err == ERR_OK ? 0 : -1, err == ERR_OK ? 0 : err_to_errno(err));
		pend_free(cp);
	}
	if (c)
		write_pump(c);
	return ERR_OK;
}

static void conn_hook(struct conn *c)
{
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, on_recv);
	tcp_sent(c->pcb, on_sent);
	tcp_err(c->pcb, on_err);
	/* A slow poll as a safety net for writes that found the send buffer full. */
	tcp_poll(c->pcb, on_poll, 2);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !newpcb)
		return ERR_VAL;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_MEM; /* lwIP aborts the new connection */
	c->pcb = newpcb;
	/* lwIP calls the accept callback when the handshake completes (tcp_process, SYN_RCVD
	 * to ESTABLISHED): from here on the connection never returns to LISTEN. */
	remember(&newpcb->local_ip, newpcb->local_port, &newpcb->remote_ip, newpcb->remote_port);
	c->o = H.lst_o;
	apply_opts(newpcb, &c->o);
	conn_hook(c);
	struct pcall *ap = pend_first(P_ACCEPT, NULL);
	if (ap && !H.conn) {
		H.conn = c;
		done(ap->tag, "accept", 0, 0);
		pend_free(ap);
	} else {
		*H.acceptq_tail = c;
		H.acceptq_tail = &c->next;
	}
	return ERR_OK;
}

static struct conn *acceptq_pop(void)
{
	struct conn *c = H.acceptq;
	if (c) {
		H.acceptq = c->next;
		if (!H.acceptq)
			H.acceptq_tail = &H.acceptq;
		c->next = NULL;
	}
	return c;
}

/* Fills n filler bytes for positions off.. of a write: byte i is '0' + i % 10. */
static void filler(uint8_t *b, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)('0' + (off + i) % 10);
}

/* Queues as much of the oldest pending write as lwIP's send buffer takes; completes it when
 * all is queued, or with the error when the connection died. */
static void write_pump(struct conn *c)
{
	static uint8_t chunk[CHUNK];
	struct pcall *w;
	while ((w = pend_first(P_WRITE, c)) != NULL) {
		if (c->dead || !c->pcb) {
			int e = c->soerr ? take_error(c) : EPIPE;
			if (w->done > 0)
				done(w->tag, "write", (long)w->done, e);
			else
				done(w->tag, "write", -1, e);
			pend_free(w);
			continue;
		}
		/* A connect still in progress holds the write back (docs/agent-protocol.md). */
		if (pend_first(P_CONNECT, c))
			return;
		while (w->done < w->len) {
			size_t room = tcp_sndbuf(c->pcb);
			size_t n = w->len - w->done;
			if (n > room)
				n = room;
			if (n > CHUNK)
				n = CHUNK;
			if (n == 0)
				break;
			const uint8_t *src;
			if (w->data) {
				src = w->data + w->done;
			} else {
				filler(chunk, w->done, n);
				src = chunk;
			}
			err_t e = tcp_write(c->pcb, src, (u16_t)n, TCP_WRITE_FLAG_COPY);
			if (e == ERR_MEM)
				break;
			if (e != ERR_OK) {
				int en = e == ERR_CONN ? (c->shut_wr ? EPIPE : ENOTCONN) : err_to_errno(e);
				done(w->tag, "write", w->done ? (long)w->done : -1, en);
				pend_free(w);
				w = NULL;
				break;
			}
			w->done += n;
		}
		if (c->pcb)
			tcp_output(c->pcb);
		if (!w)
			continue;
		if (w->done < w->len)
			return;
		done(w->tag, "write", (long)w->len, 0);
		pend_free(w);
	}
}

/* Answers the oldest pending read if data, end of stream or an error is there. */
static void read_pump(struct conn *c)
{
	static uint8_t buf[AG_READ_MAX];
	struct pcall *r;
	while ((r = pend_first(P_READ, c)) != NULL) {
		if (c->rxq) {
			size_t n = c->rxq->tot_len;
			if (n > r->len)
				n = r->len;
			pbuf_copy_partial(c->rxq, buf, (u16_t)n, 0);
			c->rxq = pbuf_free_header(c->rxq, (u16_t)n);
			if (c->pcb)
				tcp_recved(c->pcb, (u16_t)n);
			reply_done(r->tag, AG_C_READ, (long)n, 0, buf, n, NULL, 0);
		} else if (c->soerr) {
			done(r->tag, "read", -1, take_error(c));
		} else if (c->rx_eof || c->dead) {
			done(r->tag, "read", 0, 0);
		} else {
			return;
		}
		pend_free(r);
	}
}

/* ---- calls ---- */

static int ip_from_ss(const struct sockaddr_storage *ss, ip_addr_t *a, u16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V4);
		ip4_addr_set_u32(ip_2_ip4(a), s->sin_addr.s_addr);
		*port = ntohs(s->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V6);
		memcpy(ip_2_ip6(a)->addr, s->sin6_addr.s6_addr, 16);
		ip6_addr_assign_zone(ip_2_ip6(a), IP6_UNICAST, &H.netif);
		*port = ntohs(s->sin6_port);
		return 0;
	}
	return -1;
}

static struct tcp_pcb *new_pcb(void)
{
	return tcp_new_ip_type(H.family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6);
}

/* The pre socket: a real, unbound pcb, so options set before listen/connect land on it. */
static struct tcp_pcb *get_pre(void)
{
	if (!H.pre) {
		H.pre = new_pcb();
		if (H.pre)
			apply_opts(H.pre, &H.pre_o);
	}
	return H.pre;
}

static void call_listen(const struct ag_request *rq)
{
	if (H.lpcb) {
		reply_err(rq->tag, "BADSTATE", "a listener is already open");
		return;
	}
	struct tcp_pcb *pcb = H.pre ? H.pre : new_pcb();
	struct sopts o = H.pre_o;
	H.pre = NULL;
	memset(&H.pre_o, 0, sizeof(H.pre_o));
	if (!pcb) {
		done(rq->tag, "listen", -1, ENOBUFS);
		return;
	}
	o.reuseaddr = 1;
	apply_opts(pcb, &o);
	err_t e = tcp_bind(pcb, &H.local, H.port);
	if (e != ERR_OK) {
		tcp_close(pcb);
		done(rq->tag, "listen", -1, e == ERR_USE ? EADDRINUSE : err_to_errno(e));
		return;
	}
	/* TCP_LISTEN_BACKLOG is off in Debian's build, so lwIP ignores the backlog. */
	struct tcp_pcb *l = tcp_listen_with_backlog_and_err(pcb, (u8_t)(rq->backlog > 255 ? 255 : rq->backlog), &e);
	if (!l) {
		tcp_close(pcb);
		done(rq->tag, "listen", -1, err_to_errno(e));
		return;
	}
	H.lpcb = l;
	H.lst_o = o;
	tcp_arg(l, NULL);
	tcp_accept(l, on_accept);
	done(rq->tag, "listen", 0, 0);
}

static void call_accept(const struct ag_request *rq)
{
	if (!H.lpcb) {
		done(rq->tag, "accept", -1, EBADF);
		return;
	}
	if (H.conn || pend_first(P_ACCEPT, NULL)) {
		reply_err(rq->tag, "BADSTATE", "%s",
			  H.conn ? "a connection is already open (close it first)" : "an accept is already pending");
		return;
	}
	struct conn *c = acceptq_pop();
	if (c) {
		H.conn = c;
		done(rq->tag, "accept", 0, 0);
		return;
	}
	if (!pend_new(P_ACCEPT, rq->tag, NULL)) {
		reply_err(rq->tag, "BADSTATE", "too many pending calls");
		return;
	}
	reply_pending(rq->tag, AG_C_ACCEPT);
}

static void call_connect(const struct ag_request *rq)
{
	if (H.conn) {
		reply_err(rq->tag, "BADSTATE", "a connection is already open (close it first)");
		return;
	}
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		reply_err(rq->tag, "INTERNAL", "out of memory");
		return;
	}
	struct tcp_pcb *pcb = H.pre ? H.pre : new_pcb();
	c->o = H.pre_o;
	H.pre = NULL;
	memset(&H.pre_o, 0, sizeof(H.pre_o));
	/* The connection exists for the application even if connect fails. */
	H.conn = c;
	if (!pcb) {
		c->dead = 1;
		done(rq->tag, "connect", -1, ENOBUFS);
		return;
	}
	c->o.reuseaddr = 1;
	apply_opts(pcb, &c->o);
	c->pcb = pcb;
	err_t e = tcp_bind(pcb, &H.local, H.port);
	if (e != ERR_OK) {
		conn_detach(c);
		tcp_close(pcb);
		c->dead = 1;
		done(rq->tag, "connect", -1, e == ERR_USE ? EADDRINUSE : err_to_errno(e));
		return;
	}
	conn_hook(c);
	/* An active open is never returned to LISTEN (RFC 9293 3.10.7.3). */
	remember(&H.local, H.port, &H.peer, H.peer_port);
	struct pcall *p = pend_new(P_CONNECT, rq->tag, c);
	if (!p) {
		reply_err(rq->tag, "BADSTATE", "too many pending calls");
		return;
	}
	e = tcp_connect(pcb, &H.peer, H.peer_port, on_connected);
	if (e != ERR_OK) {
		pend_free(p);
		conn_detach(c);
		tcp_abort(pcb);
		c->dead = 1;
		done(rq->tag, "connect", -1, err_to_errno(e));
		return;
	}
	reply_pending(rq->tag, AG_C_CONNECT);
}

/* Which connection a read/write/shutdown acts on: sock=conn or the default (the conn). A call
 * for a socket that is not open gets EBADF. */
static struct conn *conn_for(const struct ag_request *rq)
{
	if (rq->sock == AG_S_LISTENER)
		return NULL;
	return H.conn;
}

static void call_write(const struct ag_request *rq)
{
	struct conn *c = conn_for(rq);
	if (!c) {
		done(rq->tag, "write", -1, rq->sock == AG_S_LISTENER && H.lpcb ? ENOTCONN : EBADF);
		return;
	}
	if (c->shut_wr || (c->was_reported && c->dead)) {
		done(rq->tag, "write", -1, EPIPE);
		return;
	}
	struct pcall *p = pend_new(P_WRITE, rq->tag, c);
	if (!p) {
		reply_err(rq->tag, "BADSTATE", "too many pending calls");
		return;
	}
	p->len = rq->len;
	if (rq->has_data) {
		p->data = malloc(rq->len ? rq->len : 1);
		if (!p->data) {
			pend_free(p);
			reply_err(rq->tag, "INTERNAL", "out of memory");
			return;
		}
		memcpy(p->data, rq->data, rq->len);
	}
	unsigned long seq = p->seq;
	write_pump(c);
	/* Still there: it waits for room in the send buffer. */
	for (int i = 0; i < MAX_PENDING; i++)
		if (H.pend[i].used && H.pend[i].seq == seq) {
			reply_pending(rq->tag, AG_C_WRITE);
			return;
		}
}

static void call_read(const struct ag_request *rq)
{
	struct conn *c = conn_for(rq);
	if (!c) {
		done(rq->tag, "read", -1, rq->sock == AG_S_LISTENER && H.lpcb ? ENOTCONN : EBADF);
		return;
	}
	struct pcall *p = pend_new(P_READ, rq->tag, c);
	if (!p) {
		reply_err(rq->tag, "BADSTATE", "too many pending calls");
		return;
	}
	p->len = rq->len;
	unsigned long seq = p->seq;
	read_pump(c);
	for (int i = 0; i < MAX_PENDING; i++)
		if (H.pend[i].used && H.pend[i].seq == seq) {
			reply_pending(rq->tag, AG_C_READ);
			return;
		}
}

static void call_shutdown(const struct ag_request *rq)
{
	struct conn *c = conn_for(rq);
	if (!c) {
		done(rq->tag, "shutdown", -1, rq->sock == AG_S_LISTENER && H.lpcb ? ENOTCONN : EBADF);
		return;
	}
	int rx = rq->how == SHUT_RD || rq->how == SHUT_RDWR;
	int tx = rq->how == SHUT_WR || rq->how == SHUT_RDWR;
	if (!c->pcb) {
		done(rq->tag, "shutdown", -1, ENOTCONN);
		return;
	}
	/* For the raw API, shutting down both halves is a close: lwIP may free the pcb at once,
	 * so the harness lets go of it first. */
	struct tcp_pcb *pcb = c->pcb;
	if (rx && tx)
		conn_detach(c);
	err_t e = tcp_shutdown(pcb, rx, tx);
	if (tx)
		c->shut_wr = 1;
	if (rx)
		c->rx_eof = 1;
	if (e != ERR_OK) {
		done(rq->tag, "shutdown", -1, e == ERR_CONN ? ENOTCONN : err_to_errno(e));
		return;
	}
	done(rq->tag, "shutdown", 0, 0);
	read_pump(c);
}

static void close_conn(struct conn *c)
{
	pend_fail_all(c, 0);
	if (c->pcb) {
		struct tcp_pcb *pcb = c->pcb;
		conn_detach(c);
		if (c->o.linger_on && c->o.linger_s == 0) {
			/* SO_LINGER {1, 0}: an abortive close, a RST (RFC 9293 3.10.4 ABORT). */
			tcp_abort(pcb);
		} else if (tcp_close(pcb) != ERR_OK) {
			/* Out of memory for the FIN: lwIP's own netconn layer retries; an
			 * application that cannot wait aborts. */
			tcp_abort(pcb);
		}
	}
	conn_free(c);
}

static void call_close(const struct ag_request *rq)
{
	if (rq->sock == AG_S_LISTENER || (rq->sock == AG_S_DEFAULT && !H.conn && H.lpcb)) {
		if (!H.lpcb) {
			done(rq->tag, "close", -1, EBADF);
			return;
		}
		pend_fail_all(NULL, 1);
		/* Connections the application never accepted are reset, as lwIP's netconn layer
		 * and POSIX systems do when a listening socket is closed. */
		struct conn *q;
		while ((q = acceptq_pop()) != NULL) {
			if (q->pcb) {
				struct tcp_pcb *pcb = q->pcb;
				conn_detach(q);
				tcp_abort(pcb);
			}
			conn_free(q);
		}
		tcp_close(H.lpcb);
		H.lpcb = NULL;
		done(rq->tag, "close", 0, 0);
		return;
	}
	if (H.conn) {
		struct conn *c = H.conn;
		H.conn = NULL;
		close_conn(c);
		done(rq->tag, "close", 0, 0);
		return;
	}
	if (rq->sock == AG_S_DEFAULT && H.pre) {
		tcp_close(H.pre);
		H.pre = NULL;
		memset(&H.pre_o, 0, sizeof(H.pre_o));
		done(rq->tag, "close", 0, 0);
		return;
	}
	done(rq->tag, "close", -1, EBADF);
}

static void call_sockopt(const struct ag_request *rq, int set)
{
	const char *call = set ? "setsockopt" : "getsockopt";
	struct sopts *o;
	struct tcp_pcb *pcb = NULL; /* a full pcb to apply to, not a listening one */
	if (rq->sock == AG_S_LISTENER || (rq->sock == AG_S_DEFAULT && !H.conn && H.lpcb)) {
		if (!H.lpcb) {
			done(rq->tag, call, -1, EBADF);
			return;
		}
		o = &H.lst_o;
	} else if (rq->sock == AG_S_CONN || H.conn) {
		if (!H.conn) {
			done(rq->tag, call, -1, EBADF);
			return;
		}
		o = &H.conn->o;
		pcb = H.conn->pcb;
	} else {
		pcb = get_pre();
		if (!pcb) {
			done(rq->tag, call, -1, ENOBUFS);
			return;
		}
		o = &H.pre_o;
	}
	int v = rq->value[0];
	int val = 0, val2 = 0;
	switch (rq->opt) {
	case AG_O_SO_REUSEADDR:
		if (set) o->reuseaddr = v != 0;
		val = o->reuseaddr;
		break;
	case AG_O_SO_KEEPALIVE:
		if (set) o->keepalive = v != 0;
		val = o->keepalive;
		break;
	case AG_O_TCP_NODELAY:
		if (set) o->nodelay = v != 0;
		val = o->nodelay;
		break;
	case AG_O_TCP_KEEPIDLE:
	case AG_O_TCP_KEEPINTVL:
	case AG_O_TCP_KEEPCNT: {
		int *has = rq->opt == AG_O_TCP_KEEPIDLE ? &o->has_keepidle
			 : rq->opt == AG_O_TCP_KEEPINTVL ? &o->has_keepintvl : &o->has_keepcnt;
		u32_t *f = rq->opt == AG_O_TCP_KEEPIDLE ? &o->keepidle_s
			 : rq->opt == AG_O_TCP_KEEPINTVL ? &o->keepintvl_s : &o->keepcnt;
		if (set) {
			if (v < 1) {
				done(rq->tag, call, -1, EINVAL);
				return;
			}
			*has = 1;
			*f = (u32_t)v;
		}
		if (*has)
			val = (int)*f;
		else
			val = rq->opt == AG_O_TCP_KEEPIDLE ? TCP_KEEPIDLE_DEFAULT / 1000
			    : rq->opt == AG_O_TCP_KEEPINTVL ? TCP_KEEPINTVL_DEFAULT / 1000 : TCP_KEEPCNT_DEFAULT;
		break;
	}
	case AG_O_SO_LINGER:
		if (set) {
			o->linger_on = v != 0;
			o->linger_s = rq->value[1];
		}
		val = o->linger_on;
		val2 = o->linger_s;
		break;
	default:
		/* lwIP's raw API has no per-connection buffer sizes, MSS clamp, cork, quick-ACK,
		 * deferred accept or user timeout. */
		reply_err(rq->tag, "UNSUPPORTED", "%s is not available on lwip", ag_opt_name(rq->opt));
		return;
	}
	if (set && pcb)
		apply_opts(pcb, o);
	if (set)
		done(rq->tag, call, 0, 0);
	else
		reply_done(rq->tag, AG_C_GETSOCKOPT, 0, 0, NULL, 0, (const int[2]){val, val2},
			   rq->opt == AG_O_SO_LINGER ? 2 : 1);
}

static void do_config(const struct ag_request *rq)
{
	if ((H.conn || H.lpcb || H.pre) && H.configured && rq->family != H.family) {
		reply_err(rq->tag, "BADSTATE", "cannot change the family while a socket is open");
		return;
	}
	u16_t lp, pp;
	ip_from_ss(&rq->local, &H.local, &lp);
	ip_from_ss(&rq->peer, &H.peer, &pp);
	H.port = lp;
	H.peer_port = pp;
	H.family = rq->family;
	H.configured = 1;
	reply_ok(rq->tag, "%s", "");
}

static void handle(const char *line, size_t len)
{
	static struct ag_request rq;
	char err[512];
	int r = ag_parse(line, len, &rq, err, sizeof(err));
	if (r == 1)
		return;
	if (r < 0) {
		reply_err(rq.tag, "BADREQ", "%s", err);
		return;
	}
	switch (rq.verb) {
	case AG_V_PING:
		reply_ok(rq.tag, "%s", "");
		return;
	case AG_V_QUIT:
		reply_ok(rq.tag, "%s", "");
		_exit(0);
	case AG_V_SYSCTL:
		/* lwIP's settings are compile-time options (lwipopts.h): nothing to set at run time. */
		reply_err(rq.tag, "UNSUPPORTED", "lwIP has no run-time settings (%s is an lwipopts.h "
			  "option at best)", rq.sysctl_key);
		return;
	case AG_V_CONFIG:
		do_config(&rq);
		return;
	case AG_V_STATE:
		if (!H.configured) {
			reply_err(rq.tag, "BADSTATE", "no CONFIG yet");
			return;
		}
		do_state(rq.tag, rq.sock == AG_S_LISTENER);
		return;
	case AG_V_CALL:
		break;
	}
	if (!H.configured) {
		reply_err(rq.tag, "BADSTATE", "no CONFIG yet");
		return;
	}
	switch (rq.call) {
	case AG_C_LISTEN: call_listen(&rq); break;
	case AG_C_ACCEPT: call_accept(&rq); break;
	case AG_C_CONNECT: call_connect(&rq); break;
	case AG_C_WRITE: call_write(&rq); break;
	case AG_C_READ: call_read(&rq); break;
	case AG_C_SHUTDOWN: call_shutdown(&rq); break;
	case AG_C_CLOSE: call_close(&rq); break;
	case AG_C_SETSOCKOPT: call_sockopt(&rq, 1); break;
	case AG_C_GETSOCKOPT: call_sockopt(&rq, 0); break;
	default: reply_err(rq.tag, "BADREQ", "unknown call"); break;
	}
}

/* ---- start-up ---- */

static sys_sem_t init_sem;

static void tcpip_ready(void *arg)
{
	(void)arg;
	sys_sem_signal(&init_sem);
}

static int parse_mac(const char *s, u8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (u8_t)v[i];
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: tcpconform-lwip --tap IFNAME [--mac MAC] [--ipv4 ADDR/PREFIX] "
			"[--ipv6 ADDR]\n");
}

int main(int argc, char **argv)
{
	const char *tap = NULL, *v4 = NULL, *v6 = NULL;
	u8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--tap") == 0) {
			tap = argv[++i];
		} else if (strcmp(argv[i], "--ipv4") == 0) {
			v4 = argv[++i];
		} else if (strcmp(argv[i], "--ipv6") == 0) {
			v6 = argv[++i];
		} else if (strcmp(argv[i], "--mac") == 0) {
			if (parse_mac(argv[++i], mac) < 0) {
				fprintf(stderr, "tcpconform-lwip: bad --mac '%s'\n", argv[i]);
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (!tap || strlen(tap) >= 16) {
		usage();
		return 2;
	}
	ip4_addr_t a4, m4, gw4;
	ip4_addr_set_zero(&a4);
	ip4_addr_set_zero(&m4);
	ip4_addr_set_zero(&gw4);
	if (v4) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", v4);
		char *slash = strchr(buf, '/');
		int plen = 24;
		if (slash) {
			*slash = '\0';
			plen = atoi(slash + 1);
		}
		struct in_addr in;
		if (inet_pton(AF_INET, buf, &in) != 1 || plen < 1 || plen > 32) {
			fprintf(stderr, "tcpconform-lwip: bad --ipv4 '%s'\n", v4);
			return 2;
		}
		ip4_addr_set_u32(&a4, in.s_addr);
		ip4_addr_set_u32(&m4, htonl(0xffffffffu << (32 - plen)));
	}
	struct in6_addr in6;
	if (v6) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", v6);
		char *slash = strchr(buf, '/');
		if (slash)
			*slash = '\0'; /* lwIP takes on-link prefixes as /64 */
		if (inet_pton(AF_INET6, buf, &in6) != 1) {
			fprintf(stderr, "tcpconform-lwip: bad --ipv6 '%s'\n", v6);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	/* The library's tapif attaches to an existing device by this name, and runs no
	 * ifconfig of its own. */
	setenv("PRECONFIGURED_TAPIF", tap, 1);
	H.acceptq_tail = &H.acceptq;

	if (sys_sem_new(&init_sem, 0) != ERR_OK) {
		fprintf(stderr, "tcpconform-lwip: cannot create a semaphore\n");
		return 1;
	}
	tcpip_init(tcpip_ready, NULL);
	sys_sem_wait(&init_sem);
	sys_sem_free(&init_sem);

	LOCK_TCPIP_CORE();
	if (!netif_add(&H.netif, &a4, &m4, &gw4, NULL, tapif_init, tcpip_input)) {
		UNLOCK_TCPIP_CORE();
		fprintf(stderr, "tcpconform-lwip: cannot attach to TAP device %s\n", tap);
		return 1;
	}
	/* tapif gives every netif the same made-up MAC; the runner's injector addresses ours. */
	memcpy(H.netif.hwaddr, mac, 6);
	netif_set_default(&H.netif);
	if (v6) {
		/* No router solicitations, no SLAAC: the address is configured, and declared
		 * preferred at once. Duplicate address detection (RFC 4862 5.4) would hold it
		 * tentative for a second on a link where nobody else can have it. */
		H.netif.ip6_autoconfig_enabled = 0;
		netif_create_ip6_linklocal_address(&H.netif, 1);
		netif_ip6_addr_set_state(&H.netif, 0, IP6_ADDR_PREFERRED);
		ip6_addr_t g;
		s8_t idx;
		memcpy(g.addr, in6.s6_addr, 16);
		ip6_addr_clear_zone(&g);
		if (netif_add_ip6_address(&H.netif, &g, &idx) != ERR_OK) {
			UNLOCK_TCPIP_CORE();
			fprintf(stderr, "tcpconform-lwip: cannot add %s\n", v6);
			return 1;
		}
		netif_ip6_addr_set_state(&H.netif, idx, IP6_ADDR_PREFERRED);
	}
	netif_set_up(&H.netif);
	H.netif.rs_count = 0;
	UNLOCK_TCPIP_CORE();

	printf("HELLO tcpconform-lwip %d os=lwip lwip=%s\n", AG_PROTO_VERSION, LWIP_VERSION_STRING);
	fflush(stdout);

	static char in[AG_MAX_LINE + 2];
	size_t have = 0;
	int discarding = 0;
	for (;;) {
		ssize_t r = read(0, in + have, sizeof(in) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(0); /* end of input: the session is over (docs/agent-protocol.md) */
		have += (size_t)r;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(in + start, '\n', have - start);
			if (!nl)
				break;
			size_t len = (size_t)(nl - (in + start));
			if (!discarding) {
				LOCK_TCPIP_CORE();
				handle(in + start, len);
				UNLOCK_TCPIP_CORE();
			}
			discarding = 0;
			start += len + 1;
		}
		memmove(in, in + start, have - start);
		have -= start;
		if (have == sizeof(in)) {
			/* A line longer than the protocol allows: refuse it, skip to its end. */
			LOCK_TCPIP_CORE();
			reply_err(AG_TAG_UNKNOWN, "BADREQ", "line too long (more than %d bytes)", AG_MAX_LINE);
			UNLOCK_TCPIP_CORE();
			have = 0;
			discarding = 1;
		}
	}
}
