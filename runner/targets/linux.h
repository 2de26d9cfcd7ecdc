/*
 * targets/linux.h - the `linux` target: the local kernel in a fresh pair of network namespaces.
 *
 * For each case and family the runner creates two namespaces, NAME-t (the target: the kernel
 * under test, its agent, 192.0.2.1 / 2001:db8::1) and NAME-i (the injector's side, holding no
 * address, so that no kernel ever answers for the injector's 192.0.2.2 / 2001:db8::2), joined
 * by a veth pair. Nothing is created in the caller's namespace, so deleting the two namespaces
 * removes everything. Names are "tcpc-PID-N-t"/"-i" with PID the runner's process id, which is
 * how tc_linux_sweep() recognises the leftovers of a runner that was killed.
 */
#ifndef TC_TARGET_LINUX_H
#define TC_TARGET_LINUX_H

#include <stddef.h>
#include <sys/types.h>

#include "../case.h"
#include "../io.h"
#include "../target.h"

#define TC_LINUX_TARGET_V4 "192.0.2.1"
#define TC_LINUX_PEER_V4 "192.0.2.2"
#define TC_LINUX_TARGET_V6 "2001:db8::1"
#define TC_LINUX_PEER_V6 "2001:db8::2"

struct tc_linux;

/*
 * tc_linux_open - build the namespaces for case c on family (TC_FAMILY_V4/V6), apply the case's
 * sysctls inside the target namespace, start the agent there (agent_path) and open injection and
 * capture on the injector's interface (writing pcap_path if not NULL). owner_pid and idx make the
 * names unique. On success fills *io and returns the handle; on failure returns NULL with a
 * message in err (a sysctl that does not exist is quoted with its file:line:column) and leaves
 * nothing behind. *is_case_error is set to 1 when the case itself is at fault.
 */
struct tc_linux *tc_linux_open(const struct tc_case *c, int family, pid_t owner_pid, int idx,
			       const char *agent_path, const char *pcap_path, int verbose,
			       struct tc_io *io, int *is_case_error, char *err, size_t cap);

/* Stops the agent, closes capture (flushing the pcap) and deletes both namespaces. */
void tc_linux_close(struct tc_linux *t);

/*
 * tc_linux_sweep - delete namespaces named tcpc-PID-* whose PID is no longer a running process
 * (a runner killed with SIGKILL), and those of own_pid when own_pid > 0. Returns the number
 * removed.
 */
int tc_linux_sweep(pid_t own_pid);

/* Whether this process may create namespaces (root or CAP_SYS_ADMIN); 0 or -1 with a message. */
int tc_linux_check_privileges(char *err, size_t cap);

#endif
