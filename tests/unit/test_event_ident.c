/* test_event_ident.c - the process's cgroup, unit, container and hashes
 * in events (DESIGN.md event contract). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <json-c/json.h>

#include "event.h"
#include "jsonw.h"

static struct json_object *process_of(const struct proc_info *pi)
{
	struct json_object *o, *p = NULL;
	char buf[4096];
	struct jw w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	event_put_process(&w, pi);
	jw_obj_end(&w);
	assert_true(jw_finish(&w) > 0);
	assert_non_null(o = json_tokener_parse(buf));
	assert_true(json_object_object_get_ex(o, "process", &p));
	json_object_get(p);
	json_object_put(o);
	return p;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("no \"%s\"", k);
	return json_object_is_type(v, json_type_null) ? NULL : json_object_get_string(v);
}

static void test_container_process_carries_cgroup_unit_container(void **state)
{
	struct proc_info pi = { .pid = 7, .exe = "/usr/bin/python3",
				.cgroup = "/system.slice/docker-abc123def4567.scope",
				.unit = "docker-abc123def4567.scope",
				.container_id = "abc123def4567",
				.container_runtime = "docker",
				.md5 = "0123456789abcdef0123456789abcdef" };
	struct json_object *p = process_of(&pi), *c, *h;

	(void)state;
	assert_string_equal(str(p, "cgroup"), "/system.slice/docker-abc123def4567.scope");
	assert_string_equal(str(p, "unit"), "docker-abc123def4567.scope");
	assert_true(json_object_object_get_ex(p, "container", &c));
	assert_string_equal(str(c, "runtime"), "docker");
	assert_string_equal(str(c, "id"), "abc123def4567");
	assert_true(json_object_object_get_ex(p, "hash", &h));
	assert_string_equal(str(h, "md5"), "0123456789abcdef0123456789abcdef");
	assert_false(json_object_object_get_ex(h, "sha1", NULL));
	json_object_put(p);
}

static void test_unknown_identity_is_null_and_no_hash(void **state)
{
	struct proc_info pi = { .pid = 7, .exe = "/usr/bin/curl" };
	struct json_object *p = process_of(&pi);

	(void)state;
	assert_null(str(p, "cgroup"));
	assert_null(str(p, "unit"));
	assert_null(str(p, "container"));
	assert_false(json_object_object_get_ex(p, "hash", NULL));
	json_object_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_process_carries_cgroup_unit_container),
		cmocka_unit_test(test_unknown_identity_is_null_and_no_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
