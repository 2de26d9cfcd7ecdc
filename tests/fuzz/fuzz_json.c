/*
 * fuzz_json.c - the JSON reader and the result-file loader on arbitrary bytes: `report merge`
 * and `report compare` read files that CI jobs pass around, so a damaged or hostile file must
 * give an error, never a crash, a leak or a read past the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../reports/jsonread.h"
#include "../../reports/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy without a terminating NUL, so ASan catches any read past the end. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct tc_jv v;
	char err[256];
	if (tc_json_parse(buf, size, &v, err, sizeof(err)) == 0) {
		/* Walk what the accessors walk. */
		(void)tc_jv_str(tc_jv_get(&v, "target"), "");
		(void)tc_jv_num(tc_jv_get(&v, "seed"), 0);
		tc_jv_free(&v);
	} else if (!err[0]) {
		abort(); /* every rejection must say why */
	}
	struct tc_loaded l;
	if (tc_load_buf("fuzz.json", buf, size, &l, err, sizeof(err)) == 0)
		tc_loaded_free(&l);
	free(buf);
	return 0;
}
