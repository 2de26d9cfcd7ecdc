/*
 * fuzz_case.c - fuzz target for the YAML case loader (design.md: a fuzz target for every parser).
 *
 * Any byte string must load or be rejected with a message, never crash, hang or leak: the loader
 * frees its partial state on every error path, and ASan's leak check in the fuzz build holds it
 * to that. A successful load is freed too, so leaks on the success path show up as well.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../runner/case.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_case c;
	char err[512];

	if (tc_case_load_buf("fuzz.yaml", (const char *)data, size, &c, err, sizeof(err)) == 0) {
		tc_case_free(&c);
	} else {
		/* A failed load must leave the case empty and a message behind. */
		if (c.steps != NULL || c.id != NULL || err[0] == '\0')
			__builtin_trap();
	}
	return 0;
}
