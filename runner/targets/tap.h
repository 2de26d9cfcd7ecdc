/*
 * targets/tap.h - the `tap` target: a user-space or embedded stack attached to a TAP device
 * (docs/targets.md; lwIP is the worked example, tests/stacks/lwip/).
 *
 * Per case and family the runner creates a network namespace "tcpc-PID-N-tap" holding one
 * persistent TAP device, tc-tap, with no address and IPv6 off (so the namespace's kernel never
 * speaks on it), and starts the harness command of the target file inside that namespace. The
 * harness opens the TAP device by name, brings its stack up on it and speaks the agent protocol
 * on its stdin/stdout. The injector crafts and captures on tc-tap's kernel side, answering the
 * stack's ARP and neighbour solicitations for its own address (injector/neigh.h).
 *
 * Nothing lands in the caller's namespace: deleting the namespace (after killing every process
 * in it) removes the device. A harness that crashes (its output closes) or hangs (it stops
 * answering) makes its case an `error`; leftovers of a killed runner are swept by owner pid,
 * like the linux target's (the names share the "tcpc-PID-" prefix).
 */
#ifndef TC_TARGET_TAP_H
#define TC_TARGET_TAP_H

#include <sys/types.h>

#include "../target.h"
#include "file.h"

#define TC_TAP_IFNAME "tc-tap"
#define TC_TAP_PEER_MAC "02:00:00:00:00:02"

/* The target file the run loaded (after configure), or NULL. */
const struct tc_target_file *tc_tap_file(void);

#endif
