/*
 * capture.c - libpcap capture with a per-case BPF filter and an optional pcap file
 * (see capture.h).
 */
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Large enough that a burst of full-size frames (a flood case, a window's worth of data) is not
 * dropped while the runner is busy checking the previous segment. */
#define TC_CAPTURE_BUFFER (4 * 1024 * 1024)
#define TC_CAPTURE_SNAPLEN 65535

struct tc_capture {
	pcap_t *p;
	pcap_dumper_t *dump;
	int fd;
};

struct tc_capture *tc_capture_open(const char *ifname, const char *bpf, const char *pcap_path,
				   char *err, size_t cap)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct tc_capture *c = NULL;
	struct bpf_program prog;
	int have_prog = 0;
	int rc;

	if (ifname == NULL) {
		snprintf(err, cap, "capture: no interface given");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, cap, "capture: out of memory");
		return NULL;
	}
	c->fd = -1;
	ebuf[0] = '\0';
	c->p = pcap_create(ifname, ebuf);
	if (c->p == NULL) {
		snprintf(err, cap, "capture: cannot open \"%s\": %s", ifname, ebuf);
		goto fail;
	}
	/* Immediate mode hands every frame over as soon as it arrives: timing checks (RTO,
	 * delayed ACK) measure the capture timestamps, and poll() must wake per frame. Promiscuous
	 * mode is needed because the injector's MAC is not necessarily the interface's. */
	if (pcap_set_snaplen(c->p, TC_CAPTURE_SNAPLEN) != 0 || pcap_set_promisc(c->p, 1) != 0 ||
	    pcap_set_immediate_mode(c->p, 1) != 0 ||
	    pcap_set_buffer_size(c->p, TC_CAPTURE_BUFFER) != 0) {
		snprintf(err, cap, "capture: cannot configure \"%s\": %s", ifname, pcap_geterr(c->p));
		goto fail;
	}
	rc = pcap_activate(c->p);
	if (rc < 0) {
		/* Negative codes are errors; positive ones are warnings that leave a usable handle. */
		snprintf(err, cap, "capture: cannot activate \"%s\": %s (%s)", ifname,
			 pcap_statustostr(rc), pcap_geterr(c->p));
		goto fail;
	}
	if (pcap_datalink(c->p) != DLT_EN10MB) {
		snprintf(err, cap, "capture: \"%s\" is not an Ethernet interface (link type %d)",
			 ifname, pcap_datalink(c->p));
		goto fail;
	}
	if (pcap_setnonblock(c->p, 1, ebuf) != 0) {
		snprintf(err, cap, "capture: cannot make \"%s\" non-blocking: %s", ifname, ebuf);
		goto fail;
	}
	if (bpf != NULL && bpf[0] != '\0') {
		if (pcap_compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, cap, "capture: cannot compile filter \"%s\": %s", bpf,
				 pcap_geterr(c->p));
			goto fail;
		}
		have_prog = 1;
		if (pcap_setfilter(c->p, &prog) != 0) {
			snprintf(err, cap, "capture: cannot set filter \"%s\": %s", bpf,
				 pcap_geterr(c->p));
			goto fail;
		}
		pcap_freecode(&prog);
		have_prog = 0;
	}
	c->fd = pcap_get_selectable_fd(c->p);
	if (c->fd < 0) {
		snprintf(err, cap, "capture: \"%s\" has no selectable descriptor", ifname);
		goto fail;
	}
	if (pcap_path != NULL) {
		c->dump = pcap_dump_open(c->p, pcap_path);
		if (c->dump == NULL) {
			snprintf(err, cap, "capture: cannot write \"%s\": %s", pcap_path,
				 pcap_geterr(c->p));
			goto fail;
		}
	}
	return c;
fail:
	if (have_prog)
		pcap_freecode(&prog);
	tc_capture_close(c);
	return NULL;
}

int tc_capture_fd(struct tc_capture *c)
{
	return c ? c->fd : -1;
}

int tc_capture_next(struct tc_capture *c, const uint8_t **frame, size_t *len, int64_t *ts_us,
		    char *err, size_t cap)
{
	struct pcap_pkthdr *h = NULL;
	const u_char *data = NULL;

	if (c == NULL || c->p == NULL) {
		snprintf(err, cap, "capture: not open");
		return -1;
	}
	int rc = pcap_next_ex(c->p, &h, &data);
	if (rc == 0 || rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc < 0) {
		snprintf(err, cap, "capture: read failed: %s", pcap_geterr(c->p));
		return -1;
	}
	if (c->dump != NULL)
		pcap_dump((u_char *)c->dump, h, data);
	*frame = data;
	*len = h->caplen;
	*ts_us = (int64_t)h->ts.tv_sec * 1000000 + (int64_t)h->ts.tv_usec;
	return 1;
}

void tc_capture_close(struct tc_capture *c)
{
	if (c == NULL)
		return;
	if (c->dump != NULL) {
		pcap_dump_flush(c->dump);
		pcap_dump_close(c->dump);
	}
	if (c->p != NULL)
		pcap_close(c->p);
	free(c);
}
