/*
 * netns.h - network namespaces, veth pairs, addresses and neighbour entries made from our own
 * process over rtnetlink (RFC 3549), instead of forking `ip` a dozen times per case.
 *
 * A namespace is made the way `ip netns add` makes it: a file /run/netns/NAME on which the new
 * namespace is bind-mounted, so `ip netns list`, `ip netns exec` and the sweep of a killed run's
 * leftovers see exactly what they saw before. Every function returns 0, or -1 with a message in
 * err that names the operation and the kernel's reason.
 */
#ifndef TC_NETNS_H
#define TC_NETNS_H

#include <stddef.h>
#include <stdint.h>

#define TC_NETNS_DIR "/run/netns"

/* Creates the namespace /run/netns/NAME; the caller's own namespace is unchanged. */
int tc_netns_add(const char *name, char *err, size_t cap);
/* Removes /run/netns/NAME (the namespace dies with its last process and open descriptor). A
 * name that is not there is not an error. */
int tc_netns_del(const char *name, char *err, size_t cap);

/* An rtnetlink socket inside the namespace open on nsfd (-1: the caller's namespace). */
int tc_nl_open(int nsfd, char *err, size_t cap);

/*
 * A veth pair: `name` with index `index` and address mac in the socket's namespace, its peer
 * `peer` with `peer_index` and peer_mac in the namespace open on peer_nsfd. Indexes are given
 * because two fresh namespaces would otherwise number both ends 2, and the kernel's link watcher
 * then delays the carrier by up to a second (see targets/linux.c).
 */
int tc_nl_veth(int nl, const char *name, int index, const uint8_t mac[6], const char *peer,
	       int peer_index, const uint8_t peer_mac[6], int peer_nsfd, char *err, size_t cap);
/* Sets the link with that name up. */
int tc_nl_link_up(int nl, const char *name, char *err, size_t cap);
/* Adds an address (4 or 16 bytes by family, AF_INET or AF_INET6) with its prefix length; IPv6
 * addresses are added without duplicate address detection (IFA_F_NODAD). */
int tc_nl_addr(int nl, const char *ifname, int family, const void *addr, int prefix, char *err,
	       size_t cap);
/* A permanent neighbour entry: addr is reached at mac on ifname (`ip neigh replace ... nud
 * permanent`). */
int tc_nl_neigh(int nl, const char *ifname, int family, const void *addr, const uint8_t mac[6],
		char *err, size_t cap);

#endif
