/*
 * test_ctl.cc - the control socket (src/ctl.c), the core requests
 * (src/core_ctl.c) and the client library (tools/common/ctl_client.c).
 *
 * The server runs in-process on a socket in a private temp directory and
 * is driven from the test thread with ctl_poll() (as the master's "ctl"
 * job would).  Raw clients are plain sockets the test writes bytes to;
 * tests of the (blocking) client library run the client in a std::thread
 * while the test thread keeps pumping the server.
 */
#include <gtest/gtest.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <rte_lcore.h>
#include <rte_log.h>

#include "core_wire.h"
#include "ctl.h"
#include "ctl_client.h"
#include "dpvs_err.h"
#include "job.h"
#include "test_eal.h"

namespace {

/* Test request types in the free part of the core range. */
enum {
	T_OP_ECHO = CTL_OP_CORE_BASE + 0xe0,	/* 0..1024 bytes, echoed */
	T_OP_BIG,				/* u32 size -> size pattern bytes */
	T_OP_SET,				/* state-changing (root only) */
	T_OP_FAIL,				/* fails with a custom message */
	T_OP_BADRC,				/* returns an invalid status */
	T_OP_MIN8,				/* needs 8..16 bytes */
	T_OP_UNUSED = CTL_OP_CORE_BASE + 0xef,	/* never registered */
};

int t_echo(uint16_t, const void *req, uint32_t len, struct ctl_reply *rep)
{
	return ctl_reply_append(rep, req, len);
}

uint8_t pattern_byte(size_t i) { return (uint8_t)(i * 7 + (i >> 9)); }

int t_big(uint16_t, const void *req, uint32_t, struct ctl_reply *rep)
{
	uint32_t size;

	memcpy(&size, req, sizeof(size));
	uint8_t *p = (uint8_t *)ctl_reply_reserve(rep, size);
	if (!p)
		return EDPVS_NOMEM;
	for (size_t i = 0; i < size; i++)
		p[i] = pattern_byte(i);
	return 0;
}

std::atomic<int> g_set_calls;
int t_set(uint16_t, const void *, uint32_t, struct ctl_reply *) { g_set_calls++; return 0; }

int t_fail(uint16_t, const void *, uint32_t, struct ctl_reply *rep)
{
	ctl_reply_append(rep, "junk", 4);	/* must be replaced by the message */
	ctl_reply_errmsg(rep, "custom failure %d", 42);
	return EDPVS_BUSY;
}

int t_badrc(uint16_t, const void *, uint32_t, struct ctl_reply *) { return 7; }

const struct ctl_op test_ops[] = {
	{ T_OP_ECHO, "test.echo", 0, 1024, t_echo, CTL_OP_F_GET },
	{ T_OP_BIG, "test.big", 4, 4, t_big, CTL_OP_F_GET },
	{ T_OP_SET, "test.set", 0, 0, t_set, 0 },
	{ T_OP_FAIL, "test.fail", 0, 0, t_fail, CTL_OP_F_GET },
	{ T_OP_BADRC, "test.badrc", 0, 0, t_badrc, CTL_OP_F_GET },
	{ T_OP_MIN8, "test.min8", 8, 16, t_echo, CTL_OP_F_GET },
};

int64_t now_ms()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct ctl_hdr make_hdr(uint16_t op, uint32_t len, uint32_t seq = 1)
{
	struct ctl_hdr h;

	memset(&h, 0, sizeof(h));
	h.magic = CTL_MAGIC;
	h.version = CTL_VERSION;
	h.opcode = op;
	h.seq = seq;
	h.len = len;
	return h;
}

class CtlTest : public ::testing::Test {
protected:
	char dir[64];
	std::string path;
	std::vector<int> fds;

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		snprintf(dir, sizeof(dir), "/tmp/ctltest.XXXXXX");
		ASSERT_NE(nullptr, mkdtemp(dir));
		path = std::string(dir) + "/run/sub/dpvsd.sock";	/* dirs created by ctl_init */
		ASSERT_EQ(0, ctl_set_path(path.c_str()));
		ctl_set_client_timeout_ms(300);
		ASSERT_EQ(0, ctl_init());
		ASSERT_EQ(0, ctl_register(test_ops, DPVS_ARRAY_SIZE(test_ops)));
	}

	void TearDown() override
	{
		for (int fd : fds)
			close(fd);
		ctl_unregister(test_ops, DPVS_ARRAY_SIZE(test_ops));
		ctl_term();
		ctl_set_client_timeout_ms(0);
		std::string cmd = std::string("rm -rf ") + dir;
		ASSERT_EQ(0, system(cmd.c_str()));
	}

	int connect_raw()
	{
		struct sockaddr_un sa;
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
		EXPECT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
		fds.push_back(fd);
		return fd;
	}

	void send_raw(int fd, const void *p, size_t len)
	{
		ASSERT_EQ((ssize_t)len, send(fd, p, len, MSG_NOSIGNAL));
	}

	void send_req(int fd, uint16_t op, const void *payload, uint32_t len, uint32_t seq = 1)
	{
		struct ctl_hdr h = make_hdr(op, len, seq);

		send_raw(fd, &h, sizeof(h));
		if (len)
			send_raw(fd, payload, len);
	}

	/* Pump the server until n bytes arrived on fd; false on timeout/EOF. */
	bool recv_pumped(int fd, void *buf, size_t n, int timeout_ms = 3000)
	{
		size_t got = 0;
		int64_t end = now_ms() + timeout_ms;

		while (got < n && now_ms() < end) {
			ctl_poll();
			ssize_t r = recv(fd, (uint8_t *)buf + got, n - got, MSG_DONTWAIT);
			if (r > 0)
				got += (size_t)r;
			else if (r == 0)
				return false;
			else
				usleep(100);
		}
		return got == n;
	}

	bool read_reply(int fd, struct ctl_hdr *h, std::vector<uint8_t> *payload)
	{
		if (!recv_pumped(fd, h, sizeof(*h)))
			return false;
		payload->assign(h->len, 0);
		return h->len == 0 || recv_pumped(fd, payload->data(), h->len, 10000);
	}

	/* Pump until the server closed fd (EOF/reset); false on timeout. */
	bool wait_closed(int fd, int timeout_ms = 3000)
	{
		int64_t end = now_ms() + timeout_ms;
		uint8_t b[256];

		while (now_ms() < end) {
			ctl_poll();
			ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
				return true;
			usleep(100);
		}
		return false;
	}

	/* Pump for ms and say whether fd received anything. */
	bool quiet_for(int fd, int ms)
	{
		int64_t end = now_ms() + ms;
		uint8_t b;

		while (now_ms() < end) {
			ctl_poll();
			if (recv(fd, &b, 1, MSG_DONTWAIT | MSG_PEEK) >= 0)
				return false;
			usleep(200);
		}
		return true;
	}

	/* Run fn (a blocking client) in a thread while pumping the server. */
	void with_client(const std::function<void()> &fn)
	{
		std::atomic<bool> done{false};
		std::thread t([&] { fn(); done = true; });

		while (!done)
			if (ctl_poll() == 0)
				usleep(100);
		t.join();
	}

	std::string errtext(const std::vector<uint8_t> &p)
	{
		if (p.empty() || p.back() != '\0')
			return "<not NUL-terminated>";
		return std::string((const char *)p.data());
	}
};

TEST_F(CtlTest, SocketFileModeAndDirectory)
{
	struct stat st;
	std::string sub = std::string(dir) + "/run/sub";

	ASSERT_EQ(0, lstat(path.c_str(), &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	ASSERT_EQ(0, stat(sub.c_str(), &st));
	EXPECT_EQ(0755u, st.st_mode & 07777);
	EXPECT_STREQ(path.c_str(), ctl_get_path());
	EXPECT_EQ(EDPVS_BUSY, ctl_set_path("/tmp/other.sock"));
	EXPECT_EQ(EDPVS_BUSY, ctl_init());
	ctl_term();
	EXPECT_NE(0, lstat(path.c_str(), &st)) << "socket file removed at term";
	ASSERT_EQ(0, ctl_init());
}

TEST_F(CtlTest, RoundTripEchoesSeqOpcodeAndPayload)
{
	int fd = connect_raw();
	struct ctl_hdr h;
	std::vector<uint8_t> p;

	send_req(fd, T_OP_ECHO, "hello", 5, 77);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(CTL_MAGIC, h.magic);
	EXPECT_EQ(CTL_VERSION, h.version);
	EXPECT_EQ(T_OP_ECHO, h.opcode);
	EXPECT_EQ(77u, h.seq);
	EXPECT_EQ(0, h.status);
	ASSERT_EQ(5u, h.len);
	EXPECT_EQ(0, memcmp(p.data(), "hello", 5));
	/* the connection stays usable: an empty echo */
	send_req(fd, T_OP_ECHO, nullptr, 0, 78);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(78u, h.seq);
	EXPECT_EQ(0u, h.len);
}

TEST_F(CtlTest, UnknownOpcodeGetsExactlyOneErrorReply)
{
	int fd = connect_raw();
	struct ctl_hdr h;
	std::vector<uint8_t> p;
	char junk[100];

	memset(junk, 'x', sizeof(junk));
	send_req(fd, T_OP_UNUSED, junk, sizeof(junk), 5);
	send_req(fd, T_OP_ECHO, "ok", 2, 6);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(5u, h.seq);
	EXPECT_EQ(T_OP_UNUSED, h.opcode);
	EXPECT_EQ(EDPVS_NOTSUPP, h.status);
	EXPECT_NE(std::string::npos, errtext(p).find("unknown request type"));
	/* the next reply is the echo's: the unknown request's body was skipped */
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(6u, h.seq);
	EXPECT_EQ(0, h.status);
	EXPECT_TRUE(quiet_for(fd, 100)) << "no third reply";
}

TEST_F(CtlTest, BadMagicIsAnsweredThenClosed)
{
	int fd = connect_raw();
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 0, 9), r;
	std::vector<uint8_t> p;

	h.magic = 0x12345678;
	send_raw(fd, &h, sizeof(h));
	ASSERT_TRUE(read_reply(fd, &r, &p));
	EXPECT_EQ(EDPVS_PROTO, r.status);
	EXPECT_EQ(9u, r.seq);
	EXPECT_NE(std::string::npos, errtext(p).find("bad magic"));
	EXPECT_TRUE(wait_closed(fd));
}

TEST_F(CtlTest, BadVersionIsAnsweredThenClosed)
{
	int fd = connect_raw();
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 0), r;
	std::vector<uint8_t> p;
	struct ctl_stats st;

	h.version = CTL_VERSION + 1;
	send_raw(fd, &h, sizeof(h));
	ASSERT_TRUE(read_reply(fd, &r, &p));
	EXPECT_EQ(EDPVS_PROTO, r.status);
	EXPECT_NE(std::string::npos, errtext(p).find("version"));
	EXPECT_TRUE(wait_closed(fd));
	ctl_stats_get(&st);
	EXPECT_EQ(1u, st.proto_errors);
}

TEST_F(CtlTest, LengthOverMaxRefusedWithoutReadingPayload)
{
	for (uint32_t len : { CTL_MAX_REQUEST + 1, 0xffffffffu }) {
		int fd = connect_raw();
		struct ctl_hdr h = make_hdr(T_OP_ECHO, len), r;
		std::vector<uint8_t> p;

		send_raw(fd, &h, sizeof(h));	/* no payload follows: answered at once */
		ASSERT_TRUE(read_reply(fd, &r, &p));
		EXPECT_EQ(EDPVS_PROTO, r.status);
		EXPECT_NE(std::string::npos, errtext(p).find("exceeds"));
		EXPECT_TRUE(wait_closed(fd));
	}
}

TEST_F(CtlTest, PayloadOutsideOpBoundsIsRefusedAndConnectionStaysUsable)
{
	int fd = connect_raw();
	struct ctl_hdr h;
	std::vector<uint8_t> p, big(1025, 'a');

	send_req(fd, T_OP_ECHO, big.data(), (uint32_t)big.size(), 1);	/* max 1024 */
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(EDPVS_INVAL, h.status);
	EXPECT_NE(std::string::npos, errtext(p).find("test.echo needs 0..1024"));
	send_req(fd, T_OP_MIN8, "abc", 3, 2);				/* min 8 */
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(2u, h.seq);
	EXPECT_EQ(EDPVS_INVAL, h.status);
	send_req(fd, T_OP_MIN8, "12345678", 8, 3);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(0, h.status);
	EXPECT_EQ(8u, h.len);
}

TEST_F(CtlTest, RequestStatusMustBeZero)
{
	int fd = connect_raw();
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 0), r;
	std::vector<uint8_t> p;

	h.status = -3;
	send_raw(fd, &h, sizeof(h));
	ASSERT_TRUE(read_reply(fd, &r, &p));
	EXPECT_EQ(EDPVS_PROTO, r.status);
}

TEST_F(CtlTest, PerOpCountersCountHandlerRuns)
{
	int fd = connect_raw();
	struct ctl_hdr h;
	std::vector<uint8_t> p;
	struct ctl_op_stats st;

	for (uint32_t i = 0; i < 3; i++) {
		send_req(fd, T_OP_ECHO, "e", 1, i);
		ASSERT_TRUE(read_reply(fd, &h, &p));
	}
	send_req(fd, T_OP_FAIL, nullptr, 0);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	std::vector<uint8_t> big(2000, 'b');
	send_req(fd, T_OP_ECHO, big.data(), 2000);	/* refused by bounds: not a run */
	ASSERT_TRUE(read_reply(fd, &h, &p));
	ASSERT_EQ(0, ctl_op_stats_get(T_OP_ECHO, &st));
	EXPECT_EQ(3u, st.calls);
	EXPECT_EQ(0u, st.failed);
	EXPECT_LE(st.max_us, st.total_us);
	ASSERT_EQ(0, ctl_op_stats_get(T_OP_FAIL, &st));
	EXPECT_EQ(1u, st.calls);
	EXPECT_EQ(1u, st.failed);
	EXPECT_EQ(EDPVS_NOTEXIST, ctl_op_stats_get(T_OP_UNUSED, &st));
}

TEST_F(CtlTest, HandlerErrorsCarryTheirMessage)
{
	int fd = connect_raw();
	struct ctl_hdr h;
	std::vector<uint8_t> p;

	send_req(fd, T_OP_FAIL, nullptr, 0);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(EDPVS_BUSY, h.status);
	EXPECT_EQ("custom failure 42", errtext(p));
	send_req(fd, T_OP_BADRC, nullptr, 0);
	ASSERT_TRUE(read_reply(fd, &h, &p));
	EXPECT_EQ(EDPVS_INVAL, h.status) << "a positive handler status is not sent as is";
}

TEST_F(CtlTest, TruncatedHeaderThenCloseIsCleanedUp)
{
	int fd = connect_raw();
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 0);
	struct ctl_stats st;

	send_raw(fd, &h, 10);
	for (int i = 0; i < 20; i++)
		ctl_poll();
	close(fd);
	fds.clear();
	for (int i = 0; i < 50; i++) {
		ctl_poll();
		usleep(100);
	}
	ctl_stats_get(&st);
	EXPECT_EQ(1u, st.io_errors);
	/* the server still serves */
	int fd2 = connect_raw();
	std::vector<uint8_t> p;
	send_req(fd2, T_OP_ECHO, "x", 1);
	ASSERT_TRUE(read_reply(fd2, &h, &p));
	EXPECT_EQ(0, h.status);
}

TEST_F(CtlTest, StalledClientDoesNotBlockOthersAndTimesOut)
{
	int stall_hdr = connect_raw(), stall_body = connect_raw();
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 100);
	char half[50];
	struct ctl_stats st;
	std::vector<uint8_t> p;

	ctl_set_client_timeout_ms(1500);	/* long enough to be sure of the order */
	memset(half, 'z', sizeof(half));
	send_raw(stall_hdr, &h, 7);		/* half a header */
	send_raw(stall_body, &h, sizeof(h));	/* header, half the body */
	send_raw(stall_body, half, sizeof(half));
	int64_t t0 = now_ms();
	int other = connect_raw();
	send_req(other, T_OP_ECHO, "quick", 5, 3);
	ASSERT_TRUE(read_reply(other, &h, &p));
	EXPECT_EQ(0, h.status);
	EXPECT_LT(now_ms() - t0, 1000) << "served while two clients stall";
	EXPECT_TRUE(quiet_for(stall_hdr, 1)) << "stalled clients still connected";
	/* both stalled clients are cut off after the (1.5 s) timeout */
	EXPECT_TRUE(wait_closed(stall_hdr, 5000));
	EXPECT_TRUE(wait_closed(stall_body, 5000));
	EXPECT_GE(now_ms() - t0, 1400);
	ctl_stats_get(&st);
	EXPECT_EQ(2u, st.timeouts);
}

TEST_F(CtlTest, ManyClientsAtOnce)
{
	const int n = 40;
	std::vector<int> cl;

	for (int i = 0; i < n; i++)
		cl.push_back(connect_raw());
	for (int i = 0; i < n; i++) {
		std::string s = "client-" + std::to_string(i);
		send_req(cl[i], T_OP_ECHO, s.data(), (uint32_t)s.size(), (uint32_t)i);
	}
	for (int i = n - 1; i >= 0; i--) {
		struct ctl_hdr h;
		std::vector<uint8_t> p;
		std::string s = "client-" + std::to_string(i);

		ASSERT_TRUE(read_reply(cl[i], &h, &p)) << i;
		EXPECT_EQ((uint32_t)i, h.seq);
		EXPECT_EQ(s, std::string(p.begin(), p.end()));
	}
}

TEST_F(CtlTest, ClientsBeyondTheLimitAreRefusedWhenAllAreBusy)
{
	std::vector<int> cl;
	struct ctl_stats st;
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 1);

	ctl_set_client_timeout_ms(10000);	/* nobody times out during the test */
	for (int i = 0; i < CTL_MAX_CLIENTS + 5; i++) {
		cl.push_back(connect_raw());
		send_raw(cl.back(), &h, 5);	/* mid-request: not evictable */
		ctl_poll();	/* accept as we go: the listen backlog is finite */
	}
	for (int i = 0; i < 200; i++)
		ctl_poll();
	ctl_stats_get(&st);
	EXPECT_EQ((uint64_t)CTL_MAX_CLIENTS, st.accepted);
	EXPECT_EQ(5u, st.refused);
	EXPECT_EQ(0u, st.evicted);
	EXPECT_TRUE(wait_closed(cl.back(), 1000));
	/* a served client can finish its request */
	std::vector<uint8_t> p;
	send_raw(cl[0], (uint8_t *)&h + 5, sizeof(h) - 5);
	send_raw(cl[0], "a", 1);
	ASSERT_TRUE(read_reply(cl[0], &h, &p));
	EXPECT_EQ(0, h.status);
}

TEST_F(CtlTest, AtTheLimitTheLongestIdleClientMakesRoom)
{
	std::vector<int> cl;
	struct ctl_stats st;

	ctl_set_client_timeout_ms(10000);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		cl.push_back(connect_raw());	/* connected, silent */
		ctl_poll();
		usleep(100);			/* distinct idle times */
	}
	int fresh = connect_raw();
	struct ctl_hdr h;
	std::vector<uint8_t> p;
	send_req(fresh, T_OP_ECHO, "in", 2);
	ASSERT_TRUE(read_reply(fresh, &h, &p));
	EXPECT_EQ(0, h.status);
	ctl_stats_get(&st);
	EXPECT_EQ(1u, st.evicted);
	EXPECT_EQ(0u, st.refused);
	EXPECT_TRUE(wait_closed(cl[0], 1000)) << "the oldest idle client went";
	EXPECT_TRUE(quiet_for(cl[1], 50)) << "the others stay";
}

TEST_F(CtlTest, PipelinedRequestsAnsweredInOrder)
{
	int fd = connect_raw();
	std::vector<uint8_t> buf;

	for (uint32_t i = 1; i <= 3; i++) {
		struct ctl_hdr h = make_hdr(T_OP_ECHO, 1, i);
		uint8_t c = (uint8_t)('a' + i);

		buf.insert(buf.end(), (uint8_t *)&h, (uint8_t *)&h + sizeof(h));
		buf.push_back(c);
	}
	send_raw(fd, buf.data(), buf.size());
	for (uint32_t i = 1; i <= 3; i++) {
		struct ctl_hdr h;
		std::vector<uint8_t> p;

		ASSERT_TRUE(read_reply(fd, &h, &p));
		EXPECT_EQ(i, h.seq);
		ASSERT_EQ(1u, p.size());
		EXPECT_EQ('a' + i, p[0]);
	}
}

TEST_F(CtlTest, LargeReplyThroughTheClientLibrary)
{
	const uint32_t size = 8u << 20;
	struct ctl_result res;
	int rc = 1;

	with_client([&] { rc = ctl_call(path.c_str(), T_OP_BIG, &size, sizeof(size), &res); });
	ASSERT_EQ(0, rc) << res.errmsg;
	ASSERT_EQ(size, res.len);
	bool same = true;
	for (size_t i = 0; i < size && same; i++)
		same = ((uint8_t *)res.data)[i] == pattern_byte(i);
	EXPECT_TRUE(same);
	ctl_result_free(&res);
	EXPECT_EQ(nullptr, res.data);
}

TEST_F(CtlTest, ClientLibraryReportsDaemonErrors)
{
	struct ctl_result res;
	int rc = 0;

	with_client([&] { rc = ctl_call(path.c_str(), T_OP_FAIL, nullptr, 0, &res); });
	EXPECT_EQ(EDPVS_BUSY, rc);
	EXPECT_FALSE(res.transport);
	EXPECT_STREQ("custom failure 42", res.errmsg);
	EXPECT_EQ(nullptr, res.data);
	with_client([&] { rc = ctl_call(path.c_str(), T_OP_UNUSED, nullptr, 0, &res); });
	EXPECT_EQ(EDPVS_NOTSUPP, rc);
	ctl_result_free(&res);
}

TEST_F(CtlTest, ClientLibrarySeveralRequestsOnOneConnection)
{
	struct ctl_client c;
	char err[CTL_CLIENT_ERRLEN];
	int rc1 = 1, rc2 = 1;
	struct ctl_result r1, r2;

	ASSERT_EQ(0, ctl_client_open(&c, path.c_str(), 2000, err)) << err;
	with_client([&] {
		rc1 = ctl_client_request(&c, T_OP_ECHO, "one", 3, &r1);
		rc2 = ctl_client_request(&c, T_OP_ECHO, "two", 3, &r2);
	});
	EXPECT_EQ(0, rc1);
	EXPECT_EQ(0, rc2);
	EXPECT_STREQ("one", (char *)r1.data);	/* NUL kept past len */
	EXPECT_STREQ("two", (char *)r2.data);
	EXPECT_EQ(2u, c.seq);
	ctl_result_free(&r1);
	ctl_result_free(&r2);
	ctl_client_close(&c);
}

TEST_F(CtlTest, NonRootPeerCannotChangeState)
{
	if (getuid() != 0)
		GTEST_SKIP() << "needs root to switch to an unprivileged uid";
	ASSERT_EQ(0, chmod(path.c_str(), 0666));	/* let the test uid connect */
	std::string d = dir;
	ASSERT_EQ(0, chmod(d.c_str(), 0755));
	g_set_calls = 0;
	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct ctl_result res;
		int code = 0;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(10);
		if (ctl_call(path.c_str(), T_OP_SET, nullptr, 0, &res) != EDPVS_PERM)
			code |= 1;
		if (!strstr(res.errmsg, "root only"))
			code |= 2;
		if (ctl_call(path.c_str(), T_OP_ECHO, "r", 1, &res) != 0)
			code |= 4;
		ctl_result_free(&res);
		_exit(code);
	}
	int status = 0;
	int64_t end = now_ms() + 5000;
	while (waitpid(pid, &status, WNOHANG) == 0 && now_ms() < end) {
		ctl_poll();
		usleep(100);
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, g_set_calls.load()) << "handler must not run for a refused request";
	struct ctl_stats st;
	ctl_stats_get(&st);
	EXPECT_EQ(1u, st.perm_denied);
	/* root may */
	struct ctl_result res;
	int rc = 1;
	with_client([&] { rc = ctl_call(path.c_str(), T_OP_SET, nullptr, 0, &res); });
	EXPECT_EQ(0, rc);
	EXPECT_EQ(1, g_set_calls.load());
}

TEST_F(CtlTest, RegistryChecksAndOrder)
{
	static const struct ctl_op dup[] = {
		{ T_OP_UNUSED, "test.new", 0, 0, t_set, 0 },
		{ T_OP_ECHO, "test.dup", 0, 0, t_set, 0 },
	};
	static const struct ctl_op bad_bounds[] = { { T_OP_UNUSED, "b", 5, 4, t_set, 0 } };
	static const struct ctl_op too_big[] = {
		{ T_OP_UNUSED, "b", 0, CTL_MAX_REQUEST + 1, t_set, 0 } };
	static const struct ctl_op no_handler[] = { { T_OP_UNUSED, "b", 0, 0, nullptr, 0 } };
	static const struct ctl_op bad_flags[] = { { T_OP_UNUSED, "b", 0, 0, t_set, 0x80 } };
	static const struct ctl_op self_dup[] = {
		{ T_OP_UNUSED, "a", 0, 0, t_set, 0 }, { T_OP_UNUSED, "b", 0, 0, t_set, 0 } };

	EXPECT_EQ(EDPVS_EXIST, ctl_register(dup, 2));
	EXPECT_EQ(EDPVS_INVAL, ctl_register(bad_bounds, 1));
	EXPECT_EQ(EDPVS_INVAL, ctl_register(too_big, 1));
	EXPECT_EQ(EDPVS_INVAL, ctl_register(no_handler, 1));
	EXPECT_EQ(EDPVS_INVAL, ctl_register(bad_flags, 1));
	EXPECT_EQ(EDPVS_EXIST, ctl_register(self_dup, 2));
	EXPECT_EQ(EDPVS_INVAL, ctl_register(nullptr, 1));
	/* all or nothing: dup[0] was not registered */
	std::vector<uint16_t> seen;
	ctl_op_foreach([](const struct ctl_op *op, void *arg) {
		((std::vector<uint16_t> *)arg)->push_back(op->opcode);
		return 0;
	}, &seen);
	EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
	EXPECT_EQ(seen.end(), std::find(seen.begin(), seen.end(), (uint16_t)T_OP_UNUSED));
	EXPECT_NE(seen.end(), std::find(seen.begin(), seen.end(), (uint16_t)T_OP_MIN8));
	EXPECT_EQ(EDPVS_NOTEXIST, ctl_unregister(dup, 1));
}

TEST_F(CtlTest, StaleSocketIsReplacedLiveOneIsNot)
{
	ctl_term();
	/* a socket file nobody listens on */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	close(s);
	ASSERT_EQ(0, ctl_init()) << "stale socket removed";
	ctl_term();
	/* a live listener */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(s, 4));
	EXPECT_EQ(EDPVS_BUSY, ctl_init());
	close(s);
	unlink(path.c_str());
	/* not a socket */
	int f = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
	ASSERT_GE(f, 0);
	close(f);
	EXPECT_EQ(EDPVS_EXIST, ctl_init());
	struct stat st;
	EXPECT_EQ(0, stat(path.c_str(), &st)) << "a regular file is never removed";
	unlink(path.c_str());
	ASSERT_EQ(0, ctl_init());
}

/* ---- the core requests ---- */

class CtlCoreTest : public CtlTest {
protected:
	void SetUp() override
	{
		CtlTest::SetUp();
		ASSERT_EQ(0, ctl_core_init());
	}
	void TearDown() override
	{
		ctl_core_term();
		CtlTest::TearDown();
	}
	int call(uint16_t op, const void *req, uint32_t len, struct ctl_result *res)
	{
		int rc = 1;
		with_client([&] { rc = ctl_call(path.c_str(), op, req, len, res); });
		return rc;
	}
};

TEST_F(CtlCoreTest, Ping)
{
	struct ctl_result res;
	struct core_version v;

	ASSERT_EQ(0, call(CORE_OP_PING, nullptr, 0, &res)) << res.errmsg;
	ASSERT_EQ(sizeof(v), res.len);
	memcpy(&v, res.data, sizeof(v));
	EXPECT_STREQ(DPVSD_VERSION, v.version);
	EXPECT_EQ(CTL_VERSION, v.proto_version);
	EXPECT_EQ((uint32_t)getpid(), v.pid);
	ctl_result_free(&res);
	EXPECT_EQ(EDPVS_INVAL, call(CORE_OP_PING, "x", 1, &res)) << "ping takes no payload";
}

TEST_F(CtlCoreTest, LcoreListHasEveryLcoreAndTheCtlJob)
{
	struct ctl_result res;

	ASSERT_EQ(0, call(CORE_OP_LCORE_LIST, nullptr, 0, &res)) << res.errmsg;
	const uint8_t *p = (const uint8_t *)res.data, *end = p + res.len;
	struct core_lcore_list_hdr h;
	ASSERT_GE(res.len, sizeof(h));
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	EXPECT_EQ(rte_lcore_count(), h.n_lcores);
	EXPECT_GT(h.tsc_hz, 0u);
	bool ctl_job_seen = false;
	for (uint32_t i = 0; i < h.n_lcores; i++) {
		struct core_lcore_info l;
		ASSERT_LE(p + sizeof(l), end);
		memcpy(&l, p, sizeof(l));
		p += sizeof(l);
		EXPECT_EQ((uint32_t)job_lcore_role(l.lcore_id), l.role);
		EXPECT_STREQ(job_role_name((enum job_role)l.role), l.role_name);
		EXPECT_EQ(job_lcore_running(l.lcore_id) ? 1u : 0u, l.running);
		EXPECT_LE(l.idle_loops, l.loops);
		for (uint32_t j = 0; j < l.n_jobs; j++) {
			struct core_job_info ji;
			ASSERT_LE(p + sizeof(ji), end);
			memcpy(&ji, p, sizeof(ji));
			p += sizeof(ji);
			if (l.role == JOB_ROLE_MASTER && strcmp(ji.name, "ctl") == 0) {
				ctl_job_seen = true;
				EXPECT_EQ((uint32_t)JOB_LOOP, ji.type);
			}
		}
	}
	EXPECT_EQ(end, p) << "no trailing bytes";
	if (job_lcore_role(rte_get_main_lcore()) == JOB_ROLE_MASTER) {
		EXPECT_TRUE(ctl_job_seen);
	}
	ctl_result_free(&res);
}

TEST_F(CtlCoreTest, LogListAndSet)
{
	struct core_log_req req;
	struct ctl_result res;

	memset(&req, 0, sizeof(req));
	snprintf(req.pattern, sizeof(req.pattern), "dpvsd.c*");
	ASSERT_EQ(0, call(CORE_OP_LOG_LIST, &req, sizeof(req), &res)) << res.errmsg;
	ASSERT_EQ(0u, res.len % sizeof(struct core_log_type));
	const struct core_log_type *t = (const struct core_log_type *)res.data;
	uint32_t n = res.len / sizeof(*t), ctl_level = 0;
	for (uint32_t i = 0; i < n; i++) {
		EXPECT_EQ(0, strncmp(t[i].name, "dpvsd.c", 7)) << t[i].name;
		if (strcmp(t[i].name, "dpvsd.ctl") == 0)
			ctl_level = t[i].level;
	}
	EXPECT_EQ((uint32_t)RTE_LOG_INFO, ctl_level) << "dpvsd.ctl listed at its default";
	ctl_result_free(&res);

	snprintf(req.pattern, sizeof(req.pattern), "dpvsd.ctl");
	req.level = RTE_LOG_DEBUG;
	ASSERT_EQ(0, call(CORE_OP_LOG_SET, &req, sizeof(req), &res)) << res.errmsg;
	ASSERT_EQ(sizeof(struct core_log_set_reply), res.len);
	EXPECT_EQ(1u, ((struct core_log_set_reply *)res.data)->matched);
	ctl_result_free(&res);
	int id = rte_log_register("dpvsd.ctl");
	EXPECT_EQ(RTE_LOG_DEBUG, rte_log_get_level((uint32_t)id));
	req.level = RTE_LOG_INFO;
	ASSERT_EQ(0, call(CORE_OP_LOG_SET, &req, sizeof(req), &res));
	ctl_result_free(&res);
	EXPECT_EQ(RTE_LOG_INFO, rte_log_get_level((uint32_t)id));

	req.level = 9;
	EXPECT_EQ(EDPVS_RANGE, call(CORE_OP_LOG_SET, &req, sizeof(req), &res));
	req.level = RTE_LOG_INFO;
	memset(req.pattern, 'a', sizeof(req.pattern));	/* no NUL */
	EXPECT_EQ(EDPVS_INVAL, call(CORE_OP_LOG_SET, &req, sizeof(req), &res));
	EXPECT_EQ(EDPVS_INVAL, call(CORE_OP_LOG_LIST, &req, sizeof(req), &res));
	req.pattern[0] = '\0';
	EXPECT_EQ(EDPVS_INVAL, call(CORE_OP_LOG_SET, &req, sizeof(req), &res)) << "empty";
}

TEST_F(CtlCoreTest, CtlListShowsRegisteredOpsWithAccess)
{
	struct ctl_result res;

	ASSERT_EQ(0, call(CORE_OP_CTL_LIST, nullptr, 0, &res)) << res.errmsg;
	ASSERT_EQ(0u, res.len % sizeof(struct core_ctl_op));
	const struct core_ctl_op *o = (const struct core_ctl_op *)res.data;
	bool set_seen = false, ping_seen = false;
	for (uint32_t i = 0; i < res.len / sizeof(*o); i++) {
		if (o[i].opcode == CORE_OP_LOG_SET) {
			set_seen = true;
			EXPECT_EQ(0u, o[i].flags & CTL_OP_F_GET);
		}
		if (o[i].opcode == CORE_OP_PING) {
			ping_seen = true;
			EXPECT_STREQ("core.ping", o[i].name);
			EXPECT_NE(0u, o[i].flags & CTL_OP_F_GET);
		}
	}
	EXPECT_TRUE(set_seen && ping_seen);
	ctl_result_free(&res);
}

TEST_F(CtlCoreTest, CtlStatsCountWhatHappened)
{
	int fd = connect_raw();
	struct ctl_hdr h = make_hdr(T_OP_ECHO, 0), r;
	std::vector<uint8_t> p;
	struct ctl_result res;

	h.magic = 1;
	send_raw(fd, &h, sizeof(h));
	ASSERT_TRUE(read_reply(fd, &r, &p));
	ASSERT_TRUE(wait_closed(fd));
	ASSERT_EQ(0, call(CORE_OP_CTL_STATS, nullptr, 0, &res)) << res.errmsg;
	ASSERT_EQ(sizeof(struct core_ctl_stats), res.len);
	struct core_ctl_stats st;
	memcpy(&st, res.data, sizeof(st));
	ctl_result_free(&res);
	EXPECT_EQ(2u, st.accepted);
	EXPECT_EQ(1u, st.proto_errors);
	EXPECT_EQ(1u, st.requests) << "the proto error; the stats request itself is counted after";
	EXPECT_EQ(1u, st.failed);
	EXPECT_EQ(1u, st.clients);
}

/* ---- the client library alone ---- */

TEST(CtlClient, SocketPathRule)
{
	const char *saved = getenv("DPVSD_SOCK");
	std::string keep = saved ? saved : "";

	unsetenv("DPVSD_SOCK");
	EXPECT_STREQ(CTL_DEFAULT_SOCK, ctl_client_sock_path(nullptr));
	EXPECT_STREQ(CTL_DEFAULT_SOCK, ctl_client_sock_path(""));
	setenv("DPVSD_SOCK", "/tmp/env.sock", 1);
	EXPECT_STREQ("/tmp/env.sock", ctl_client_sock_path(nullptr));
	EXPECT_STREQ("/tmp/opt.sock", ctl_client_sock_path("/tmp/opt.sock"));
	setenv("DPVSD_SOCK", "", 1);
	EXPECT_STREQ(CTL_DEFAULT_SOCK, ctl_client_sock_path(nullptr));
	if (saved)
		setenv("DPVSD_SOCK", keep.c_str(), 1);
	else
		unsetenv("DPVSD_SOCK");
}

TEST(CtlClient, NotRunningMessage)
{
	struct ctl_result res;

	EXPECT_EQ(EDPVS_NOTEXIST, ctl_call("/tmp/ctl-none/nothing.sock", CORE_OP_PING, nullptr, 0,
					   &res));
	EXPECT_TRUE(res.transport);
	EXPECT_STREQ("dpvsd is not running (cannot connect to /tmp/ctl-none/nothing.sock)",
		     res.errmsg);
	std::string longp(200, 'a');
	EXPECT_EQ(EDPVS_INVAL, ctl_call(longp.c_str(), CORE_OP_PING, nullptr, 0, &res));
}

TEST(CtlClient, TimeoutWhenTheServerNeverAnswers)
{
	char dir[] = "/tmp/ctlcl.XXXXXX";
	ASSERT_NE(nullptr, mkdtemp(dir));
	std::string p = std::string(dir) + "/s.sock";
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p.c_str());
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(s, 4));

	struct ctl_client c;
	struct ctl_result res;
	char err[CTL_CLIENT_ERRLEN];
	ASSERT_EQ(0, ctl_client_open(&c, p.c_str(), 200, err));
	int64_t t0 = now_ms();
	EXPECT_EQ(EDPVS_TIMEOUT, ctl_client_request(&c, CORE_OP_PING, nullptr, 0, &res));
	EXPECT_GE(now_ms() - t0, 190);
	EXPECT_LT(now_ms() - t0, 2000);
	EXPECT_TRUE(res.transport);
	EXPECT_NE(nullptr, strstr(res.errmsg, "no answer"));
	EXPECT_EQ(-1, c.fd) << "closed after a transport error";
	EXPECT_EQ(EDPVS_INVAL, ctl_client_request(&c, CORE_OP_PING, nullptr,
						  CTL_MAX_REQUEST + 1, &res));
	ctl_client_close(&c);
	close(s);
	unlink(p.c_str());
	rmdir(dir);
}

// The tools share the daemon's table (src/dpvs_err.c in the client library).
TEST(CtlClient, Strerror)
{
	EXPECT_STREQ("permission denied", dpvs_strerror(EDPVS_PERM));
	EXPECT_STREQ("unknown error", dpvs_strerror(5));
	EXPECT_STREQ("unknown error", dpvs_strerror(EDPVS_ERR_MIN));
	for (int e = 0; e > EDPVS_ERR_MIN; e--)
		EXPECT_STRNE("unknown error", dpvs_strerror(e)) << e;
}

} /* namespace */
