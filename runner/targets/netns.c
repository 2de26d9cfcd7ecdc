/*
 * netns.c - namespaces and links over rtnetlink (see netns.h).
 */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- namespaces ---- */

/*
 * /run/netns must be a shared mount point of its own, as `ip netns add` makes it, so that the
 * bind mounts below propagate to every mount namespace that looks at it. Done once per process;
 * a second runner doing the same at the same time is harmless (EINVAL/EBUSY are taken as done).
 */
static int netns_dir_ready(char *err, size_t cap)
{
	static int done;
	if (done)
		return 0;
	if (mkdir(TC_NETNS_DIR, 0755) < 0 && errno != EEXIST) {
		snprintf(err, cap, "mkdir %s: %s", TC_NETNS_DIR, strerror(errno));
		return -1;
	}
	if (mount("", TC_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* Not a mount point yet: make it one (a bind mount on itself), then share it. */
		if (errno != EINVAL ||
		    mount(TC_NETNS_DIR, TC_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
		    mount("", TC_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
			snprintf(err, cap, "cannot make %s a shared mount: %s", TC_NETNS_DIR,
				 strerror(errno));
			return -1;
		}
	}
	done = 1;
	return 0;
}

int tc_netns_add(const char *name, char *err, size_t cap)
{
	char path[256];
	if (netns_dir_ready(err, cap) < 0)
		return -1;
	snprintf(path, sizeof(path), TC_NETNS_DIR "/%s", name);
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	/* unshare() moves only the calling thread; /proc/thread-self names exactly that thread's
	 * new namespace. The thread goes back home at once, so nothing else of ours moves. */
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		snprintf(err, cap, "cannot open our own namespace: %s", strerror(errno));
		unlink(path);
		return -1;
	}
	int rc = 0;
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(err, cap, "unshare(CLONE_NEWNET): %s", strerror(errno));
		rc = -1;
	} else if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		snprintf(err, cap, "bind mount of the new namespace on %s: %s", path,
			 strerror(errno));
		rc = -1;
	}
	if (setns(home, CLONE_NEWNET) < 0 && rc == 0) {
		snprintf(err, cap, "cannot return to our own namespace: %s", strerror(errno));
		rc = -1;
	}
	close(home);
	if (rc < 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return rc;
}

int tc_netns_del(const char *name, char *err, size_t cap)
{
	char path[256];
	snprintf(path, sizeof(path), TC_NETNS_DIR "/%s", name);
	/* MNT_DETACH: a process still holding the namespace (an agent being killed) keeps it
	 * alive on its own; the name goes now. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		snprintf(err, cap, "umount %s: %s", path, strerror(errno));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, cap, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- rtnetlink ---- */

int tc_nl_open(int nsfd, char *err, size_t cap)
{
	int home = -1, fd;
	if (nsfd >= 0) {
		/* A socket belongs to the namespace it was created in, wherever it is used later. */
		home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
			snprintf(err, cap, "cannot enter the namespace: %s", strerror(errno));
			if (home >= 0)
				close(home);
			return -1;
		}
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int saved = errno;
	if (home >= 0) {
		if (setns(home, CLONE_NEWNET) < 0) {
			snprintf(err, cap, "cannot return to our own namespace: %s", strerror(errno));
			close(home);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(home);
	}
	if (fd < 0) {
		snprintf(err, cap, "netlink socket: %s", strerror(saved));
		return -1;
	}
	return fd;
}

/* One request under construction: header, fixed part, attributes. */
struct nlreq {
	char buf[1024];
	struct nlmsghdr *h;
};

static void *req_init(struct nlreq *r, int type, int flags, size_t fixed)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->h = (struct nlmsghdr *)r->buf;
	r->h->nlmsg_len = NLMSG_LENGTH(fixed);
	r->h->nlmsg_type = (uint16_t)type;
	r->h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	return NLMSG_DATA(r->h);
}

/* Appends an attribute; returns it (for nesting), or NULL when the buffer is full, which the
 * fixed sizes used here never reach. */
static struct rtattr *req_attr(struct nlreq *r, int type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
	if (at + RTA_SPACE(len) > sizeof(r->buf))
		return NULL;
	struct rtattr *a = (struct rtattr *)(r->buf + at);
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
	return a;
}

/* Closes a nested attribute opened with req_attr(r, type, NULL, 0). */
static void req_nest_end(struct nlreq *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)(r->buf + r->h->nlmsg_len - (char *)a);
}

/*
 * Sends the request and reads the kernel's answers to it until one ends it: its
 * acknowledgement (NLMSG_ERROR, error 0), an error, or, for a query, the first message of type
 * want (then copied to *reply). what names the operation in messages.
 */
static int req_talk(int nl, struct nlreq *r, int want, struct ifinfomsg *reply, const char *what,
		    char *err, size_t cap)
{
	static uint32_t seq;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	r->h->nlmsg_seq = ++seq;
	if (sendto(nl, r->buf, r->h->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		snprintf(err, cap, "%s: netlink send: %s", what, strerror(errno));
		return -1;
	}
	char ans[8192];
	for (;;) {
		ssize_t n = recv(nl, ans, sizeof(ans), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, cap, "%s: netlink receive: %s", what, strerror(errno));
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)ans; NLMSG_OK(h, (unsigned)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h->nlmsg_seq)
				continue;
			if (want && h->nlmsg_type == want) {
				memcpy(reply, NLMSG_DATA(h), sizeof(*reply));
				return 0;
			}
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error == 0)
				return 0;
			snprintf(err, cap, "%s: %s", what, strerror(-e->error));
			return -1;
		}
	}
}

static int req_do(int nl, struct nlreq *r, const char *what, char *err, size_t cap)
{
	return req_talk(nl, r, 0, NULL, what, err, cap);
}

static int ifindex_in(int nl, const char *name, char *err, size_t cap)
{
	/* The socket's namespace is the one to look in; if_nametoindex() would look in ours. */
	struct nlreq r;
	struct ifinfomsg *ifi = req_init(&r, RTM_GETLINK, 0, sizeof(*ifi)), got;
	ifi->ifi_family = AF_UNSPEC;
	req_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	r.h->nlmsg_flags = NLM_F_REQUEST;
	char what[64];
	snprintf(what, sizeof(what), "no interface %s", name);
	if (req_talk(nl, &r, RTM_NEWLINK, &got, what, err, cap) < 0)
		return -1;
	return got.ifi_index;
}

int tc_nl_veth(int nl, const char *name, int index, const uint8_t mac[6], const char *peer,
	       int peer_index, const uint8_t peer_mac[6], int peer_nsfd, char *err, size_t cap)
{
	struct nlreq r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	req_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	req_attr(&r, IFLA_ADDRESS, mac, 6);
	struct rtattr *li = req_attr(&r, IFLA_LINKINFO, NULL, 0);
	req_attr(&r, IFLA_INFO_KIND, "veth", 4);
	struct rtattr *data = req_attr(&r, IFLA_INFO_DATA, NULL, 0);
	struct rtattr *pe = req_attr(&r, VETH_INFO_PEER, NULL, 0);
	/* The peer is described by its own ifinfomsg followed by its attributes. */
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC, .ifi_index = peer_index};
	size_t at = NLMSG_ALIGN(r.h->nlmsg_len);
	memcpy(r.buf + at, &pifi, sizeof(pifi));
	r.h->nlmsg_len = (uint32_t)(at + NLMSG_ALIGN(sizeof(pifi)));
	req_attr(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
	req_attr(&r, IFLA_ADDRESS, peer_mac, 6);
	if (peer_nsfd >= 0) {
		uint32_t fd = (uint32_t)peer_nsfd;
		req_attr(&r, IFLA_NET_NS_FD, &fd, sizeof(fd));
	}
	req_nest_end(&r, pe);
	req_nest_end(&r, data);
	req_nest_end(&r, li);
	char what[96];
	snprintf(what, sizeof(what), "creating veth %s/%s", name, peer);
	return req_do(nl, &r, what, err, cap);
}

int tc_nl_link_up(int nl, const char *name, char *err, size_t cap)
{
	int idx = ifindex_in(nl, name, err, cap);
	if (idx < 0)
		return -1;
	struct nlreq r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	char what[64];
	snprintf(what, sizeof(what), "setting %s up", name);
	return req_do(nl, &r, what, err, cap);
}

int tc_nl_addr(int nl, const char *ifname, int family, const void *addr, int prefix, char *err,
	       size_t cap)
{
	int idx = ifindex_in(nl, ifname, err, cap);
	if (idx < 0)
		return -1;
	size_t alen = family == AF_INET ? 4 : 16;
	struct nlreq r;
	struct ifaddrmsg *ifa = req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)idx;
	/* RFC 4862 duplicate address detection would hold the address tentative for a second;
	 * nobody can collide on a two-ended veth (`ip addr add ... nodad`). */
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	req_attr(&r, IFA_LOCAL, addr, alen);
	req_attr(&r, IFA_ADDRESS, addr, alen);
	char what[64];
	snprintf(what, sizeof(what), "adding an address to %s", ifname);
	return req_do(nl, &r, what, err, cap);
}

int tc_nl_neigh(int nl, const char *ifname, int family, const void *addr, const uint8_t mac[6],
		char *err, size_t cap)
{
	int idx = ifindex_in(nl, ifname, err, cap);
	if (idx < 0)
		return -1;
	struct nlreq r;
	struct ndmsg *nd = req_init(&r, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*nd));
	nd->ndm_family = (unsigned char)family;
	nd->ndm_ifindex = idx;
	nd->ndm_state = NUD_PERMANENT;
	req_attr(&r, NDA_DST, addr, family == AF_INET ? 4 : 16);
	req_attr(&r, NDA_LLADDR, mac, 6);
	char what[64];
	snprintf(what, sizeof(what), "adding a neighbour on %s", ifname);
	return req_do(nl, &r, what, err, cap);
}
