// test_proto_sctp.cc - SCTP in IPVS: CRC32c against published test vectors
// and a bitwise reference written here (across mbuf segments), the SCTP
// header parse (bounds, ports, verification tag, first chunk, ABORT after a
// COOKIE chunk, ICMP errors quoting SCTP), port rewrites recomputing the
// CRC (and keeping a bad one bad), the association state table (walks,
// every cell a state, accounting, names, timeouts), and the hook: only an
// INIT with tag 0 creates a conn, NAT both ways with valid CRCs, a new INIT
// after CLOSED is scheduled afresh.  Suites: SctpMbuf (CRC, parse,
// rewrite), ProtoSctp (the table), SctpCore (the hook).
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <cstring>
#include <vector>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_icmp.h>

#include "test_eal.h"
#include "dpvs_err.h"
#include "job.h"
#include "timer.h"
#include "ipvs/ipvs.h"
#include "ipvs/ipvs_wire.h"
#include "ipvs/xmit.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/service.h"
#include "ipvs/svc.h"
#include "../../src/ipvs/svc_int.h"

namespace {

uint32_t ip4(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

rte_mempool *pool()
{
	static rte_mempool *mp;

	if (!mp)
		mp = rte_pktmbuf_pool_create("test_sctp", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     SOCKET_ID_ANY);
	return mp;
}

// CRC32c bit by bit: reflected polynomial 0x82F63B78, init and xor ~0.
uint32_t ref_crc32c(const std::vector<uint8_t> &b)
{
	uint32_t c = 0xffffffffu;

	for (uint8_t x : b) {
		c ^= x;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
	}
	return ~c;
}

rte_mbuf *mbuf_of(const std::vector<uint8_t> &b, size_t split = 0)
{
	rte_mbuf *m = rte_pktmbuf_alloc(pool());
	size_t first = split ? split : b.size();

	memcpy(rte_pktmbuf_append(m, (uint16_t)first), b.data(), first);
	if (split) {
		rte_mbuf *t = rte_pktmbuf_alloc(pool());
		memcpy(rte_pktmbuf_append(t, (uint16_t)(b.size() - split)), b.data() + split,
		       b.size() - split);
		EXPECT_EQ(0, rte_pktmbuf_chain(m, t));
	}
	m->l3_len = 20;
	return m;
}

// An IPv4 + SCTP packet: common header and the given chunks (each
// {type, flags, value bytes}, padded to 4), checksum from the reference.
struct chunk {
	uint8_t type;
	std::vector<uint8_t> value;
};

std::vector<uint8_t> sctp_bytes(const char *src, const char *dst, uint16_t sport, uint16_t dport,
				uint32_t vtag, const std::vector<chunk> &chunks)
{
	std::vector<uint8_t> s = {(uint8_t)(sport >> 8), (uint8_t)sport, (uint8_t)(dport >> 8),
				  (uint8_t)dport, (uint8_t)(vtag >> 24), (uint8_t)(vtag >> 16),
				  (uint8_t)(vtag >> 8), (uint8_t)vtag, 0, 0, 0, 0};
	for (const chunk &c : chunks) {
		uint16_t len = (uint16_t)(4 + c.value.size());
		s.insert(s.end(), {c.type, 0, (uint8_t)(len >> 8), (uint8_t)len});
		s.insert(s.end(), c.value.begin(), c.value.end());
		while (s.size() % 4)
			s.push_back(0);
	}
	uint32_t crc = ref_crc32c(s);
	for (int i = 0; i < 4; i++)
		s[8 + i] = (uint8_t)(crc >> (8 * i));	// little-endian, RFC 9260 app. A
	std::vector<uint8_t> ip(20, 0);
	uint16_t tot = (uint16_t)(20 + s.size());
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = IPPROTO_SCTP;
	uint32_t a = ip4(src), b = ip4(dst);
	memcpy(&ip[12], &a, 4);
	memcpy(&ip[16], &b, 4);
	uint16_t c = rte_ipv4_cksum((const rte_ipv4_hdr *)ip.data());
	memcpy(&ip[10], &c, 2);
	ip.insert(ip.end(), s.begin(), s.end());
	return ip;
}

std::vector<uint8_t> all_bytes(rte_mbuf *m)
{
	std::vector<uint8_t> v;

	for (rte_mbuf *s = m; s; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);
		v.insert(v.end(), p, p + rte_pktmbuf_data_len(s));
	}
	return v;
}

// Is the CRC of the SCTP packet in IPv4 packet b right (reference)?
bool crc_right(std::vector<uint8_t> b)
{
	std::vector<uint8_t> s(b.begin() + 20, b.end());
	uint32_t stored = (uint32_t)s[8] | (uint32_t)s[9] << 8 | (uint32_t)s[10] << 16 |
			  (uint32_t)s[11] << 24;
	memset(&s[8], 0, 4);
	return stored == ref_crc32c(s);
}

const std::vector<uint8_t> init_value = {0, 0, 0, 7,  0, 1, 0, 0,  0, 10, 0, 10,  0, 0, 0, 1};

class SctpMbuf : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		ASSERT_NE(nullptr, pool());
	}
	void TearDown() override
	{
		for (auto *m : mbufs)
			rte_pktmbuf_free(m);
	}
	rte_mbuf *keep(rte_mbuf *m)
	{
		mbufs.push_back(m);
		return m;
	}
	std::vector<rte_mbuf *> mbufs;
};

}  // namespace

// ---- CRC32c ----

TEST_F(SctpMbuf, Crc32cTestVectors)
{
	// RFC 3720 appendix B.4 (the same CRC32c as SCTP's, RFC 3309) and the
	// usual check value of "123456789".
	std::vector<uint8_t> zeros(32, 0), ones(32, 0xff), inc(32), dec(32);
	for (int i = 0; i < 32; i++) {
		inc[i] = (uint8_t)i;
		dec[i] = (uint8_t)(31 - i);
	}
	const char *nine = "123456789";
	std::vector<uint8_t> check(nine, nine + 9);
	struct {
		const std::vector<uint8_t> *data;
		uint32_t crc;
	} v[] = { { &zeros, 0x8a9136aau }, { &ones, 0x62a8ab43u }, { &inc, 0x46dd794eu },
		  { &dec, 0x113fdb5cu }, { &check, 0xe3069283u } };
	for (const auto &t : v) {
		EXPECT_EQ(t.crc, ref_crc32c(*t.data)) << "the reference itself";
		rte_mbuf *m = keep(mbuf_of(*t.data));
		EXPECT_EQ(t.crc, proto_sctp_crc32c(m, 0, (uint32_t)t.data->size()));
	}
}

TEST_F(SctpMbuf, Crc32cAcrossSegmentsAndOffsets)
{
	std::vector<uint8_t> b(1500);
	uint32_t x = 12345;
	for (auto &c : b) {
		x = x * 1103515245u + 12345u;
		c = (uint8_t)(x >> 16);
	}
	for (size_t split : {1u, 7u, 64u, 1001u, 1499u}) {
		rte_mbuf *m = keep(mbuf_of(b, split));
		EXPECT_EQ(ref_crc32c(b), proto_sctp_crc32c(m, 0, 1500)) << split;
		std::vector<uint8_t> tail(b.begin() + 33, b.end() - 5);
		EXPECT_EQ(ref_crc32c(tail), proto_sctp_crc32c(m, 33, 1500 - 38)) << split;
	}
}

TEST_F(SctpMbuf, CsumCheckSetKeepsError)
{
	std::vector<uint8_t> b = sctp_bytes("10.0.0.1", "10.0.0.2", 5000, 3868, 0,
					    {{PROTO_SCTP_CHUNK_INIT, init_value}});
	rte_mbuf *m = keep(mbuf_of(b, 40));	// the chunk in a second segment
	uint32_t len = (uint32_t)b.size() - 20;
	EXPECT_TRUE(proto_sctp_csum_ok(m, 20, len));
	EXPECT_EQ(0u, proto_sctp_csum_error(m, 20, len));
	EXPECT_EQ(b, all_bytes(m)) << "checking leaves the packet as it was";
	rte_pktmbuf_mtod(m, uint8_t *)[30] ^= 0x40;	// corrupt the checksum field
	EXPECT_FALSE(proto_sctp_csum_ok(m, 20, len));
	uint32_t err = proto_sctp_csum_error(m, 20, len);
	EXPECT_NE(0u, err);
	proto_sctp_csum_set(m, 20, len, 0);
	EXPECT_TRUE(proto_sctp_csum_ok(m, 20, len));
	EXPECT_TRUE(crc_right(all_bytes(m)));
	proto_sctp_csum_set(m, 20, len, err);
	EXPECT_EQ(err, proto_sctp_csum_error(m, 20, len));
}

// ---- parse ----

TEST_F(SctpMbuf, ParseInitAndChunks)
{
	ipvs_pkt p;
	std::vector<uint8_t> b = sctp_bytes("10.0.0.1", "10.0.0.2", 5000, 3868, 0,
					    {{PROTO_SCTP_CHUNK_INIT, init_value}});
	ASSERT_EQ(0, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	EXPECT_EQ(IPPROTO_SCTP, p.proto);
	EXPECT_EQ(htons(5000), p.sport);
	EXPECT_EQ(htons(3868), p.dport);
	EXPECT_EQ(0u, p.sctp_vtag);
	EXPECT_EQ(PROTO_SCTP_CHUNK_INIT, p.sctp_chunk);
	EXPECT_EQ(12, p.l4_len);
	EXPECT_EQ(b.size() - 32, p.payload_len);

	b = sctp_bytes("10.0.0.1", "10.0.0.2", 5000, 3868, 0xdeadbeef,
		       {{PROTO_SCTP_CHUNK_COOKIE_ECHO, {1, 2, 3, 4, 5}}, {PROTO_SCTP_CHUNK_ABORT, {}}});
	ASSERT_EQ(0, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	EXPECT_EQ(htonl(0xdeadbeef), p.sctp_vtag);
	EXPECT_EQ(PROTO_SCTP_CHUNK_ABORT, p.sctp_chunk) << "ABORT after COOKIE ECHO";
	b = sctp_bytes("10.0.0.1", "10.0.0.2", 5000, 3868, 1,
		       {{PROTO_SCTP_CHUNK_DATA, {1, 2, 3, 4, 5}}, {PROTO_SCTP_CHUNK_ABORT, {}}});
	ASSERT_EQ(0, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	EXPECT_EQ(PROTO_SCTP_CHUNK_DATA, p.sctp_chunk);
}

TEST_F(SctpMbuf, ParseRejectsBadHeaders)
{
	ipvs_pkt p;
	std::vector<uint8_t> ok = sctp_bytes("10.0.0.1", "10.0.0.2", 5000, 3868, 0,
					     {{PROTO_SCTP_CHUNK_INIT, init_value}});
	// only the common header: no chunk
	std::vector<uint8_t> b(ok.begin(), ok.begin() + 32);
	b[3] = 32;
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	// chunk length below 4, and past the packet
	b = ok;
	b[34] = 0;
	b[35] = 3;
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	b[35] = (uint8_t)(ok.size() - 32 + 1);
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	// port 0
	b = ok;
	b[20] = b[21] = 0;
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	// IPv4 total length shorter than the chunk
	b = ok;
	b[3] = 40;
	b.resize(40);
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
}

TEST_F(SctpMbuf, ParseIcmpQuotingSctp)
{
	std::vector<uint8_t> q = sctp_bytes("172.16.0.1", "172.16.0.11", 1030, 3868, 9,
					    {{PROTO_SCTP_CHUNK_DATA, {1, 2, 3, 4}}});
	std::vector<uint8_t> b = sctp_bytes("172.16.0.11", "172.16.0.1", 1, 1, 0, {});
	b.resize(20);
	b[9] = IPPROTO_ICMP;
	std::vector<uint8_t> icmp = {3, 3, 0, 0, 0, 0, 0, 0};
	icmp.insert(icmp.end(), q.begin(), q.begin() + 28);
	b.insert(b.end(), icmp.begin(), icmp.end());
	b[2] = 0;
	b[3] = (uint8_t)b.size();
	ipvs_pkt p;
	ASSERT_EQ(0, ipvs_pkt_parse(keep(mbuf_of(b)), &p));
	EXPECT_TRUE(p.icmp_err);
	EXPECT_EQ(IPPROTO_SCTP, p.inner_proto);
	EXPECT_EQ(htons(1030), p.inner_sport);
	EXPECT_EQ(htons(3868), p.inner_dport);
}

// ---- rewrite ----

TEST_F(SctpMbuf, SetTupleRecomputesCrc)
{
	std::vector<uint8_t> b = sctp_bytes("10.0.0.1", "10.0.0.100", 5000, 3868, 0x1234,
					    {{PROTO_SCTP_CHUNK_DATA, std::vector<uint8_t>(301, 'd')}});
	rte_mbuf *m = keep(mbuf_of(b, 100));
	ipvs_pkt p;
	ASSERT_EQ(0, ipvs_pkt_parse(m, &p));
	xmit_tuple t = { ip4("172.16.0.1"), ip4("172.16.0.11"), htons(1030), htons(3869) };
	xmit_set_tuple(m, &p, &t);
	std::vector<uint8_t> out = all_bytes(m);
	EXPECT_EQ(0xffff, rte_raw_cksum(out.data(), 20)) << "IPv4 header checksum";
	EXPECT_EQ(t.saddr, *(uint32_t *)&out[12]);
	EXPECT_EQ(t.daddr, *(uint32_t *)&out[16]);
	EXPECT_EQ(std::vector<uint8_t>({0x04, 0x06, 0x0f, 0x1d}),
		  std::vector<uint8_t>(out.begin() + 20, out.begin() + 24));
	EXPECT_TRUE(crc_right(out)) << "CRC32c recomputed after the port change";
	EXPECT_EQ(std::vector<uint8_t>(b.begin() + 24, b.begin() + 28),
		  std::vector<uint8_t>(out.begin() + 24, out.begin() + 28)) << "tag unchanged";
	EXPECT_EQ(std::vector<uint8_t>(b.begin() + 32, b.end()),
		  std::vector<uint8_t>(out.begin() + 32, out.end()));

	// addresses only (NAT toward a server on the same port): CRC untouched
	m = keep(mbuf_of(b));
	ASSERT_EQ(0, ipvs_pkt_parse(m, &p));
	t = { ip4("10.0.0.1"), ip4("172.16.0.11"), htons(5000), htons(3868) };
	xmit_set_tuple(m, &p, &t);
	out = all_bytes(m);
	EXPECT_EQ(std::vector<uint8_t>(b.begin() + 20, b.end()),
		  std::vector<uint8_t>(out.begin() + 20, out.end()));

	// a packet that came with a bad CRC leaves with the same error
	b[28] ^= 0x5a;
	m = keep(mbuf_of(b));
	ASSERT_EQ(0, ipvs_pkt_parse(m, &p));
	uint32_t err = proto_sctp_csum_error(m, 20, (uint32_t)b.size() - 20);
	t = { ip4("10.0.0.1"), ip4("172.16.0.11"), htons(5000), htons(3869) };
	xmit_set_tuple(m, &p, &t);
	EXPECT_FALSE(crc_right(all_bytes(m)));
	EXPECT_EQ(err, proto_sctp_csum_error(m, 20, (uint32_t)b.size() - 20));
}

// ---- the state table ----

namespace {

const enum proto_dir IN = PROTO_DIR_IN, OUT = PROTO_DIR_OUT, IN_ONLY = PROTO_DIR_IN_ONLY;

struct Step {
	enum proto_dir dir;
	uint8_t chunk;
	enum sctp_state want;
};

struct Conn {
	struct ipvs_dest *d;
	struct ipvs_conn c;
	explicit Conn(uint16_t flags = 0)
	{
		union inet_addr a;
		memset(&a, 0, sizeof(a));
		d = dest_alloc(AF_INET, &a, htons(3868), IPVS_FWD_NAT, 1);
		memset(&c, 0, sizeof(c));
		c.af = AF_INET;
		c.proto = IPPROTO_SCTP;
		c.flags = CONN_F_INUSE | flags;
		c.state = SCTP_S_NONE;
		c.dest = d;
		d->inactive_conns = 1;
	}
	~Conn() { free(d); }
	void walk(const std::vector<Step> &steps)
	{
		for (size_t i = 0; i < steps.size(); i++) {
			unsigned int s = proto_conn_update(&c, steps[i].dir, steps[i].chunk);
			ASSERT_EQ((unsigned)steps[i].want, s)
				<< "step " << i << ": got " << proto_state_name(IPPROTO_SCTP, s)
				<< ", want " << proto_state_name(IPPROTO_SCTP, steps[i].want);
			bool active = s == SCTP_S_ESTABLISHED;
			ASSERT_EQ(active ? 1u : 0u, d->active_conns) << "step " << i;
			ASSERT_EQ(active ? 0u : 1u, d->inactive_conns) << "step " << i;
		}
	}
};

const uint8_t INIT = PROTO_SCTP_CHUNK_INIT, INIT_ACK = PROTO_SCTP_CHUNK_INIT_ACK,
	      ECHO = PROTO_SCTP_CHUNK_COOKIE_ECHO, CACK = PROTO_SCTP_CHUNK_COOKIE_ACK,
	      DATA = PROTO_SCTP_CHUNK_DATA, SACK = 3, HB = 4, SHUT = PROTO_SCTP_CHUNK_SHUTDOWN,
	      SHUT_ACK = PROTO_SCTP_CHUNK_SHUTDOWN_ACK,
	      SHUT_DONE = PROTO_SCTP_CHUNK_SHUTDOWN_COMPLETE, ABORT = PROTO_SCTP_CHUNK_ABORT;

}  // namespace

TEST(ProtoSctp, EventsFromChunks)
{
	EXPECT_EQ(SCTP_E_INIT, proto_sctp_event(INIT));
	EXPECT_EQ(SCTP_E_INIT_ACK, proto_sctp_event(INIT_ACK));
	EXPECT_EQ(SCTP_E_COOKIE_ECHO, proto_sctp_event(ECHO));
	EXPECT_EQ(SCTP_E_COOKIE_ACK, proto_sctp_event(CACK));
	EXPECT_EQ(SCTP_E_SHUTDOWN, proto_sctp_event(SHUT));
	EXPECT_EQ(SCTP_E_SHUTDOWN_ACK, proto_sctp_event(SHUT_ACK));
	EXPECT_EQ(SCTP_E_SHUTDOWN_COMPLETE, proto_sctp_event(SHUT_DONE));
	EXPECT_EQ(SCTP_E_ABORT, proto_sctp_event(ABORT));
	for (uint8_t t : {DATA, SACK, HB, (uint8_t)5, (uint8_t)9, (uint8_t)0xc1, (uint8_t)0xff})
		EXPECT_EQ(SCTP_E_DATA, proto_sctp_event(t)) << (int)t;
}

TEST(ProtoSctp, HandshakeDataAndClientShutdown)
{
	Conn c;
	c.walk({ { IN, INIT, SCTP_S_INIT1 }, { IN, INIT, SCTP_S_INIT1 },	// retransmitted
		 { OUT, INIT_ACK, SCTP_S_INIT2 }, { IN, ECHO, SCTP_S_COOKIE_ECHOED },
		 { OUT, CACK, SCTP_S_ESTABLISHED }, { IN, DATA, SCTP_S_ESTABLISHED },
		 { OUT, SACK, SCTP_S_ESTABLISHED }, { OUT, HB, SCTP_S_ESTABLISHED },
		 { IN, SHUT, SCTP_S_SHUTDOWN_SENT }, { OUT, DATA, SCTP_S_SHUTDOWN_SENT },
		 { OUT, SHUT_ACK, SCTP_S_SHUTDOWN_ACK_SENT },
		 { IN, SHUT_DONE, SCTP_S_CLOSED }, { IN, DATA, SCTP_S_CLOSED } });
}

TEST(ProtoSctp, ServerShutsDownAndDataEstablishes)
{
	Conn c;
	// COOKIE ACK lost but the server's DATA shows the association is up
	c.walk({ { IN, INIT, SCTP_S_INIT1 }, { OUT, INIT_ACK, SCTP_S_INIT2 },
		 { IN, ECHO, SCTP_S_COOKIE_ECHOED }, { OUT, DATA, SCTP_S_ESTABLISHED },
		 { OUT, SHUT, SCTP_S_SHUTDOWN_RECEIVED }, { IN, SHUT_ACK, SCTP_S_SHUTDOWN_ACK_SENT },
		 { OUT, SHUT_DONE, SCTP_S_CLOSED } });
}

TEST(ProtoSctp, AbortRejectsOrCloses)
{
	Conn a;
	a.walk({ { IN, INIT, SCTP_S_INIT1 }, { OUT, ABORT, SCTP_S_REJECTED },
		 { IN, INIT, SCTP_S_INIT1 } });
	EXPECT_FALSE(proto_sctp_reusable(SCTP_S_INIT1));
	Conn b;
	b.walk({ { IN, INIT, SCTP_S_INIT1 }, { OUT, INIT_ACK, SCTP_S_INIT2 },
		 { IN, ECHO, SCTP_S_COOKIE_ECHOED }, { OUT, CACK, SCTP_S_ESTABLISHED },
		 { IN, ABORT, SCTP_S_CLOSED } });
	EXPECT_TRUE(proto_sctp_reusable(SCTP_S_CLOSED));
	EXPECT_TRUE(proto_sctp_reusable(SCTP_S_REJECTED));
	EXPECT_FALSE(proto_sctp_reusable(SCTP_S_ESTABLISHED));
}

TEST(ProtoSctp, UpAssociationIgnoresStrayHandshakeChunks)
{
	Conn c;
	c.walk({ { IN, INIT, SCTP_S_INIT1 }, { OUT, INIT_ACK, SCTP_S_INIT2 },
		 { IN, ECHO, SCTP_S_COOKIE_ECHOED }, { OUT, CACK, SCTP_S_ESTABLISHED },
		 { IN, INIT, SCTP_S_ESTABLISHED }, { OUT, INIT, SCTP_S_ESTABLISHED },
		 { IN, ECHO, SCTP_S_ESTABLISHED }, { OUT, INIT_ACK, SCTP_S_ESTABLISHED } });
}

TEST(ProtoSctp, InOnlyForDirectRouting)
{
	Conn c(CONN_F_IN_ONLY);
	// proto_conn_update() turns IN into IN_ONLY for these conns
	c.walk({ { IN, INIT, SCTP_S_INIT1 }, { IN, ECHO, SCTP_S_COOKIE_ECHOED },
		 { IN, DATA, SCTP_S_ESTABLISHED }, { IN, SACK, SCTP_S_ESTABLISHED },
		 { IN, SHUT, SCTP_S_SHUTDOWN_SENT }, { IN, SHUT_DONE, SCTP_S_CLOSED } });
	EXPECT_EQ(SCTP_S_ESTABLISHED,
		  proto_sctp_next(IN_ONLY, SCTP_E_SHUTDOWN_ACK, SCTP_S_ESTABLISHED))
		<< "a client SHUTDOWN ACK needs a SHUTDOWN first";
	EXPECT_EQ(SCTP_S_SHUTDOWN_ACK_SENT,
		  proto_sctp_next(IN_ONLY, SCTP_E_SHUTDOWN_ACK, SCTP_S_SHUTDOWN_SENT));
}

TEST(ProtoSctp, EveryCellIsAState)
{
	for (int d = 0; d < PROTO_DIR_MAX; d++)
		for (int e = 0; e < SCTP_E_MAX; e++)
			for (int s = 0; s < SCTP_S_MAX; s++) {
				enum sctp_state n = proto_sctp_next((proto_dir)d, (sctp_event)e,
								    (sctp_state)s);
				EXPECT_LT((int)n, SCTP_S_MAX) << d << " " << e << " " << s;
				if (e == SCTP_E_ABORT) {
					EXPECT_TRUE(n == SCTP_S_CLOSED || n == SCTP_S_REJECTED);
				}
			}
	EXPECT_EQ(SCTP_S_CLOSED, proto_sctp_next(PROTO_DIR_MAX, SCTP_E_INIT, SCTP_S_NONE));
	EXPECT_EQ(SCTP_S_CLOSED, proto_sctp_next(IN, SCTP_E_MAX, SCTP_S_NONE));
	EXPECT_EQ(SCTP_S_CLOSED, proto_sctp_next(IN, SCTP_E_INIT, SCTP_S_MAX));
}

TEST(ProtoSctp, NamesTimeoutsRegistry)
{
	const proto_ops *ops = proto_get(IPPROTO_SCTP);
	ASSERT_NE(nullptr, ops);
	EXPECT_STREQ("SCTP", ops->name);
	EXPECT_EQ(SCTP_S_NONE, ops->init_state);
	const char *want[SCTP_S_MAX] = { "NONE", "INIT1", "INIT", "C-ECHOED", "ESTABLISHED",
					 "S-SENT", "S-RECEIVED", "S-ACK-SENT", "CLOSED",
					 "REJECTED" };
	for (int s = 0; s < SCTP_S_MAX; s++) {
		EXPECT_STREQ(want[s], proto_state_name(IPPROTO_SCTP, (unsigned)s));
		EXPECT_GT(proto_timeout_get(IPPROTO_SCTP, (unsigned)s), 0u);
		EXPECT_EQ(s == SCTP_S_ESTABLISHED, ops->state_active((unsigned)s));
		EXPECT_EQ(s == SCTP_S_NONE || s == SCTP_S_INIT1 || s == SCTP_S_INIT2,
			  ops->state_half_open((unsigned)s)) << "before the COOKIE ECHO";
	}
	EXPECT_STREQ("?", proto_state_name(IPPROTO_SCTP, SCTP_S_MAX));
	EXPECT_EQ(900u, proto_timeout_get(IPPROTO_SCTP, SCTP_S_ESTABLISHED));
	EXPECT_EQ(30u, proto_timeout_get(IPPROTO_SCTP, SCTP_S_INIT1));
	EXPECT_EQ(0, proto_timeout_set(IPPROTO_SCTP, SCTP_S_ESTABLISHED, 60));
	EXPECT_EQ(60u, proto_timeout_get(IPPROTO_SCTP, SCTP_S_ESTABLISHED));
	proto_timeout_reset();
	EXPECT_EQ(900u, proto_timeout_get(IPPROTO_SCTP, SCTP_S_ESTABLISHED));
}

// ---- the hook ----

namespace {

const char *const VIP = "10.0.0.100";
const char *const CLI = "192.168.7.2";
const char *const RS1 = "172.16.0.11";
const char *const RS2 = "172.16.0.12";

std::vector<rte_mbuf *> g_out;

int capture(rte_mbuf *m, netif_port *, uint32_t)
{
	g_out.push_back(m);
	return 0;
}

class SctpCore : public ::testing::Test {
protected:
	conn_table *t = nullptr;
	unsigned int lcore = 0;

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		lcore = rte_lcore_id();
		ASSERT_EQ(0u, lcore);
		ASSERT_EQ(0, job_init());
		ASSERT_EQ(0, timer_init());
		proto_timeout_reset();
		ASSERT_NE(nullptr, pool());
		conn_table_params p = {1024, 0};
		ASSERT_EQ(0, conn_table_create(&p, &t));
		ASSERT_EQ(0, conn_table_set(lcore, t));
		ASSERT_EQ(0, ipvs_init());
		ASSERT_EQ(0, ipvs_set_workers(&lcore, 1));
		xmit_set_send_hook(capture);
		g_out.clear();
	}
	void TearDown() override
	{
		for (auto *m : g_out)
			rte_pktmbuf_free(m);
		g_out.clear();
		xmit_set_send_hook(nullptr);
		ipvs_set_workers(nullptr, 0);
		ipvs_term();
		conn_table_set(lcore, nullptr);
		conn_table_destroy(t);
		svc_lcore_free_all();
		timer_term();
	}
	svc_msg msg(uint32_t op)
	{
		svc_msg m;
		memset(&m, 0, sizeof(m));
		m.op = op;
		m.svc_id = 1;
		m.svc.key.af = AF_INET;
		m.svc.key.proto = IPPROTO_SCTP;
		m.svc.key.port = 3868;
		m.svc.key.addr.in4 = ip4(VIP);
		snprintf(m.svc.sched, sizeof(m.svc.sched), "rr");
		return m;
	}
	// An SCTP NAT service VIP:3868 -> RS1, RS2 port 3869.
	void add_service()
	{
		svc_msg m = msg(SVC_OP_SVC_ADD);
		ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		for (const char *rs : {RS1, RS2}) {
			m = msg(SVC_OP_DEST_ADD);
			m.dest.af = AF_INET;
			m.dest.addr.in4 = ip4(rs);
			m.dest.port = 3869;
			m.dest.fwd = IPVS_WIRE_FWD_MASQ;
			m.dest.weight = 1;
			ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		}
	}
	dpvs_verdict hook(const std::vector<uint8_t> &b)
	{
		rte_mbuf *m = mbuf_of(b);
		dpvs_verdict v = ipvs_pre_routing(nullptr, m, nullptr);
		if (v != VERDICT_STOLEN)
			rte_pktmbuf_free(m);
		return v;
	}
	std::vector<uint8_t> from_cli(uint8_t type, uint32_t tag, uint16_t sport = 5000)
	{
		return sctp_bytes(CLI, VIP, sport, 3868, tag,
				  {{type, type == PROTO_SCTP_CHUNK_INIT ? init_value :
					  std::vector<uint8_t>{1, 2, 3, 4}}});
	}
	const ipvs_lcore_stats &st() { return *ipvs_lcore_stats_get(lcore); }
	uint32_t conns()
	{
		conn_stats s;
		conn_table_stats(t, &s);
		return s.count;
	}
	ipvs_conn *the_conn(uint16_t sport = 5000)
	{
		union inet_addr c{}, v{};
		c.in4 = ip4(CLI);
		v.in4 = ip4(VIP);
		conn_dir dir;
		return conn_lookup(t, AF_INET, IPPROTO_SCTP, &c, htons(sport), &v, htons(3868),
				   &dir);
	}
};

}  // namespace

TEST_F(SctpCore, OnlyAnInitCreatesAConn)
{
	add_service();
	uint64_t noinit = st().sctp_no_init;
	EXPECT_EQ(VERDICT_DROP, hook(from_cli(PROTO_SCTP_CHUNK_DATA, 7)));
	EXPECT_EQ(VERDICT_DROP, hook(from_cli(PROTO_SCTP_CHUNK_COOKIE_ECHO, 7)));
	EXPECT_EQ(VERDICT_DROP, hook(from_cli(PROTO_SCTP_CHUNK_INIT, 7))) << "INIT needs tag 0";
	EXPECT_EQ(noinit + 3, st().sctp_no_init);
	EXPECT_EQ(0u, conns());
	EXPECT_TRUE(g_out.empty());
}

TEST_F(SctpCore, NatBothWaysWithValidCrc)
{
	add_service();
	ASSERT_EQ(VERDICT_STOLEN, hook(from_cli(PROTO_SCTP_CHUNK_INIT, 0)));
	ASSERT_EQ(1u, g_out.size());
	std::vector<uint8_t> o = all_bytes(g_out[0]);
	EXPECT_EQ(ip4(RS1), *(uint32_t *)&o[16]);
	EXPECT_EQ(3869, (o[22] << 8) | o[23]);
	EXPECT_TRUE(crc_right(o)) << "CRC after DNAT of the port";
	ipvs_conn *c = the_conn();
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(SCTP_S_INIT1, c->state);
	// INIT ACK from the server back to the client
	ASSERT_EQ(VERDICT_STOLEN, hook(sctp_bytes(RS1, CLI, 3869, 5000, 0x77,
					     {{PROTO_SCTP_CHUNK_INIT_ACK, init_value}})));
	ASSERT_EQ(2u, g_out.size());
	o = all_bytes(g_out[1]);
	EXPECT_EQ(ip4(VIP), *(uint32_t *)&o[12]);
	EXPECT_EQ(3868, (o[20] << 8) | o[21]);
	EXPECT_TRUE(crc_right(o)) << "CRC after SNAT back to the VIP port";
	EXPECT_EQ(SCTP_S_INIT2, c->state);
	ASSERT_EQ(VERDICT_STOLEN, hook(from_cli(PROTO_SCTP_CHUNK_COOKIE_ECHO, 0x77)));
	ASSERT_EQ(VERDICT_STOLEN, hook(sctp_bytes(RS1, CLI, 3869, 5000, 0x99,
					     {{PROTO_SCTP_CHUNK_COOKIE_ACK, {}}})));
	EXPECT_EQ(SCTP_S_ESTABLISHED, c->state);
	EXPECT_EQ(1u, c->dest->active_conns);
	EXPECT_EQ(900000u, proto_timeout_get(IPPROTO_SCTP, c->state) * 1000u);
	for (auto *m : g_out)
		EXPECT_TRUE(crc_right(all_bytes(m)));
}

TEST_F(SctpCore, InitAfterCloseIsRescheduled)
{
	add_service();
	uint64_t reused = st().conn_reused;
	ASSERT_EQ(VERDICT_STOLEN, hook(from_cli(PROTO_SCTP_CHUNK_INIT, 0)));
	EXPECT_EQ(ip4(RS1), *(uint32_t *)&all_bytes(g_out.back())[16]);
	ASSERT_EQ(VERDICT_STOLEN, hook(sctp_bytes(RS1, CLI, 3869, 5000, 0x77,
					     {{PROTO_SCTP_CHUNK_ABORT, {}}})));
	ASSERT_NE(nullptr, the_conn());
	EXPECT_EQ(SCTP_S_REJECTED, the_conn()->state);
	ASSERT_EQ(VERDICT_STOLEN, hook(from_cli(PROTO_SCTP_CHUNK_INIT, 0)));
	EXPECT_EQ(reused + 1, st().conn_reused);
	EXPECT_EQ(ip4(RS2), *(uint32_t *)&all_bytes(g_out.back())[16]) << "rescheduled";
	EXPECT_EQ(1u, conns());
	// a retransmitted INIT of a live association stays on it
	ASSERT_EQ(VERDICT_STOLEN, hook(from_cli(PROTO_SCTP_CHUNK_INIT, 0)));
	EXPECT_EQ(ip4(RS2), *(uint32_t *)&all_bytes(g_out.back())[16]);
	EXPECT_EQ(reused + 1, st().conn_reused);
}
