/* test_rules_lists.c - CIDR sets, hash sets, list files, the RE2 -> ERE
 * translation and the inotify watcher.  Run from the repository root. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <sys/stat.h>

#include "lists.h"
#include "match.h"
#include "re2.h"
#include "rules.h"
#include "watch.h"
#include "test_rules_util.h"

static bool in_set(const struct netset *ns, const char *addr)
{
	uint8_t a[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, addr, a) != 1)
		abort();
	return netset_contains(ns, fam, a);
}

static const struct { const char *cidr; const char *addr; bool want; } cidr_cases[] = {
	{ "10.0.0.0/8", "10.255.255.255", true },
	{ "10.0.0.0/8", "11.0.0.0", false },
	{ "10.0.0.0/8", "9.255.255.255", false },
	{ "192.168.1.77/24", "192.168.1.1", true },	/* host bits masked */
	{ "192.168.1.0/24", "192.168.2.1", false },
	{ "0.0.0.0/0", "255.255.255.255", true },
	{ "0.0.0.0/0", "::1", false },			/* families apart */
	{ "1.2.3.4", "1.2.3.4", true },
	{ "1.2.3.4", "1.2.3.5", false },
	{ "1.2.3.4/32", "1.2.3.4", true },
	{ "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "2001:db8::/32", "2001:db9::", false },
	{ "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "::/0", "1.1.1.1", false },
	{ "fe80::/10", "febf::1", true },
	{ "fe80::/10", "fec0::1", false },
	{ "::1", "::1", true },
	{ "2001:db8::1/128", "2001:db8::2", false },
};

static void test_cidr_membership_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		struct netset *ns = netset_new();

		assert_int_equal(netset_add_cidr(ns, cidr_cases[i].cidr), 0);
		netset_seal(ns);
		if (in_set(ns, cidr_cases[i].addr) != cidr_cases[i].want)
			fail_msg("%s in %s", cidr_cases[i].addr, cidr_cases[i].cidr);
		netset_free(ns);
	}
}

static void test_bad_cidr_text_is_einval(void **state)
{
	static const char *const bad[] = {
		"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1",
		"10.0.0/8", "10.0.0.0/8x", "/8", "LAN", "10.0.0.0/0008",
		"1.2.3.4 ", "fe80::1%eth0",
	};
	struct netset *ns = netset_new();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netset_add_cidr(ns, bad[i]) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(netset_add_alias(ns, "WAN"), -ENOENT);
	netset_free(ns);
}

static void test_overlapping_ranges_merge_and_still_match(void **state)
{
	struct netset *ns = netset_new();

	(void)state;
	assert_int_equal(netset_add_cidr(ns, "10.0.0.0/8"), 0);
	assert_int_equal(netset_add_cidr(ns, "10.1.0.0/16"), 0);
	assert_int_equal(netset_add_cidr(ns, "11.0.0.0/8"), 0);	/* adjacent */
	assert_int_equal(netset_add_cidr(ns, "255.255.255.255"), 0);
	assert_int_equal(netset_add_cidr(ns, "255.255.255.0/24"), 0);
	assert_int_equal(netset_add_cidr(ns, "1.0.0.0/8"), 0);
	netset_seal(ns);
	assert_true(in_set(ns, "11.200.0.1"));
	assert_true(in_set(ns, "10.1.2.3"));
	assert_true(in_set(ns, "1.0.0.0"));
	assert_true(in_set(ns, "255.255.255.255"));
	assert_false(in_set(ns, "12.0.0.0"));
	assert_false(in_set(ns, "0.255.255.255"));
	netset_free(ns);
}

static void test_strset_finds_exactly_what_was_added(void **state)
{
	struct strset *s = strset_new();
	char key[32];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "host%d.example", i);
		assert_int_equal(strset_add(s, key, strlen(key)), 1);
	}
	assert_int_equal(strset_add(s, "host7.example", 13), 0);
	assert_true(strset_contains(s, "host4999.example", 16));
	assert_true(strset_contains(s, "host0.example", 13));
	assert_false(strset_contains(s, "host5000.example", 16));
	assert_false(strset_contains(s, "host0.exampl", 12));	/* prefix */
	assert_false(strset_contains(s, "", 0));
	strset_free(s);
}

static struct rule_list *parse_list(enum list_kind kind, const char *text)
{
	struct rule_list *l = rule_list_new(kind);

	assert_non_null(l);
	assert_int_equal(rule_list_parse(l, text, strlen(text)), 0);
	return l;
}

static void test_hosts_format_domains_list(void **state)
{
	struct rule_list *l = parse_list(LIST_DOMAINS,
		"# comment\n127.0.0.1 localhost\n0.0.0.0 ads.example.com\n"
		"0.0.0.0\tA.Example.NET  b.example.net # two names\n"
		"::1 ip6-localhost\nbare.example.io\n\n   \n"
		"0.0.0.0 trailing.example.\r\n");

	(void)state;
	assert_int_equal(l->entries, 5);
	assert_true(rule_list_match_host(l, "ads.example.com"));
	assert_true(rule_list_match_host(l, "ADS.EXAMPLE.COM."));
	assert_true(rule_list_match_host(l, "a.example.net"));
	assert_true(rule_list_match_host(l, "b.example.net"));
	assert_true(rule_list_match_host(l, "bare.example.io"));
	assert_true(rule_list_match_host(l, "trailing.example"));
	assert_false(rule_list_match_host(l, "localhost"));
	assert_false(rule_list_match_host(l, "x.ads.example.com"));
	assert_false(rule_list_match_host(l, "example.com"));
	assert_false(rule_list_match_host(l, ""));
	rule_list_free(l);
}

static void test_ips_list_matches_both_families_exactly(void **state)
{
	struct rule_list *l = parse_list(LIST_IPS,
		"203.0.113.7\n2001:db8::dead # comment\nnonsense\n10.0.0.0/8\n");
	uint8_t a[16];

	(void)state;
	assert_int_equal(l->entries, 2);
	assert_int_equal(l->skipped, 2);
	inet_pton(AF_INET, "203.0.113.7", a);
	assert_true(rule_list_match_addr(l, AF_INET, a));
	inet_pton(AF_INET, "203.0.113.8", a);
	assert_false(rule_list_match_addr(l, AF_INET, a));
	inet_pton(AF_INET6, "2001:db8::dead", a);
	assert_true(rule_list_match_addr(l, AF_INET6, a));
	inet_pton(AF_INET6, "::ffff:203.0.113.7", a);
	assert_false(rule_list_match_addr(l, AF_INET6, a));
	rule_list_free(l);
}

static void test_nets_list_matches_prefixes(void **state)
{
	struct rule_list *l = parse_list(LIST_NETS,
		"198.51.100.0/24\n2001:db8:bad::/48\n192.0.2.1\nbogus/8\n");
	uint8_t a[16];

	(void)state;
	netset_seal(l->nets);
	assert_int_equal(l->entries, 3);
	assert_int_equal(l->skipped, 1);
	inet_pton(AF_INET, "198.51.100.255", a);
	assert_true(rule_list_match_addr(l, AF_INET, a));
	inet_pton(AF_INET, "192.0.2.2", a);
	assert_false(rule_list_match_addr(l, AF_INET, a));
	inet_pton(AF_INET6, "2001:db8:bad:1::1", a);
	assert_true(rule_list_match_addr(l, AF_INET6, a));
	rule_list_free(l);
}

static void test_domains_regexp_list_matches_any_line(void **state)
{
	struct rule_list *l = parse_list(LIST_DOMAINS_REGEXP,
		"# patterns\n^ad[0-9]+\\.example\\.com$\n\\.metrics\\.example\\.net$\n"
		"(?i)broken\n");

	(void)state;
	assert_int_equal(l->n_res, 2);
	assert_int_equal(l->skipped, 1);
	assert_true(rule_list_match_host(l, "ad7.example.com"));
	assert_true(rule_list_match_host(l, "AD7.EXAMPLE.COM"));
	assert_true(rule_list_match_host(l, "x.metrics.example.net"));
	assert_false(rule_list_match_host(l, "adx.example.com"));
	rule_list_free(l);
}

static void test_overlong_lines_are_skipped(void **state)
{
	char buf[LISTS_MAX_LINE + 64];
	struct rule_list *l;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf + LISTS_MAX_LINE + 10, "\nok.example\n", 13);
	l = rule_list_new(LIST_DOMAINS);
	assert_int_equal(rule_list_parse(l, buf, strlen(buf)), 0);
	assert_int_equal(l->skipped, 1);
	assert_int_equal(l->entries, 1);
	assert_true(rule_list_match_host(l, "ok.example"));
	rule_list_free(l);
}

static void test_list_directory_loads_every_file(void **state)
{
	char dir[] = "/tmp/test_rules_lists.XXXXXX", err[256];
	struct rule_list *l = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "a.txt", "0.0.0.0 one.example\n", 20);
	write_file(dir, "b.hosts", "0.0.0.0 two.example\n", 20);
	write_file(dir, ".hidden", "0.0.0.0 three.example\n", 22);
	assert_int_equal(rule_list_load(dir, LIST_DOMAINS, &l, err, sizeof(err)), 0);
	assert_true(rule_list_match_host(l, "one.example"));
	assert_true(rule_list_match_host(l, "two.example"));
	assert_false(rule_list_match_host(l, "three.example"));
	rule_list_free(l);
	assert_int_equal(rule_list_load("/nonexistent/x", LIST_IPS, &l, err,
					sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x"));
	rm_tree(dir);
}

/* A FIFO (open would block forever), a device and a symlink in a list
 * directory are skipped and named; the regular files still load. */
static void test_list_directory_skips_and_names_non_regular(void **state)
{
	char dir[] = "/tmp/test_rules_lists.XXXXXX", err[256] = "", path[300];
	struct rule_list *l = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "a.txt", "0.0.0.0 one.example\n", 20);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/zero", dir);
	assert_int_equal(symlink("/dev/zero", path), 0);
	alarm(5);
	assert_int_equal(rule_list_load(dir, LIST_DOMAINS, &l, err, sizeof(err)), 0);
	alarm(0);
	assert_true(rule_list_match_host(l, "one.example"));
	assert_int_equal(l->files_skipped, 2);
	assert_non_null(strstr(err, dir));
	assert_true(strstr(err, "/fifo") || strstr(err, "/zero"));
	rule_list_free(l);
	rm_tree(dir);
}

/* ---- RE2 -> ERE */

static const struct { const char *re2, *ere, *err; } re_cases[] = {
	{ "^abc$", "^abc$", NULL },
	{ "\\d+", "[0-9]+", NULL },
	{ "\\D", "[^0-9]", NULL },
	{ "\\w\\W", "[[:alnum:]_][^[:alnum:]_]", NULL },
	{ "\\s\\S", "[[:space:]][^[:space:]]", NULL },
	{ "\\Aab\\z", "^ab$", NULL },
	{ "a\\.b\\-c\\/d", "a\\.b-c/d", NULL },
	{ "\\(\\)\\[\\]\\{\\}\\*\\+\\?\\^\\$\\|\\\\", "\\(\\)\\[\\]\\{\\}\\*\\+\\?\\^\\$\\|\\\\", NULL },
	{ "[\\d.]", "[0-9.]", NULL },
	{ "[\\w-]", "[[:alnum:]_-]", NULL },
	{ "[a\\-z]", "[az-]", NULL },
	{ "[\\]a]", "[]a]", NULL },
	{ "[^\\]]", "[^]]", NULL },
	{ "[\\^a]", "[a^]", NULL },
	{ "[\\^]", "\\^", NULL },
	{ "[\\.]", "[.]", NULL },
	{ "[[:alpha:]]+", "[[:alpha:]]+", NULL },
	{ "[]a]", "[]a]", NULL },
	{ "a{2,3}", "a{2,3}", NULL },
	{ "\\t", "\t", NULL },
	{ "(?i)abc", NULL, "(?...)" },
	{ "(?:ab)+", NULL, "(?...)" },
	{ "(?P<n>x)", NULL, "(?...)" },
	{ "a*?", NULL, "lazy" },
	{ "a+?", NULL, "lazy" },
	{ "a??", NULL, "lazy" },
	{ "a{2}?", NULL, "lazy" },
	{ "\\bword\\b", NULL, "word boundary" },
	{ "\\pL", NULL, "Unicode" },
	{ "\\p{Greek}", NULL, "Unicode" },
	{ "(a)\\1", NULL, "back-reference" },
	{ "\\Qa.b\\E", NULL, "escape \\Q" },
	{ "\\x41", NULL, "escape \\x" },
	{ "[\\D]", NULL, "negated class" },
	{ "[abc", NULL, "missing ]" },
	{ "a{x", "a\\{x", NULL },
	{ "a{1001}", NULL, "repetition too large" },
	{ "(a{40}){40}", NULL, "repetition too large" },
	{ "((((((((((a+)+)+)+)+)+)+)+)+)+)+", NULL, "repetition too large" },
	{ "(a{30}){30}", "(a{30}){30}", NULL },
	{ "f++", NULL, "stacked repetition" },
	{ "a**", NULL, "stacked repetition" },
	{ "*a", NULL, "missing argument" },
	{ "(|+)", NULL, "missing argument" },
	{ "^*", NULL, "missing argument" },
	{ "abc\\", NULL, "trailing backslash" },
};

static void test_re2_translation_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(re_cases) / sizeof(re_cases[0]); i++) {
		char out[256], err[256] = "";
		int r = re2_translate(re_cases[i].re2, out, sizeof(out), err, sizeof(err));

		if (re_cases[i].ere && (r != 0 || strcmp(out, re_cases[i].ere)))
			fail_msg("\"%s\": r %d out \"%s\" want \"%s\"", re_cases[i].re2,
				 r, out, re_cases[i].ere);
		if (!re_cases[i].ere && (r != -EINVAL || !strstr(err, re_cases[i].err)))
			fail_msg("\"%s\": r %d err \"%s\" want \"%s\"", re_cases[i].re2,
				 r, err, re_cases[i].err);
	}
}

static const struct { const char *re2, *text; bool icase, want; } re_match_cases[] = {
	{ "^\\d{3}$", "443", false, true },
	{ "^\\d{3}$", "44a", false, false },
	{ "^[\\w.-]+$", "a_b.c-d", false, true },
	{ "^[\\w.-]+$", "a b", false, false },
	{ "[\\]]", "x]", false, true },
	{ "^[^\\]]+$", "ab]", false, false },
	{ "[\\^]", "a^b", false, true },
	{ "\\.com$", "EXAMPLE.COM", true, true },
	{ "\\.com$", "EXAMPLE.COM", false, false },
	{ "a\\sb", "a\tb", false, true },
};

static void test_translated_patterns_match_like_re2(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(re_match_cases) / sizeof(re_match_cases[0]); i++) {
		char err[128];
		regex_t re;

		assert_int_equal(re2_compile(&re, re_match_cases[i].re2,
					     re_match_cases[i].icase, err, sizeof(err)), 0);
		if ((regexec(&re, re_match_cases[i].text, 0, NULL, 0) == 0) !=
		    re_match_cases[i].want)
			fail_msg("/%s/ on \"%s\"", re_match_cases[i].re2,
				 re_match_cases[i].text);
		regfree(&re);
	}
}

static const struct { const char *re2, *lit; } lit_cases[] = {
	{ "^(.+\\.)?tracker101\\.com$", "tracker101.com" },
	{ "abc", "abc" },
	{ "abc?d", "ab" },
	{ "ab*cdef", "cdef" },
	{ "ab+cd", "ab" },
	{ "xy{0,3}zz", "zz" },
	{ "a|bcd", "" },
	{ "(a|b)cde", "cde" },
	{ "\\d+\\.example", ".example" },
	{ "[abc]def.gh", "def" },
	{ "^/usr/bin/", "/usr/bin/" },
	{ "a{2}bc", "bc" },
};

static void test_required_literal_is_a_substring_of_every_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lit_cases) / sizeof(lit_cases[0]); i++) {
		char out[256], lit[64], err[128];

		assert_int_equal(re2_translate_lit(lit_cases[i].re2, out, sizeof(out),
						   lit, sizeof(lit), err, sizeof(err)), 0);
		if (strcmp(lit, lit_cases[i].lit))
			fail_msg("/%s/: literal \"%s\" want \"%s\"", lit_cases[i].re2,
				 lit, lit_cases[i].lit);
	}
}

/* ---- watcher */

static void count_cb(void *data, const char *path)
{
	(void)path;
	(*(int *)data)++;
}

static void test_watch_reports_json_changes_and_ignores_dotfiles(void **state)
{
	char dir[] = "/tmp/test_rules_watch.XXXXXX";
	struct rules_watch *w;
	struct pollfd pfd;
	int seen = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(w = rules_watch_new(dir));
	assert_int_equal(rules_watch_drain(w, NULL, NULL), 0);
	write_file(dir, ".tmp.json", "{}", 2);
	write_file(dir, "notes.txt", "x", 1);
	assert_int_equal(rules_watch_drain(w, count_cb, &seen), 0);
	write_file(dir, "r.json", "{}", 2);
	pfd.fd = rules_watch_fd(w);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_true(rules_watch_drain(w, count_cb, &seen) > 0);
	assert_true(seen > 0);
	rules_watch_free(w);
	rm_tree(dir);
}

static void test_watch_follows_list_directories_of_the_ruleset(void **state)
{
	char rdir[] = "/tmp/test_rules_watch.XXXXXX", ldir[] = "/tmp/test_rules_wl.XXXXXX";
	char rule[512];
	struct ruleset *rs = NULL, *empty = ruleset_new();
	struct rules_watch *w;

	(void)state;
	assert_non_null(mkdtemp(rdir));
	assert_non_null(mkdtemp(ldir));
	snprintf(rule, sizeof(rule), "{\"name\":\"l\",\"action\":\"deny\",\"operator\":"
		 "{\"type\":\"lists\",\"operand\":\"lists.domains\",\"data\":\"%s\"}}", ldir);
	write_file(rdir, "l.json", rule, strlen(rule));
	assert_int_equal(ruleset_load_dir(rdir, &test_clk, &rs, NULL), 0);
	assert_int_equal(ruleset_count(rs), 1);
	assert_non_null(w = rules_watch_new(rdir));
	assert_int_equal(rules_watch_set_lists(w, rs), 0);
	write_file(ldir, "hosts", "0.0.0.0 a.example\n", 18);
	assert_true(rules_watch_drain(w, NULL, NULL) > 0);
	assert_int_equal(rules_watch_set_lists(w, empty), 0);	/* unwatched */
	write_file(ldir, "hosts2", "0.0.0.0 b.example\n", 18);
	assert_int_equal(rules_watch_drain(w, NULL, NULL), 0);
	rules_watch_free(w);
	ruleset_put(rs);
	ruleset_put(empty);
	rm_tree(rdir);
	rm_tree(ldir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_membership_table),
		cmocka_unit_test(test_bad_cidr_text_is_einval),
		cmocka_unit_test(test_overlapping_ranges_merge_and_still_match),
		cmocka_unit_test(test_strset_finds_exactly_what_was_added),
		cmocka_unit_test(test_hosts_format_domains_list),
		cmocka_unit_test(test_ips_list_matches_both_families_exactly),
		cmocka_unit_test(test_nets_list_matches_prefixes),
		cmocka_unit_test(test_domains_regexp_list_matches_any_line),
		cmocka_unit_test(test_overlong_lines_are_skipped),
		cmocka_unit_test(test_list_directory_loads_every_file),
		cmocka_unit_test(test_list_directory_skips_and_names_non_regular),
		cmocka_unit_test(test_re2_translation_table),
		cmocka_unit_test(test_translated_patterns_match_like_re2),
		cmocka_unit_test(test_required_literal_is_a_substring_of_every_match),
		cmocka_unit_test(test_watch_reports_json_changes_and_ignores_dotfiles),
		cmocka_unit_test(test_watch_follows_list_directories_of_the_ruleset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
