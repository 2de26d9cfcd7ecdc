/*
 * state_other.c - TCP state on POSIX systems without a port of their own (state_linux.c,
 * state_freebsd.c and state_darwin.c cover Linux, FreeBSD and macOS): NetBSD, OpenBSD, illumos,
 * a new system. There is no portable socket table nor a portable per-socket state, so STATE is
 * `ERR UNSUPPORTED` and so is SYSCTL; every call works. A port adds its own state_OS.c with the
 * four functions of state.h (state_bsd.h maps BSD state numbers) and excludes its OS here.
 */
#if !defined(__linux__) && !defined(__FreeBSD__) && !defined(__APPLE__)

#include "state.h"

#include <stdio.h>

#if defined(__NetBSD__)
const char tc_agent_os[] = "netbsd";
#elif defined(__OpenBSD__)
const char tc_agent_os[] = "openbsd";
#elif defined(__sun)
const char tc_agent_os[] = "illumos";
#else
const char tc_agent_os[] = "unknown";
#endif

int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   struct tc_agent_found *found, char *err, size_t cap)
{
	(void)local;
	(void)peer;
	if (found)
		*found = (struct tc_agent_found){.accept_queue = -1, .queue_visible = 0};
	snprintf(err, cap, "unsupported: no socket table reader for %s", tc_agent_os);
	return -1;
}

int tc_agent_state_fd(int fd, char *err, size_t cap)
{
	(void)fd;
	snprintf(err, cap, "unsupported: no TCP state reader for %s", tc_agent_os);
	return -1;
}

int tc_agent_sysctl_get(const char *key, char *out, size_t cap, char *err, size_t ecap)
{
	(void)out;
	(void)cap;
	snprintf(err, ecap, "unsupported: SYSCTL %s: this agent sets no settings on %s", key,
		 tc_agent_os);
	return -1;
}

int tc_agent_sysctl_set(const char *key, const char *value, char *err, size_t ecap)
{
	(void)value;
	snprintf(err, ecap, "unsupported: SYSCTL %s: this agent sets no settings on %s", key,
		 tc_agent_os);
	return -1;
}

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int tc_state_other_unused;
#endif
