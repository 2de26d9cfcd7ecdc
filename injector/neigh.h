/*
 * neigh.h - ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861) for the injector's own test
 * addresses, as pure functions between frames and bytes.
 *
 * The injector's address is configured on no interface of any kernel (that is what keeps a
 * kernel from answering our peer's segments), so nobody answers when the stack under test asks
 * who has it. On the linux target static neighbour entries make the question moot; a TAP stack
 * (lwIP) and a remote host do their own resolution, so the injector answers: an ARP reply to an
 * ARP request for our IPv4 address, a solicited neighbour advertisement to a neighbour
 * solicitation for our IPv6 address. It also resolves the target's own link-layer address
 * (remote target), by an ARP request or a neighbour solicitation.
 *
 * Nothing here sends: the caller injects the frames built here on its one interface. No frame
 * is built toward an address other than the target's own (or, for IPv6, the target's
 * link-local address, which neighbour discovery may use as the solicitation's source).
 */
#ifndef TC_NEIGH_H
#define TC_NEIGH_H

#include <stddef.h>
#include <stdint.h>

/* Who we are and whom we talk to on the link. */
struct tc_neigh_self {
	uint8_t mac[6];        /* the injector's Ethernet address */
	int have_v4, have_v6;
	uint8_t v4[4];         /* the injector's IPv4 test address */
	uint8_t v6[16];        /* the injector's IPv6 test address */
	/* The target's addresses: requests from anyone else are not answered (remote mode must
	 * not answer for a test address toward other hosts on a real network). */
	uint8_t target_v4[4];
	uint8_t target_v6[16];
};

/* The shortest Ethernet frame without its FCS; ARP replies are padded to it. */
#define TC_NEIGH_MIN_FRAME 60
/* Big enough for every frame built here. */
#define TC_NEIGH_FRAME_MAX 128

/*
 * tc_neigh_answer - if frame (len bytes, Ethernet) is an ARP request for self->v4 from
 * self->target_v4, or a neighbour solicitation for self->v6 from the target (its address or a
 * link-local one; not a duplicate address detection probe from ::), writes the answer into out
 * (cap >= TC_NEIGH_FRAME_MAX) and returns its length. Returns 0 when the frame needs no answer
 * (anything else, including malformed frames: they are simply not ours to answer).
 */
int tc_neigh_answer(const struct tc_neigh_self *self, const uint8_t *frame, size_t len,
		    uint8_t *out, size_t cap);

/*
 * tc_neigh_solicit - builds the question for the target's link-layer address on family
 * (4: ARP request, broadcast; 6: neighbour solicitation to the solicited-node multicast group
 * of RFC 4291 2.7.1). Returns the frame length, or -1 if cap is too small or family is neither.
 */
int tc_neigh_solicit(const struct tc_neigh_self *self, int family, uint8_t *out, size_t cap);

/*
 * tc_neigh_learn - if frame is an ARP reply from self->target_v4 (family 4), or a neighbour
 * advertisement for self->target_v6 carrying a target link-layer address option (family 6),
 * copies the target's Ethernet address into mac and returns 1; else 0.
 */
int tc_neigh_learn(const struct tc_neigh_self *self, int family, const uint8_t *frame,
		   size_t len, uint8_t mac[6]);

/* The ICMPv6 checksum (RFC 4443 2.3, over the RFC 8200 8.1 pseudo-header) of an ICMPv6 message
 * of len bytes between src and dst (its checksum field is treated as zero). */
uint16_t tc_icmp6_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
			   size_t len);

#endif
