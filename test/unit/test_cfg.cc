// test_cfg.cc - unit tests of the configuration file (src/cfg.c,
// src/cfg_core.c): a table of bad configs, each with the error it must
// produce (line, key, message); good configs and their values; the typed
// getters; the reload check; the EAL argv; a registered module section.
// Suites: CfgBad, CfgGood, CfgGetters, CfgReload, CfgEal, CfgSection.
#include <gtest/gtest.h>
#include <rte_log.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "cfg.h"
#include "dpvs_err.h"
#include "job.h"

namespace {

// A config file in a private temp dir, removed by the destructor.
class TmpConf {
 public:
	explicit TmpConf(const std::string &text) {
		char tmpl[] = "/tmp/dpvsd-cfgtest-XXXXXX";
		int fd = mkstemp(tmpl);
		EXPECT_GE(fd, 0);
		path_ = tmpl;
		EXPECT_EQ((ssize_t)text.size(), write(fd, text.data(), text.size()));
		close(fd);
	}
	~TmpConf() { unlink(path_.c_str()); }
	const char *path() const { return path_.c_str(); }

 private:
	std::string path_;
};

struct Loaded {
	int rc;
	cfg_tree *tree;
	cfg_errors errs;
	Loaded() : rc(0), tree(nullptr) {}
	~Loaded() { cfg_free(tree); }
};

void load(const std::string &text, Loaded *out) {
	TmpConf f(text);
	out->rc = cfg_load(f.path(), &out->tree, &out->errs);
}

std::string formatted(const cfg_error &e) {
	char buf[1024];
	cfg_error_format(&e, buf, sizeof(buf));
	return buf;
}

struct BadCase {
	const char *name;
	const char *text;
	int line;		// expected line of the first error
	const char *key;	// expected key of the first error
	const char *msg;	// substring of its message
};

const BadCase kBad[] = {
	{ "syntax", "global = {\n  log_level = ;\n};\n", 2, "", "syntax error" },
	{ "unknown_section", "global = {};\nbogus = 1;\n", 2, "bogus", "unknown section" },
	{ "unknown_global_key", "global = {\n  log_lvl = \"info\";\n};\n", 2, "global.log_lvl",
	  "unknown key" },
	{ "global_not_group", "global = 5;\n", 1, "global", "expected a group" },
	{ "bad_log_level", "global = { log_level = \"loud\"; };\n", 1, "global.log_level",
	  "\"loud\" is not one of" },
	{ "log_level_type", "global = { log_level = 7; };\n", 1, "global.log_level",
	  "expected a string" },
	{ "relative_pid", "global = {\n pid_file = \"run/x.pid\";\n};\n", 2, "global.pid_file",
	  "absolute path" },
	{ "long_socket",
	  "global = { ctl_socket = \"/tmp/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaa\"; };\n", 1, "global.ctl_socket", "too long" },
	{ "idle_mode", "global = { idle = {\n mode = \"spin\";\n }; };\n", 2, "global.idle.mode",
	  "is not one of" },
	{ "idle_unknown", "global = { idle = {\n\n nap = 1;\n }; };\n", 3, "global.idle.nap",
	  "unknown key" },
	{ "sleep_min_zero", "global = { idle = { sleep_min_us = 0; }; };\n", 1,
	  "global.idle.sleep_min_us", "out of range" },
	{ "sleep_max_below_min",
	  "global = { idle = {\n sleep_min_us = 500;\n sleep_max_us = 100;\n }; };\n", 3,
	  "global.idle.sleep_max_us", "below sleep_min_us" },
	{ "idle_master_mode", "global = { idle_master = {\n mode = \"spin\";\n }; };\n", 2,
	  "global.idle_master.mode", "is not one of" },
	{ "idle_master_unknown", "global = { idle_master = {\n nap = 1;\n }; };\n", 2,
	  "global.idle_master.nap", "unknown key" },
	{ "idle_master_below_inherited_min",
	  "global = { idle = { sleep_min_us = 500; };\n idle_master = {\n sleep_max_us = 100;\n }; };\n",
	  3, "global.idle_master.sleep_max_us", "below sleep_min_us" },
	{ "pause_loops_type", "global = { idle = { pause_loops = \"many\"; }; };\n", 1,
	  "global.idle.pause_loops", "expected an integer" },
	{ "pause_loops_float", "global = { idle = { pause_loops = 1.5; }; };\n", 1,
	  "global.idle.pause_loops", "expected an integer" },
	{ "eal_unknown", "eal = {\n vdevs = [];\n};\n", 2, "eal.vdevs", "unknown key" },
	{ "prefix_chars", "eal = { file_prefix = \"a/b\"; };\n", 1, "eal.file_prefix",
	  "only letters" },
	{ "prefix_empty", "eal = { file_prefix = \"\"; };\n", 1, "eal.file_prefix",
	  "must not be empty" },
	{ "memory_negative", "eal = { memory_mb = -1; };\n", 1, "eal.memory_mb", "out of range" },
	{ "hugepages", "eal = { hugepages = \"maybe\"; };\n", 1, "eal.hugepages",
	  "is not one of" },
	{ "secondary_type", "eal = { secondary_processes = 1; };\n", 1,
	  "eal.secondary_processes", "expected true or false" },
	{ "secondary_no_huge", "eal = {\n secondary_processes = true;\n hugepages = \"no\";\n};\n", 3,
	  "eal.hugepages", "cannot be combined with secondary_processes" },
	{ "secondary_in_memory",
	  "eal = { secondary_processes = true;\n extra_args = [ \"--in-memory\" ]; };\n", 2,
	  "eal.extra_args", "--in-memory cannot be combined" },
	{ "secondary_huge_unlink",
	  "eal = { secondary_processes = true;\n extra_args = [ \"--huge-unlink=always\" ]; };\n", 2,
	  "eal.extra_args", "--huge-unlink=always cannot be combined" },
	{ "extra_not_list", "eal = { extra_args = \"--foo\"; };\n", 1, "eal.extra_args",
	  "expected a list" },
	{ "extra_elem_type", "eal = { extra_args = ( \"--a\", 5 ); };\n", 1, "eal.extra_args.[1]",
	  "expected a string" },
	{ "extra_elem_empty", "eal = { extra_args = [ \"\" ]; };\n", 1, "eal.extra_args.[0]",
	  "characters" },
	{ "lcores_group", "lcores = { id = 0; };\n", 1, "lcores", "expected a list" },
	{ "lcores_empty", "lcores = ();\n", 1, "lcores", "no lcore has role \"master\"" },
	{ "no_master", "lcores = ( { id = 0; role = \"fwd_worker\"; } );\n", 1, "lcores",
	  "no lcore has role \"master\"" },
	{ "two_masters",
	  "lcores = (\n { id = 0; role = \"master\"; },\n { id = 1; role = \"master\"; }\n);\n", 3,
	  "lcores.[1].role", "second master" },
	{ "duplicate_id",
	  "lcores = (\n { id = 0; role = \"master\"; },\n { id = 0; role = \"idle\"; }\n);\n", 3,
	  "lcores.[1].id", "listed twice" },
	{ "id_range", "lcores = ( { id = 128; role = \"master\"; } );\n", 1, "lcores.[0].id",
	  "out of range" },
	{ "missing_role", "lcores = (\n { id = 0; }\n);\n", 2, "lcores.[0].role",
	  "required key missing" },
	{ "missing_id", "lcores = (\n { role = \"master\"; }\n);\n", 2, "lcores.[0].id",
	  "required key missing" },
	{ "bad_role", "lcores = ( { id = 0; role = \"boss\"; } );\n", 1, "lcores.[0].role",
	  "is not one of" },
	{ "lcore_unknown_key", "lcores = ( { id = 0; role = \"master\"; core = 1; } );\n", 1,
	  "lcores.[0].core", "unknown key" },
	{ "lcore_not_group", "lcores = ( 0, 1 );\n", 1, "lcores.[0]", "expected {" },
	{ "cpu_range", "lcores = ( { id = 0; role = \"master\"; cpu = -2; } );\n", 1,
	  "lcores.[0].cpu", "out of range" },
};

class CfgBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(CfgBad, RejectedWithFileLineKey) {
	const BadCase &c = GetParam();
	Loaded l;
	load(c.text, &l);
	ASSERT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_EQ(nullptr, l.tree);
	ASSERT_GE(l.errs.count, 1u);
	const cfg_error &e = l.errs.err[0];
	EXPECT_EQ(c.line, e.line) << formatted(e);
	EXPECT_STREQ(c.key, e.key) << formatted(e);
	EXPECT_NE(std::string::npos, std::string(e.msg).find(c.msg)) << formatted(e);
	EXPECT_NE(std::string::npos, std::string(e.file).find("/tmp/dpvsd-cfgtest-")) << e.file;
}

INSTANTIATE_TEST_SUITE_P(Table, CfgBad, ::testing::ValuesIn(kBad),
			 [](const ::testing::TestParamInfo<BadCase> &i) {
				 return std::string(i.param.name);
			 });

TEST(CfgBadMore, MissingFileSaysWhy) {
	cfg_tree *t = nullptr;
	cfg_errors errs;
	ASSERT_EQ(EDPVS_CONFIG, cfg_load("/nonexistent/dpvsd.conf", &t, &errs));
	ASSERT_EQ(1u, errs.count);
	EXPECT_EQ("/nonexistent/dpvsd.conf: cannot open: No such file or directory",
		  formatted(errs.err[0]));
}

TEST(CfgBadMore, EveryErrorIsCollected) {
	Loaded l;
	load("global = {\n log_level = \"x\";\n pid_file = \"rel\";\n};\n"
	     "eal = {\n memory_mb = -5;\n};\nnope = 1;\n", &l);
	ASSERT_EQ(EDPVS_CONFIG, l.rc);
	ASSERT_EQ(4u, l.errs.count);
	std::vector<std::string> keys;
	for (unsigned i = 0; i < l.errs.count; i++)
		keys.push_back(l.errs.err[i].key);
	EXPECT_NE(keys.end(), std::find(keys.begin(), keys.end(), "global.log_level"));
	EXPECT_NE(keys.end(), std::find(keys.begin(), keys.end(), "global.pid_file"));
	EXPECT_NE(keys.end(), std::find(keys.begin(), keys.end(), "eal.memory_mb"));
	EXPECT_NE(keys.end(), std::find(keys.begin(), keys.end(), "nope"));
}

TEST(CfgBadMore, ErrorCountKeepsCountingPastTheTable) {
	std::string text = "global = {\n";
	for (int i = 0; i < CFG_MAX_ERRORS + 5; i++)
		text += " k" + std::to_string(i) + " = 1;\n";
	text += "};\n";
	Loaded l;
	load(text, &l);
	ASSERT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_EQ((unsigned)CFG_MAX_ERRORS + 5, l.errs.count);
	EXPECT_STREQ("global.k0", l.errs.err[0].key);
}

TEST(CfgBadMore, FormatIsFileLineKeyMsg) {
	Loaded l;
	TmpConf f("global = {\n\n  bad = 1;\n};\n");
	ASSERT_EQ(EDPVS_CONFIG, cfg_load(f.path(), &l.tree, &l.errs));
	std::string s = formatted(l.errs.err[0]);
	EXPECT_EQ(0u, s.find(std::string(f.path()) + ":3: global.bad: unknown key")) << s;
}

TEST(CfgGood, EmptyFileGivesDefaults) {
	Loaded l;
	load("", &l);
	ASSERT_EQ(0, l.rc) << (l.errs.count ? formatted(l.errs.err[0]) : "");
	const cfg_tree *t = l.tree;
	EXPECT_STREQ("info", t->global.log_level);
	EXPECT_STREQ(CFG_DEFAULT_PID_FILE, t->global.pid_file);
	EXPECT_STREQ("/run/dpvsd/dpvsd.sock", t->global.ctl_socket);
	EXPECT_EQ((unsigned)JOB_IDLE_SLEEP, t->global.idle_mode);
	EXPECT_LE(t->global.idle_sleep_min_us, t->global.idle_sleep_max_us);
	EXPECT_STREQ("dpvsd", t->eal.file_prefix);
	EXPECT_EQ(0u, t->eal.memory_mb);
	EXPECT_EQ(CFG_HUGE_AUTO, t->eal.hugepages);
	EXPECT_EQ(0u, t->eal.n_extra);
	ASSERT_EQ(2u, t->n_lcores);
	EXPECT_EQ(0u, t->lcores[0].id);
	EXPECT_EQ((unsigned)JOB_ROLE_MASTER, t->lcores[0].role);
	EXPECT_EQ(1u, t->lcores[1].id);
	EXPECT_EQ((unsigned)JOB_ROLE_FWD_WORKER, t->lcores[1].role);
}

// global.idle_master: the master/kni policy, each key not given inherited
// from global.idle; absent, the master has exactly global.idle.
TEST(CfgGood, IdleMasterInheritsFromIdle) {
	Loaded l;
	load("global = { idle = { mode = \"busy_poll\"; pause_loops = 7; sleep_min_us = 30;"
	     " sleep_max_us = 300; };\n idle_master = { mode = \"sleep\"; sleep_max_us = 2000; }; };\n",
	     &l);
	ASSERT_EQ(0, l.rc) << (l.errs.count ? formatted(l.errs.err[0]) : "");
	const cfg_global *g = &l.tree->global;
	EXPECT_EQ((unsigned)JOB_IDLE_BUSY_POLL, g->idle_mode);
	EXPECT_EQ((unsigned)JOB_IDLE_SLEEP, g->idle_master_mode);
	EXPECT_EQ(7u, g->idle_master_pause_loops);
	EXPECT_EQ(30u, g->idle_master_sleep_min_us);
	EXPECT_EQ(2000u, g->idle_master_sleep_max_us);
	EXPECT_EQ(300u, g->idle_sleep_max_us);

	Loaded d;
	load("global = { idle = { mode = \"busy_poll\"; pause_loops = 9; }; };\n", &d);
	ASSERT_EQ(0, d.rc);
	EXPECT_EQ((unsigned)JOB_IDLE_BUSY_POLL, d.tree->global.idle_master_mode);
	EXPECT_EQ(9u, d.tree->global.idle_master_pause_loops);
}

TEST(CfgGood, EveryCoreKeyIsRead) {
	Loaded l;
	load("global = {\n log_level = \"debug\";\n pid_file = \"/tmp/x.pid\";\n"
	     " ctl_socket = \"/tmp/x.sock\";\n"
	     " idle = { mode = \"busy_poll\"; pause_loops = 0; sleep_min_us = 5;"
	     " sleep_max_us = 5; };\n};\n"
	     "eal = { file_prefix = \"t-1.x\"; memory_mb = 512; hugepages = \"no\";"
	     " extra_args = [ \"--log-level=lib.eal:debug\", \"--vdev=net_null0\" ]; };\n"
	     "lcores = (\n { id = 3; role = \"master\"; cpu = 0; },\n"
	     " { id = 1; role = \"fwd_worker\"; },\n { id = 2; role = \"kni_worker\"; cpu = 1; },\n"
	     " { id = 7; role = \"idle\"; }\n);\n", &l);
	ASSERT_EQ(0, l.rc) << (l.errs.count ? formatted(l.errs.err[0]) : "");
	const cfg_tree *t = l.tree;
	EXPECT_STREQ("debug", t->global.log_level);
	EXPECT_STREQ("/tmp/x.pid", t->global.pid_file);
	EXPECT_STREQ("/tmp/x.sock", t->global.ctl_socket);
	EXPECT_EQ((unsigned)JOB_IDLE_BUSY_POLL, t->global.idle_mode);
	EXPECT_EQ(0u, t->global.idle_pause_loops);
	EXPECT_EQ(5u, t->global.idle_sleep_min_us);
	EXPECT_EQ(5u, t->global.idle_sleep_max_us);
	EXPECT_STREQ("t-1.x", t->eal.file_prefix);
	EXPECT_EQ(512u, t->eal.memory_mb);
	EXPECT_EQ(CFG_HUGE_NO, t->eal.hugepages);
	ASSERT_EQ(2u, t->eal.n_extra);
	EXPECT_STREQ("--vdev=net_null0", t->eal.extra[1]);
	ASSERT_EQ(4u, t->n_lcores);
	EXPECT_EQ(3u, t->lcores[0].id);
	EXPECT_EQ(0u, t->lcores[0].cpu);
	EXPECT_EQ((unsigned)JOB_ROLE_KNI_WORKER, t->lcores[2].role);
	EXPECT_EQ(1u, t->lcores[2].cpu);
	EXPECT_EQ(7u, t->lcores[3].cpu);	// cpu defaults to the id
	EXPECT_EQ((unsigned)JOB_ROLE_IDLE, t->lcores[3].role);
}

TEST(CfgGood, SampleFileLoads) {
	const char *path = "conf/dpvsd.conf.sample";
	if (access(path, R_OK) != 0)
		GTEST_SKIP() << "run from the source tree to check " << path;
	cfg_tree *t = nullptr;
	cfg_errors errs;
	int rc = cfg_load(path, &t, &errs);
	for (unsigned i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++)
		ADD_FAILURE() << formatted(errs.err[i]);
	ASSERT_EQ(0, rc);
	EXPECT_EQ(1u, t->n_lcores > 0 ? (unsigned)(t->lcores[0].role == JOB_ROLE_MASTER) : 0u);
	cfg_free(t);
}

TEST(CfgGood, IncludeIsRelativeToTheFile) {
	char dir[] = "/tmp/dpvsd-cfgdir-XXXXXX";
	ASSERT_NE(nullptr, mkdtemp(dir));
	std::string inc = std::string(dir) + "/part.conf";
	std::string main = std::string(dir) + "/main.conf";
	FILE *f = fopen(inc.c_str(), "w");
	fputs("eal = { memory_mb = 99; };\n", f);
	fclose(f);
	f = fopen(main.c_str(), "w");
	fputs("@include \"part.conf\"\n", f);
	fclose(f);
	cfg_tree *t = nullptr;
	cfg_errors errs;
	EXPECT_EQ(0, cfg_load(main.c_str(), &t, &errs));
	if (t) {
		EXPECT_EQ(99u, t->eal.memory_mb);
	}
	cfg_free(t);
	unlink(inc.c_str());
	unlink(main.c_str());
	rmdir(dir);
}

TEST(CfgGood, LogLevelNames) {
	EXPECT_EQ((int)RTE_LOG_EMERG, cfg_log_level_parse("emerg"));
	EXPECT_EQ((int)RTE_LOG_DEBUG, cfg_log_level_parse("debug"));
	EXPECT_EQ((int)RTE_LOG_WARNING, cfg_log_level_parse("warning"));
	EXPECT_EQ(EDPVS_INVAL, cfg_log_level_parse("warn"));
	EXPECT_EQ(EDPVS_INVAL, cfg_log_level_parse(nullptr));
	EXPECT_STREQ("notice", cfg_log_level_name(RTE_LOG_NOTICE));
	EXPECT_STREQ("unknown", cfg_log_level_name(0));
	EXPECT_STREQ("unknown", cfg_log_level_name(9));
}

// ---- typed getters ----

class CfgGetters : public ::testing::Test {
 protected:
	void SetUp() override {
		config_init(&cf_);
		ASSERT_EQ(CONFIG_TRUE, config_read_string(&cf_,
			"g = { i = 42; big = 5000000000L; neg = -3; f = 1.5; s = \"hello\";"
			" b = true; e = \"two\"; l = [1]; };"));
		g_ = config_lookup(&cf_, "g");
		errs_ = cfg_errors();
	}
	void TearDown() override { config_destroy(&cf_); }
	config_t cf_;
	const config_setting_t *g_ = nullptr;
	cfg_errors errs_;
};

TEST_F(CfgGetters, Int) {
	long long v = 0;
	EXPECT_EQ(0, cfg_get_int(g_, "i", 0, 100, 7, &v, &errs_));
	EXPECT_EQ(42, v);
	EXPECT_EQ(0, cfg_get_int(g_, "absent", 0, 100, 7, &v, &errs_));
	EXPECT_EQ(7, v);
	EXPECT_EQ(0, cfg_get_int(nullptr, "i", 0, 100, 8, &v, &errs_));
	EXPECT_EQ(8, v);
	EXPECT_EQ(0, cfg_get_int(g_, "big", 0, 10000000000LL, 0, &v, &errs_));
	EXPECT_EQ(5000000000LL, v);
	EXPECT_EQ(0u, errs_.count);
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_int(g_, "i", 0, 41, 7, &v, &errs_));
	EXPECT_EQ(7, v);	// the default on error
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_int(g_, "neg", 0, 10, 0, &v, &errs_));
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_int(g_, "f", 0, 10, 0, &v, &errs_));
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_int(g_, "s", 0, 10, 0, &v, &errs_));
	ASSERT_EQ(4u, errs_.count);
	EXPECT_STREQ("g.i", errs_.err[0].key);
	EXPECT_STREQ("42 is out of range [0, 41]", errs_.err[0].msg);
	EXPECT_STREQ("g.f", errs_.err[2].key);
	EXPECT_EQ(1, errs_.err[0].line);
}

TEST_F(CfgGetters, BoolStringEnum) {
	bool b = false;
	EXPECT_EQ(0, cfg_get_bool(g_, "b", false, &b, &errs_));
	EXPECT_TRUE(b);
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_bool(g_, "i", false, &b, &errs_));
	EXPECT_FALSE(b);
	char s[8];
	EXPECT_EQ(0, cfg_get_string(g_, "s", "def", s, sizeof(s), &errs_));
	EXPECT_STREQ("hello", s);
	EXPECT_EQ(0, cfg_get_string(g_, "none", "def", s, sizeof(s), &errs_));
	EXPECT_STREQ("def", s);
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_string(g_, "s", "d", s, 5, &errs_));	// 5 chars + NUL
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_string(g_, "i", "d", s, sizeof(s), &errs_));
	static const char *const names[] = { "one", "two", "three" };
	unsigned int e = 9;
	EXPECT_EQ(0, cfg_get_enum(g_, "e", names, 3, 0, &e, &errs_));
	EXPECT_EQ(1u, e);
	EXPECT_EQ(0, cfg_get_enum(g_, "zz", names, 3, 2, &e, &errs_));
	EXPECT_EQ(2u, e);
	EXPECT_EQ(EDPVS_CONFIG, cfg_get_enum(g_, "s", names, 3, 0, &e, &errs_));
	EXPECT_EQ(0u, e);
	ASSERT_EQ(4u, errs_.count);
	EXPECT_STREQ("expected true or false", errs_.err[0].msg);
	EXPECT_NE(nullptr, strstr(errs_.err[1].msg, "too long"));
	EXPECT_STREQ("\"hello\" is not one of \"one\", \"two\", \"three\"", errs_.err[3].msg);
}

TEST_F(CfgGetters, CheckKeys) {
	static const char *const all[] = { "i", "big", "neg", "f", "s", "b", "e", "l", nullptr };
	static const char *const some[] = { "i", "s", nullptr };
	EXPECT_EQ(0, cfg_check_keys(g_, all, &errs_));
	EXPECT_EQ(0, cfg_check_keys(nullptr, some, &errs_));
	EXPECT_EQ(0u, errs_.count);
	EXPECT_EQ(6, cfg_check_keys(g_, some, &errs_));
	EXPECT_EQ(6u, errs_.count);
	EXPECT_STREQ("g.big", errs_.err[0].key);
	EXPECT_NE(nullptr, strstr(errs_.err[0].msg, "unknown key"));
	const config_setting_t *l = config_setting_get_member(g_, "l");
	EXPECT_EQ(1, cfg_check_keys(l, some, &errs_));
	EXPECT_STREQ("expected a group { ... }", errs_.err[6].msg);
}

TEST(CfgGettersMore, CheckKeysWithALongAllowedList) {
	config_t cf;
	config_init(&cf);
	ASSERT_EQ(CONFIG_TRUE, config_read_string(&cf, "g = { k39 = 1; k0 = 2; zz = 3; };"));
	std::vector<std::string> names;
	for (int i = 0; i < 40; i++)
		names.push_back("k" + std::to_string(i));
	std::vector<const char *> allowed;
	for (auto &n : names)
		allowed.push_back(n.c_str());
	allowed.push_back(nullptr);
	cfg_errors errs = cfg_errors();
	EXPECT_EQ(1, cfg_check_keys(config_lookup(&cf, "g"), allowed.data(), &errs));
	ASSERT_EQ(1u, errs.count);
	EXPECT_STREQ("g.zz", errs.err[0].key);
	config_destroy(&cf);
}

TEST_F(CfgGetters, ErrorAddKeyIsRelativeToTheSetting) {
	cfg_error_add(&errs_, g_, "mtu", "required key missing");
	cfg_error_add(&errs_, nullptr, "netif", "cannot apply: %s", "boom");
	cfg_error_add(&errs_, config_setting_get_member(g_, "l"), nullptr, "x");
	ASSERT_EQ(3u, errs_.count);
	EXPECT_STREQ("g.mtu", errs_.err[0].key);
	EXPECT_STREQ("netif", errs_.err[1].key);
	EXPECT_EQ(0, errs_.err[1].line);
	EXPECT_STREQ("cannot apply: boom", errs_.err[1].msg);
	EXPECT_STREQ("g.l", errs_.err[2].key);
	cfg_error e = cfg_error();
	strcpy(e.file, "f.conf");
	strcpy(e.msg, "m");
	EXPECT_EQ("f.conf: m", formatted(e));
	e.line = 4;
	strcpy(e.key, "a.b");
	EXPECT_EQ("f.conf:4: a.b: m", formatted(e));
}

// ---- reload check ----

TEST(CfgReload, OnlyRunTimeKeysMayChange) {
	Loaded a, b, c;
	load("global = { log_level = \"info\"; idle = { sleep_max_us = 100; }; };\n", &a);
	load("global = { log_level = \"debug\"; idle = { sleep_max_us = 200; }; };\n", &b);
	load("global = { pid_file = \"/tmp/other.pid\"; };\neal = { memory_mb = 128; };\n"
	     "lcores = ( { id = 0; role = \"master\"; } );\n", &c);
	ASSERT_TRUE(a.tree && b.tree && c.tree);
	cfg_errors errs = cfg_errors();
	EXPECT_EQ(0, cfg_reload_check(a.tree, b.tree, &errs));
	EXPECT_EQ(0, cfg_reload_check(a.tree, a.tree, &errs));
	EXPECT_EQ(0u, errs.count);
	EXPECT_EQ(EDPVS_CONFIG, cfg_reload_check(a.tree, c.tree, &errs));
	ASSERT_EQ(3u, errs.count);
	EXPECT_STREQ("global.pid_file", errs.err[0].key);
	EXPECT_STREQ("eal.memory_mb", errs.err[1].key);
	EXPECT_STREQ("lcores", errs.err[2].key);
	EXPECT_NE(nullptr, strstr(errs.err[2].msg, "restart"));
	EXPECT_STREQ(c.tree->file, errs.err[2].file);
}

TEST(CfgReload, SecondaryProcessesNeedARestart) {
	Loaded a, b;
	load("eal = { hugepages = \"yes\"; };\n", &a);
	load("eal = { hugepages = \"yes\"; secondary_processes = true; };\n", &b);
	ASSERT_TRUE(a.tree && b.tree);
	cfg_errors errs = cfg_errors();
	EXPECT_EQ(EDPVS_CONFIG, cfg_reload_check(a.tree, b.tree, &errs));
	ASSERT_EQ(1u, errs.count);
	EXPECT_STREQ("eal.secondary_processes", errs.err[0].key);
}

// ---- EAL argv ----

std::vector<std::string> eal_args(const cfg_tree *t, std::vector<const char *> user = {}) {
	cfg_eal_args a;
	int n = cfg_build_eal_args(t, (int)user.size(), const_cast<char **>(user.data()), &a);
	std::vector<std::string> v;
	EXPECT_GT(n, 0);
	for (int i = 0; i < n; i++)
		v.push_back(a.argv[i]);
	EXPECT_EQ(nullptr, a.argv[n]);
	cfg_eal_args_free(&a);
	return v;
}

size_t index_of(const std::vector<std::string> &v, const std::string &s) {
	for (size_t i = 0; i < v.size(); i++)
		if (v[i] == s)
			return i;
	return std::string::npos;
}

TEST(CfgEal, NoHugeSizedAndOrdered) {
	Loaded l;
	load("eal = { file_prefix = \"ut\"; hugepages = \"no\"; extra_args = [ \"--x1\" ]; };\n"
	     "lcores = ( { id = 1; role = \"fwd_worker\"; }, { id = 0; role = \"master\"; cpu = 1; } );\n",
	     &l);
	ASSERT_EQ(0, l.rc);
	auto v = eal_args(l.tree, { "--u1", "--u2" });
	EXPECT_EQ("dpvsd", v[0]);
	EXPECT_NE(std::string::npos, index_of(v, "--no-pci"));
	EXPECT_NE(std::string::npos, index_of(v, "--file-prefix=ut"));
	EXPECT_NE(std::string::npos, index_of(v, "--lcores=1@1,0@1"));
	EXPECT_NE(std::string::npos, index_of(v, "--main-lcore=0"));
	size_t m = index_of(v, "--no-huge");
	ASSERT_NE(std::string::npos, m);
	EXPECT_EQ(std::string::npos, index_of(v, "--in-memory"));
	size_t mm = index_of(v, "-m");
	ASSERT_NE(std::string::npos, mm);
	EXPECT_GE(atoi(v[mm + 1].c_str()), CFG_EAL_BASE_MB);
	// extra_args then the user's, last and in order
	ASSERT_GE(v.size(), 3u);
	EXPECT_EQ("--x1", v[v.size() - 3]);
	EXPECT_EQ("--u1", v[v.size() - 2]);
	EXPECT_EQ("--u2", v[v.size() - 1]);
}

TEST(CfgEal, ExplicitMemoryAndHugepages) {
	Loaded l;
	load("eal = { memory_mb = 300; hugepages = \"yes\"; };\n", &l);
	ASSERT_EQ(0, l.rc);
	auto v = eal_args(l.tree);
	size_t mm = index_of(v, "-m");
	ASSERT_NE(std::string::npos, mm);
	EXPECT_EQ("300", v[mm + 1]);
	EXPECT_NE(std::string::npos, index_of(v, "--in-memory"));
	EXPECT_EQ(std::string::npos, index_of(v, "--no-huge"));
	EXPECT_NE(std::string::npos, index_of(v, "--lcores=0@0,1@1"));
}

// eal.secondary_processes: hugepage files on a hugetlbfs and the shared
// runtime files under the prefix, so neither --in-memory nor --no-huge;
// the same without it picks one of them.
TEST(CfgEal, SecondaryProcessesShareMemory) {
	Loaded l, off;
	load("eal = { file_prefix = \"ut\"; memory_mb = 200; secondary_processes = true; };\n", &l);
	ASSERT_EQ(0, l.rc);
	EXPECT_TRUE(l.tree->eal.secondary_processes);
	auto v = eal_args(l.tree);
	EXPECT_EQ(std::string::npos, index_of(v, "--in-memory"));
	EXPECT_EQ(std::string::npos, index_of(v, "--no-huge"));
	EXPECT_NE(std::string::npos, index_of(v, "--file-prefix=ut"));
	size_t mm = index_of(v, "-m");
	ASSERT_NE(std::string::npos, mm);
	EXPECT_EQ("200", v[mm + 1]);
	// an argument after -- that takes the sharing away is found
	cfg_eal_args a;
	std::vector<const char *> user = { "--log-level=8", "--in-memory" };
	ASSERT_GT(cfg_build_eal_args(l.tree, (int)user.size(), const_cast<char **>(user.data()), &a), 0);
	ASSERT_NE(nullptr, cfg_eal_unshared_arg(&a));
	EXPECT_STREQ("--in-memory", cfg_eal_unshared_arg(&a));
	cfg_eal_args_free(&a);
	user = { "--huge-unlink=always" };
	ASSERT_GT(cfg_build_eal_args(l.tree, 1, const_cast<char **>(user.data()), &a), 0);
	EXPECT_STREQ("--huge-unlink=always", cfg_eal_unshared_arg(&a));
	cfg_eal_args_free(&a);
	ASSERT_GT(cfg_build_eal_args(l.tree, 0, nullptr, &a), 0);
	EXPECT_EQ(nullptr, cfg_eal_unshared_arg(&a));
	cfg_eal_args_free(&a);
	load("eal = { file_prefix = \"ut\"; memory_mb = 200; hugepages = \"yes\"; };\n", &off);
	ASSERT_EQ(0, off.rc);
	EXPECT_FALSE(off.tree->eal.secondary_processes);
	EXPECT_NE(std::string::npos, index_of(eal_args(off.tree), "--in-memory"));
}

TEST(CfgEal, AutoPicksOneMode) {
	Loaded l;
	load("", &l);
	ASSERT_EQ(0, l.rc);
	auto v = eal_args(l.tree);
	bool nohuge = index_of(v, "--no-huge") != std::string::npos;
	bool inmem = index_of(v, "--in-memory") != std::string::npos;
	EXPECT_NE(nohuge, inmem);
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r");
	int n = 0;
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	if (n == 0) {
		EXPECT_TRUE(nohuge) << "no hugepages reserved: must run --no-huge";
	}
}

TEST(CfgEal, TooManyArgumentsIsAnError) {
	Loaded l;
	load("", &l);
	ASSERT_EQ(0, l.rc);
	std::vector<const char *> user(CFG_MAX_EAL_ARGS, "--x");
	cfg_eal_args a;
	EXPECT_EQ(EDPVS_NOROOM, cfg_build_eal_args(l.tree, (int)user.size(),
						   const_cast<char **>(user.data()), &a));
	EXPECT_EQ(0u, a.argc);	// freed on error
}

// ---- a registered module section ----

struct TestSec {
	long long size;
	bool freed_marker;
};
int g_sec_parsed, g_sec_applied, g_sec_freed, g_sec_fail_apply;
void *g_sec_last;

void *sec_parse(const config_setting_t *s, cfg_errors *errs) {
	static const char *const keys[] = { "size", nullptr };
	TestSec *t = new TestSec();
	g_sec_parsed++;
	g_sec_last = t;
	cfg_check_keys(s, keys, errs);
	cfg_get_int(s, "size", 1, 1000, 10, &t->size, errs);
	return t;
}
int sec_apply(void *staged, bool, cfg_errors *errs) {
	if (g_sec_fail_apply) {
		cfg_error_add(errs, nullptr, "cfgtest_sec", "refused");
		return EDPVS_CONFIG;
	}
	g_sec_applied++;
	delete static_cast<TestSec *>(staged);	// owned now: this test keeps nothing
	return 0;
}
void sec_free(void *staged) {
	g_sec_freed++;
	delete static_cast<TestSec *>(staged);
}
int sec_eal(const void *staged, cfg_eal_args *a) {
	a->mem_mb += (size_t)static_cast<const TestSec *>(staged)->size;
	return cfg_eal_args_push(a, "--vdev=net_null_cfgtest");
}

const cfg_section_ops kSecOps = {
	"cfgtest_sec", 999, sec_parse, sec_apply, sec_free, sec_eal, nullptr, nullptr, nullptr,
};

void register_once() {
	static bool done;
	if (!done)
		cfg_section_register(&kSecOps);
	done = true;
}

TEST(CfgSection, ParsedValidatedAppliedFreed) {
	register_once();
	g_sec_parsed = g_sec_applied = g_sec_freed = g_sec_fail_apply = 0;
	{
		Loaded l;
		load("cfgtest_sec = { size = 2000; colour = 1; };\n", &l);
		EXPECT_EQ(EDPVS_CONFIG, l.rc);
		ASSERT_EQ(2u, l.errs.count);
		EXPECT_STREQ("cfgtest_sec.colour", l.errs.err[0].key);
		EXPECT_STREQ("cfgtest_sec.size", l.errs.err[1].key);
		EXPECT_EQ(1, g_sec_freed);	// the invalid tree freed its staged object
	}
	{
		Loaded l;
		load("", &l);	// absent section: parse(NULL) gives defaults
		ASSERT_EQ(0, l.rc);
		EXPECT_EQ(2, g_sec_parsed);
		auto v = eal_args(l.tree);
		EXPECT_NE(std::string::npos, index_of(v, "--vdev=net_null_cfgtest"));
	}
	EXPECT_EQ(2, g_sec_freed);	// never applied: freed with the tree
	for (int fail = 1; fail >= 0; fail--) {
		Loaded l;
		load("cfgtest_sec = { size = 500; };\n", &l);
		ASSERT_EQ(0, l.rc);
		// Apply a tree that holds only our staged object: the other
		// registered sections must not be applied in a unit test.
		cfg_tree *only = static_cast<cfg_tree *>(calloc(1, sizeof(cfg_tree)));
		for (unsigned i = 0; i < CFG_MAX_SECTIONS; i++) {
			if (l.tree->staged[i] == g_sec_last) {
				only->staged[i] = g_sec_last;
				l.tree->staged[i] = nullptr;
			}
		}
		g_sec_fail_apply = fail;
		int freed = g_sec_freed, applied = g_sec_applied;
		cfg_errors errs = cfg_errors();
		int rc = cfg_apply(only, false, &errs);
		if (fail) {
			EXPECT_EQ(EDPVS_CONFIG, rc);
			ASSERT_EQ(1u, errs.count);
			EXPECT_STREQ("refused", errs.err[0].msg);
		} else {
			EXPECT_EQ(0, rc);
			EXPECT_EQ(applied + 1, g_sec_applied);
		}
		cfg_free(only);	// frees the staged object only if not applied
		EXPECT_EQ(freed + fail, g_sec_freed);
	}
	g_sec_fail_apply = 0;
}

// ---- all-or-nothing reload: two sections with a running value each ----

struct RbVal {
	long long v;
};
struct RbSec {
	long long running = 0;		// the "module's" applied value
	std::vector<long long> applied;	// every value apply() took, in order
	long long fail_on = -1;		// apply() of this value fails
	long long refuse = -1;		// reload_check() refuses this value
};
RbSec g_rb[2];

void *rb_parse(const config_setting_t *s, cfg_errors *errs) {
	static const char *const keys[] = { "v", nullptr };
	RbVal *r = new RbVal();
	cfg_check_keys(s, keys, errs);
	cfg_get_int(s, "v", 0, 1000, 0, &r->v, errs);
	return r;
}
template <int I> int rb_apply(void *staged, bool, cfg_errors *errs) {
	RbVal *r = static_cast<RbVal *>(staged);
	if (r->v == g_rb[I].fail_on) {
		cfg_error_add(errs, nullptr, I ? "cfgrb_b" : "cfgrb_a", "apply of %lld fails", r->v);
		return EDPVS_IO;
	}
	g_rb[I].running = r->v;
	g_rb[I].applied.push_back(r->v);
	delete r;
	return 0;
}
void rb_free(void *staged) { delete static_cast<RbVal *>(staged); }
template <int I> int rb_reload_check(const void *staged, cfg_errors *errs) {
	if (static_cast<const RbVal *>(staged)->v != g_rb[I].refuse)
		return 0;
	cfg_error_add(errs, nullptr, I ? "cfgrb_b.v" : "cfgrb_a.v", "needs a restart");
	return EDPVS_CONFIG;
}
template <int I> void *rb_snapshot() { return new RbVal{ g_rb[I].running }; }

const cfg_section_ops kRbA = { "cfgrb_a", 990, rb_parse, rb_apply<0>, rb_free, nullptr,
			       nullptr, rb_reload_check<0>, rb_snapshot<0> };
const cfg_section_ops kRbB = { "cfgrb_b", 991, rb_parse, rb_apply<1>, rb_free, nullptr,
			       nullptr, rb_reload_check<1>, rb_snapshot<1> };

void rb_register_once() {
	static bool done;
	if (!done) {
		cfg_section_register(&kRbA);
		cfg_section_register(&kRbB);
	}
	done = true;
	g_rb[0] = RbSec();
	g_rb[1] = RbSec();
}

// A tree that holds only the cfgrb sections' staged objects of l (the real
// sections must not be applied in a unit test).
cfg_tree *rb_only(Loaded *l) {
	cfg_tree *only = static_cast<cfg_tree *>(calloc(1, sizeof(cfg_tree)));
	for (unsigned i = 0; i < CFG_MAX_SECTIONS; i++) {
		if (l->tree->staged[i] == cfg_tree_section(l->tree, "cfgrb_a") ||
		    l->tree->staged[i] == cfg_tree_section(l->tree, "cfgrb_b")) {
			only->staged[i] = l->tree->staged[i];
			l->tree->staged[i] = nullptr;
		}
	}
	return only;
}

// The last section fails to apply: the first gets its previous value back.
TEST(CfgReloadAllOrNothing, ApplyFailureRollsBackEarlierSections) {
	rb_register_once();
	Loaded start, next;
	load("cfgrb_a = { v = 1; };\ncfgrb_b = { v = 1; };\n", &start);
	load("cfgrb_a = { v = 2; };\ncfgrb_b = { v = 2; };\n", &next);
	ASSERT_TRUE(start.tree && next.tree);
	cfg_tree *t0 = rb_only(&start), *t1 = rb_only(&next);
	cfg_errors errs = cfg_errors();
	ASSERT_EQ(0, cfg_apply(t0, false, &errs));
	g_rb[1].fail_on = 2;
	EXPECT_EQ(EDPVS_IO, cfg_apply(t1, true, &errs));
	EXPECT_EQ(1, g_rb[0].running);	// 2 was applied, then 1 again
	EXPECT_EQ((std::vector<long long>{ 1, 2, 1 }), g_rb[0].applied);
	EXPECT_EQ(1, g_rb[1].running);
	EXPECT_EQ((std::vector<long long>{ 1 }), g_rb[1].applied);
	ASSERT_GE(errs.count, 1u);
	EXPECT_STREQ("apply of 2 fails", errs.err[0].msg);
	cfg_free(t1);	// frees the unapplied staged object of cfgrb_b
	cfg_free(t0);
	// A rollback that fails too is reported, not hidden.
	Loaded again;
	load("cfgrb_a = { v = 3; };\ncfgrb_b = { v = 3; };\n", &again);
	cfg_tree *t2 = rb_only(&again);
	g_rb[1].fail_on = 3;
	g_rb[0].fail_on = 1;	// its snapshot (1) cannot be applied back
	errs = cfg_errors();
	EXPECT_EQ(EDPVS_IO, cfg_apply(t2, true, &errs));
	EXPECT_EQ(3, g_rb[0].running);
	ASSERT_EQ(3u, errs.count);
	EXPECT_STREQ("cfgrb_a", errs.err[2].key);
	EXPECT_NE(nullptr, strstr(errs.err[2].msg, "rollback failed"));
	cfg_free(t2);
}

// What a section cannot take without a restart is found before anything
// is applied, for every section at once.
TEST(CfgReloadAllOrNothing, ReloadCheckAsksEverySection) {
	rb_register_once();
	Loaded running, next;
	load("cfgrb_a = { v = 1; };\ncfgrb_b = { v = 1; };\n", &running);
	load("cfgrb_a = { v = 7; };\ncfgrb_b = { v = 8; };\n", &next);
	ASSERT_TRUE(running.tree && next.tree);
	g_rb[0].refuse = 7;
	g_rb[1].refuse = 8;
	cfg_errors errs = cfg_errors();
	EXPECT_EQ(EDPVS_CONFIG, cfg_reload_check(running.tree, next.tree, &errs));
	ASSERT_EQ(2u, errs.count);
	EXPECT_STREQ("cfgrb_a.v", errs.err[0].key);
	EXPECT_STREQ("cfgrb_b.v", errs.err[1].key);
	EXPECT_TRUE(g_rb[0].applied.empty());
	g_rb[0].refuse = g_rb[1].refuse = -1;
	errs = cfg_errors();
	EXPECT_EQ(0, cfg_reload_check(running.tree, next.tree, &errs));
}

// Cross-section references are validated by cfg_load() itself (so by -t,
// start-up and reload alike): the FNAT port range against the fwd_workers.
TEST(CfgCheck, FnatPortsCoverEveryFwdWorker) {
	const char *lcores = "lcores = ( { id = 0; role = \"master\"; },\n"
			     "  { id = 1; role = \"fwd_worker\"; }, { id = 2; role = \"fwd_worker\"; },\n"
			     "  { id = 3; role = \"fwd_worker\"; } );\n";
	Loaded ok, bad;
	load(std::string(lcores) + "ipvs = { fnat_lport_min = 5000; fnat_lport_max = 5002; };\n",
	     &ok);
	EXPECT_EQ(0, ok.rc);
	load(std::string(lcores) + "ipvs = {\n fnat_lport_min = 5000;\n fnat_lport_max = 5001; };\n",
	     &bad);
	EXPECT_EQ(EDPVS_CONFIG, bad.rc);
	ASSERT_EQ(1u, bad.errs.count);
	EXPECT_EQ(5, bad.errs.err[0].line);
	EXPECT_STREQ("ipvs.fnat_lport_min", bad.errs.err[0].key);
	EXPECT_STREQ("5000..5001 holds fewer ports than the 3 fwd_worker lcores",
		     bad.errs.err[0].msg);
}

TEST(CfgSection, DuplicateAndCoreNamesAreRefused) {
	register_once();
	static const cfg_section_ops dup = { "cfgtest_sec", 1, sec_parse, sec_apply, sec_free,
					     nullptr, nullptr, nullptr, nullptr };
	static const cfg_section_ops core = { "eal", 1, sec_parse, sec_apply, sec_free, nullptr,
					      nullptr, nullptr, nullptr };
	g_sec_parsed = 0;
	cfg_section_register(&dup);
	cfg_section_register(&core);
	Loaded l;
	load("", &l);
	ASSERT_EQ(0, l.rc);
	EXPECT_EQ(1, g_sec_parsed);	// still one section by that name
}

}  // namespace

// --no-pci keeps the EAL off the machine's own PCI devices, but a PCI port
// (netif passes -a ADDR) or an -a/--allow in the arguments needs the bus.
TEST(CfgEal, NoPciOnlyWithoutPciDevices) {
	Loaded l;
	load("eal = { file_prefix = \"ut\"; hugepages = \"no\"; };\n", &l);
	ASSERT_EQ(0, l.rc);
	auto v = eal_args(l.tree, {});
	EXPECT_EQ(1u, index_of(v, "--no-pci"));
	v = eal_args(l.tree, { "-a", "0000:00:04.0" });
	EXPECT_EQ(std::string::npos, index_of(v, "--no-pci"));
	v = eal_args(l.tree, { "--allow=0000:00:04.0" });
	EXPECT_EQ(std::string::npos, index_of(v, "--no-pci"));

	Loaded p;
	load("eal = { file_prefix = \"ut\"; hugepages = \"no\"; };\n"
	     "netif = { ports = ( { pci = \"0000:00:04.0\"; } ); };\n", &p);
	ASSERT_EQ(0, p.rc);
	v = eal_args(p.tree, {});
	EXPECT_EQ(std::string::npos, index_of(v, "--no-pci"));
	EXPECT_NE(std::string::npos, index_of(v, "-a0000:00:04.0"));
}
