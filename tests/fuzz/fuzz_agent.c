/*
 * fuzz_agent.c - fuzz target for the agent protocol's codec (runner/agent/proto.c): the request
 * parser every agent and harness runs on what the runner sends, and the reply parser the runner
 * runs on whatever an agent (perhaps a broken harness of a stack under test) sends back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../runner/agent/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Static: both structs carry tens of kilobytes of payload. */
	static struct ag_request rq;
	static struct ag_reply r, again;
	static char line[AG_MAX_LINE + 64];
	char err[256];
	const char *in = (const char *)data;

	(void)ag_parse(in, size, &rq, err, sizeof(err));
	if (ag_reply_parse(in, size, &r, err, sizeof(err)) != 0 || r.kind != AG_R_DONE ||
	    r.call == AG_C_COUNT)
		return 0;
	/* A DONE the runner accepted, written again by the codec, reads back the same. The errno
	 * name is written from a host errno, so only the numeric fields and the data take part. */
	int v[2] = {(int)r.value[0], (int)r.value[1]};
	if (r.ret < -1000000000LL || r.ret > 1000000000LL || r.value[0] != v[0] || r.value[1] != v[1])
		return 0;
	int n = ag_fmt_done(line, sizeof(line), r.tag, r.call, r.ret, 0, r.has_data ? r.data : NULL,
			    r.ndata, v, r.nvalue);
	if (n < 0)
		return 0;
	if (ag_reply_parse(line, (size_t)n, &again, err, sizeof(err)) != 0 || again.ret != r.ret ||
	    again.call != r.call || again.nvalue != r.nvalue || again.ndata != r.ndata ||
	    memcmp(again.data, r.data, r.ndata) != 0 || strcmp(again.tag, r.tag) != 0)
		__builtin_trap();
	return 0;
}
