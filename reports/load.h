/*
 * load.h - reading a JSON result file (json.h) back into results, for `report merge` and
 * `report compare`. The JSON is parsed by jansson; a document that is not JSON is an error
 * "NAME: not valid JSON: line L, column C: reason". Fields a file lacks (older or newer writers,
 * or a model that does not judge yet) are left empty; unknown fields are ignored; a wrong type
 * for a known field is an error naming the case and the field.
 */
#ifndef TC_LOAD_H
#define TC_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "../common/result.h"

struct tc_loaded {
	struct tc_result *rs;   /* owned: free with tc_loaded_free */
	int n;
	char version[64];
	char target[64];
	char profile[64];
	char date[64];
	uint32_t seed;
	double seconds;
};

/* Parses a result document held in buf. Returns 0 or -1 with err ("NAME: ..."). */
int tc_load_buf(const char *name, const char *buf, size_t len, struct tc_loaded *out, char *err,
		size_t cap);
/* Reads and parses the file at path. */
int tc_load_file(const char *path, struct tc_loaded *out, char *err, size_t cap);
void tc_loaded_free(struct tc_loaded *l);

/* Verdict name ("pass", ...) to enum tc_verdict, or -1. */
int tc_verdict_parse(const char *s);

#endif
