/*
 * targets/remote.c - the `remote` target: a real host on the link of one named interface (a
 * FreeBSD box, a board, another Linux machine), see targets/remote.h and docs/targets.md.
 *
 * Safety is the point of most of this file. The injector opens exactly the interface the user
 * named, never sends a TCP segment toward any address but the --host one (and refuses, as an
 * `error`, a case that would), answers ARP/ND only for the --peer addresses and only toward the
 * host (injector/neigh.c), and refuses to start at all when a --peer address belongs to this
 * machine (its kernel would then answer the host too, and the case would test two stacks).
 */
#include "remote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "file.h"
#include "wire.h"

/* How long each step of opening a case may take; together they bound a case's set-up, so a
 * host that went away costs a few seconds per case and never hangs the run. */
#define CONNECT_MS 5000
#define HELLO_MS 5000
#define SYSCTL_MS 5000
#define RESOLVE_TRIES 3
#define RESOLVE_WAIT_MS 1000
/* Distinct 4-tuples one case may use (the CONFIG tuple and every one the injector sends on). */
#define MAX_TUPLES 32

/* The run's settings, read once by remote_configure in the runner's process before the
 * scheduler forks the workers that use them. */
static struct {
	int loaded;
	char name[64], iface[IFNAMSIZ];
	char host4[64], host6[64], peer4[64], peer6[64];
	uint8_t h4[4], h6[16], p4[4], p6[16];
	char agent[300];
	struct sockaddr_storage agent_sa;
	socklen_t agent_len;
	int sysctl_mode;
	char profile[64], baseline[1024];
} g;

struct tc_remote {
	struct tc_wire w;
	struct tc_io inner;          /* the wire's own functions, which ours wrap */
	uint16_t tuples[MAX_TUPLES][2]; /* (target port, injector port) pairs of this case */
	int ntuples;
	int stray;                   /* segments of other connections, dropped (earlier cases') */
};

/* ---- settings ---- */

/* Parses "A" or "A,B" (one IPv4 and/or one IPv6 address, any order) into a4/a6. */
static int parse_addrs(const char *opt, const char *s, char a4[64], char a6[64], char *err,
		       size_t cap)
{
	char buf[160];
	uint8_t tmp[16];
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, cap, "%s: too long", opt);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	a4[0] = a6[0] = '\0';
	char *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (++n > 2)
			goto bad;
		if (inet_pton(AF_INET, tok, tmp) == 1 && !a4[0])
			snprintf(a4, 64, "%s", tok);
		else if (inet_pton(AF_INET6, tok, tmp) == 1 && !a6[0])
			snprintf(a6, 64, "%s", tok);
		else
			goto bad;
	}
	if (n == 0)
		goto bad;
	return 0;
bad:
	snprintf(err, cap, "%s '%s': give one IPv4 and/or one IPv6 address, comma separated "
		 "(e.g. 192.0.2.1,2001:db8::1)", opt, s);
	return -1;
}

/* Parses HOST:PORT or [IPV6]:PORT and resolves it once. */
static int parse_agent(const char *s, char *err, size_t cap)
{
	char host[256], port[16];
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (!host[0] || *end || p < 1 || p > 65535)
		goto bad;
	snprintf(port, sizeof(port), "%ld", p);
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, cap, "--agent '%s': cannot resolve '%s': %s", s, host, gai_strerror(rc));
		return -1;
	}
	memcpy(&g.agent_sa, res->ai_addr, res->ai_addrlen);
	g.agent_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, cap, "--agent '%s': give HOST:PORT (an IPv6 address as [ADDR]:PORT)", s);
	return -1;
}

/*
 * Connects to the agent within CONNECT_MS. Returns a non-blocking descriptor, or -1 with a
 * message that says what to check.
 */
static int connect_agent(char *err, size_t cap)
{
	int fd = socket(g.agent_sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	/* Requests are short lines that must reach the agent at once: a case's timing (a call
	 * issued between two injected segments) must not wait for Nagle. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int e = 0;
	if (connect(fd, (struct sockaddr *)&g.agent_sa, g.agent_len) < 0) {
		e = errno;
		if (e == EINPROGRESS) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int r;
			while ((r = poll(&p, 1, CONNECT_MS)) < 0 && errno == EINTR)
				;
			socklen_t sl = sizeof(e);
			if (r == 0)
				e = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
				e = errno;
		}
	}
	if (e) {
		snprintf(err, cap, "cannot reach the agent at %s: %s (is `tcpconform-agent --listen "
			 "PORT` running on the host, and the port open?)", g.agent, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

/* The Ethernet address of ifname. */
static int iface_mac(const char *ifname, uint8_t mac[6], char *err, size_t cap)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	int e = errno;
	close(fd);
	if (rc < 0) {
		snprintf(err, cap, "interface %s: %s", ifname, strerror(e));
		return -1;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		snprintf(err, cap, "interface %s is not an Ethernet interface (the injector writes "
			 "Ethernet frames)", ifname);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/*
 * Fails if one of the --peer (or --host) addresses is configured on an interface of this host:
 * its kernel would answer the host's segments to the peer address alongside the injector (RSTs
 * for connections it never made), and a --host address here means the "remote" host is us.
 */
static int check_not_local(char *err, size_t cap)
{
	struct ifaddrs *ifa = NULL;
	if (getifaddrs(&ifa) < 0) {
		snprintf(err, cap, "getifaddrs: %s", strerror(errno));
		return -1;
	}
	int rc = 0;
	for (struct ifaddrs *i = ifa; i && rc == 0; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		const char *what = NULL, *addr = NULL;
		if (i->ifa_addr->sa_family == AF_INET) {
			const uint8_t *a = (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			if (g.peer4[0] && memcmp(a, g.p4, 4) == 0)
				what = "--peer", addr = g.peer4;
			else if (g.host4[0] && memcmp(a, g.h4, 4) == 0)
				what = "--host", addr = g.host4;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const uint8_t *a =
				(const uint8_t *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (g.peer6[0] && memcmp(a, g.p6, 16) == 0)
				what = "--peer", addr = g.peer6;
			else if (g.host6[0] && memcmp(a, g.h6, 16) == 0)
				what = "--host", addr = g.host6;
		}
		if (!what)
			continue;
		if (strcmp(what, "--peer") == 0)
			snprintf(err, cap, "--peer %s is configured on interface %s of this host: its "
				 "kernel would answer the remote host alongside the injector. Use an "
				 "address no interface here has (the injector answers ARP/ND for it)",
				 addr, i->ifa_name);
		else
			snprintf(err, cap, "--host %s is an address of this host (interface %s): the "
				 "remote target tests another machine; use --target linux for this one",
				 addr, i->ifa_name);
		rc = -1;
	}
	freeifaddrs(ifa);
	return rc;
}

static int remote_configure(const struct tc_target_args *a, char *err, size_t cap)
{
	struct tc_target_file tf;
	int have_tf = 0;
	memset(&g, 0, sizeof(g));
	g.sysctl_mode = TC_TF_SYSCTL_AGENT;
	snprintf(g.name, sizeof(g.name), "remote");
	if (a->file) {
		if (tc_target_file_load(a->file, &tf, err, cap) < 0)
			return -1;
		have_tf = 1;
		if (strcmp(tf.kind, "remote") != 0) {
			snprintf(err, cap, "%s is a '%s' target file; use --target %s", a->file, tf.kind,
				 tf.kind);
			tc_target_file_free(&tf);
			return -1;
		}
		snprintf(g.name, sizeof(g.name), "%s", tf.name);
		snprintf(g.iface, sizeof(g.iface), "%.*s", (int)sizeof(g.iface) - 1, tf.iface);
		snprintf(g.host4, sizeof(g.host4), "%s", tf.target4);
		snprintf(g.host6, sizeof(g.host6), "%s", tf.target6);
		snprintf(g.peer4, sizeof(g.peer4), "%s", tf.peer4);
		snprintf(g.peer6, sizeof(g.peer6), "%s", tf.peer6);
		snprintf(g.agent, sizeof(g.agent), "%s", tf.agent);
		snprintf(g.profile, sizeof(g.profile), "%s", tf.profile);
		snprintf(g.baseline, sizeof(g.baseline), "%s", tf.baseline);
		g.sysctl_mode = tf.sysctl_mode;
		if (tf.argc > 0 || tf.target_mac[0]) {
			snprintf(err, cap, "%s: 'harness' and 'target_mac' are for tap targets (a remote "
				 "host's address is found by ARP/ND)", a->file);
			tc_target_file_free(&tf);
			return -1;
		}
		tc_target_file_free(&tf);
	}
	(void)have_tf;
	/* The command line wins over the file, so one file serves several interfaces. */
	if (a->iface) {
		if (strlen(a->iface) >= sizeof(g.iface)) {
			snprintf(err, cap, "--iface '%s': name too long", a->iface);
			return -1;
		}
		snprintf(g.iface, sizeof(g.iface), "%s", a->iface);
	}
	if (a->host && parse_addrs("--host", a->host, g.host4, g.host6, err, cap) < 0)
		return -1;
	if (a->peer && parse_addrs("--peer", a->peer, g.peer4, g.peer6, err, cap) < 0)
		return -1;
	if (a->agent)
		snprintf(g.agent, sizeof(g.agent), "%s", a->agent);
	if (!g.iface[0] || (!g.host4[0] && !g.host6[0]) || !g.agent[0]) {
		snprintf(err, cap, "--target remote needs --iface IF (the only interface injection "
			 "uses), --host ADDR[,ADDR6] (the host under test), --peer ADDR[,ADDR6] (the "
			 "injector's own test addresses) and --agent HOST:PORT, or a target file "
			 "with iface, target4/target6, peer4/peer6 and agent");
		return -1;
	}
	if ((g.host4[0] && !g.peer4[0]) || (g.host6[0] && !g.peer6[0])) {
		snprintf(err, cap, "--peer: give the injector's own test address for each family of "
			 "--host (%s%s%s): an address on the host's link that no machine uses",
			 g.host4, g.host4[0] && g.host6[0] ? "," : "", g.host6);
		return -1;
	}
	/* A peer address of a family without a host address is unused: drop it. */
	if (!g.host4[0])
		g.peer4[0] = '\0';
	if (!g.host6[0])
		g.peer6[0] = '\0';
	inet_pton(AF_INET, g.host4[0] ? g.host4 : "0.0.0.0", g.h4);
	inet_pton(AF_INET, g.peer4[0] ? g.peer4 : "0.0.0.0", g.p4);
	inet_pton(AF_INET6, g.host6[0] ? g.host6 : "::", g.h6);
	inet_pton(AF_INET6, g.peer6[0] ? g.peer6 : "::", g.p6);
	if ((g.host4[0] && memcmp(g.h4, g.p4, 4) == 0) || (g.host6[0] && memcmp(g.h6, g.p6, 16) == 0)) {
		snprintf(err, cap, "--host and --peer must differ");
		return -1;
	}
	if (parse_agent(g.agent, err, cap) < 0)
		return -1;
	g.loaded = 1;
	return 0;
}

/*
 * The profile cases are selected by (only/except): the target file's, else the OS the agent
 * announces (`os=freebsd` in its HELLO), else "remote". Asking costs one control session.
 */
static const char *remote_profile(void)
{
	if (!g.loaded)
		return NULL;
	if (g.profile[0])
		return g.profile;
	char err[512], greet[256];
	struct tc_wire w;
	snprintf(g.profile, sizeof(g.profile), "remote");
	if (tc_wire_init(&w, 4) < 0)
		return g.profile;
	w.ctl_wr = w.ctl_rd = connect_agent(err, sizeof(err));
	if (w.ctl_rd >= 0 && tc_wire_hello(&w, HELLO_MS, greet, sizeof(greet), err, sizeof(err)) == 0) {
		const char *os = strstr(greet, " os=");
		if (os) {
			size_t n = strcspn(os + 4, " ");
			if (n > 0 && n < sizeof(g.profile))
				snprintf(g.profile, sizeof(g.profile), "%.*s", (int)n, os + 4);
		}
	} else {
		/* Not fatal (each case will report the agent), but cases meant for the host's
		 * system may now be skipped as "not for profile 'remote'": say why. */
		fprintf(stderr, "tcpconform: cannot ask the agent which system the host runs (%s); "
			"cases are selected for profile 'remote' (set `profile:` in a target file)\n",
			err);
	}
	tc_wire_close(&w);
	return g.profile;
}

static const char *remote_baseline(void)
{
	return g.loaded && g.baseline[0] ? g.baseline : NULL;
}

static int remote_check(const struct tc_target_env *env, char *err, size_t cap)
{
	(void)env;
	if (!g.loaded) {
		snprintf(err, cap, "--target remote needs --iface, --host, --peer and --agent");
		return -1;
	}
	/* Raw frames need CAP_NET_RAW; asking the kernel is more precise than checking for root. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "the remote target injects raw frames: %s (run as root or with "
			 "CAP_NET_RAW)", strerror(errno));
		return -1;
	}
	close(fd);
	if (if_nametoindex(g.iface) == 0) {
		snprintf(err, cap, "--iface %s: no such interface here", g.iface);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g.iface);
		int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
		close(fd);
		if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
			snprintf(err, cap, "--iface %s is down", g.iface);
			return -1;
		}
	}
	uint8_t mac[6];
	if (iface_mac(g.iface, mac, err, cap) < 0)
		return -1;
	return check_not_local(err, cap);
}

/* ---- the case's I/O: the wire's, with the safety checks and the tuple filter ---- */

static void add_tuple(struct tc_remote *t, uint16_t tport, uint16_t pport)
{
	for (int i = 0; i < t->ntuples; i++)
		if (t->tuples[i][0] == tport && t->tuples[i][1] == pport)
			return;
	if (t->ntuples < MAX_TUPLES) {
		t->tuples[t->ntuples][0] = tport;
		t->tuples[t->ntuples][1] = pport;
		t->ntuples++;
	}
}

static int known_tuple(const struct tc_remote *t, uint16_t tport, uint16_t pport)
{
	for (int i = 0; i < t->ntuples; i++)
		if (t->tuples[i][0] == tport && t->tuples[i][1] == pport)
			return 1;
	return 0;
}

static int rm_send(void *ctx, const struct tc_seg *seg, int64_t *ts_us, char *err, size_t cap)
{
	struct tc_remote *t = ctx;
	size_t alen = t->w.alen;
	const uint8_t *peer = t->w.family == TC_FAMILY_V4 ? g.p4 : g.p6;
	/* The promise of docs/targets.md: nothing leaves toward an address the user did not give,
	 * nor from one other than the injector's own. */
	if (seg->family != t->w.family || memcmp(seg->dst, t->w.target_addr, alen) != 0 ||
	    memcmp(seg->src, peer, alen) != 0) {
		char d[INET6_ADDRSTRLEN] = "?";
		inet_ntop(seg->family == TC_FAMILY_V4 ? AF_INET : AF_INET6, seg->dst, d, sizeof(d));
		snprintf(err, cap, "refusing to inject toward %s: the remote target sends only from "
			 "--peer to --host %s", d, t->w.family == TC_FAMILY_V4 ? g.host4 : g.host6);
		return -1;
	}
	add_tuple(t, seg->dport, seg->sport);
	return t->inner.send(&t->w, seg, ts_us, err, cap);
}

/*
 * Segments of connections this case never used are dropped: unlike a fresh namespace, a real
 * host still holds connections of earlier cases (FIN_WAIT_1 retransmitting, TIME_WAIT answering
 * a stray segment), and their segments must not count as the target's unexpected answers here.
 */
static int rm_wait(void *ctx, int64_t deadline, struct tc_ev *ev, char *err, size_t cap)
{
	struct tc_remote *t = ctx;
	for (;;) {
		int r = t->inner.wait(&t->w, deadline, ev, err, cap);
		if (r != 1 || ev->kind != TC_EV_SEG || known_tuple(t, ev->seg.sport, ev->seg.dport))
			return r;
		t->stray++;
	}
}

/* A CONFIG names the tuple of a connection the target may open itself (connect). */
static int rm_agent_send(void *ctx, const char *line, char *err, size_t cap)
{
	struct tc_remote *t = ctx;
	const char *cfg = strstr(line, " CONFIG ");
	if (cfg) {
		const char *p = strstr(cfg, " port="), *pp = strstr(cfg, " peer_port=");
		if (p && pp)
			add_tuple(t, (uint16_t)atoi(p + 6), (uint16_t)atoi(pp + 11));
	}
	return t->inner.agent_send(&t->w, line, err, cap);
}

/* ---- resolving the host's Ethernet address ---- */

/*
 * Asks for the host's link-layer address (ARP request, or neighbour solicitation to its
 * solicited-node group) up to RESOLVE_TRIES times, answering the host's own questions for our
 * address meanwhile. 0 with mac filled, or -1 with a message.
 */
static int resolve(struct tc_remote *t, uint8_t mac[6], char *err, size_t cap)
{
	int fam = t->w.family == TC_FAMILY_V4 ? 4 : 6;
	uint8_t q[TC_NEIGH_FRAME_MAX];
	int qn = tc_neigh_solicit(&t->w.self, fam, q, sizeof(q));
	if (qn < 0) {
		snprintf(err, cap, "cannot build the neighbour solicitation");
		return -1;
	}
	for (int i = 0; i < RESOLVE_TRIES; i++) {
		if (tc_inject(t->w.inj, q, (size_t)qn, err, cap) < 0)
			return -1;
		int64_t dl = tc_wire_now(NULL) + RESOLVE_WAIT_MS * 1000;
		while (tc_wire_now(NULL) < dl) {
			const uint8_t *frame;
			size_t flen;
			int64_t ts;
			int r;
			while ((r = tc_capture_next(t->w.cap, &frame, &flen, &ts, err, cap)) == 1) {
				if (tc_neigh_learn(&t->w.self, fam, frame, flen, mac))
					return 0;
				uint8_t out[TC_NEIGH_FRAME_MAX];
				int n = tc_neigh_answer(&t->w.self, frame, flen, out, sizeof(out));
				char e[128];
				if (n > 0 && tc_inject(t->w.inj, out, (size_t)n, e, sizeof(e)) == 0)
					t->w.neigh_answers++;
			}
			if (r < 0)
				return -1;
			struct pollfd p = {.fd = tc_capture_fd(t->w.cap), .events = POLLIN};
			poll(&p, 1, 20);
		}
	}
	snprintf(err, cap, "no %s answer from %s on %s after %d %s %dms apart (is --host on the "
		 "link of --iface, and up?)", fam == 4 ? "ARP" : "neighbour advertisement",
		 fam == 4 ? g.host4 : g.host6, g.iface, RESOLVE_TRIES,
		 fam == 4 ? "ARP requests" : "solicitations", RESOLVE_WAIT_MS);
	return -1;
}

/* ---- open / close ---- */

/* A case sysctl value as a protocol value: no spaces in a field, so ',' separates numbers. */
static void sysctl_field(const char *v, char *out, size_t cap)
{
	size_t o = 0;
	for (; *v && o + 1 < cap; v++)
		out[o++] = (*v == ' ' || *v == '\t') ? ',' : *v;
	out[o] = '\0';
}

/*
 * Applies the case's sysctls through the agent's SYSCTL verb (it restores them when the
 * session ends). Returns 0, or -1 with *kind: TC_OPEN_SKIP when the host cannot have the
 * setting, 1 when the case's value was refused, 0 for a failure of the agent or the link.
 */
static int apply_sysctls(struct tc_remote *t, const struct tc_case *c, int *kind, char *err,
			 size_t cap)
{
	for (int i = 0; i < c->nsysctls; i++) {
		const struct tc_sysctl *s = &c->sysctls[i];
		char val[300], line[600], reply[512], e[512], tag[24];
		sysctl_field(s->value, val, sizeof(val));
		snprintf(tag, sizeof(tag), "%d", 900000 + i);
		snprintf(line, sizeof(line), "%s SYSCTL key=%s value=%s", tag, s->key, val);
		if (tc_wire_request(&t->w, line, tag, SYSCTL_MS, reply, sizeof(reply), e, sizeof(e)) < 0) {
			*kind = 0;
			snprintf(err, cap, "%s:%d:%d: sysctl '%s': %s", c->file, s->pos.line, s->pos.col,
				 s->key, e);
			return -1;
		}
		if (strncmp(reply, "OK", 2) == 0)
			continue;
		int unsup = strncmp(reply, "ERR UNSUPPORTED", 15) == 0;
		/* An agent older than SYSCTL answers ERR BADREQ "unknown verb": it cannot. */
		int old = strncmp(reply, "ERR BADREQ unknown verb", 23) == 0;
		*kind = unsup || old ? TC_OPEN_SKIP : 1;
		snprintf(err, cap, "%s:%d:%d: sysctl '%s: %s': %s: %.300s", c->file, s->pos.line,
			 s->pos.col, s->key, s->value,
			 unsup || old ? "the host's agent cannot set it" : "the host's agent refused",
			 reply);
		return -1;
	}
	return 0;
}

static void remote_close(void *h);

static void *remote_open(const struct tc_case *c, int family, const struct tc_target_env *env,
			 struct tc_io *io, struct tc_exec_cfg *cfg, int *is_case_error, char *err,
			 size_t cap)
{
	*is_case_error = 0;
	const char *host = family == TC_FAMILY_V4 ? g.host4 : g.host6;
	if (!host[0]) {
		*is_case_error = TC_OPEN_SKIP;
		snprintf(err, cap, "no IPv%d address given for the remote host (--host A4,A6 or "
			 "--family %s)", family, family == TC_FAMILY_V4 ? "ipv6" : "ipv4");
		return NULL;
	}
	if (c->nsysctls > 0 && g.sysctl_mode == TC_TF_SYSCTL_SKIP) {
		*is_case_error = TC_OPEN_SKIP;
		snprintf(err, cap, "%s:%d:%d: the case sets sysctl '%s' and the target file says "
			 "'sysctl: skip'", c->file, c->sysctls[0].pos.line, c->sysctls[0].pos.col,
			 c->sysctls[0].key);
		return NULL;
	}
	struct tc_remote *t = calloc(1, sizeof(*t));
	if (!t || tc_wire_init(&t->w, family) < 0) {
		free(t);
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	size_t alen = family == TC_FAMILY_V4 ? 4 : 16;
	memcpy(cfg->target_addr, family == TC_FAMILY_V4 ? g.h4 : g.h6, alen);
	memcpy(cfg->peer_addr, family == TC_FAMILY_V4 ? g.p4 : g.p6, alen);
	memcpy(t->w.target_addr, cfg->target_addr, alen);
	struct tc_neigh_self *s = &t->w.self;
	if (family == TC_FAMILY_V4) {
		s->have_v4 = 1;
		memcpy(s->v4, g.p4, 4);
		memcpy(s->target_v4, g.h4, 4);
	} else {
		s->have_v6 = 1;
		memcpy(s->v6, g.p6, 16);
		memcpy(s->target_v6, g.h6, 16);
	}
	char e[1024], greet[256];
	/* The control session first: without an agent there is no case, and a HELLO proves the
	 * previous case's session has ended (the agent serves one at a time). */
	int fd = connect_agent(err, cap);
	if (fd < 0)
		goto fail;
	t->w.ctl_wr = t->w.ctl_rd = fd;
	if (tc_wire_hello(&t->w, HELLO_MS, greet, sizeof(greet), e, sizeof(e)) < 0) {
		snprintf(err, cap, "agent at %s: %s%s", g.agent, e,
			 t->w.eof ? "" : " (it serves one control connection at a time: is another "
					 "run using it?)");
		goto fail;
	}
	int kind;
	if (apply_sysctls(t, c, &kind, err, cap) < 0) {
		*is_case_error = kind;
		goto fail;
	}
	if (iface_mac(g.iface, s->mac, err, cap) < 0)
		goto fail;
	{
		char bpf[400];
		/* The case's TCP between the two addresses, plus the host's ARP or neighbour
		 * discovery (answered for our address, and how we learn the host's). */
		if (family == TC_FAMILY_V4)
			snprintf(bpf, sizeof(bpf), "(ip and tcp and host %s and host %s) or "
				 "(arp and host %s and host %s)", g.host4, g.peer4, g.host4, g.peer4);
		else
			snprintf(bpf, sizeof(bpf), "(ip6 and tcp and host %s and host %s) or "
				 "(icmp6 and (ip6[40] == 135 or ip6[40] == 136))", g.host6, g.peer6);
		t->w.cap = tc_capture_open(g.iface, bpf, env->pcap_path, err, cap);
		if (!t->w.cap)
			goto fail;
	}
	{
		/* Opened with a placeholder destination to send the solicitation (a raw frame),
		 * then again with the host's address for the case's segments. */
		static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		uint8_t tmac[6];
		t->w.inj = tc_injector_open(g.iface, s->mac, bcast, err, cap);
		if (!t->w.inj)
			goto fail;
		if (resolve(t, tmac, err, cap) < 0)
			goto fail;
		tc_injector_close(t->w.inj);
		t->w.inj = tc_injector_open(g.iface, s->mac, tmac, err, cap);
		if (!t->w.inj)
			goto fail;
	}
	tc_wire_io(&t->w, &t->inner);
	io->ctx = t;
	io->send = rm_send;
	io->wait = rm_wait;
	io->agent_send = rm_agent_send;
	io->now = tc_wire_now;
	return t;
fail:
	remote_close(t);
	return NULL;
}

static void remote_close(void *h)
{
	struct tc_remote *t = h;
	if (!t)
		return;
	/* No QUIT: with --listen that would end the agent. Closing the connection ends the
	 * session; the agent then closes the session's sockets and restores its sysctls. */
	tc_wire_close(&t->w);
	free(t);
}

/* Nothing is created on this host, so nothing can be left behind. */
static int remote_sweep(pid_t own_pid)
{
	(void)own_pid;
	return 0;
}

const struct tc_target_ops tc_target_remote = {
	.name = "remote",
	.configure = remote_configure,
	.profile = remote_profile,
	.baseline = remote_baseline,
	/* One control session at a time per agent, and a case's sysctls are the whole host's. */
	.max_jobs = 1,
	.check = remote_check,
	.open = remote_open,
	.close = remote_close,
	.sweep = remote_sweep,
};
