// cfg_text.h - one helper for the unit tests of config sections: write a
// config text to a temporary file, cfg_load() it, keep the tree (freed with
// the struct), the return code, the file's path and every error formatted
// as the daemon prints it ("file:line: key: message"), one per line.
#ifndef DPVSD_TEST_CFG_TEXT_H
#define DPVSD_TEST_CFG_TEXT_H

#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
extern "C" {
#include "cfg.h"
}

namespace cfgtext {

struct Loaded {
	int rc = 0;
	cfg_tree *tree = nullptr;
	cfg_errors errs{};
	std::string text;	// the formatted errors
	std::string path;	// the file it was loaded from (removed after the load)
	Loaded() = default;
	Loaded(const Loaded &) = delete;
	Loaded &operator=(const Loaded &) = delete;
	~Loaded() { cfg_free(tree); }
};

// Load body into l, which must be fresh (one Loaded per load).
inline void load(const std::string &body, Loaded *l)
{
	char path[] = "/tmp/ut_cfg_text_XXXXXX";
	int fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)body.size(), write(fd, body.data(), body.size()));
	close(fd);
	ASSERT_EQ(nullptr, l->tree) << "one Loaded per load";
	l->path = path;
	l->rc = cfg_load(path, &l->tree, &l->errs);
	for (unsigned i = 0; i < l->errs.count && i < CFG_MAX_ERRORS; i++) {
		char buf[512];
		cfg_error_format(&l->errs.err[i], buf, sizeof(buf));
		l->text += buf;
		l->text += "\n";
	}
	unlink(path);
}

}  // namespace cfgtext

#endif
