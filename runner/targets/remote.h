/*
 * targets/remote.h - the `remote` target: a real host on the link of one interface of this
 * machine, its stack reached by the injector on that interface and its application side by
 * `tcpconform-agent --listen PORT` over a TCP control connection (docs/targets.md).
 *
 *   tcpconform run --target remote --iface IF --host ADDR[,ADDR6] --peer ADDR[,ADDR6] \
 *       --agent HOST:PORT SUITES...
 *
 * or the same settings in a target file (`target: remote`, keys iface, target4/target6,
 * peer4/peer6, agent, sysctl, profile, baseline). Per case and family the worker connects to the
 * agent (one session per case, so the agent closes the case's sockets and restores its sysctls
 * when the case ends), applies the case's sysctls through the agent's SYSCTL verb (or skips the
 * case, `sysctl: skip`), opens capture and injection on IF only, and resolves the host's
 * Ethernet address by ARP or neighbour discovery. The injector's --peer addresses are answered
 * for by the injector, toward the host only, and must belong to no interface of this machine.
 * Cases run one at a time (max_jobs 1). Nothing is created on this machine.
 */
#ifndef TC_TARGET_REMOTE_H
#define TC_TARGET_REMOTE_H

#include "../target.h"

#endif
