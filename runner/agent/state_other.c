/*
 * state_other.c - TCP state on systems other than Linux. There is no portable socket table, so
 * tc_agent_state reports "unsupported" and the agent falls back to tc_agent_state_fd, which
 * reads TCP_INFO on the open socket where the OS has it (FreeBSD numbers its tcpi_state as its
 * TCPS_* constants of netinet/tcp_fsm.h). A port that can read its OS table (sysctl
 * net.inet.tcp.pcblist on the BSDs) should replace tc_agent_state: only the table sees
 * TIME_WAIT sockets after close.
 */
#ifndef __linux__

#include "state.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "../../common/names.h"

#if defined(__FreeBSD__)
const char tc_agent_os[] = "freebsd";
#elif defined(__NetBSD__)
const char tc_agent_os[] = "netbsd";
#elif defined(__OpenBSD__)
const char tc_agent_os[] = "openbsd";
#elif defined(__APPLE__)
const char tc_agent_os[] = "darwin";
#else
const char tc_agent_os[] = "unknown";
#endif

int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   char *err, size_t cap)
{
	(void)local;
	(void)peer;
	snprintf(err, cap, "unsupported: no socket table reader for %s", tc_agent_os);
	return -1;
}

int tc_agent_state_fd(int fd, char *err, size_t cap)
{
#if defined(__FreeBSD__) && defined(TCP_INFO)
	/* FreeBSD's TCPS_* order: CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED,
	 * CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK, FIN_WAIT_2, TIME_WAIT. */
	static const int bsd_states[] = {
		TC_ST_CLOSED, TC_ST_LISTEN, TC_ST_SYN_SENT, TC_ST_SYN_RECEIVED,
		TC_ST_ESTABLISHED, TC_ST_CLOSE_WAIT, TC_ST_FIN_WAIT_1, TC_ST_CLOSING,
		TC_ST_LAST_ACK, TC_ST_FIN_WAIT_2, TC_ST_TIME_WAIT,
	};
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
		snprintf(err, cap, "TCP_INFO: %s", strerror(errno));
		return -1;
	}
	if (ti.tcpi_state >= sizeof(bsd_states) / sizeof(bsd_states[0])) {
		snprintf(err, cap, "unknown TCP state %d", (int)ti.tcpi_state);
		return -1;
	}
	return bsd_states[ti.tcpi_state];
#else
	(void)fd;
	snprintf(err, cap, "unsupported: no TCP_INFO state on %s", tc_agent_os);
	return -1;
#endif
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int tc_state_other_unused;
#endif /* __linux__ */
