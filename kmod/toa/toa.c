// SPDX-License-Identifier: GPL-2.0
/*
 * toa.c - TCP Option Address for real servers behind dpvsd in FNAT mode.
 *
 * In FNAT mode dpvsd rewrites the client's address to one of its own local
 * addresses, so a real server's accept()/getpeername() would name dpvsd.
 * dpvsd therefore inserts a TCP option carrying the client's IPv4 address
 * and port into the SYN and into the ACK that completes the handshake:
 *
 *     kind 254 (TOA_OPT_KIND), length 8, port (2 bytes, network order),
 *     address (4 bytes, network order)
 *
 * This module, loaded on the real server, does two things and nothing else:
 *
 *  1. A kretprobe on tcp_v4_syn_recv_sock() (called with the packet that
 *     completes the handshake, and returning the new child socket) reads the
 *     option from that packet and stores the client address in the child
 *     socket's sk_user_data, packed into a value that can never be a kernel
 *     pointer (bits 63..52 hold a tag that is not a canonical address), and
 *     only if sk_user_data is still unused.
 *  2. A kretprobe on inet_getname() (getpeername(), accept() with an
 *     address) rewrites the returned peer sockaddr_in when the socket carries
 *     such a value.
 *
 * Probes are used instead of patching ipv4_specific / inet_stream_ops,
 * which are read-only in current kernels.  IPv4 only; sockets without the
 * option are left untouched.  Counters are printed when the module unloads
 * and readable in /sys/module/toa/parameters/ (read-only).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/tcp.h>

#define TOA_OPT_KIND	254
#define TOA_OPT_LEN	8
#define TOA_TAG		0x70AULL	/* bits 63..52: not a canonical pointer */
#define TOA_TAG_SHIFT	52

static unsigned long toa_stat_found;	/* handshakes that carried the option */
static unsigned long toa_stat_stored;	/* stored in a new socket */
static unsigned long toa_stat_busy;	/* sk_user_data already used by someone */
static unsigned long toa_stat_rewritten;	/* getname() answers rewritten */
module_param_named(found, toa_stat_found, ulong, 0444);
module_param_named(stored, toa_stat_stored, ulong, 0444);
module_param_named(busy, toa_stat_busy, ulong, 0444);
module_param_named(rewritten, toa_stat_rewritten, ulong, 0444);

static inline u64 toa_pack(__be32 addr, __be16 port)
{
	return (TOA_TAG << TOA_TAG_SHIFT) | ((u64)(__force u32)addr << 20) |
	       ((u64)(__force u16)port << 4);
}

static inline bool toa_unpack(u64 v, __be32 *addr, __be16 *port)
{
	if ((v >> TOA_TAG_SHIFT) != TOA_TAG)
		return false;
	*addr = (__force __be32)(u32)(v >> 20);
	*port = (__force __be16)(u16)(v >> 4);
	return true;
}

/* Find the TOA option in the TCP header of skb (linear: tcp_v4_rcv pulled
 * doff * 4 bytes).  Returns true and fills addr/port when present. */
static bool toa_parse(const struct sk_buff *skb, __be32 *addr, __be16 *port)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const unsigned char *p = (const unsigned char *)(th + 1);
	int left = th->doff * 4 - (int)sizeof(*th);

	while (left > 0) {
		unsigned char kind = p[0];
		unsigned char len;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			p++;
			left--;
			continue;
		}
		if (left < 2)
			break;
		len = p[1];
		if (len < 2 || len > left)
			break;
		if (kind == TOA_OPT_KIND && len == TOA_OPT_LEN) {
			memcpy(port, p + 2, sizeof(*port));
			memcpy(addr, p + 4, sizeof(*addr));
			return true;
		}
		p += len;
		left -= len;
	}
	return false;
}

/* ---- tcp_v4_syn_recv_sock(sk, skb, req, dst, req_unhash, own_req) ---- */

struct toa_syn_data {
	struct sk_buff *skb;
};

static int toa_syn_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_syn_data *d = (struct toa_syn_data *)ri->data;

	d->skb = (struct sk_buff *)regs_get_kernel_argument(regs, 1);
	return 0;
}

static int toa_syn_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_syn_data *d = (struct toa_syn_data *)ri->data;
	struct sock *newsk = (struct sock *)regs_return_value(regs);
	__be32 addr;
	__be16 port;

	if (!newsk || !d->skb || !toa_parse(d->skb, &addr, &port))
		return 0;
	toa_stat_found++;
	if (READ_ONCE(newsk->sk_user_data)) {
		toa_stat_busy++;
		return 0;
	}
	WRITE_ONCE(newsk->sk_user_data, (void __force __rcu *)(uintptr_t)toa_pack(addr, port));
	toa_stat_stored++;
	return 0;
}

static struct kretprobe toa_syn_probe = {
	.kp.symbol_name = "tcp_v4_syn_recv_sock",
	.entry_handler = toa_syn_entry,
	.handler = toa_syn_ret,
	.data_size = sizeof(struct toa_syn_data),
	.maxactive = 64,
};

/* ---- inet_getname(sock, uaddr, peer) ---- */

struct toa_getname_data {
	struct socket *sock;
	struct sockaddr *uaddr;
	int peer;
};

static int toa_getname_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_getname_data *d = (struct toa_getname_data *)ri->data;

	d->sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	d->uaddr = (struct sockaddr *)regs_get_kernel_argument(regs, 1);
	d->peer = (int)regs_get_kernel_argument(regs, 2);
	return 0;
}

static int toa_getname_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_getname_data *d = (struct toa_getname_data *)ri->data;
	long rc = (long)regs_return_value(regs);
	struct sockaddr_in *sin = (struct sockaddr_in *)d->uaddr;
	struct sock *sk;
	__be32 addr;
	__be16 port;

	if (rc != (long)sizeof(struct sockaddr_in) || !d->peer || !d->sock || !sin)
		return 0;
	sk = d->sock->sk;
	if (!sk || sk->sk_family != AF_INET || sin->sin_family != AF_INET)
		return 0;
	if (!toa_unpack((u64)(uintptr_t)(__force void *)READ_ONCE(sk->sk_user_data),
			&addr, &port))
		return 0;
	sin->sin_addr.s_addr = addr;
	sin->sin_port = port;
	toa_stat_rewritten++;
	return 0;
}

static struct kretprobe toa_getname_probe = {
	.kp.symbol_name = "inet_getname",
	.entry_handler = toa_getname_entry,
	.handler = toa_getname_ret,
	.data_size = sizeof(struct toa_getname_data),
	.maxactive = 64,
};

static int __init toa_init(void)
{
	int rc;

	rc = register_kretprobe(&toa_syn_probe);
	if (rc < 0) {
		pr_err("toa: cannot probe tcp_v4_syn_recv_sock: %d\n", rc);
		goto err_syn;
	}
	rc = register_kretprobe(&toa_getname_probe);
	if (rc < 0) {
		pr_err("toa: cannot probe inet_getname: %d\n", rc);
		goto err_getname;
	}
	pr_info("toa: loaded (option kind %d)\n", TOA_OPT_KIND);
	return 0;

err_getname:
	unregister_kretprobe(&toa_syn_probe);
err_syn:
	return rc;
}

static void __exit toa_exit(void)
{
	unregister_kretprobe(&toa_getname_probe);
	unregister_kretprobe(&toa_syn_probe);
	pr_info("toa: unloaded (found %lu stored %lu busy %lu rewritten %lu)\n",
		toa_stat_found, toa_stat_stored, toa_stat_busy, toa_stat_rewritten);
}

module_init(toa_init);
module_exit(toa_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dpvsd TOA: client address from a TCP option for getpeername()");
