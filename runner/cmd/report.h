/*
 * cmd/report.h - writing the report files of a run, and the `tcpconform report` subcommands.
 *
 * `run` and `report merge` end the same way (tc_outputs_write): results sorted by id and
 * family, the baseline applied, then JSON, HTML, JUnit and TAP written as asked, and the exit
 * status decided by the baseline rules (baseline.h). So merged shards give the same reports as
 * one unsharded run.
 */
#ifndef TC_CMD_REPORT_H
#define TC_CMD_REPORT_H

#include <stdio.h>

#include "../../reports/baseline.h"
#include "../../reports/json.h"
#include "../../common/result.h"

struct tc_outputs {
	const char *json, *html, *junit, *tap;  /* NULL: not written; tap may be "-" */
	const char *baseline;                   /* --baseline FILE, or NULL */
	int update_baseline;                    /* --update-baseline */
	const char *pcap_dir;                   /* for the HTML report's pcap links, or NULL */
	int strict;                             /* --strict: warn results count as fails */
};

/* Loads the baseline (if any) and checks it belongs to target; warns on stderr (file:line)
 * about entries in the older id-only form. Returns 0, or -1 with err. */
int tc_outputs_prepare(const struct tc_outputs *o, const char *target, struct tc_baseline *bl,
		       char *err, size_t cap);

/*
 * Sorts rs, turns warn into fail under o->strict, applies the baseline, prints its outcome to
 * msg (counts, fixed cases and failures, and each new failure of a listed case), writes the
 * reports and updates the baseline. Returns the exit status: 0, 1 (new failures or errors), or
 * 3 (a file could not be written; the message went to stderr). A warn never makes it 1.
 */
int tc_outputs_write(const struct tc_outputs *o, const struct tc_baseline *bl, struct tc_result *rs,
		     int n, const struct tc_json_meta *m, FILE *msg,
		     struct tc_bl_counts *kout);

/* `tcpconform report merge|compare ...` (argv[0] is "report"). Returns the exit status. */
int tc_cmd_report(int argc, char **argv);

#endif
