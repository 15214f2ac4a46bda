/* test_cgroup.c - cgroup v2 path parsing, unit and container naming from
 * the layouts of real hosts, mountinfo, and the id -> path cache on the
 * real cgroup2 mount. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "procfs.h"

#define ID64 "4a5f8c7b2e1d0f3a6b9c8d7e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a"

static const struct {
	const char *path, *unit, *runtime, *id;
} idents[] = {
	/* systemd services and scopes */
	{ "/system.slice/nginx.service", "nginx.service", "", "" },
	{ "/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service", "", "" },
	{ "/init.scope", "init.scope", "", "" },
	{ "/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/init.scope", "init.scope", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "app-gnome-firefox-4242.scope", "app-gnome-firefox-4242.scope", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "syncthing.service", "syncthing.service", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service", "user@1000.service", "", "" },
	{ "/", "", "", "" },
	{ "/system.slice", "", "", "" },
	{ "/.service", "", "", "" },
	{ "/system.slice/tattle-test/x.service/leaf", "x.service", "", "" },
	/* Docker: systemd driver and cgroupfs driver */
	{ "/system.slice/docker-" ID64 ".scope", "docker-" ID64 ".scope", "docker", ID64 },
	{ "/docker/" ID64, "", "docker", ID64 },
	{ "/docker/not-a-container", "", "", "" },
	{ "/system.slice/docker.service", "docker.service", "", "" },
	/* a systemd container: the inner unit, the outer container */
	{ "/system.slice/docker-" ID64 ".scope/system.slice/nginx.service",
	  "nginx.service", "docker", ID64 },
	/* Podman, rootful and rootless, and its monitor */
	{ "/machine.slice/libpod-" ID64 ".scope", "libpod-" ID64 ".scope", "podman", ID64 },
	{ "/machine.slice/libpod-" ID64 ".scope/container",
	  "libpod-" ID64 ".scope", "podman", ID64 },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
	  ID64 ".scope", "libpod-" ID64 ".scope", "podman", ID64 },
	{ "/machine.slice/libpod-conmon-" ID64 ".scope",
	  "libpod-conmon-" ID64 ".scope", "", "" },
	/* containerd / CRI / Kubernetes */
	{ "/system.slice/cri-containerd-" ID64 ".scope",
	  "cri-containerd-" ID64 ".scope", "containerd", ID64 },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	  "1c2d3e4f_5a6b_7c8d_9e0f_a1b2c3d4e5f6.slice/cri-containerd-" ID64 ".scope",
	  "cri-containerd-" ID64 ".scope", "containerd", ID64 },
	{ "/kubepods.slice/kubepods-pod1c2d.slice/crio-" ID64 ".scope",
	  "crio-" ID64 ".scope", "cri-o", ID64 },
	{ "/kubepods/besteffort/pod1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6/" ID64,
	  "", "kubernetes", ID64 },
	{ "/kubepods/pod1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6/" ID64,
	  "", "kubernetes", ID64 },
	{ "/system.slice/nerdctl-" ID64 ".scope", "nerdctl-" ID64 ".scope",
	  "containerd", ID64 },
	/* LXC (4.0+ and legacy), its monitor, systemd-nspawn */
	{ "/lxc.payload.web1", "", "lxc", "web1" },
	{ "/lxc.payload.web1/system.slice/cron.service", "cron.service", "lxc", "web1" },
	{ "/lxc.monitor.web1", "", "", "" },
	{ "/lxc/web1", "", "lxc", "web1" },
	{ "/machine.slice/machine-debian\\x2dtest.scope",
	  "machine-debian\\x2dtest.scope", "nspawn", "debian-test" },
	{ "/machine.slice/machine-debian\\x2dtest.scope/payload/system.slice/"
	  "sshd.service", "sshd.service", "nspawn", "debian-test" },
	{ "/machine.slice/machine-bad\\x2.scope", "machine-bad\\x2.scope",
	  "nspawn", "bad\\x2" },
	/* short or non-hex ids are not containers */
	{ "/system.slice/docker-abc.scope", "docker-abc.scope", "", "" },
	{ "/system.slice/docker-" "4A5F8C7B2E1D0F3A" ".scope",
	  "docker-4A5F8C7B2E1D0F3A.scope", "", "" },
};

static void test_paths_name_units_and_containers(void **state)
{
	struct cgroup_ident id;

	(void)state;
	for (size_t i = 0; i < sizeof(idents) / sizeof(idents[0]); i++) {
		cgroup_ident_parse(idents[i].path, strlen(idents[i].path), &id);
		if (strcmp(id.unit, idents[i].unit) ||
		    strcmp(id.runtime, idents[i].runtime) ||
		    strcmp(id.id, idents[i].id))
			fail_msg("%s: got unit \"%s\" runtime \"%s\" id \"%s\"",
				 idents[i].path, id.unit, id.runtime, id.id);
	}
}

static void test_very_deep_path_is_bounded(void **state)
{
	char *path = malloc(CGROUP_PATH_MAX);
	struct cgroup_ident id;
	size_t o = 0;

	(void)state;
	assert_non_null(path);
	o += (size_t)snprintf(path, CGROUP_PATH_MAX, "/system.slice/docker-%s.scope", ID64);
	while (o + 3 < CGROUP_PATH_MAX - 1)
		o += (size_t)snprintf(path + o, CGROUP_PATH_MAX - o, "/a");
	cgroup_ident_parse(path, o, &id);
	/* more than 256 levels below the scope: looked at only so far */
	assert_string_equal(id.unit, "");
	assert_string_equal(id.id, "");
	free(path);
}

static const struct {
	const char *body;
	int ret;
	const char *path;
} procs[] = {
	/* hybrid, as on this machine: v1 controllers plus "0::" */
	{ "9:name=systemd:/\n8:pids:/\n4:memory:/x/y\n0::/\n", 0, "/" },
	{ "12:pids:/system.slice/nginx.service\n1:name=systemd:/system.slice/"
	  "nginx.service\n0::/system.slice/nginx.service\n", 0,
	  "/system.slice/nginx.service" },
	/* pure v2 */
	{ "0::/user.slice/user-1000.slice/session-2.scope\n", 0,
	  "/user.slice/user-1000.slice/session-2.scope" },
	{ "0::/system.slice/gone.service (deleted)\n", 0, "/system.slice/gone.service" },
	{ "0::/no-newline", 0, "/no-newline" },
	/* v1 only: systemd's named hierarchy */
	{ "3:cpu:/\n1:name=systemd:/system.slice/cron.service\n", 0,
	  "/system.slice/cron.service" },
	{ "3:cpu:/\n2:memory:/\n", -ENOENT, NULL },
	{ "", -ENOENT, NULL },
	{ "0::\n", -EBADMSG, NULL },
	{ "0::relative\n", -EBADMSG, NULL },
};

static void test_proc_cgroup_bodies(void **state)
{
	const char *path;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		int r = cgroup_parse_proc(procs[i].body, strlen(procs[i].body),
					  &path, &len);

		if (r != procs[i].ret)
			fail_msg("case %zu: %d, want %d", i, r, procs[i].ret);
		if (!r && (len != strlen(procs[i].path) ||
			   memcmp(path, procs[i].path, len)))
			fail_msg("case %zu: path %.*s", i, (int)len, path);
	}
}

static void test_overlong_path_is_e2big(void **state)
{
	char *body = malloc(CGROUP_PATH_MAX + 16);
	const char *path;
	size_t len;

	(void)state;
	assert_non_null(body);
	memcpy(body, "0::/", 4);
	memset(body + 4, 'a', CGROUP_PATH_MAX);
	assert_int_equal(cgroup_parse_proc(body, CGROUP_PATH_MAX + 4, &path, &len), -E2BIG);
	free(body);
}

static void test_proc_info_gets_the_fields(void **state)
{
	const char *body = "1:name=systemd:/x\n0::/system.slice/docker-" ID64 ".scope\n";
	struct proc_info pi = { 0 }, copy;

	(void)state;
	assert_int_equal(procfs_cgroup_info(&pi, body, strlen(body)), 0);
	assert_string_equal(pi.cgroup, "/system.slice/docker-" ID64 ".scope");
	assert_string_equal(pi.unit, "docker-" ID64 ".scope");
	assert_string_equal(pi.container_id, ID64);
	assert_string_equal(pi.container_runtime, "docker");
	assert_int_equal(proc_info_copy(&copy, &pi), 0);
	assert_string_equal(copy.container_id, ID64);
	assert_ptr_not_equal(copy.container_id, pi.container_id);
	/* a second read replaces, and a path that names nothing clears */
	assert_int_equal(procfs_cgroup_info(&pi, "0::/\n", 5), 0);
	assert_string_equal(pi.cgroup, "/");
	assert_null(pi.unit);
	assert_null(pi.container_id);
	assert_string_equal(pi.container_runtime, "");
	assert_int_equal(procfs_cgroup_info(&pi, "junk", 4), -ENOENT);
	assert_string_equal(pi.cgroup, "/");
	proc_info_clear(&pi);
	proc_info_clear(&copy);
}

static void test_set_path_names_unit_and_container(void **state)
{
	const char *docker = "/system.slice/docker-" ID64 ".scope";
	struct proc_info pi = { 0 };

	(void)state;
	assert_int_equal(procfs_set_cgroup(&pi, docker, strlen(docker)), 0);
	assert_string_equal(pi.cgroup, docker);
	assert_string_equal(pi.unit, "docker-" ID64 ".scope");
	assert_string_equal(pi.container_id, ID64);
	assert_string_equal(pi.container_runtime, "docker");
	/* only len bytes count: the scope cut off names no container */
	assert_int_equal(procfs_set_cgroup(&pi, docker, strlen("/system.slice")), 0);
	assert_string_equal(pi.cgroup, "/system.slice");
	assert_null(pi.unit);
	assert_null(pi.container_id);
	assert_string_equal(pi.container_runtime, "");
	/* a relative or empty path is refused and changes nothing */
	assert_int_equal(procfs_set_cgroup(&pi, "system.slice", 12), -EBADMSG);
	assert_int_equal(procfs_set_cgroup(&pi, "", 0), -EBADMSG);
	assert_string_equal(pi.cgroup, "/system.slice");
	proc_info_clear(&pi);
}

/* The loop's cache: answers and remembers, never walks (the mount given
 * does not exist, so a walk could not find anything). */
static void test_cache_get_put_never_walks(void **state)
{
	char out[CGROUP_PATH_MAX];
	struct cgroup_cache_stats st;
	struct cgroup_cache *cc;

	(void)state;
	assert_non_null(cc = cgroup_cache_new("/nonexistent-tattle-ut", 2));
	assert_int_equal(cgroup_cache_get(cc, 7, 1, out, sizeof(out)), -EAGAIN);
	assert_string_equal(out, "");
	assert_int_equal(cgroup_cache_put(cc, 7, "/a.slice/x.scope", 2), 0);
	assert_int_equal(cgroup_cache_get(cc, 7, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "/a.slice/x.scope");
	assert_int_equal(cgroup_cache_get(cc, 7, 3, out, 4), -E2BIG);
	/* gone: remembered as such */
	assert_int_equal(cgroup_cache_put(cc, 8, NULL, 4), 0);
	assert_int_equal(cgroup_cache_get(cc, 8, 5, out, sizeof(out)), -ENOENT);
	/* the same id again replaces, evicting nothing */
	assert_int_equal(cgroup_cache_put(cc, 7, "/b.scope", 6), 0);
	assert_int_equal(cgroup_cache_get(cc, 7, 7, out, sizeof(out)), 0);
	assert_string_equal(out, "/b.scope");
	cgroup_cache_stats(cc, &st);
	assert_int_equal(st.evictions, 0);
	/* full: the least recently used (8, at 5) goes */
	assert_int_equal(cgroup_cache_put(cc, 9, "/c.scope", 8), 0);
	assert_int_equal(cgroup_cache_get(cc, 8, 9, out, sizeof(out)), -EAGAIN);
	assert_int_equal(cgroup_cache_get(cc, 7, 9, out, sizeof(out)), 0);
	cgroup_cache_stats(cc, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.walks, 0);
	cgroup_cache_free(cc);
}

static void test_mountinfo_finds_cgroup2_on_hybrid_and_pure(void **state)
{
	const char *hybrid =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	const char *pure =
		"26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 "
		"- cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
	const char *nsroot =	/* a bind of a sub-tree first, then the real one */
		"50 22 0:23 /system.slice /mnt/sub rw - cgroup2 cgroup2 rw\n"
		"51 22 0:23 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n";
	const char *v1 =
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n";
	char mnt[256];

	(void)state;
	assert_int_equal(cgroup_parse_mountinfo(hybrid, strlen(hybrid), mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	assert_int_equal(cgroup_parse_mountinfo(pure, strlen(pure), mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_int_equal(cgroup_parse_mountinfo(nsroot, strlen(nsroot), mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/mnt/with space");
	assert_int_equal(cgroup_parse_mountinfo(v1, strlen(v1), mnt, sizeof(mnt)), -ENOENT);
	assert_int_equal(cgroup_parse_mountinfo(hybrid, strlen(hybrid), mnt, 8), -E2BIG);
}

/* ---- on the real cgroup2 mount (skipped without one or without root) */

struct fixture {
	char mnt[256];
	char top[512];		/* mnt/tattle-ut-PID */
};

static int setup_mount(void **state)
{
	static struct fixture fx;

	if (procfs_cgroup2_mount("/proc", fx.mnt, sizeof(fx.mnt)) < 0)
		return 0;
	snprintf(fx.top, sizeof(fx.top), "%s/tattle-ut-%d", fx.mnt, (int)getpid());
	*state = &fx;
	return 0;
}

static void rm_cgroups(const struct fixture *fx)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/a/b", fx->top);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/a", fx->top);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/c", fx->top);
	rmdir(p);
	rmdir(fx->top);
}

static int teardown_mount(void **state)
{
	if (*state)
		rm_cgroups(*state);
	return 0;
}

static void test_reads_own_process(void **state)
{
	struct proc_info pi = { 0 };

	(void)state;
	/* read with the rest of the process's facts */
	assert_int_equal(procfs_read_proc("/proc", getpid(), &pi), 0);
	assert_non_null(pi.cgroup);
	assert_int_equal(pi.cgroup[0], '/');
	proc_info_clear(&pi);
}

static void test_cache_finds_path_by_id_and_evicts(void **state)
{
	const struct fixture *fx = *state;
	char p[600], out[CGROUP_PATH_MAX], want[600];
	struct cgroup_cache_stats st;
	struct cgroup_cache *cc;
	uint64_t id_b, id_c, id_root;

	if (!fx || geteuid() != 0)
		skip();
	rm_cgroups(fx);
	assert_int_equal(mkdir(fx->top, 0755), 0);
	snprintf(p, sizeof(p), "%s/a", fx->top);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/a/b", fx->top);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(cgroup_id_of(AT_FDCWD, p, &id_b), 0);
	snprintf(p, sizeof(p), "%s/c", fx->top);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(cgroup_id_of(AT_FDCWD, p, &id_c), 0);
	assert_int_equal(cgroup_id_of(AT_FDCWD, fx->mnt, &id_root), 0);
	assert_true(id_b != id_c);

	assert_non_null(cc = cgroup_cache_new(fx->mnt, 2));
	snprintf(want, sizeof(want), "/tattle-ut-%d/a/b", (int)getpid());
	assert_int_equal(cgroup_path_by_id(cc, id_b, 1, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	assert_int_equal(cgroup_path_by_id(cc, id_b, 2, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	cgroup_cache_stats(cc, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.walks, 1);
	assert_int_equal(cgroup_path_by_id(cc, id_root, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	snprintf(want, sizeof(want), "/tattle-ut-%d/c", (int)getpid());
	assert_int_equal(cgroup_path_by_id(cc, id_c, 4, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	cgroup_cache_stats(cc, &st);
	assert_int_equal(st.evictions, 1);	/* b, least recently used */
	assert_int_equal(cgroup_path_by_id(cc, id_b, 5, out, 4), -E2BIG);
	/* a removed cgroup is not found */
	snprintf(p, sizeof(p), "%s/c", fx->top);
	assert_int_equal(rmdir(p), 0);
	cgroup_cache_free(cc);
	assert_non_null(cc = cgroup_cache_new(fx->mnt, 2));
	assert_int_equal(cgroup_path_by_id(cc, id_c, 6, out, sizeof(out)), -ENOENT);
	/* and remembered: ids are not reused, so no second walk */
	assert_int_equal(cgroup_path_by_id(cc, id_c, 7, out, sizeof(out)), -ENOENT);
	cgroup_cache_stats(cc, &st);
	assert_int_equal(st.walks, 1);
	cgroup_cache_free(cc);
	rm_cgroups(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_name_units_and_containers),
		cmocka_unit_test(test_very_deep_path_is_bounded),
		cmocka_unit_test(test_proc_cgroup_bodies),
		cmocka_unit_test(test_overlong_path_is_e2big),
		cmocka_unit_test(test_proc_info_gets_the_fields),
		cmocka_unit_test(test_set_path_names_unit_and_container),
		cmocka_unit_test(test_cache_get_put_never_walks),
		cmocka_unit_test(test_mountinfo_finds_cgroup2_on_hybrid_and_pure),
		cmocka_unit_test(test_reads_own_process),
		cmocka_unit_test_setup_teardown(test_cache_finds_path_by_id_and_evicts,
						setup_mount, teardown_mount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
