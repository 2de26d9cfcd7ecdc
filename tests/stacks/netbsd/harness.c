/*
 * harness.c - tcpconform-netbsd: NetBSD's kernel TCP/IP stack, run as a rump kernel inside this
 * process (../shared/rump/, NetBSD's sources of August 2016), on the case's TAP device, driven
 * over the agent protocol on stdin/stdout by the harness kit (tests/stacks/kit/kit.h).
 *
 *   tcpconform-netbsd --tap IFNAME [--mac 02:00:00:00:00:01] [--ipv4 192.0.2.1/24]
 *                     [--ipv6 2001:db8::1]
 *
 * NetBSD's interface virt0 is attached to the existing TAP device IFNAME (the runner creates
 * it in the case's namespace) through the rump kernel's virtif driver, whose local patch takes
 * the device's name from RUMP_VIRTIF_TAP and the Ethernet address from RUMP_VIRTIF_MAC. NetBSD
 * does its own ARP and neighbour discovery; the runner's injector answers for its addresses.
 *
 * The binding is thin because rump offers NetBSD's own socket calls (rump_sys_*): every kit
 * callback below is one or two system calls of NetBSD, on non-blocking sockets, and wait() is
 * NetBSD's poll(2). What needs translating is NetBSD's ABI: sockaddrs with a length byte,
 * NetBSD's constants (rumpdefs.h, netinet/tcp.h), its errno numbers (rumperrno2host.h) and
 * its TCP state numbers. STATE reads NetBSD's own connection table, the pcblist sysctl that
 * netstat(1) reads, so connections no socket holds any more (TIME_WAIT, LAST_ACK) are found.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>
#include <rump/netconfig.h>
#include <rump/rumperrno2host.h>

#include "../../../common/names.h"
#include "../kit/kit.h"

#define IFNAME "virt0"

/* NetBSD's numbers that rumpdefs.h does not carry. fcntl.h: F_GETFL 3, F_SETFL 4. sys/poll.h:
 * POLLIN 0x1, POLLOUT 0x4, POLLERR 0x8, POLLHUP 0x10 (the same values as Linux's, and struct
 * pollfd has the same layout, so the host's struct is passed). sys/socket.h: SHUT_RD 0,
 * SHUT_WR 1, SHUT_RDWR 2 (as Linux). netinet/tcp.h: TCP_NODELAY 1, TCP_MAXSEG 2,
 * TCP_KEEPIDLE 3, TCP_KEEPINTVL 5, TCP_KEEPCNT 6 (also in rumpdefs.h). sys/sysctl.h: CTL_NET
 * 4, CTL_QUERY -2, SYSCTL_VERSION 0x01000000, CTLTYPE_* in the low 4 bits of the flags,
 * PCB_ALL 0. */
/* netinet/tcp_timer.h: PR_SLOWHZ 2. NetBSD's tcp_ctloutput() (2016) stores TCP_KEEPIDLE and
 * TCP_KEEPINTVL as given in tp->t_keepidle / t_keepintvl, which count slow-timeout ticks
 * (TCPTV_KEEP_IDLE is 7200 * PR_SLOWHZ), not seconds as on Linux; later NetBSD multiplies by
 * PR_SLOWHZ itself. Seen on the wire: TCP_KEEPIDLE 1 gave a probe after 0.5 s. */
#define NB_PR_SLOWHZ 2
#define NB_F_GETFL 3
#define NB_F_SETFL 4
#define NB_CTL_NET 4
#define NB_CTL_QUERY (-2)
#define NB_SYSCTL_VERSION 0x01000000u
#define NB_CTLTYPE_MASK 0x0000000fu
#define NB_CTLTYPE_NODE 1
#define NB_CTLTYPE_INT 2
#define NB_CTLTYPE_QUAD 4
#define NB_CTLTYPE_BOOL 6
#define NB_PCB_ALL 0

/* NetBSD's sockaddrs: a length byte, then a one-byte family. */
struct nb_sockaddr_in {
	uint8_t sin_len, sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};
struct nb_sockaddr_in6 {
	uint8_t sin6_len, sin6_family;
	uint16_t sin6_port;
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};
union nb_sockaddr {
	struct {
		uint8_t len, family;
	} sa;
	struct nb_sockaddr_in in;
	struct nb_sockaddr_in6 in6;
	uint8_t pad[128];
};

/* NetBSD's struct sysctlnode (sys/sysctl.h) on LP64: the fields the queries use, at their
 * offsets (flags 0, num 4, name 8, ver 40; 96 bytes in all). */
struct nb_sysctlnode {
	uint32_t flags;
	int32_t num;
	char name[32];
	uint32_t ver;
	uint32_t rsvd;
	uint64_t un[2];
	uint64_t size, func, parent, desc;
};

/* NetBSD's struct kinfo_pcb (sys/socket.h), the records of net.inet.tcp.pcblist. */
struct nb_kinfo_pcb {
	uint64_t ki_pcbaddr, ki_ppcbaddr, ki_sockaddr;
	uint32_t ki_family, ki_type, ki_protocol, ki_pflags;
	uint32_t ki_sostate, ki_prstate;
	int32_t ki_tstate;
	uint32_t ki_tflags;
	uint64_t ki_rcvq, ki_sndq;
	union {
		union nb_sockaddr sa;
		char pad[256 + 8];
	} ki_s, ki_d;
	uint64_t ki_inode, ki_vnode, ki_conn, ki_refs, ki_nextref;
};

_Static_assert(sizeof(struct nb_sysctlnode) == 96, "NetBSD's struct sysctlnode is 96 bytes");
_Static_assert(sizeof(struct nb_kinfo_pcb) == 640, "NetBSD's struct kinfo_pcb is 640 bytes");

static struct {
	int wake[2]; /* a rump pipe: a byte in it ends a wait() */
	int pcbmib4[4], pcbmib6[4];
	int have_pcbmib4, have_pcbmib6;
} N = {.wake = {-1, -1}};

/* The host errno of the last failed rump call: rump_sys_* leave NetBSD's number in errno. */
static int nberr(void)
{
	return rump_errno2host(errno);
}

/* ---- sockaddrs ---- */

static socklen_t to_nb(const struct sockaddr_storage *ss, union nb_sockaddr *nb)
{
	memset(nb, 0, sizeof(*nb));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		nb->in.sin_len = sizeof(nb->in);
		nb->in.sin_family = RUMP_AF_INET;
		nb->in.sin_port = s->sin_port;
		nb->in.sin_addr = s->sin_addr.s_addr;
		return sizeof(nb->in);
	}
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
	nb->in6.sin6_len = sizeof(nb->in6);
	nb->in6.sin6_family = RUMP_AF_INET6;
	nb->in6.sin6_port = s->sin6_port;
	memcpy(nb->in6.sin6_addr, &s->sin6_addr, 16);
	return sizeof(nb->in6);
}

static int from_nb(const union nb_sockaddr *nb, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (nb->sa.family == RUMP_AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = nb->in.sin_port;
		s->sin_addr.s_addr = nb->in.sin_addr;
		return 0;
	}
	if (nb->sa.family == RUMP_AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = nb->in6.sin6_port;
		memcpy(&s->sin6_addr, nb->in6.sin6_addr, 16);
		return 0;
	}
	return -1;
}

/* Whether NetBSD's address nb is the host's ss (address and port). */
static int nb_eq(const union nb_sockaddr *nb, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage x;
	if (from_nb(nb, &x) != 0 || x.ss_family != ss->ss_family)
		return 0;
	if (x.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&x;
		const struct sockaddr_in *b = (const struct sockaddr_in *)ss;
		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&x;
	const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)ss;
	return a->sin6_port == b->sin6_port && memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0;
}

/* ---- sysctl, by name ---- */

/*
 * Resolves a dotted sysctl name ("net.inet.tcp.pcblist") to its MIB numbers, one CTL_QUERY
 * per level (NetBSD numbers dynamic nodes such as pcblist at run time). Returns the number of
 * levels (and the leaf's type in *type), or -1 with err.
 */
static int nb_mib(const char *name, int *mib, int max, uint32_t *type, char *err, size_t cap)
{
	char buf[256], *save = NULL;
	int n = 0;
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *w = strtok_r(buf, ".", &save); w; w = strtok_r(NULL, ".", &save)) {
		static struct nb_sysctlnode kids[512];
		struct nb_sysctlnode q;
		size_t len = sizeof(kids);
		int found = 0;
		int qmib[16];
		if (n >= max || n + 1 > 16) {
			snprintf(err, cap, "sysctl %s: too deep", name);
			return -1;
		}
		memset(&q, 0, sizeof(q));
		q.flags = NB_SYSCTL_VERSION;
		memcpy(qmib, mib, sizeof(int) * (size_t)n);
		qmib[n] = NB_CTL_QUERY;
		if (rump_sys___sysctl(qmib, (u_int)(n + 1), kids, &len, &q, sizeof(q)) != 0) {
			snprintf(err, cap, "no such sysctl %s (query: %s)", name, strerror(nberr()));
			return -1;
		}
		for (size_t i = 0; i < len / sizeof(kids[0]); i++)
			if (strncmp(kids[i].name, w, sizeof(kids[i].name)) == 0) {
				mib[n] = kids[i].num;
				*type = kids[i].flags & NB_CTLTYPE_MASK;
				found = 1;
				break;
			}
		if (!found) {
			snprintf(err, cap, "no such sysctl %s", name);
			return -1;
		}
		n++;
	}
	return n;
}

/* An integer-like sysctl (int, bool, quad) of NetBSD: read (newval NULL) or write. */
static int nb_sysctl_int(const char *name, long long *oldval, const long long *newval,
			 char *err, size_t cap)
{
	int mib[16];
	uint32_t type = 0;
	int n = nb_mib(name, mib, 16, &type, err, cap);
	if (n < 0)
		return KIT_UNSUPPORTED;
	union {
		int32_t i;
		int64_t q;
		uint8_t b;
	} o, v;
	size_t sz = type == NB_CTLTYPE_QUAD ? 8 : type == NB_CTLTYPE_BOOL ? 1 : 4;
	if (type != NB_CTLTYPE_INT && type != NB_CTLTYPE_QUAD && type != NB_CTLTYPE_BOOL) {
		snprintf(err, cap, "sysctl %s is not a number (type %u)", name, type);
		return KIT_UNSUPPORTED;
	}
	memset(&o, 0, sizeof(o));
	memset(&v, 0, sizeof(v));
	if (newval) {
		if (sz == 8)
			v.q = *newval;
		else if (sz == 1)
			v.b = *newval != 0;
		else
			v.i = (int32_t)*newval;
	}
	size_t olen = sz;
	if (rump_sys___sysctl(mib, (u_int)n, &o, &olen, newval ? &v : NULL, newval ? sz : 0) != 0) {
		snprintf(err, cap, "sysctl %s: %s", name, strerror(nberr()));
		return -1;
	}
	if (oldval)
		*oldval = sz == 8 ? o.q : sz == 1 ? o.b : o.i;
	return 0;
}

static int sb_sysctl_get(void *ctx, const char *key, char *old, size_t oldcap, char *err,
			 size_t cap)
{
	long long v;
	(void)ctx;
	int r = nb_sysctl_int(key, &v, NULL, err, cap);
	if (r == 0)
		snprintf(old, oldcap, "%lld", v);
	return r;
}

static int sb_sysctl_set(void *ctx, const char *key, const char *value, char *err, size_t cap)
{
	char *end;
	(void)ctx;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || *end != '\0') {
		snprintf(err, cap, "sysctl %s: NetBSD's setting takes one integer, not \"%s\"", key,
			 value);
		return -1;
	}
	return nb_sysctl_int(key, NULL, &v, err, cap);
}

/* ---- sockets ---- */

static int sb_socket(void *ctx, int family, int *err)
{
	(void)ctx;
	int s = rump_sys_socket(family == AF_INET ? RUMP_AF_INET : RUMP_AF_INET6,
				RUMP_SOCK_STREAM | RUMP_SOCK_NONBLOCK, 0);
	if (s < 0) {
		*err = nberr();
		return -1;
	}
	/* A write to a reset connection must come back as EPIPE, never as a signal. */
	int one = 1;
	(void)rump_sys_setsockopt(s, RUMP_SOL_SOCKET, RUMP_SO_NOSIGPIPE, &one, sizeof(one));
	return s;
}

static int sb_bind(void *ctx, int s, const struct sockaddr_storage *local, int *err)
{
	union nb_sockaddr a;
	int one = 1;
	(void)ctx;
	socklen_t l = to_nb(local, &a);
	if (rump_sys_setsockopt(s, RUMP_SOL_SOCKET, RUMP_SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    rump_sys_bind(s, (const struct sockaddr *)&a, l) != 0) {
		*err = nberr();
		return -1;
	}
	return 0;
}

static int sb_listen(void *ctx, int s, int backlog, int *err)
{
	(void)ctx;
	if (rump_sys_listen(s, backlog) != 0) {
		*err = nberr();
		return -1;
	}
	return 0;
}

static int sb_connect(void *ctx, int s, const struct sockaddr_storage *peer, int *err)
{
	union nb_sockaddr a;
	(void)ctx;
	socklen_t l = to_nb(peer, &a);
	if (rump_sys_connect(s, (const struct sockaddr *)&a, l) == 0)
		return 0;
	*err = nberr();
	return *err == EINPROGRESS || *err == EINTR ? KIT_AGAIN : -1;
}

static int sb_connected(void *ctx, int s, int *err)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	union nb_sockaddr a;
	socklen_t al = sizeof(a);
	(void)ctx;
	if (rump_sys_getsockopt(s, RUMP_SOL_SOCKET, RUMP_SO_ERROR, &soerr, &sl) != 0) {
		*err = nberr();
		return -1;
	}
	if (soerr != 0) {
		*err = rump_errno2host(soerr);
		return -1;
	}
	if (rump_sys_getpeername(s, (struct sockaddr *)&a, &al) == 0)
		return 0;
	*err = nberr();
	/* Not connected yet and no error: still in SYN-SENT. */
	return *err == ENOTCONN ? KIT_AGAIN : -1;
}

static int sb_accept(void *ctx, int l, int *err)
{
	(void)ctx;
	/* paccept with SOCK_NONBLOCK: the new socket is non-blocking whatever NetBSD's accept
	 * would inherit. */
	int s = rump_sys_paccept(l, NULL, NULL, NULL, RUMP_SOCK_NONBLOCK);
	if (s >= 0) {
		int one = 1;
		(void)rump_sys_setsockopt(s, RUMP_SOL_SOCKET, RUMP_SO_NOSIGPIPE, &one, sizeof(one));
		return s;
	}
	*err = nberr();
	return *err == EAGAIN ? KIT_AGAIN : -1;
}

static long sb_write(void *ctx, int s, const void *buf, size_t n, int *err)
{
	(void)ctx;
	ssize_t w = rump_sys_sendto(s, buf, n, RUMP_MSG_NOSIGNAL, NULL, 0);
	if (w >= 0)
		return (long)w;
	*err = nberr();
	return *err == EAGAIN ? KIT_AGAIN : -1;
}

static long sb_read(void *ctx, int s, void *buf, size_t n, int *err)
{
	(void)ctx;
	ssize_t r = rump_sys_read(s, buf, n);
	if (r >= 0)
		return (long)r;
	*err = nberr();
	return *err == EAGAIN ? KIT_AGAIN : -1;
}

static int sb_shutdown(void *ctx, int s, int how, int *err)
{
	(void)ctx;
	if (rump_sys_shutdown(s, how) != 0) {
		*err = nberr();
		return -1;
	}
	return 0;
}

static int sb_close(void *ctx, int s, int *err)
{
	(void)ctx;
	/* On a non-blocking socket NetBSD's soclose() does not wait for a linger time
	 * (kern/uipc_socket.c: SS_ISDISCONNECTING with so_nbio goes straight to drop). */
	if (rump_sys_close(s) != 0) {
		*err = nberr();
		return -1;
	}
	return 0;
}

/* The (level, name) of an option in NetBSD's numbering; -1 for the Linux options NetBSD has
 * no counterpart of. */
static int opt_map(enum ag_opt o, int *level, int *name)
{
	*level = RUMP_SOL_SOCKET;
	switch (o) {
	case AG_O_SO_LINGER: *name = RUMP_SO_LINGER; return 0;
	case AG_O_SO_KEEPALIVE: *name = RUMP_SO_KEEPALIVE; return 0;
	case AG_O_SO_RCVBUF: *name = RUMP_SO_RCVBUF; return 0;
	case AG_O_SO_SNDBUF: *name = RUMP_SO_SNDBUF; return 0;
	case AG_O_SO_REUSEADDR: *name = RUMP_SO_REUSEADDR; return 0;
	default: break;
	}
	*level = RUMP_IPPROTO_TCP;
	switch (o) {
	case AG_O_TCP_NODELAY: *name = RUMP_TCP_NODELAY; return 0;
	case AG_O_TCP_MAXSEG: *name = RUMP_TCP_MAXSEG; return 0;
	case AG_O_TCP_KEEPIDLE: *name = RUMP_TCP_KEEPIDLE; return 0;
	case AG_O_TCP_KEEPINTVL: *name = RUMP_TCP_KEEPINTVL; return 0;
	case AG_O_TCP_KEEPCNT: *name = RUMP_TCP_KEEPCNT; return 0;
	default: return -1;
	}
}

static int sb_sockopt(void *ctx, int s, int set, enum ag_opt opt, int value[2], int *err,
		      char *why, size_t cap)
{
	int level, name, r;
	(void)ctx;
	if (opt_map(opt, &level, &name) != 0) {
		/* TCP_DEFER_ACCEPT, TCP_QUICKACK, TCP_USER_TIMEOUT and TCP_CORK are Linux's;
		 * NetBSD's netinet/tcp.h has none of them (its TCP_NOPUSH is not TCP_CORK's
		 * flush-on-clear contract). */
		snprintf(why, cap, "%s is not available on netbsd", ag_opt_name(opt));
		return KIT_UNSUPPORTED;
	}
	if (opt == AG_O_SO_LINGER) {
		/* struct linger is { int l_onoff; int l_linger; } on NetBSD too. */
		int l[2] = {value[0], value[1]};
		socklen_t sl = sizeof(l);
		r = set ? rump_sys_setsockopt(s, level, name, l, sl)
			: rump_sys_getsockopt(s, level, name, l, &sl);
		value[0] = l[0];
		value[1] = l[1];
	} else {
		/* The protocol's TCP_KEEPIDLE / TCP_KEEPINTVL are seconds (docs/agent-protocol.md,
		 * Linux's unit); NetBSD's are PR_SLOWHZ ticks (above). */
		int ticks = opt == AG_O_TCP_KEEPIDLE || opt == AG_O_TCP_KEEPINTVL;
		int v = set && ticks ? value[0] * NB_PR_SLOWHZ : value[0];
		socklen_t sl = sizeof(v);
		r = set ? rump_sys_setsockopt(s, level, name, &v, sl)
			: rump_sys_getsockopt(s, level, name, &v, &sl);
		value[0] = !set && ticks ? v / NB_PR_SLOWHZ : v;
	}
	if (r != 0) {
		*err = nberr();
		/* NetBSD (2016) sets TCP_KEEPIDLE/INTVL/CNT but its tcp_ctloutput() does not read
		 * them back: ENOPROTOOPT, "protocol option not available". The option is then one
		 * the stack lacks for this call, which the protocol says is ERR UNSUPPORTED. */
		if (*err == ENOPROTOOPT) {
			snprintf(why, cap, "%s: NetBSD's %s answers ENOPROTOOPT", ag_opt_name(opt),
				 set ? "setsockopt" : "getsockopt");
			return KIT_UNSUPPORTED;
		}
		return -1;
	}
	return 0;
}

static int sb_names(void *ctx, int s, struct sockaddr_storage *local,
		    struct sockaddr_storage *peer)
{
	union nb_sockaddr l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);
	(void)ctx;
	if (rump_sys_getsockname(s, (struct sockaddr *)&l, &ll) != 0 ||
	    rump_sys_getpeername(s, (struct sockaddr *)&p, &pl) != 0)
		return -1;
	return from_nb(&l, local) == 0 && from_nb(&p, peer) == 0 ? 0 : -1;
}

/* ---- state: NetBSD's pcblist ---- */

/* NetBSD's TCPS_* (netinet/tcp_fsm.h) to the case format's states (common/names.h). */
static int nb_state(int t)
{
	static const int map[] = {
		TC_ST_CLOSED, TC_ST_LISTEN, TC_ST_SYN_SENT, TC_ST_SYN_RECEIVED, TC_ST_ESTABLISHED,
		TC_ST_CLOSE_WAIT, TC_ST_FIN_WAIT_1, TC_ST_CLOSING, TC_ST_LAST_ACK,
		TC_ST_FIN_WAIT_2, TC_ST_TIME_WAIT,
	};
	return t >= 0 && t < (int)(sizeof(map) / sizeof(map[0])) ? map[t] : -1;
}

static const char *nb_state_name(int t)
{
	static const char *const n[] = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
					"ESTABLISHED", "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING",
					"LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"};
	return t >= 0 && t < (int)(sizeof(n) / sizeof(n[0])) ? n[t] : "?";
}

/* Reads the whole pcblist of one family: the records, their count in *n (malloc'd). */
static struct nb_kinfo_pcb *pcblist(int family, size_t *n, char *err, size_t cap)
{
	int *base = family == AF_INET ? N.pcbmib4 : N.pcbmib6;
	int *have = family == AF_INET ? &N.have_pcbmib4 : &N.have_pcbmib6;
	if (!*have) {
		uint32_t type;
		const char *name = family == AF_INET ? "net.inet.tcp.pcblist" : "net.inet6.tcp6.pcblist";
		if (nb_mib(name, base, 4, &type, err, cap) != 4)
			return NULL;
		*have = 1;
	}
	/* net.inet.tcp.pcblist.<op>.<arg>.<elem_size>.<elem_count> (as netstat asks). */
	int mib[8] = {base[0], base[1], base[2], base[3], NB_PCB_ALL, 0,
		      (int)sizeof(struct nb_kinfo_pcb), 0};
	for (int tries = 0; tries < 4; tries++) {
		size_t len = 0;
		mib[7] = INT32_MAX;
		if (rump_sys___sysctl(mib, 8, NULL, &len, NULL, 0) != 0) {
			snprintf(err, cap, "pcblist size: %s", strerror(nberr()));
			return NULL;
		}
		len += 16 * sizeof(struct nb_kinfo_pcb); /* room for connections made meanwhile */
		struct nb_kinfo_pcb *v = malloc(len);
		if (!v) {
			snprintf(err, cap, "out of memory");
			return NULL;
		}
		mib[7] = (int)(len / sizeof(struct nb_kinfo_pcb));
		if (rump_sys___sysctl(mib, 8, v, &len, NULL, 0) == 0) {
			*n = len / sizeof(struct nb_kinfo_pcb);
			return v;
		}
		int e = nberr();
		free(v);
		if (e != ENOMEM) {
			snprintf(err, cap, "pcblist: %s", strerror(e));
			return NULL;
		}
	}
	snprintf(err, cap, "pcblist keeps growing");
	return NULL;
}

/*
 * How many passive opens NetBSD holds in its SYN cache (netinet/tcp_input.c syn_cache_add):
 * NetBSD answers a SYN in LISTEN without making a pcb, so a connection in SYN-RECEIVED is in
 * no pcblist. Its own statistics count every entry added and every way one leaves
 * (netinet/tcp_var.h TCP_STAT_SC_ADDED 57 .. TCP_STAT_SC_ABORTED 64, net.inet.tcp.stats);
 * -1 when they cannot be read.
 */
static long long syn_cache_entries(void)
{
	static int mib[8];
	static int n;
	uint64_t v[128];
	size_t len = sizeof(v);
	char err[128];
	uint32_t type;
	if (n <= 0 && (n = nb_mib("net.inet.tcp.stats", mib, 8, &type, err, sizeof(err))) <= 0)
		return -1;
	memset(v, 0, sizeof(v));
	if (rump_sys___sysctl(mib, (u_int)n, v, &len, NULL, 0) != 0 || len < 65 * sizeof(v[0]))
		return -1;
	/* added - completed - timed out - overflowed - reset - unreachable - bucket overflow -
	 * aborted */
	long long live = (long long)v[57] - (long long)(v[58] + v[59] + v[60] + v[61] + v[62] +
							v[63] + v[64]);
	return live < 0 ? 0 : live;
}

static int sb_state(void *ctx, const struct sockaddr_storage *local,
		    const struct sockaddr_storage *peer, int listener, struct kit_found *found,
		    char *extra, size_t extracap, char *err, size_t cap)
{
	size_t n = 0;
	(void)ctx;
	struct nb_kinfo_pcb *v = pcblist(local->ss_family, &n, err, cap);
	if (!v)
		return -1;
	int best = -1, visible = 0;
	for (size_t i = 0; i < n; i++) {
		const struct nb_kinfo_pcb *k = &v[i];
		int t = k->ki_tstate;
		if (nb_eq(&k->ki_s.sa, local) && nb_eq(&k->ki_d.sa, peer)) {
			/* The live connection wins over an old TIME_WAIT (or a CLOSED pcb). */
			if (best < 0 || v[best].ki_tstate == 10 || v[best].ki_tstate == 0)
				best = (int)i;
		}
		/* Connections on the listener's address and port that may still wait in its
		 * accept queue (established, not yet accepted, or closed by the peer). */
		if (nb_eq(&k->ki_s.sa, local) && (t == 4 || t == 5))
			visible++;
	}
	int st = KIT_STATE_NONE;
	if (best >= 0) {
		st = nb_state(v[best].ki_tstate);
		snprintf(extra, extracap, " netbsd_state=%s", nb_state_name(v[best].ki_tstate));
	} else if (listener >= 0 && syn_cache_entries() > 0) {
		/* Not in the table, a listener open and an entry in the SYN cache: the passive
		 * open has answered the SYN and waits for the ACK (RFC 9293 SYN-RECEIVED). The
		 * count is the whole kernel's, so with two handshakes at once on one listener the
		 * other tuple reads SYN_RECEIVED too; a case has one at a time. The kit's rule
		 * for known connections does not apply: a tuple the cache holds is a new one. */
		st = TC_ST_SYN_RECEIVED;
		snprintf(extra, extracap, " netbsd_state=syn_cache");
	} else {
		snprintf(extra, extracap, " netbsd_state=none");
	}
	free(v);
	/* NetBSD's pcblist has no accept-queue length for a listener. A readable listener has
	 * at least one connection queued; if the table shows none that could be it, the queued
	 * one was reset there (sofree() keeps a socket on the accept queue until accept()). */
	found->accept_queue = -1;
	found->queue_visible = visible;
	if (listener >= 0) {
		struct pollfd p = {.fd = listener, .events = POLLIN};
		int readable = rump_sys_poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
		/* With connections visible it cannot tell which is queued: none is counted gone. */
		found->accept_queue = readable ? (visible > 0 ? visible : 1) : 0;
	}
	return st;
}

/* ---- waiting ---- */

static void sb_wait(void *ctx, const struct kit_waitfd *fds, int n, int timeout_ms)
{
	struct pollfd p[65];
	int k = 0;
	(void)ctx;
	if (N.wake[0] >= 0)
		p[k++] = (struct pollfd){.fd = N.wake[0], .events = POLLIN};
	for (int i = 0; i < n && k < (int)(sizeof(p) / sizeof(p[0])); i++)
		p[k++] = (struct pollfd){
			.fd = fds[i].sock,
			.events = (short)((fds[i].events & KIT_EV_IN ? POLLIN : 0) |
					  (fds[i].events & KIT_EV_OUT ? POLLOUT : 0))};
	if (rump_sys_poll(p, (u_int)k, timeout_ms) > 0 && N.wake[0] >= 0 && (p[0].revents & POLLIN)) {
		char buf[64];
		while (rump_sys_read(N.wake[0], buf, sizeof(buf)) > 0)
			;
	}
}

static void sb_wake(void *ctx)
{
	char c = 1;
	(void)ctx;
	if (N.wake[1] >= 0)
		(void)rump_sys_write(N.wake[1], &c, 1);
}

/* ---- start-up ---- */

static void usage(void)
{
	fprintf(stderr, "usage: tcpconform-netbsd --tap IFNAME [--mac MAC] [--ipv4 ADDR/PREFIX] "
			"[--ipv6 ADDR[/PREFIX]]\n");
}

static int set_nonblock_nb(int fd)
{
	int fl = rump_sys_fcntl(fd, NB_F_GETFL);
	return fl < 0 ? -1 : rump_sys_fcntl(fd, NB_F_SETFL, fl | RUMP_O_NONBLOCK);
}

int main(int argc, char **argv)
{
	const char *tap = NULL, *mac = "02:00:00:00:00:01", *v4 = NULL, *v6 = NULL;
	char err[256];
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--tap") == 0)
			tap = argv[++i];
		else if (strcmp(argv[i], "--mac") == 0)
			mac = argv[++i];
		else if (strcmp(argv[i], "--ipv4") == 0)
			v4 = argv[++i];
		else if (strcmp(argv[i], "--ipv6") == 0)
			v6 = argv[++i];
		else {
			usage();
			return 2;
		}
	}
	unsigned m[6];
	char tail;
	if (!tap || strlen(tap) >= 16 ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6) {
		usage();
		return 2;
	}
	char a4[64] = "", a6[64] = "";
	int plen4 = 24, plen6 = 64;
	if (v4) {
		snprintf(a4, sizeof(a4), "%s", v4);
		char *sl = strchr(a4, '/');
		if (sl) {
			*sl = '\0';
			plen4 = atoi(sl + 1);
		}
		struct in_addr x;
		if (inet_pton(AF_INET, a4, &x) != 1 || plen4 < 1 || plen4 > 32) {
			fprintf(stderr, "tcpconform-netbsd: bad --ipv4 '%s'\n", v4);
			return 2;
		}
	}
	if (v6) {
		snprintf(a6, sizeof(a6), "%s", v6);
		char *sl = strchr(a6, '/');
		if (sl) {
			*sl = '\0';
			plen6 = atoi(sl + 1);
		}
		struct in6_addr x;
		if (inet_pton(AF_INET6, a6, &x) != 1 || plen6 < 1 || plen6 > 128) {
			fprintf(stderr, "tcpconform-netbsd: bad --ipv6 '%s'\n", v6);
			return 2;
		}
	}

	/* The rump kernel prints its console (boot messages) on the host's stdout, which is the
	 * protocol's channel: replies go to a copy of it, and fd 1 becomes stderr. */
	int out = dup(1);
	if (out < 0 || dup2(2, 1) < 0) {
		perror("tcpconform-netbsd: dup");
		return 1;
	}
	/* virtif (with the local patch, recipe/virtif-tapname-mac.patch) opens this TAP device
	 * and gives virt0 this Ethernet address. */
	setenv("RUMP_VIRTIF_TAP", tap, 1);
	setenv("RUMP_VIRTIF_MAC", mac, 1);
	/* A signal the kernel would post (SIGPIPE) is dropped, never a panic of the rump kernel;
	 * writes use MSG_NOSIGNAL and sockets SO_NOSIGPIPE anyway. */
	rump_boot_setsigmodel(RUMP_SIGMODEL_IGNORE);
	int e = rump_init();
	if (e != 0) {
		fprintf(stderr, "tcpconform-netbsd: rump_init: %s\n", strerror(rump_errno2host(e)));
		return 1;
	}
	/* No duplicate address detection (RFC 4862 5.4): it would hold the addresses tentative
	 * for a second on a link where nobody else can have them. Set before the interface
	 * exists, so its link-local address skips it too. */
	long long zero = 0;
	if (v6 && nb_sysctl_int("net.inet6.ip6.dad_count", NULL, &zero, err, sizeof(err)) != 0)
		fprintf(stderr, "tcpconform-netbsd: cannot turn DAD off: %s\n", err);
	/* NetBSD also probes IPv4 addresses before using them (RFC 5227, net.inet.ip.dad_count,
	 * netinet/in.c): until then they are tentative and bind() fails with EADDRNOTAVAIL. */
	if (v4 && nb_sysctl_int("net.inet.ip.dad_count", NULL, &zero, err, sizeof(err)) != 0)
		fprintf(stderr, "tcpconform-netbsd: cannot turn IPv4 DAD off: %s\n", err);
	if ((e = rump_pub_netconfig_ifcreate(IFNAME)) != 0) {
		fprintf(stderr, "tcpconform-netbsd: cannot attach %s to TAP device %s: %s\n", IFNAME,
			tap, strerror(rump_errno2host(e)));
		return 1;
	}
	if ((e = rump_pub_netconfig_ifup(IFNAME)) != 0) {
		fprintf(stderr, "tcpconform-netbsd: cannot bring %s up: %s\n", IFNAME,
			strerror(rump_errno2host(e)));
		return 1;
	}
	if (v4 && (e = rump_pub_netconfig_ipv4_ifaddr_cidr(IFNAME, a4, plen4)) != 0) {
		fprintf(stderr, "tcpconform-netbsd: cannot add %s/%d: %s\n", a4, plen4,
			strerror(rump_errno2host(e)));
		return 1;
	}
	if (v6 && (e = rump_pub_netconfig_ipv6_ifaddr(IFNAME, a6, plen6)) != 0) {
		fprintf(stderr, "tcpconform-netbsd: cannot add %s/%d: %s\n", a6, plen6,
			strerror(rump_errno2host(e)));
		return 1;
	}
	/* The loop's wake-up: a pipe inside the rump kernel, so one rump_sys_poll sees both it
	 * and the sockets. Without it the loop polls every 10 ms (one tick of the rump kernel's
	 * clock, HZ 100). */
	int tick = 1000;
	if (rump_sys_pipe(N.wake) != 0 || set_nonblock_nb(N.wake[0]) != 0 ||
	    set_nonblock_nb(N.wake[1]) != 0) {
		fprintf(stderr, "tcpconform-netbsd: no rump pipe (%s): polling every 10 ms\n",
			strerror(nberr()));
		N.wake[0] = N.wake[1] = -1;
		tick = 10;
	}

	static struct kit_stack st = {
		.name = "tcpconform-netbsd",
		.os = "netbsd",
		.hello_extra = "netbsd=7.99-2016-08 rump=1",
		.socket = sb_socket,
		.bind = sb_bind,
		.listen = sb_listen,
		.connect = sb_connect,
		.connected = sb_connected,
		.accept = sb_accept,
		.write = sb_write,
		.read = sb_read,
		.shutdown = sb_shutdown,
		.close = sb_close,
		.sockopt = sb_sockopt,
		.names = sb_names,
		.state = sb_state,
		.sysctl_get = sb_sysctl_get,
		.sysctl_set = sb_sysctl_set,
		.wait = sb_wait,
		.wake = sb_wake,
	};
	st.tick_ms = tick;
	st.out_fd = out;
	return kit_run(&st);
}
