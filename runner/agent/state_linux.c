/*
 * state_linux.c - TCP state from the Linux kernel's socket table, through sock_diag netlink
 * (the interface ss(8) uses). A dump of every TCP socket of the family is requested and the
 * 4-tuple is matched here in user space; the dump includes TIME_WAIT sockets and request
 * sockets (SYN_RECV) that no file descriptor refers to, which getsockopt(TCP_INFO) could never
 * see.
 */
#ifdef __linux__

#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../common/names.h"

const char tc_agent_os[] = "linux";

/* Linux numbers its states in include/net/tcp_states.h; index = Linux state, value = ours. */
static const int linux_states[] = {
	[1] = TC_ST_ESTABLISHED,
	[2] = TC_ST_SYN_SENT,
	[3] = TC_ST_SYN_RECEIVED,
	[4] = TC_ST_FIN_WAIT_1,
	[5] = TC_ST_FIN_WAIT_2,
	[6] = TC_ST_TIME_WAIT,
	[7] = TC_ST_CLOSED,
	[8] = TC_ST_CLOSE_WAIT,
	[9] = TC_ST_LAST_ACK,
	[10] = TC_ST_LISTEN,
	[11] = TC_ST_CLOSING,
	/* TCP_NEW_SYN_RECV is Linux's light-weight request socket for a passive open that has
	 * answered the SYN: RFC 9293's SYN-RECEIVED. */
	[12] = TC_ST_SYN_RECEIVED,
};
/* The Linux state numbers the accept-queue accounting needs by name. */
#define LX_ESTABLISHED 1
#define LX_SYN_RECV 3 /* a full socket in SYN-RECEIVED: a TCP Fast Open child, queued at once */
#define LX_CLOSE_WAIT 8
#define LX_LISTEN 10
#define NLINUX (int)(sizeof(linux_states) / sizeof(linux_states[0]))

static int map_state(int s, char *err, size_t cap)
{
	if (s < 1 || s >= NLINUX) {
		snprintf(err, cap, "unknown Linux TCP state %d", s);
		return -1;
	}
	return linux_states[s];
}

/* Ranks candidates when several sockets share the 4-tuple (an old TIME_WAIT and a new
 * connection that reused it): the live socket is the one the case is about. */
static int rank(int st)
{
	if (st == TC_ST_CLOSED)
		return 0;
	if (st == TC_ST_TIME_WAIT)
		return 1;
	return 2;
}

static int tuple_matches(const struct inet_diag_msg *m, const struct sockaddr_storage *local,
			 const struct sockaddr_storage *peer)
{
	if (m->idiag_family != local->ss_family)
		return 0;
	if (local->ss_family == AF_INET) {
		const struct sockaddr_in *l = (const struct sockaddr_in *)local;
		const struct sockaddr_in *p = (const struct sockaddr_in *)peer;
		return m->id.idiag_sport == l->sin_port && m->id.idiag_dport == p->sin_port &&
		       memcmp(&m->id.idiag_src[0], &l->sin_addr, 4) == 0 &&
		       memcmp(&m->id.idiag_dst[0], &p->sin_addr, 4) == 0;
	} else {
		const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)local;
		const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)peer;
		return m->id.idiag_sport == l->sin6_port && m->id.idiag_dport == p->sin6_port &&
		       memcmp(m->id.idiag_src, &l->sin6_addr, 16) == 0 &&
		       memcmp(m->id.idiag_dst, &p->sin6_addr, 16) == 0;
	}
}

/* Whether m is a socket bound to local's address (or the wildcard address) and port. */
static int local_matches(const struct inet_diag_msg *m, const struct sockaddr_storage *local,
			 int wildcard_ok)
{
	static const uint8_t any[16];
	if (m->idiag_family != local->ss_family)
		return 0;
	if (local->ss_family == AF_INET) {
		const struct sockaddr_in *l = (const struct sockaddr_in *)local;
		return m->id.idiag_sport == l->sin_port &&
		       (memcmp(&m->id.idiag_src[0], &l->sin_addr, 4) == 0 ||
			(wildcard_ok && memcmp(&m->id.idiag_src[0], any, 4) == 0));
	}
	const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)local;
	return m->id.idiag_sport == l->sin6_port &&
	       (memcmp(m->id.idiag_src, &l->sin6_addr, 16) == 0 ||
		(wildcard_ok && memcmp(m->id.idiag_src, any, 16) == 0));
}

int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   struct tc_agent_found *found, char *err, size_t cap)
{
	struct tc_agent_found f = {.accept_queue = -1, .queue_visible = 0};
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} rq;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 2};
	/* The kernel sizes dump messages to the reader's buffer only up to a limit of its own
	 * (32 KiB on current kernels); 64 KiB leaves headroom, and MSG_TRUNC is checked anyway. */
	static uint8_t buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, best = TC_AGENT_STATE_NONE, ret = -1, done = 0;
	const uint32_t seq = 1;

	if (local->ss_family != peer->ss_family ||
	    (local->ss_family != AF_INET && local->ss_family != AF_INET6)) {
		snprintf(err, cap, "address family mismatch or not IPv4/IPv6");
		return -1;
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		snprintf(err, cap, "netlink socket: %s", strerror(errno));
		return -1;
	}
	/* A bounded wait, so a kernel that never answers cannot hang the agent's only thread. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	memset(&rq, 0, sizeof(rq));
	rq.nlh.nlmsg_len = sizeof(rq);
	rq.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	rq.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rq.nlh.nlmsg_seq = seq;
	rq.req.sdiag_family = (uint8_t)local->ss_family;
	rq.req.sdiag_protocol = IPPROTO_TCP;
	/* Every state bit, so TIME_WAIT and request sockets are dumped too. */
	rq.req.idiag_states = ~0u;
	if (sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		snprintf(err, cap, "sock_diag request: %s", strerror(errno));
		goto out;
	}

	while (!done) {
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof(kernel),
				     .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(fd, &msg, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, cap, "sock_diag reply: %s", strerror(errno));
			goto out;
		}
		if (n == 0 || (msg.msg_flags & MSG_TRUNC)) {
			snprintf(err, cap, "sock_diag reply %s", n == 0 ? "empty" : "truncated");
			goto out;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *m;
			int st;
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					snprintf(err, cap, "sock_diag: short error message");
				else
					snprintf(err, cap, "sock_diag: %s", strerror(-e->error));
				goto out;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			m = NLMSG_DATA(h);
			/* For a listener, sock_diag's idiag_rqueue is the accept queue's length
			 * (sk_ack_backlog). A connection that completed the handshake and was reset
			 * before accept() stays counted there, in TCP_CLOSE and unhashed, so no dump
			 * shows it: the difference between the queue and the queued-looking
			 * connections the dump does show is what the agent needs. */
			if (m->idiag_state == LX_LISTEN && local_matches(m, local, 1)) {
				f.accept_queue = (int)m->idiag_rqueue;
				continue;
			}
			if ((m->idiag_state == LX_ESTABLISHED || m->idiag_state == LX_CLOSE_WAIT ||
			     m->idiag_state == LX_SYN_RECV) && local_matches(m, local, 0))
				f.queue_visible++;
			if (!tuple_matches(m, local, peer))
				continue;
			st = map_state(m->idiag_state, err, cap);
			if (st < 0)
				goto out;
			if (best == TC_AGENT_STATE_NONE || rank(st) > rank(best))
				best = st;
		}
	}
	ret = best;
out:
	close(fd);
	if (found)
		*found = f;
	return ret;
}

int tc_agent_state_fd(int fd, char *err, size_t cap)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
		snprintf(err, cap, "TCP_INFO: %s", strerror(errno));
		return -1;
	}
	return map_state(ti.tcpi_state, err, cap);
}

/* /proc/sys/KEY with the dots as slashes; the parser allowed no '/' and no empty component. */
static int sysctl_path(const char *key, char *path, size_t cap, char *err, size_t ecap)
{
	int n = snprintf(path, cap, "/proc/sys/%s", key);
	if (n < 0 || (size_t)n >= cap) {
		snprintf(err, ecap, "sysctl %s: name too long", key);
		return -1;
	}
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int tc_agent_sysctl_get(const char *key, char *out, size_t cap, char *err, size_t ecap)
{
	char path[256], buf[1024];
	size_t n = 0, o = 0;
	ssize_t r;
	int fd;
	if (cap == 0 || sysctl_path(key, path, sizeof(path), err, ecap) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, ecap, "%s %s: %s", errno == ENOENT ? "no such sysctl" : "sysctl", key,
			 strerror(errno));
		return -1;
	}
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, ecap, "sysctl %s: read: %s", key, strerror(errno));
			close(fd);
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);
	/* Multi-number values come tab-separated with a newline: one space between words. */
	for (size_t i = 0; i < n; i++) {
		int ws = buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n';
		if (ws && (o == 0 || out[o - 1] == ' '))
			continue;
		if (o + 1 >= cap) {
			snprintf(err, ecap, "sysctl %s: value longer than %zu bytes", key, cap - 1);
			return -1;
		}
		out[o++] = ws ? ' ' : buf[i];
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return 0;
}

int tc_agent_sysctl_set(const char *key, const char *value, char *err, size_t ecap)
{
	char path[256];
	size_t len = strlen(value);
	ssize_t w;
	int fd, e;
	if (sysctl_path(key, path, sizeof(path), err, ecap) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, ecap, "%s %s: %s", errno == ENOENT ? "no such sysctl" : "sysctl", key,
			 strerror(errno));
		return -1;
	}
	/* One write: the kernel parses a sysctl value from a single write call. */
	w = write(fd, value, len);
	e = errno;
	close(fd);
	if (w != (ssize_t)len) {
		snprintf(err, ecap, "sysctl %s: cannot set it to '%s': %s", key, value,
			 w < 0 ? strerror(e) : "short write");
		return -1;
	}
	return 0;
}

#endif /* __linux__ */
