/*
 * harness.c - tcpconform-example: the complete minimal harness on the kit (docs/targets.md
 * "Plug in your stack"). Its "stack" is the Linux kernel of the case's own network namespace,
 * reached through ordinary non-blocking sockets, so every kit callback is one or two system
 * calls and the file shows only what a binding has to do.
 *
 *   tcpconform-example --tap IFNAME [--mac 02:00:00:00:00:01] [--ipv4 192.0.2.1/24]
 *                      [--ipv6 2001:db8::1]
 *
 * The runner starts it inside a namespace that holds the TAP device IFNAME, down, with no
 * address and IPv6 off (docs/targets.md "The tap target"). A user-space stack would read and
 * write the device's frames itself; here the stack is the kernel on the other side of the
 * device, so the harness gives the device the target's MAC and addresses and then hands back,
 * as received frames, every frame the injector sends (see hairpin()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../../runner/agent/state.h"
#include "../kit/kit.h"

static int tapfd = -1, wakepipe[2] = {-1, -1};
static unsigned char mymac[6];

/* ---- The callbacks: POSIX calls on the kernel's sockets; socket numbers are descriptors ---- */

/* The answer of a call that failed: "not now" for a non-blocking socket that would block. */
static int fail(int *err)
{
	*err = errno;
	return errno == EAGAIN || errno == EINPROGRESS || errno == EINTR ? KIT_AGAIN : -1;
}

static int ex_socket(void *ctx, int family, int *err)
{
	(void)ctx;
	int s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return s >= 0 ? s : (*err = errno, -1);
}

static int ex_bind(void *ctx, int s, const struct sockaddr_storage *local, int *err)
{
	int one = 1;
	(void)ctx;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	    bind(s, (const struct sockaddr *)local, sizeof(*local)) == 0)
		return 0;
	*err = errno;
	return -1;
}

static int ex_listen(void *ctx, int s, int backlog, int *err)
{
	(void)ctx;
	return listen(s, backlog) == 0 ? 0 : (*err = errno, -1);
}

static int ex_connect(void *ctx, int s, const struct sockaddr_storage *peer, int *err)
{
	(void)ctx;
	return connect(s, (const struct sockaddr *)peer, sizeof(*peer)) == 0 ? 0 : fail(err);
}

/* A connect in progress is done when the socket is writable (as for any non-blocking connect);
 * SO_ERROR then says how. A peer name alone is not enough: after crossing SYNs the socket is
 * in SYN-RECEIVED with a peer, and a RST there still makes the connect fail. */
static int ex_connected(void *ctx, int s, int *err)
{
	struct pollfd p = {.fd = s, .events = POLLOUT};
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	(void)ctx;
	if (poll(&p, 1, 0) == 0)
		return KIT_AGAIN;
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	*err = soerr;
	return soerr ? -1 : 0;
}

static int ex_accept(void *ctx, int l, int *err)
{
	(void)ctx;
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return s >= 0 ? s : fail(err);
}

static long ex_write(void *ctx, int s, const void *buf, size_t n, int *err)
{
	(void)ctx;
	ssize_t w = send(s, buf, n, MSG_NOSIGNAL);
	return w >= 0 ? (long)w : fail(err);
}

static long ex_read(void *ctx, int s, void *buf, size_t n, int *err)
{
	(void)ctx;
	ssize_t r = recv(s, buf, n, 0);
	return r >= 0 ? (long)r : fail(err);
}

static int ex_shutdown(void *ctx, int s, int how, int *err)
{
	(void)ctx;
	return shutdown(s, how) == 0 ? 0 : (*err = errno, -1);
}

static int ex_close(void *ctx, int s, int *err)
{
	(void)ctx;
	return close(s) == 0 ? 0 : (*err = errno, -1);
}

/* The protocol's options are Linux's own (docs/agent-protocol.md), so each is one call. */
static int ex_sockopt(void *ctx, int s, int set, enum ag_opt opt, int value[2], int *err,
		      char *why, size_t cap)
{
	static const int map[AG_O_COUNT][2] = {
		[AG_O_SO_LINGER] = {SOL_SOCKET, SO_LINGER},
		[AG_O_SO_KEEPALIVE] = {SOL_SOCKET, SO_KEEPALIVE},
		[AG_O_SO_RCVBUF] = {SOL_SOCKET, SO_RCVBUF},
		[AG_O_SO_SNDBUF] = {SOL_SOCKET, SO_SNDBUF},
		[AG_O_SO_REUSEADDR] = {SOL_SOCKET, SO_REUSEADDR},
		[AG_O_TCP_NODELAY] = {IPPROTO_TCP, TCP_NODELAY},
		[AG_O_TCP_KEEPIDLE] = {IPPROTO_TCP, TCP_KEEPIDLE},
		[AG_O_TCP_KEEPINTVL] = {IPPROTO_TCP, TCP_KEEPINTVL},
		[AG_O_TCP_KEEPCNT] = {IPPROTO_TCP, TCP_KEEPCNT},
		[AG_O_TCP_DEFER_ACCEPT] = {IPPROTO_TCP, TCP_DEFER_ACCEPT},
		[AG_O_TCP_QUICKACK] = {IPPROTO_TCP, TCP_QUICKACK},
		[AG_O_TCP_MAXSEG] = {IPPROTO_TCP, TCP_MAXSEG},
		[AG_O_TCP_USER_TIMEOUT] = {IPPROTO_TCP, TCP_USER_TIMEOUT},
		[AG_O_TCP_CORK] = {IPPROTO_TCP, TCP_CORK},
	};
	(void)ctx;
	if ((unsigned)opt >= AG_O_COUNT || !map[opt][0]) {
		snprintf(why, cap, "%s is not available here", ag_opt_name(opt));
		return KIT_UNSUPPORTED;
	}
	/* SO_LINGER is struct linger {int, int}: value[] has the same layout. */
	socklen_t len = opt == AG_O_SO_LINGER ? 2 * sizeof(int) : sizeof(int);
	int r = set ? setsockopt(s, map[opt][0], map[opt][1], value, len)
		    : getsockopt(s, map[opt][0], map[opt][1], value, &len);
	return r == 0 ? 0 : (*err = errno, -1);
}

static int ex_names(void *ctx, int s, struct sockaddr_storage *local,
		    struct sockaddr_storage *peer)
{
	socklen_t ll = sizeof(*local), pl = sizeof(*peer);
	(void)ctx;
	return getsockname(s, (struct sockaddr *)local, &ll) == 0 &&
			       getpeername(s, (struct sockaddr *)peer, &pl) == 0
		       ? 0
		       : -1;
}

/* The kernel's own table, read by the agent's sock_diag code (runner/agent/state_linux.c):
 * it answers in the kit's terms already (TC_AGENT_STATE_NONE is KIT_STATE_NONE). */
static int ex_state(void *ctx, const struct sockaddr_storage *local,
		    const struct sockaddr_storage *peer, int listener, struct kit_found *found,
		    char *extra, size_t extracap, char *err, size_t cap)
{
	struct tc_agent_found f = {.accept_queue = -1};
	(void)ctx;
	(void)listener;
	(void)extra;
	(void)extracap;
	int st = tc_agent_state(local, peer, &f, err, cap);
	found->accept_queue = f.accept_queue;
	found->queue_visible = f.queue_visible;
	return st;
}

/* The namespace's /proc/sys, through the agent's code too; the namespace, and with it every
 * setting, goes away after the case, and the kit puts them back before that anyway. */
static int ex_sysctl_get(void *ctx, const char *key, char *old, size_t oldcap, char *err,
			 size_t cap)
{
	(void)ctx;
	if (tc_agent_sysctl_get(key, old, oldcap, err, cap) == 0)
		return 0;
	return strncmp(err, "no such", 7) == 0 ? KIT_UNSUPPORTED : -1;
}

static int ex_sysctl_set(void *ctx, const char *key, const char *value, char *err, size_t cap)
{
	(void)ctx;
	return tc_agent_sysctl_set(key, value, err, cap) == 0 ? 0 : -1;
}

/* The kit's loop sleeps in poll() on the sockets its pending calls wait for, and on a pipe
 * that wake() writes to (from the request thread). */
static void ex_wait(void *ctx, const struct kit_waitfd *fds, int n, int timeout_ms)
{
	struct pollfd p[65] = {{.fd = wakepipe[0], .events = POLLIN}};
	int k = 1;
	(void)ctx;
	for (int i = 0; i < n && k < 65; i++, k++)
		p[k] = (struct pollfd){.fd = fds[i].sock,
				       .events = (short)((fds[i].events & KIT_EV_IN ? POLLIN : 0) |
							 (fds[i].events & KIT_EV_OUT ? POLLOUT : 0))};
	if (poll(p, (nfds_t)k, timeout_ms) > 0 && (p[0].revents & POLLIN)) {
		char buf[64];
		while (read(wakepipe[0], buf, sizeof(buf)) > 0)
			;
	}
}

static void ex_wake(void *ctx)
{
	(void)ctx;
	(void)!write(wakepipe[1], "", 1);
}

/* ---- The link: the TAP device as the kernel's interface ---- */

/*
 * The injector writes its frames to the device as if the kernel sent them, so they arrive
 * here, on the device's file; written back, the kernel receives them. Frames the kernel sent
 * (its own MAC as source) are dropped here: the runner has already captured them on the
 * device, and nobody else is on the link.
 */
static void *hairpin(void *arg)
{
	unsigned char f[65536];
	(void)arg;
	for (;;) {
		ssize_t n = read(tapfd, f, sizeof(f));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		if (n >= 14 && memcmp(f + 6, mymac, 6) != 0)
			(void)!write(tapfd, f, (size_t)n);
	}
}

static int proc_write(const char *ifname, const char *knob, const char *value)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, knob);
	FILE *f = fopen(path, "w");
	int ok = f && fputs(value, f) >= 0;
	return (f && fclose(f) == 0 && ok) ? 0 : -1;
}

/* Attaches to the TAP device and gives it the target's MAC and addresses (the runner brings it
 * up after the HELLO). IPv6 without duplicate address detection or router solicitations, as
 * the linux target configures its veth: nobody else is on the link. */
static int link_up(const char *ifname, const char *v4, const char *v6)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	tapfd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tapfd < 0 || ioctl(tapfd, TUNSETIFF, &ifr) < 0)
		return perror("tcpconform-example: TAP device"), -1;
	int s4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, mymac, 6);
	if (ioctl(s4, SIOCSIFHWADDR, &ifr) < 0)
		return perror("tcpconform-example: MAC address"), -1;
	if (v4) {
		char a[64];
		snprintf(a, sizeof(a), "%s", v4);
		char *sl = strchr(a, '/');
		int plen = sl ? (*sl = '\0', atoi(sl + 1)) : 24;
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		if (plen < 1 || plen > 32 || inet_pton(AF_INET, a, &sin->sin_addr) != 1 ||
		    ioctl(s4, SIOCSIFADDR, &ifr) < 0)
			return fprintf(stderr, "tcpconform-example: --ipv4 %s failed\n", v4), -1;
		sin->sin_addr.s_addr = htonl(0xffffffffu << (32 - plen));
		if (ioctl(s4, SIOCSIFNETMASK, &ifr) < 0)
			return perror("tcpconform-example: netmask"), -1;
	}
	close(s4);
	if (v6) {
		/* Linux's struct in6_ifreq (linux/ipv6.h, which clashes with netinet/in.h). */
		struct {
			struct in6_addr ifr6_addr;
			uint32_t ifr6_prefixlen;
			int ifr6_ifindex;
		} r6 = {.ifr6_prefixlen = 64, .ifr6_ifindex = (int)if_nametoindex(ifname)};
		int s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (proc_write(ifname, "accept_dad", "0") || proc_write(ifname, "accept_ra", "0") ||
		    proc_write(ifname, "router_solicitations", "0") ||
		    proc_write(ifname, "disable_ipv6", "0") ||
		    inet_pton(AF_INET6, v6, &r6.ifr6_addr) != 1 || ioctl(s6, SIOCSIFADDR, &r6) < 0)
			return fprintf(stderr, "tcpconform-example: --ipv6 %s failed\n", v6), -1;
		close(s6);
	}
	pthread_t th;
	return pthread_create(&th, NULL, hairpin, NULL) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *tap = NULL, *mac = "02:00:00:00:00:01", *v4 = NULL, *v6 = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--tap") == 0)
			tap = argv[i + 1];
		else if (strcmp(argv[i], "--mac") == 0)
			mac = argv[i + 1];
		else if (strcmp(argv[i], "--ipv4") == 0)
			v4 = argv[i + 1];
		else if (strcmp(argv[i], "--ipv6") == 0)
			v6 = argv[i + 1];
	}
	if (!tap || argc % 2 == 0 ||
	    sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mymac[0], &mymac[1], &mymac[2],
		   &mymac[3], &mymac[4], &mymac[5]) != 6) {
		fprintf(stderr, "usage: tcpconform-example --tap IFNAME [--mac MAC] "
				"[--ipv4 ADDR/PREFIX] [--ipv6 ADDR]\n");
		return 2;
	}
	if (link_up(tap, v4, v6) < 0 || pipe2(wakepipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return 1;
	static struct kit_stack st = {
		.name = "tcpconform-example",
		.os = "linux",
		.hello_extra = "stack=kernel-sockets",
		.socket = ex_socket,
		.bind = ex_bind,
		.listen = ex_listen,
		.connect = ex_connect,
		.connected = ex_connected,
		.accept = ex_accept,
		.write = ex_write,
		.read = ex_read,
		.shutdown = ex_shutdown,
		.close = ex_close,
		.sockopt = ex_sockopt,
		.names = ex_names,
		.state = ex_state,
		.sysctl_get = ex_sysctl_get,
		.sysctl_set = ex_sysctl_set,
		.wait = ex_wait,
		.wake = ex_wake,
	};
	return kit_run(&st);
}
