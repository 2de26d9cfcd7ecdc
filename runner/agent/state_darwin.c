/*
 * state_darwin.c - TCP state on macOS (Darwin).
 *
 * Darwin's socket table (net.inet.tcp.pcblist_n) is a private, versioned format, so there is
 * no table reader: tc_agent_state answers "unsupported" and the agent falls back to the state
 * of its open connection socket. That state comes from TCP_CONNECTION_INFO (public since macOS
 * 10.11; struct tcp_connection_info's tcpi_state), or TCP_INFO where a build has it. Both use
 * the BSD state numbers of state_bsd.h. Consequence: once the agent has closed the socket,
 * STATE cannot see TIME_WAIT or FIN_WAIT_2 on macOS (it reports the listener's LISTEN or
 * CLOSED); cases that check those states fail there for want of a table, not of the stack.
 *
 * Not compiled in this project's CI (Linux only).
 */
#ifdef __APPLE__

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "state.h"
#include "state_bsd.h"

const char tc_agent_os[] = "darwin";

int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   struct tc_agent_found *found, char *err, size_t cap)
{
	(void)local;
	(void)peer;
	if (found)
		*found = (struct tc_agent_found){.accept_queue = -1, .queue_visible = 0};
	snprintf(err, cap, "unsupported: no socket table reader on darwin");
	return -1;
}

int tc_agent_state_fd(int fd, char *err, size_t cap)
{
#if defined(TCP_CONNECTION_INFO)
	struct tcp_connection_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONNECTION_INFO, &ti, &len) != 0) {
		snprintf(err, cap, "TCP_CONNECTION_INFO: %s", strerror(errno));
		return -1;
	}
	return tc_bsd_state(ti.tcpi_state, err, cap);
#elif defined(TCP_INFO)
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
		snprintf(err, cap, "TCP_INFO: %s", strerror(errno));
		return -1;
	}
	return tc_bsd_state(ti.tcpi_state, err, cap);
#else
	(void)fd;
	snprintf(err, cap, "unsupported: neither TCP_CONNECTION_INFO nor TCP_INFO on this build");
	return -1;
#endif
}

int tc_agent_sysctl_get(const char *key, char *out, size_t cap, char *err, size_t ecap)
{
	(void)out;
	(void)cap;
	snprintf(err, ecap, "unsupported: SYSCTL %s: this agent sets no settings on darwin", key);
	return -1;
}

int tc_agent_sysctl_set(const char *key, const char *value, char *err, size_t ecap)
{
	(void)value;
	snprintf(err, ecap, "unsupported: SYSCTL %s: this agent sets no settings on darwin", key);
	return -1;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int tc_state_darwin_unused;
#endif /* __APPLE__ */
