/*
 * state_bsd.h - the 4.4BSD numbering of TCP states (netinet/tcp_fsm.h TCPS_*), which FreeBSD and
 * Darwin both keep and report (tcpi_state of TCP_INFO / TCP_CONNECTION_INFO, t_state of the
 * net.inet.tcp.pcblist records), mapped to the protocol's names. Plain C with no OS header, so
 * it compiles (and is unit-tested) on every system, while the OS files that read the numbers
 * stay small.
 */
#ifndef TC_AGENT_STATE_BSD_H
#define TC_AGENT_STATE_BSD_H

#include <stddef.h>
#include <stdio.h>

#include "../../common/names.h"

/* Returns the enum tc_state for BSD state number s, or -1 with a message. */
static inline int tc_bsd_state(int s, char *err, size_t cap)
{
	/* TCPS_CLOSED 0, LISTEN 1, SYN_SENT 2, SYN_RECEIVED 3, ESTABLISHED 4, CLOSE_WAIT 5,
	 * FIN_WAIT_1 6, CLOSING 7, LAST_ACK 8, FIN_WAIT_2 9, TIME_WAIT 10. */
	static const int map[] = {
		TC_ST_CLOSED,      TC_ST_LISTEN,     TC_ST_SYN_SENT,   TC_ST_SYN_RECEIVED,
		TC_ST_ESTABLISHED, TC_ST_CLOSE_WAIT, TC_ST_FIN_WAIT_1, TC_ST_CLOSING,
		TC_ST_LAST_ACK,    TC_ST_FIN_WAIT_2, TC_ST_TIME_WAIT,
	};
	if (s < 0 || (size_t)s >= sizeof(map) / sizeof(map[0])) {
		snprintf(err, cap, "unknown BSD TCP state %d", s);
		return -1;
	}
	return map[s];
}

/* When several table entries share the 4-tuple (an old TIME_WAIT and the new connection that
 * reused it), the live one is the case's: anything beats CLOSED, and TIME_WAIT loses to a
 * connection that is not closing. */
static inline int tc_bsd_rank(int st)
{
	if (st == TC_ST_CLOSED)
		return 0;
	if (st == TC_ST_TIME_WAIT)
		return 1;
	return 2;
}

#endif
