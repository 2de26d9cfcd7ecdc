/*
 * test_live_inject.c - a live round trip through a real kernel stack: a SYN crafted with libnet
 * is injected on one end of a veth pair toward a listening socket on the other end, and
 * capture.c must see the kernel's SYN-ACK with a valid checksum. A kernel drops segments whose
 * checksum is wrong (RFC 9293 3.1), so a SYN-ACK is also an independent proof that the crafted
 * checksum is right, for IPv4 and IPv6; a SYN with bad_checksum must get no answer at all.
 *
 * The process moves itself into a fresh network namespace (unshare), so the veth pair, the
 * addresses and the sockets all vanish with it, whatever happens to the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/seg.h"
#include "../../injector/capture.h"
#include "../../injector/craft.h"
#include "../../injector/decode.h"
#include "../../injector/fmt.h"

#define INJ "tclive0" /* the injector's end: no address, so the kernel never answers on it */
#define TGT "tclive1" /* the target's end */
#define TGT4 "10.77.0.2"
#define INJ4 "10.77.0.1"
#define TGT6 "fd00:77::2"
#define INJ6 "fd00:77::1"

static const uint8_t INJ_MAC[6] = {0x02, 0x77, 0x00, 0x00, 0x00, 0x01};
static uint8_t g_tgt_mac[6];
static struct tc_injector *g_inj;
static int g_ls4 = -1, g_ls6 = -1;
static char g_pcap[64];

static int sh(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc == 0 ? 0 : -1;
}

/* Asks the kernel, not sysfs: /sys still shows the namespace it was mounted in. */
static int read_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc != 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int listen_on(int family, const char *addr, uint16_t port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	int rc;
	if (family == AF_INET) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
		inet_pton(AF_INET, addr, &sa.sin_addr);
		rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	} else {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
		inet_pton(AF_INET6, addr, &sa.sin6_addr);
		rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (rc != 0 || listen(fd, 8) != 0) {
		perror("bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

static int group_setup(void **state)
{
	(void)state;
	char err[256];
	if (geteuid() != 0) {
		fprintf(stderr, "test_live_inject needs root (network namespace, veth)\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	/* Transmit checksum offload is turned off on the target's end: with it, the kernel leaves
	 * the checksum for hardware to fill in, and a veth's peer (where we capture) would see an
	 * unfinished one. nodad makes the IPv6 address usable at once. */
	if (sh("ip link set lo up") || sh("ip link add " INJ " type veth peer name " TGT) ||
	    sh("ethtool -K " TGT " tx off >/dev/null 2>&1") ||
	    sh("ip addr add " TGT4 "/24 dev " TGT) ||
	    sh("ip -6 addr add " TGT6 "/64 dev " TGT " nodad") || sh("ip link set " INJ " up") ||
	    sh("ip link set " TGT " up") ||
	    sh("ip neigh replace " INJ4 " lladdr 02:77:00:00:00:01 nud permanent dev " TGT) ||
	    sh("ip -6 neigh replace " INJ6 " lladdr 02:77:00:00:00:01 nud permanent dev " TGT))
		return -1;
	if (read_mac(TGT, g_tgt_mac) != 0) {
		fprintf(stderr, "cannot read the MAC of " TGT "\n");
		return -1;
	}
	g_inj = tc_injector_open(INJ, INJ_MAC, g_tgt_mac, err, sizeof(err));
	if (g_inj == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	g_ls4 = listen_on(AF_INET, TGT4, 8080);
	g_ls6 = listen_on(AF_INET6, TGT6, 8080);
	if (g_ls4 < 0 || g_ls6 < 0)
		return -1;
	snprintf(g_pcap, sizeof(g_pcap), "/tmp/tc_live_%d.pcap", (int)getpid());
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (g_ls4 >= 0)
		close(g_ls4);
	if (g_ls6 >= 0)
		close(g_ls6);
	tc_injector_close(g_inj);
	unlink(g_pcap);
	/* The namespace disappears with the process anyway; this is for tidiness. */
	if (system("ip link del " INJ " 2>/dev/null") != 0)
		fprintf(stderr, "note: " INJ " already gone\n");
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void make_syn(struct tc_seg *s, int family, uint16_t sport, uint32_t seq)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	if (family == TC_FAMILY_V4) {
		inet_pton(AF_INET, INJ4, s->src);
		inet_pton(AF_INET, TGT4, s->dst);
	} else {
		inet_pton(AF_INET6, INJ6, s->src);
		inet_pton(AF_INET6, TGT6, s->dst);
	}
	s->ttl = 64;
	s->df = 1;
	s->sport = sport;
	s->dport = 8080;
	s->seq = seq;
	s->flags = TC_F_SYN;
	s->win = 64240;
	/* MSS, SACK-permitted, timestamps, NOP, window scale: what Linux itself sends. */
	static const uint8_t o[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
				    0, 0, 0, 0, 1, 3, 3, 7};
	memcpy(s->opt_bytes, o, sizeof(o));
	s->opt_len = sizeof(o);
}

/*
 * Injects seg and waits up to wait_ms for a segment from the target to its source port.
 * Returns 1 with *reply filled, 0 if none came; counts every frame seen in *seen.
 */
static int inject_and_wait(struct tc_capture *cap, const struct tc_seg *seg, int wait_ms,
			   struct tc_seg *reply, int *seen)
{
	uint8_t frame[2048];
	char err[256];
	int n = tc_craft(g_inj, seg, frame, sizeof(frame), err, sizeof(err));
	if (n < 0)
		fail_msg("craft: %s", err);
	if (tc_inject(g_inj, frame, (size_t)n, err, sizeof(err)) != 0)
		fail_msg("inject: %s", err);
	int64_t end = now_ms() + wait_ms;
	for (;;) {
		int64_t left = end - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = tc_capture_fd(cap), .events = POLLIN};
		poll(&p, 1, (int)left);
		for (;;) {
			const uint8_t *f;
			size_t len;
			int64_t ts;
			int rc = tc_capture_next(cap, &f, &len, &ts, err, sizeof(err));
			if (rc < 0)
				fail_msg("capture: %s", err);
			if (rc == 0)
				break;
			(*seen)++;
			assert_true(ts > 0);
			struct tc_seg d;
			if (tc_decode_frame(f, len, &d, err, sizeof(err)) != TC_DEC_TCP)
				continue;
			if (d.dport == seg->sport && memcmp(d.src, seg->dst, 16) == 0) {
				*reply = d;
				return 1;
			}
		}
	}
}

static void round_trip(int family, uint16_t sport)
{
	char err[256], line[512];
	struct tc_capture *cap =
		tc_capture_open(INJ, "tcp port 8080", g_pcap, err, sizeof(err));
	if (cap == NULL)
		fail_msg("%s", err);
	assert_true(tc_capture_fd(cap) >= 0);
	struct tc_seg syn, reply;
	int seen = 0;
	make_syn(&syn, family, sport, 1000);
	int got = inject_and_wait(cap, &syn, 2000, &reply, &seen);
	tc_capture_close(cap);
	if (!got)
		fail_msg("no reply from the kernel to the IPv%d SYN (%d frames seen)", family, seen);
	printf("  reply: %s\n", tc_seg_fmt(&reply, 0, 0, 0, line, sizeof(line)));
	assert_int_equal(reply.flags, TC_F_SYN | TC_F_ACK);
	assert_int_equal(reply.ack, 1001);
	assert_int_equal(reply.sport, 8080);
	assert_true(reply.checksum_ok);
	assert_true(reply.nopts > 0);
	/* Our own SYN is on the capture too (both directions), plus the SYN-ACK. */
	assert_true(seen >= 2);

	/* The pcap file holds every frame seen, flushed on close. */
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(g_pcap, ebuf);
	if (p == NULL)
		fail_msg("%s", ebuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	int frames = 0, syn_seen = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		struct tc_seg d;
		frames++;
		if (tc_decode_frame(data, h->caplen, &d, err, sizeof(err)) == TC_DEC_TCP &&
		    d.flags == TC_F_SYN && d.seq == 1000 && d.sport == sport)
			syn_seen = 1;
	}
	pcap_close(p);
	assert_int_equal(frames, seen);
	assert_true(syn_seen);
}

static void test_syn_ack_v4(void **state)
{
	(void)state;
	round_trip(TC_FAMILY_V4, 40001);
}

static void test_syn_ack_v6(void **state)
{
	(void)state;
	round_trip(TC_FAMILY_V6, 40002);
}

static void test_bad_checksum_ignored(void **state)
{
	(void)state;
	char err[256];
	struct tc_capture *cap = tc_capture_open(INJ, "tcp port 8080", NULL, err, sizeof(err));
	if (cap == NULL)
		fail_msg("%s", err);
	for (int family = TC_FAMILY_V4; family <= TC_FAMILY_V6; family += 2) {
		struct tc_seg syn, reply;
		int seen = 0;
		make_syn(&syn, family, (uint16_t)(41000 + family), 5000);
		syn.bad_checksum = 1;
		if (inject_and_wait(cap, &syn, 400, &reply, &seen))
			fail_msg("IPv%d: the kernel answered a SYN with a bad checksum", family);
		/* The SYN itself went out and was captured. */
		assert_true(seen >= 1);
	}
	tc_capture_close(cap);
}

static void test_capture_errors(void **state)
{
	(void)state;
	char err[256];
	assert_null(tc_capture_open(INJ, "tcp and port ((", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot compile filter \"tcp and port ((\""));
	assert_null(tc_capture_open("tcnosuch7", "tcp", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "tcnosuch7"));
	assert_null(tc_capture_open(INJ, "tcp", "/nonexistent-dir/x.pcap", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot write \"/nonexistent-dir/x.pcap\""));
	tc_capture_close(NULL);
	assert_int_equal(tc_capture_fd(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_ack_v4),
		cmocka_unit_test(test_syn_ack_v6),
		cmocka_unit_test(test_bad_checksum_ignored),
		cmocka_unit_test(test_capture_errors),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
