/*
 * state_freebsd.c - TCP state on FreeBSD 12 and later.
 *
 * The socket table is the sysctl net.inet.tcp.pcblist (what netstat and sockstat read): a
 * struct xinpgen header, one struct xtcpcb per TCP control block of every family, and a closing
 * xinpgen. It holds what no descriptor refers to any more - TIME_WAIT, FIN_WAIT_2 and LAST_ACK
 * after close, connections in a listener's queue - which TCP_INFO on an open socket can never
 * show. TCP_INFO's tcpi_state is the fallback for the open connection. Both report the BSD
 * state numbers of state_bsd.h.
 *
 * Not compiled in this project's CI (Linux only): the record layout used is FreeBSD 12's
 * (xtcpcb with xt_inp.inp_inc and t_state; xinpgen's xig_len); older releases exported kernel
 * structures there and get the "unsupported" table, i.e. the TCP_INFO fallback.
 */
#ifdef __FreeBSD__

#include <sys/param.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/sysctl.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/in_pcb.h>
#include <netinet/tcp.h>
#include <netinet/tcp_var.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_bsd.h"

const char tc_agent_os[] = "freebsd";

#if __FreeBSD_version >= 1200000
/* Whether record xt is the connection local <-> peer (addresses and ports, one family). */
static int tuple_matches(const struct xtcpcb *xt, const struct sockaddr_storage *local,
			 const struct sockaddr_storage *peer)
{
	const struct in_conninfo *inc = &xt->xt_inp.inp_inc;
	int v6 = (inc->inc_flags & INC_ISIPV6) != 0;
	if (local->ss_family == AF_INET) {
		const struct sockaddr_in *l = (const struct sockaddr_in *)local;
		const struct sockaddr_in *p = (const struct sockaddr_in *)peer;
		return !v6 && inc->inc_lport == l->sin_port && inc->inc_fport == p->sin_port &&
		       inc->inc_laddr.s_addr == l->sin_addr.s_addr &&
		       inc->inc_faddr.s_addr == p->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)local;
	const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)peer;
	return v6 && inc->inc_lport == l->sin6_port && inc->inc_fport == p->sin6_port &&
	       memcmp(&inc->inc6_laddr, &l->sin6_addr, sizeof(l->sin6_addr)) == 0 &&
	       memcmp(&inc->inc6_faddr, &p->sin6_addr, sizeof(p->sin6_addr)) == 0;
}

/* Whether record xt is bound to local's port and address (or, for a listener, the wildcard). */
static int local_matches(const struct xtcpcb *xt, const struct sockaddr_storage *local,
			 int wildcard_ok)
{
	const struct in_conninfo *inc = &xt->xt_inp.inp_inc;
	int v6 = (inc->inc_flags & INC_ISIPV6) != 0;
	if (local->ss_family == AF_INET) {
		const struct sockaddr_in *l = (const struct sockaddr_in *)local;
		return !v6 && inc->inc_lport == l->sin_port &&
		       (inc->inc_laddr.s_addr == l->sin_addr.s_addr ||
			(wildcard_ok && inc->inc_laddr.s_addr == INADDR_ANY));
	}
	const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)local;
	return v6 && inc->inc_lport == l->sin6_port &&
	       (memcmp(&inc->inc6_laddr, &l->sin6_addr, sizeof(l->sin6_addr)) == 0 ||
		(wildcard_ok && IN6_IS_ADDR_UNSPECIFIED(&inc->inc6_laddr)));
}

int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   struct tc_agent_found *found, char *err, size_t cap)
{
	struct tc_agent_found f = {.accept_queue = -1, .queue_visible = 0};
	size_t len = 0;
	char *buf = NULL;
	int best = TC_AGENT_STATE_NONE;
	/* The table can grow between the size query and the read: retry with room to spare. */
	for (int tries = 0;; tries++) {
		if (sysctlbyname("net.inet.tcp.pcblist", NULL, &len, NULL, 0) != 0) {
			snprintf(err, cap, "sysctl net.inet.tcp.pcblist: %s", strerror(errno));
			return -1;
		}
		len += len / 4 + 4096;
		free(buf);
		buf = malloc(len);
		if (!buf) {
			snprintf(err, cap, "out of memory");
			return -1;
		}
		if (sysctlbyname("net.inet.tcp.pcblist", buf, &len, NULL, 0) == 0)
			break;
		if (errno != ENOMEM || tries >= 3) {
			snprintf(err, cap, "sysctl net.inet.tcp.pcblist: %s", strerror(errno));
			free(buf);
			return -1;
		}
	}
	/* Every record starts with its own length; the closing xinpgen is the one no longer
	 * than a header. Bounds are checked against what the kernel returned. */
	size_t off = 0;
	if (len < sizeof(struct xinpgen) || ((struct xinpgen *)buf)->xig_len > len)
		goto bad;
	off = ((struct xinpgen *)buf)->xig_len;
	while (off + sizeof(struct xinpgen) <= len) {
		const struct xinpgen *xg = (const struct xinpgen *)(buf + off);
		if (xg->xig_len <= sizeof(struct xinpgen))
			break;
		if (xg->xig_len < sizeof(struct xtcpcb) || off + xg->xig_len > len)
			goto bad;
		const struct xtcpcb *xt = (const struct xtcpcb *)(buf + off);
		/* A listener's so_qlen counts its completed connections not yet accepted
		 * (so_incqlen the incomplete ones; FreeBSD keeps SYN-RECEIVED in the syncache,
		 * which this table does not show). As on Linux, queued connections the table no
		 * longer shows in ESTABLISHED or CLOSE_WAIT were reset before accept(). Not
		 * verified on a FreeBSD machine (docs/agent-protocol.md STATE). */
		if (xt->t_state == 1 /* TCPS_LISTEN */ && local_matches(xt, local, 1)) {
			f.accept_queue = (int)xt->xt_inp.xi_socket.so_qlen;
		} else if ((xt->t_state == 4 /* TCPS_ESTABLISHED */ ||
			    xt->t_state == 5 /* TCPS_CLOSE_WAIT */) &&
			   local_matches(xt, local, 0)) {
			f.queue_visible++;
		}
		if (tuple_matches(xt, local, peer)) {
			int st = tc_bsd_state(xt->t_state, err, cap);
			if (st < 0) {
				free(buf);
				if (found)
					*found = f;
				return -1;
			}
			if (best == TC_AGENT_STATE_NONE || tc_bsd_rank(st) > tc_bsd_rank(best))
				best = st;
		}
		off += xg->xig_len;
	}
	free(buf);
	if (found)
		*found = f;
	return best;
bad:
	snprintf(err, cap, "net.inet.tcp.pcblist: malformed record at offset %zu", off);
	free(buf);
	if (found)
		*found = f;
	return -1;
}
#else
int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   struct tc_agent_found *found, char *err, size_t cap)
{
	(void)local;
	(void)peer;
	if (found)
		*found = (struct tc_agent_found){.accept_queue = -1, .queue_visible = 0};
	snprintf(err, cap, "unsupported: the pcblist records of FreeBSD before 12 are not read");
	return -1;
}
#endif

int tc_agent_state_fd(int fd, char *err, size_t cap)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
		snprintf(err, cap, "TCP_INFO: %s", strerror(errno));
		return -1;
	}
	return tc_bsd_state(ti.tcpi_state, err, cap);
}

/* SYSCTL: FreeBSD's settings have other names (net.inet.tcp.*) and the suites' cases name
 * Linux's; a port would map them, which is future work. */
int tc_agent_sysctl_get(const char *key, char *out, size_t cap, char *err, size_t ecap)
{
	(void)out;
	(void)cap;
	snprintf(err, ecap, "unsupported: SYSCTL %s: this agent sets no settings on freebsd", key);
	return -1;
}

int tc_agent_sysctl_set(const char *key, const char *value, char *err, size_t ecap)
{
	(void)value;
	snprintf(err, ecap, "unsupported: SYSCTL %s: this agent sets no settings on freebsd", key);
	return -1;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int tc_state_freebsd_unused;
#endif /* __FreeBSD__ */
