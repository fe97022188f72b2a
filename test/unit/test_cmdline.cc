// test_cmdline.cc - unit tests of dpvsd's command line (src/cmdline.c).
// Suite: Cmdline.
#include <gtest/gtest.h>
#include <rte_log.h>

#include <string>
#include <vector>

#include "cmdline.h"
#include "dpvs_err.h"

namespace {

struct Parsed {
	int rc;
	cmdline_opts o;
	std::string err;
	std::vector<std::string> store;
	std::vector<char *> argv;
};

// Parse "dpvsd" + args; argv storage lives in p (eal_argv points into it).
void parse(std::vector<std::string> args, Parsed *p) {
	char err[256];
	p->store = args;
	p->store.insert(p->store.begin(), "dpvsd");
	for (auto &s : p->store)
		p->argv.push_back(&s[0]);
	p->argv.push_back(nullptr);
	p->rc = cmdline_parse((int)p->store.size(), p->argv.data(), &p->o, err, sizeof(err));
	p->err = err;
}

TEST(Cmdline, Defaults) {
	Parsed p;
	parse({}, &p);
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_STREQ("/etc/dpvsd.conf", p.o.config);
	EXPECT_STREQ("", p.o.pid_file);
	EXPECT_STREQ("", p.o.ctl_socket);
	EXPECT_EQ(0, p.o.log_level);
	EXPECT_FALSE(p.o.test_config);
	EXPECT_FALSE(p.o.version);
	EXPECT_FALSE(p.o.help);
	EXPECT_EQ(0, p.o.eal_argc);
}

TEST(Cmdline, ShortOptions) {
	Parsed p;
	parse({ "-c", "/tmp/a.conf", "-p", "/tmp/a.pid", "-s", "/tmp/a.sock", "-l", "debug", "-t" },
	      &p);
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_STREQ("/tmp/a.conf", p.o.config);
	EXPECT_STREQ("/tmp/a.pid", p.o.pid_file);
	EXPECT_STREQ("/tmp/a.sock", p.o.ctl_socket);
	EXPECT_EQ((int)RTE_LOG_DEBUG, p.o.log_level);
	EXPECT_TRUE(p.o.test_config);
}

TEST(Cmdline, LongOptions) {
	Parsed p;
	parse({ "--config=/x.conf", "--pid-file", "/x.pid", "--socket=/x.sock", "--log-level=err",
		"--test-config", "--version", "--help" }, &p);
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_STREQ("/x.conf", p.o.config);
	EXPECT_STREQ("/x.pid", p.o.pid_file);
	EXPECT_STREQ("/x.sock", p.o.ctl_socket);
	EXPECT_EQ((int)RTE_LOG_ERR, p.o.log_level);
	EXPECT_TRUE(p.o.test_config);
	EXPECT_TRUE(p.o.version);
	EXPECT_TRUE(p.o.help);
}

TEST(Cmdline, EverythingAfterDashDashGoesToTheEal) {
	Parsed p;
	parse({ "-c", "/c", "--", "-l", "0-1", "--vdev=net_null0", "--", "-t" }, &p);
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(0, p.o.log_level);	// "-l" after "--" is not ours
	EXPECT_FALSE(p.o.test_config);
	ASSERT_EQ(5, p.o.eal_argc);
	EXPECT_STREQ("-l", p.o.eal_argv[0]);
	EXPECT_STREQ("0-1", p.o.eal_argv[1]);
	EXPECT_STREQ("--vdev=net_null0", p.o.eal_argv[2]);
	EXPECT_STREQ("--", p.o.eal_argv[3]);
	EXPECT_STREQ("-t", p.o.eal_argv[4]);
}

TEST(Cmdline, DashDashAlone) {
	Parsed p;
	parse({ "--" }, &p);
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(0, p.o.eal_argc);
}

struct BadLine {
	std::vector<std::string> args;
	const char *err;	// substring of the message
};

TEST(Cmdline, BadCommandLines) {
	const std::string long_sock = "/" + std::string(120, 's');
	const std::vector<BadLine> cases = {
		{ { "--bogus" }, "--bogus" },
		{ { "-x" }, "-x" },
		{ { "-c" }, "-c" },
		{ { "-c", "" }, "--config needs a non-empty value" },
		{ { "-l", "loud" }, "unknown level \"loud\"" },
		{ { "stray" }, "unexpected argument \"stray\"" },
		{ { "-t", "stray", "--", "x" }, "unexpected argument \"stray\"" },
		{ { "-s", long_sock }, "path too long" },
		{ { "-p", "/" + std::string(300, 'p') }, "path too long" },
	};
	for (const auto &c : cases) {
		Parsed p;
		parse(c.args, &p);
		EXPECT_EQ(EDPVS_INVAL, p.rc) << c.args[0];
		EXPECT_NE(std::string::npos, p.err.find(c.err)) << "got: " << p.err;
	}
}

TEST(Cmdline, UsageMentionsEveryOption) {
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ASSERT_NE(nullptr, f);
	cmdline_usage(f);
	fclose(f);
	std::string u(buf, len);
	free(buf);
	for (const char *opt : { "--config", "--pid-file", "--socket", "--log-level",
				 "--test-config", "--version", "--help", "\"--\"" })
		EXPECT_NE(std::string::npos, u.find(opt)) << opt;
}

}  // namespace
