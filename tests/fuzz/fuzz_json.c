/*
 * fuzz_json.c - the result-file loader (reports/load.c over jansson) on arbitrary bytes:
 * `report merge` and `report compare` read files that CI jobs pass around, so a damaged or
 * hostile file must give an error, never a crash, a leak or a read past the buffer. What loads
 * must also survive our writer: written out again, it is a result file that loads to as many
 * cases (so a string the loader accepts can never make the writer produce invalid JSON).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../reports/json.h"
#include "../../reports/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy without a terminating NUL, so ASan catches any read past the end. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct tc_loaded l, again;
	char err[512] = "";
	if (tc_load_buf("fuzz.json", buf, size, &l, err, sizeof(err)) < 0) {
		if (!err[0])
			abort(); /* every rejection must say why */
		free(buf);
		return 0;
	}
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (!f)
		abort();
	struct tc_json_meta m = {l.version, l.target, l.seed, l.seconds, l.profile, l.date};
	tc_json_write(f, l.rs, l.n, &m);
	fclose(f);
	if (tc_load_buf("again.json", out, n, &again, err, sizeof(err)) < 0) {
		fprintf(stderr, "our own output does not load: %s\n", err);
		abort();
	}
	if (again.n != l.n)
		abort();
	tc_loaded_free(&again);
	tc_loaded_free(&l);
	free(out);
	free(buf);
	return 0;
}
