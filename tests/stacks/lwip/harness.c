/*
 * harness.c - tcpconform-lwip: the lwIP TCP/IP stack (Debian's liblwip 2.1.3, unmodified) on a
 * TAP device, driven over the agent protocol by the harness kit (tests/stacks/kit/kit.h).
 *
 *   tcpconform-lwip --tap IFNAME [--mac 02:00:00:00:00:01] [--ipv4 192.0.2.1/24]
 *                   [--ipv6 2001:db8::1]
 *
 * This file is the lwIP binding only: the kit does the protocol, the three sockets, the
 * pending calls and the STATE rules. lwIP has no POSIX sockets and no kernel socket table; it
 * is reached through its raw TCP API (tcp_new/bind/listen/connect/write/output/recved/
 * shutdown/close/abort), whose completions arrive as callbacks on lwIP's tcpip thread.
 *
 * The TAP device must exist (the runner creates it, persistent, in the case's namespace); the
 * library's own tapif netif attaches to it by name (PRECONFIGURED_TAPIF) and feeds received
 * frames to the tcpip thread. lwIP does its own ARP and neighbour discovery: the runner's
 * injector answers for its addresses (injector/neigh.h), so nothing is configured statically.
 *
 * Threads: lwIP's tcpip thread runs the stack, its timers and every raw-API callback with the
 * core lock held (LWIP_TCPIP_CORE_LOCKING, as Debian builds it), and the kit's lock is that
 * same core lock. So the binding's state below is only touched under it. A callback only
 * records what happened (data in a socket's queue, a connection in the listener's queue, an
 * error) and calls kit_wake(); the kit's callbacks then answer from those records, KIT_AGAIN
 * until there is something.
 *
 * STATE looks the 4-tuple up in lwIP's own pcb lists (tcp_active_pcbs, tcp_tw_pcbs), so
 * connections the application no longer holds (TIME_WAIT, FIN_WAIT_2 after close) are found.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
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

#include "../../../common/names.h"
#include "../kit/kit.h"

#define MAX_SOCKS 32
/* The most handed to tcp_write at once: bounded by its u16_t length and by the segments of
 * lwIP's send queue (TCP_SND_QUEUELEN), which a larger piece would exhaust before the send
 * buffer. */
#define CHUNK 16384

/* Socket options the application set, kept by the binding: lwIP keeps some in the pcb, but a
 * listening pcb (struct tcp_pcb_listen) has no room for keep-alive timing or Nagle, and
 * SO_LINGER exists only in lwIP's socket layer. Accepted connections inherit the listener's
 * options, as they do on POSIX systems. */
struct sopts {
	int reuseaddr, keepalive, nodelay;
	int has_keepidle, has_keepintvl, has_keepcnt;
	u32_t keepidle_s, keepintvl_s, keepcnt;
	int linger_on, linger_s;
};

/* One socket of the kit's: a pcb that is fresh (the pre socket), bound, listening or a
 * connection. */
struct sk {
	struct tcp_pcb *pcb;   /* NULL once lwIP freed it (error) or the application let it go */
	int listening;         /* pcb is lwIP's smaller listening pcb */
	int is_conn;           /* connect was called on it, or accept made it */
	struct sopts o;
	/* a connection */
	struct pbuf *rxq;      /* received, not yet read by the application */
	int rx_eof;            /* the peer's FIN arrived, or shutdown(RD) */
	int soerr;             /* a pending socket error (errno), reported once */
	int dead;              /* lwIP reported an error: the pcb is gone */
	int shut_wr;           /* shutdown(WR) or later: writes fail with EPIPE */
	int connecting, connected, connect_err;
	struct sockaddr_storage local, peer; /* an accepted connection's own tuple */
	/* a listener: connections lwIP accepted that the application has not taken yet (lwIP's
	 * raw API keeps no accept queue) */
	struct sk *q, *next;
};

static struct {
	struct netif netif;
	struct sk *s[MAX_SOCKS];
} H;

/* ---- addresses ---- */

static void ip_from_ss(const struct sockaddr_storage *ss, ip_addr_t *a, u16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V4);
		ip4_addr_set_u32(ip_2_ip4(a), s->sin_addr.s_addr);
		*port = ntohs(s->sin_port);
		return;
	}
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
	IP_SET_TYPE_VAL(*a, IPADDR_TYPE_V6);
	memcpy(ip_2_ip6(a)->addr, s->sin6_addr.s6_addr, 16);
	ip6_addr_assign_zone(ip_2_ip6(a), IP6_UNICAST, &H.netif);
	*port = ntohs(s->sin6_port);
}

static void ss_from_ip(const ip_addr_t *a, u16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (IP_IS_V4(a)) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = ip4_addr_get_u32(ip_2_ip4(a));
		s->sin_port = htons(port);
		return;
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	memcpy(s->sin6_addr.s6_addr, ip_2_ip6(a)->addr, 16);
	s->sin6_port = htons(port);
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

/* ---- sockets and options ---- */

static struct sk *sk_get(int n)
{
	return n >= 0 && n < MAX_SOCKS ? H.s[n] : NULL;
}

/* A free socket number for sk, or -1 with EMFILE. */
static int sk_put(struct sk *sk, int *err)
{
	for (int i = 0; i < MAX_SOCKS; i++)
		if (!H.s[i]) {
			H.s[i] = sk;
			return i;
		}
	*err = EMFILE;
	return -1;
}

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

static void detach(struct sk *c)
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

static void sk_free(struct sk *c)
{
	if (c->rxq)
		pbuf_free(c->rxq);
	free(c);
}

/* The error a dead or reset connection reports once; then writes get EPIPE and reads EOF. */
static int take_error(struct sk *c)
{
	int e = c->soerr;
	c->soerr = 0;
	return e;
}

/* ---- lwIP's callbacks (tcpip thread, core lock held): record, then wake the kit ---- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sk *c = arg;
	(void)pcb;
	if (!c || err != ERR_OK) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	/* The data is held like a socket's receive buffer: the window reopens (tcp_recved) only
	 * as the application reads. */
	if (!p)
		c->rx_eof = 1;
	else if (c->rxq)
		pbuf_cat(c->rxq, p);
	else
		c->rxq = p;
	kit_wake();
	return ERR_OK;
}

/* Room in the send buffer (sent), or lwIP's slow poll as a safety net for a write that found
 * it full. */
static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	(void)pcb;
	(void)len;
	kit_wake();
	return ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)arg;
	(void)pcb;
	kit_wake();
	return ERR_OK;
}

/* lwIP calls this after it has freed the pcb: a reset (ERR_RST), retransmissions or
 * keep-alives given up (ERR_ABRT), or an abort of its own. */
static void on_err(void *arg, err_t err)
{
	struct sk *c = arg;
	if (!c)
		return;
	c->pcb = NULL;
	c->dead = 1;
	if (c->connecting) {
		/* RFC 9293 3.10.7.3: a RST acceptable in SYN-SENT means "connection refused". */
		c->connecting = 0;
		c->connect_err = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
	} else {
		c->soerr = err == ERR_RST ? ECONNRESET : err == ERR_ABRT ? ETIMEDOUT : ECONNABORTED;
	}
	kit_wake();
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sk *c = arg;
	(void)pcb;
	if (c && c->connecting) {
		c->connecting = 0;
		c->connected = err == ERR_OK;
		c->connect_err = err == ERR_OK ? 0 : err_to_errno(err);
	}
	kit_wake();
	return ERR_OK;
}

static void hook(struct sk *c)
{
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, on_recv);
	tcp_sent(c->pcb, on_sent);
	tcp_err(c->pcb, on_err);
	tcp_poll(c->pcb, on_poll, 2);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct sk *l = arg;
	if (err != ERR_OK || !newpcb || !l)
		return ERR_VAL;
	struct sk *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_MEM; /* lwIP aborts the new connection */
	c->pcb = newpcb;
	c->is_conn = 1;
	ss_from_ip(&newpcb->local_ip, newpcb->local_port, &c->local);
	ss_from_ip(&newpcb->remote_ip, newpcb->remote_port, &c->peer);
	/* lwIP calls the accept callback when the handshake completes (tcp_process, SYN_RCVD
	 * to ESTABLISHED): from here on the connection never returns to LISTEN, even if it is
	 * reset before the application takes it. */
	kit_known(&c->local, &c->peer);
	c->o = l->o;
	apply_opts(newpcb, &c->o);
	hook(c);
	struct sk **pp = &l->q;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	kit_wake();
	return ERR_OK;
}

/* ---- the kit's callbacks (kit.h; the core lock held) ---- */

static int lw_socket(void *ctx, int family, int *err)
{
	(void)ctx;
	struct sk *c = calloc(1, sizeof(*c));
	if (c)
		c->pcb = tcp_new_ip_type(family == AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_V6);
	if (!c || !c->pcb) {
		free(c);
		*err = ENOBUFS;
		return -1;
	}
	apply_opts(c->pcb, &c->o);
	int n = sk_put(c, err);
	if (n < 0) {
		tcp_close(c->pcb);
		free(c);
	}
	return n;
}

static int lw_bind(void *ctx, int s, const struct sockaddr_storage *local, int *err)
{
	struct sk *c = sk_get(s);
	ip_addr_t a;
	u16_t port;
	(void)ctx;
	c->o.reuseaddr = 1;
	apply_opts(c->pcb, &c->o);
	ip_from_ss(local, &a, &port);
	err_t e = tcp_bind(c->pcb, &a, port);
	if (e != ERR_OK) {
		*err = e == ERR_USE ? EADDRINUSE : err_to_errno(e);
		return -1;
	}
	return 0;
}

static int lw_listen(void *ctx, int s, int backlog, int *err)
{
	struct sk *c = sk_get(s);
	err_t e;
	(void)ctx;
	/* TCP_LISTEN_BACKLOG is off in Debian's build, so lwIP ignores the backlog. On success
	 * lwIP frees the pcb and returns its smaller listening one. */
	struct tcp_pcb *l = tcp_listen_with_backlog_and_err(c->pcb, (u8_t)(backlog > 255 ? 255 : backlog), &e);
	if (!l) {
		*err = err_to_errno(e);
		return -1;
	}
	c->pcb = l;
	c->listening = 1;
	tcp_arg(l, c);
	tcp_accept(l, on_accept);
	return 0;
}

static int lw_connect(void *ctx, int s, const struct sockaddr_storage *peer, int *err)
{
	struct sk *c = sk_get(s);
	ip_addr_t a;
	u16_t port;
	(void)ctx;
	c->is_conn = 1;
	c->connecting = 1;
	hook(c);
	ip_from_ss(peer, &a, &port);
	err_t e = tcp_connect(c->pcb, &a, port, on_connected);
	if (e != ERR_OK) {
		struct tcp_pcb *pcb = c->pcb;
		detach(c);
		tcp_abort(pcb);
		c->dead = 1;
		c->connecting = 0;
		*err = err_to_errno(e);
		return -1;
	}
	return KIT_AGAIN;
}

static int lw_connected(void *ctx, int s, int *err)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	if (c->connected)
		return 0;
	if (c->connecting)
		return KIT_AGAIN;
	*err = c->connect_err ? c->connect_err : ECONNABORTED;
	return -1;
}

static int lw_accept(void *ctx, int l, int *err)
{
	struct sk *ls = sk_get(l), *c = ls ? ls->q : NULL;
	(void)ctx;
	if (!c)
		return KIT_AGAIN;
	int n = sk_put(c, err);
	if (n >= 0) {
		ls->q = c->next;
		c->next = NULL;
	}
	return n;
}

/* A call that needs a connection on a socket that is none: ENOTCONN on the listener, EBADF on
 * a socket that never connected (the pre socket). */
static int not_conn(const struct sk *c, int *err)
{
	if (c->is_conn)
		return 0;
	*err = c->listening ? ENOTCONN : EBADF;
	return -1;
}

static long lw_write(void *ctx, int s, const void *buf, size_t n, int *err)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	if (not_conn(c, err))
		return -1;
	if (c->shut_wr || c->dead || !c->pcb) {
		*err = !c->shut_wr && c->soerr ? take_error(c) : EPIPE;
		return -1;
	}
	size_t room = tcp_sndbuf(c->pcb);
	if (n == 0)
		return 0;
	if (n > room)
		n = room;
	if (n > CHUNK)
		n = CHUNK;
	if (n == 0)
		return KIT_AGAIN;
	err_t e = tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY);
	if (e == ERR_MEM)
		return KIT_AGAIN;
	if (e != ERR_OK) {
		*err = e == ERR_CONN ? ENOTCONN : err_to_errno(e);
		return -1;
	}
	return (long)n;
}

/* What the kit's round of tcp_write calls queued goes out in one tcp_output. */
static void lw_flush(void *ctx, int s)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	if (c && c->pcb && !c->listening)
		tcp_output(c->pcb);
}

/* Data first, then the error (once), then end of stream. */
static long lw_read(void *ctx, int s, void *buf, size_t n, int *err)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	if (not_conn(c, err))
		return -1;
	if (c->rxq) {
		if (n > c->rxq->tot_len)
			n = c->rxq->tot_len;
		pbuf_copy_partial(c->rxq, buf, (u16_t)n, 0);
		c->rxq = pbuf_free_header(c->rxq, (u16_t)n);
		if (c->pcb)
			tcp_recved(c->pcb, (u16_t)n);
		return (long)n;
	}
	if (c->soerr) {
		*err = take_error(c);
		return -1;
	}
	return c->rx_eof || c->dead ? 0 : KIT_AGAIN;
}

static int lw_shutdown(void *ctx, int s, int how, int *err)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	int rx = how == SHUT_RD || how == SHUT_RDWR;
	int tx = how == SHUT_WR || how == SHUT_RDWR;
	if (not_conn(c, err))
		return -1;
	if (!c->pcb) {
		*err = ENOTCONN;
		return -1;
	}
	/* For the raw API, shutting down both halves is a close: lwIP may free the pcb at once,
	 * so the binding lets go of it first. */
	struct tcp_pcb *pcb = c->pcb;
	if (rx && tx)
		detach(c);
	err_t e = tcp_shutdown(pcb, rx, tx);
	if (tx)
		c->shut_wr = 1;
	if (rx)
		c->rx_eof = 1;
	if (e != ERR_OK) {
		*err = e == ERR_CONN ? ENOTCONN : err_to_errno(e);
		return -1;
	}
	return 0;
}

static int lw_close(void *ctx, int s, int *err)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	(void)err;
	H.s[s] = NULL;
	if (c->listening) {
		/* Connections the application never accepted are reset, as lwIP's netconn layer
		 * and POSIX systems do when a listening socket is closed. */
		for (struct sk *q = c->q, *nx; q; q = nx) {
			nx = q->next;
			if (q->pcb) {
				struct tcp_pcb *pcb = q->pcb;
				detach(q);
				tcp_abort(pcb);
			}
			sk_free(q);
		}
		tcp_close(c->pcb);
	} else if (c->pcb) {
		struct tcp_pcb *pcb = c->pcb;
		detach(c);
		if (c->is_conn && c->o.linger_on && c->o.linger_s == 0) {
			/* SO_LINGER {1, 0}: an abortive close, a RST (RFC 9293 3.10.4 ABORT). */
			tcp_abort(pcb);
		} else if (tcp_close(pcb) != ERR_OK) {
			/* Out of memory for the FIN: lwIP's own netconn layer retries; an
			 * application that cannot wait aborts. */
			tcp_abort(pcb);
		}
	}
	sk_free(c);
	return 0;
}

static int lw_sockopt(void *ctx, int s, int set, enum ag_opt opt, int value[2], int *err,
		      char *why, size_t cap)
{
	struct sk *c = sk_get(s);
	struct sopts *o = &c->o;
	int v = value[0];
	(void)ctx;
	switch (opt) {
	case AG_O_SO_REUSEADDR:
		if (set) o->reuseaddr = v != 0;
		value[0] = o->reuseaddr;
		break;
	case AG_O_SO_KEEPALIVE:
		if (set) o->keepalive = v != 0;
		value[0] = o->keepalive;
		break;
	case AG_O_TCP_NODELAY:
		if (set) o->nodelay = v != 0;
		value[0] = o->nodelay;
		break;
	case AG_O_TCP_KEEPIDLE:
	case AG_O_TCP_KEEPINTVL:
	case AG_O_TCP_KEEPCNT: {
		int *has = opt == AG_O_TCP_KEEPIDLE ? &o->has_keepidle
			 : opt == AG_O_TCP_KEEPINTVL ? &o->has_keepintvl : &o->has_keepcnt;
		u32_t *f = opt == AG_O_TCP_KEEPIDLE ? &o->keepidle_s
			 : opt == AG_O_TCP_KEEPINTVL ? &o->keepintvl_s : &o->keepcnt;
		if (set) {
			if (v < 1) {
				*err = EINVAL;
				return -1;
			}
			*has = 1;
			*f = (u32_t)v;
		}
		if (*has)
			value[0] = (int)*f;
		else
			value[0] = opt == AG_O_TCP_KEEPIDLE ? TCP_KEEPIDLE_DEFAULT / 1000
				 : opt == AG_O_TCP_KEEPINTVL ? TCP_KEEPINTVL_DEFAULT / 1000 : TCP_KEEPCNT_DEFAULT;
		break;
	}
	case AG_O_SO_LINGER:
		if (set) {
			o->linger_on = v != 0;
			o->linger_s = value[1];
		}
		value[0] = o->linger_on;
		value[1] = o->linger_s;
		break;
	default:
		/* lwIP's raw API has no per-connection buffer sizes, MSS clamp, cork, quick-ACK,
		 * deferred accept or user timeout. */
		snprintf(why, cap, "%s is not available on lwip", ag_opt_name(opt));
		return KIT_UNSUPPORTED;
	}
	/* A listening pcb has no room for these; the listener's connections inherit them. */
	if (set && c->pcb && !c->listening)
		apply_opts(c->pcb, o);
	return 0;
}

static int lw_names(void *ctx, int s, struct sockaddr_storage *local, struct sockaddr_storage *peer)
{
	struct sk *c = sk_get(s);
	(void)ctx;
	if (!c || !c->local.ss_family)
		return -1;
	*local = c->local;
	*peer = c->peer;
	return 0;
}

/* lwIP's names of its states (enum tcp_state), in the same order as RFC 9293's and
 * common/names.h's TC_ST_*: the state number is ours as it is. */
static const char *lwip_state_name(enum tcp_state s)
{
	static const char *const n[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
					"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
					"LAST_ACK", "TIME_WAIT"};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}
_Static_assert((int)TIME_WAIT == (int)TC_ST_TIME_WAIT && (int)SYN_RCVD == (int)TC_ST_SYN_RECEIVED,
	       "lwIP's enum tcp_state is RFC 9293's order");

static struct tcp_pcb *find_pcb(struct tcp_pcb *list, const ip_addr_t *l, u16_t lp,
				const ip_addr_t *p, u16_t pp)
{
	struct tcp_pcb *best = NULL;
	for (struct tcp_pcb *x = list; x; x = x->next) {
		if (x->local_port != lp || x->remote_port != pp || !addr_eq(&x->local_ip, l) ||
		    !addr_eq(&x->remote_ip, p))
			continue;
		if (!best || best->state == CLOSED)
			best = x;
	}
	return best;
}

static int lw_state(void *ctx, const struct sockaddr_storage *local,
		    const struct sockaddr_storage *peer, int listener, struct kit_found *found,
		    char *extra, size_t extracap, char *err, size_t cap)
{
	ip_addr_t l, p;
	u16_t lp, pp;
	(void)ctx;
	(void)listener;
	(void)found; /* no accept-queue count: on_accept tells the kit with kit_known */
	(void)err;
	(void)cap;
	ip_from_ss(local, &l, &lp);
	ip_from_ss(peer, &p, &pp);
	/* The live connection wins over an old TIME_WAIT with the same tuple. */
	struct tcp_pcb *x = find_pcb(tcp_active_pcbs, &l, lp, &p, pp);
	if (!x)
		x = find_pcb(tcp_tw_pcbs, &l, lp, &p, pp);
	snprintf(extra, extracap, " lwip_state=%s", x ? lwip_state_name(x->state) : "none");
	return x ? (int)x->state : KIT_STATE_NONE;
}

/* lwIP's settings are compile-time options (lwipopts.h): nothing to set at run time. */
static int lw_sysctl_get(void *ctx, const char *key, char *old, size_t oldcap, char *err,
			 size_t cap)
{
	(void)ctx;
	(void)old;
	(void)oldcap;
	snprintf(err, cap, "lwIP has no run-time settings (%s is an lwipopts.h option at best)", key);
	return KIT_UNSUPPORTED;
}

static int lw_sysctl_set(void *ctx, const char *key, const char *value, char *err, size_t cap)
{
	(void)value;
	return lw_sysctl_get(ctx, key, NULL, 0, err, cap);
}

static void lw_lock(void *ctx)
{
	(void)ctx;
	LOCK_TCPIP_CORE();
}

static void lw_unlock(void *ctx)
{
	(void)ctx;
	UNLOCK_TCPIP_CORE();
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

	static struct kit_stack st = {
		.name = "tcpconform-lwip",
		.os = "lwip",
		.hello_extra = "lwip=" LWIP_VERSION_STRING,
		.socket = lw_socket,
		.bind = lw_bind,
		.listen = lw_listen,
		.connect = lw_connect,
		.connected = lw_connected,
		.accept = lw_accept,
		.write = lw_write,
		.flush = lw_flush,
		.read = lw_read,
		.shutdown = lw_shutdown,
		.close = lw_close,
		.sockopt = lw_sockopt,
		.names = lw_names,
		.state = lw_state,
		.sysctl_get = lw_sysctl_get,
		.sysctl_set = lw_sysctl_set,
		.lock = lw_lock,
		.unlock = lw_unlock,
	};
	return kit_run(&st);
}
