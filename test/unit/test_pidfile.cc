// test_pidfile.cc - unit tests of the pid file (src/pidfile.c): a second
// holder is refused with the running pid, a stale file is taken over, the
// file goes away on release.  Suite: Pidfile.
#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "dpvs_err.h"
#include "pidfile.h"

namespace {

class Pidfile : public ::testing::Test {
 protected:
	void SetUp() override {
		char tmpl[] = "/tmp/dpvsd-pidtest-XXXXXX";
		ASSERT_NE(nullptr, mkdtemp(tmpl));
		dir_ = tmpl;
		path_ = dir_ + "/sub/dpvsd.pid";	// parent created on demand
	}
	void TearDown() override {
		unlink(path_.c_str());
		rmdir((dir_ + "/sub").c_str());
		rmdir(dir_.c_str());
	}
	std::string read_file() {
		char buf[64] = {};
		int fd = open(path_.c_str(), O_RDONLY);
		if (fd < 0)
			return "";
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		return n > 0 ? std::string(buf, (size_t)n) : "";
	}
	std::string dir_, path_;
};

TEST_F(Pidfile, AcquireWritesOurPidAndReleaseRemoves) {
	pidfile pf;
	pid_t holder = -1;
	char err[256] = "";
	ASSERT_EQ(0, pidfile_acquire(&pf, path_.c_str(), &holder, err, sizeof(err))) << err;
	EXPECT_EQ(0, holder);
	EXPECT_EQ(0, pf.stale_pid);
	EXPECT_EQ(std::to_string(getpid()) + "\n", read_file());
	pidfile_release(&pf);
	EXPECT_NE(0, access(path_.c_str(), F_OK));
	pidfile_release(&pf);	// second release is a no-op
}

TEST_F(Pidfile, SecondHolderIsRefusedWithThePid) {
	pidfile a, b;
	pid_t holder = 0;
	char err[256] = "";
	ASSERT_EQ(0, pidfile_acquire(&a, path_.c_str(), &holder, err, sizeof(err))) << err;
	EXPECT_EQ(EDPVS_BUSY, pidfile_acquire(&b, path_.c_str(), &holder, err, sizeof(err)));
	EXPECT_EQ(getpid(), holder);
	EXPECT_NE(nullptr, strstr(err, ("pid " + std::to_string(getpid())).c_str())) << err;
	EXPECT_NE(nullptr, strstr(err, "another dpvsd is running")) << err;
	EXPECT_EQ(-1, b.fd);
	pidfile_release(&b);	// not held: must not remove a's file
	EXPECT_EQ(0, access(path_.c_str(), F_OK));
	pidfile_release(&a);
}

TEST_F(Pidfile, StaleFileIsTakenOver) {
	mkdir((dir_ + "/sub").c_str(), 0755);
	int fd = open(path_.c_str(), O_WRONLY | O_CREAT, 0644);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(8, write(fd, "4000000\n", 8));
	close(fd);
	pidfile pf;
	pid_t holder = 0;
	char err[256] = "";
	ASSERT_EQ(0, pidfile_acquire(&pf, path_.c_str(), &holder, err, sizeof(err))) << err;
	EXPECT_EQ(4000000, pf.stale_pid);
	EXPECT_EQ(std::to_string(getpid()) + "\n", read_file());
	pidfile_release(&pf);
}

TEST_F(Pidfile, BadPathIsAnError) {
	pidfile pf;
	pid_t holder;
	char err[256] = "";
	EXPECT_EQ(EDPVS_INVAL, pidfile_acquire(&pf, "", &holder, err, sizeof(err)));
	EXPECT_EQ(EDPVS_SYSCALL, pidfile_acquire(&pf, "/proc/self/no/such/x.pid", &holder, err,
						 sizeof(err)));
	EXPECT_NE('\0', err[0]);
}

}  // namespace
