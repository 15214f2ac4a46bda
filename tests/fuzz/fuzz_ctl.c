/* fuzz_ctl.c - one untrusted request line through the decoder, every
 * argument decoder, and the reply/error encoders. */
#include <stdint.h>
#include <stddef.h>

#include "ctl.h"
#include "fuzz.h"

static void fuzz_args(const struct ctl_req *req)
{
	struct ctl_filter f;
	struct ctl_answer a;
	struct ctl_error err;
	struct json_object *rule;
	char name[CTL_NAME_MAX + 1];
	uint64_t v;

	(void)ctl_parse_filter(req->args, &f, &err);
	(void)ctl_parse_answer(req->args, &a, &err);
	(void)ctl_parse_name(req->args, name, sizeof(name), &err);
	(void)ctl_parse_uint(req->args, "limit", 1024, 100, &v, &err);
	(void)ctl_parse_rule_obj(req->args, &rule, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[CTL_MSG_MAX + 128];
	struct ctl_req req;
	struct ctl_error err;
	struct jw w;
	int r;

	if (size > CTL_LINE_MAX)
		return 0;
	r = ctl_decode((const char *)data, size, &req, &err);
	if (r < 0) {
		(void)ctl_error_encode(&req, &err, out, sizeof(out));
	} else {
		fuzz_args(&req);
		jw_init(&w, out, sizeof(out));
		ctl_reply_begin(&w, &req);
		jw_null(&w);
		(void)ctl_reply_end(&w);
	}
	ctl_req_free(&req);
	return 0;
}
