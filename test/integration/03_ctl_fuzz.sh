#!/bin/bash
# 03_ctl_fuzz.sh - every registered request type (from `core.ctl_list`)
# gets payloads of its allowed sizes filled with zeros, random bytes and
# edge bytes (0xff, 0x7f, 0x80, 'a'); then junk framing on fresh
# connections (random bytes, truncated headers, random header fields).
# Each well-framed request must get exactly one reply with a valid status;
# the daemon must stay up, answer `dpip ctl ping`, and exit 0 on SIGTERM
# (under build-san: no sanitizer report).  FUZZ_SEED / FUZZ_N to reproduce.
# run_all: san
source "$(dirname "$0")/lib.sh"
need_cmd python3

SEED=${FUZZ_SEED:-$RANDOM}
N=${FUZZ_N:-2000}
echo "fuzz seed $SEED, $N requests" >&2

dpvsd_config "$T/dpvsd.conf"
dpvsd_start "$T/dpvsd.conf"

python3 - "$DPVSD_SOCK" "$N" "$SEED" <<'EOF' || fail "fuzz run failed (seed $SEED)"
import random, socket, struct, sys, time
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
HDR, MAGIC = "<IHHIiI", 0x44505653
ERR_MIN = -18	# EDPVS_ERR_MIN: valid statuses are ERR_MIN < s <= 0

def conn():
    for _ in range(500):	# a full listen backlog answers EAGAIN: retry
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            time.sleep(0.01)
    raise RuntimeError("cannot connect")

def recv_n(s, k):
    b = b""
    while len(b) < k:
        d = s.recv(k - len(b))
        if not d:
            raise EOFError("connection closed")
        b += d
    return b

def call(s, op, payload, seq):
    s.sendall(struct.pack(HDR, MAGIC, 1, op, seq, 0, len(payload)) + payload)
    m, v, o, rseq, st, ln = struct.unpack(HDR, recv_n(s, 20))
    body = recv_n(s, ln)
    assert (m, v, o, rseq) == (MAGIC, 1, op, seq), (hex(m), v, hex(o), rseq)
    assert ERR_MIN < st <= 0, st
    if st != 0:
        assert body.endswith(b"\0") and len(body) > 1, body
    return st

s = conn()
call(s, 0x104, b"", 0)
s.sendall(struct.pack(HDR, MAGIC, 1, 0x104, 1, 0, 0))
_, _, _, _, st, ln = struct.unpack(HDR, recv_n(s, 20))
body = recv_n(s, ln)
ops = [struct.unpack("<32sIIIIQQQQ", body[i:i + 80]) for i in range(0, len(body), 80)]
ops = [(nm.rstrip(b"\0").decode(), op, mn, mx) for nm, op, mn, mx, fl, *_ in ops
       if nm.rstrip(b"\0") != b"core.log_set"]	# keep the log readable
assert ops, "no request types listed"
edges = [0, 0xff, 1, 0x7f, 0x80, ord("a")]
for i in range(n):
    name, op, mn, mx = rnd.choice(ops)
    ln = rnd.choice([mn, mx, rnd.randint(mn, mx)])
    kind = rnd.random()
    if kind < 0.3:
        p = bytes(ln)
    elif kind < 0.6:
        p = bytes(rnd.getrandbits(8) for _ in range(ln))
    else:
        p = bytes(rnd.choice(edges) for _ in range(ln))
    try:
        call(s, op, p, i + 2)
    except Exception as e:
        sys.exit("request %d %s (0x%04x) len %d payload %s: %r" % (i, name, op, ln, p[:48].hex(), e))

# junk framing, each on its own connection
for i in range(200):
    c = conn()
    kind = rnd.randrange(3)
    if kind == 0:
        c.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 200))))
    elif kind == 1:
        c.sendall(struct.pack(HDR, MAGIC, 1, rnd.getrandbits(16), 1, 0, 8)[:rnd.randint(1, 19)])
    else:
        c.sendall(struct.pack(HDR, rnd.choice([MAGIC, rnd.getrandbits(32)]), rnd.getrandbits(16),
                              rnd.getrandbits(16), 1, rnd.getrandbits(31) - (1 << 30),
                              rnd.choice([0, 1, 70000, rnd.getrandbits(32)])))
    c.close()
print("fuzz done: %d typed requests over %d request types, 200 junk connections" % (n, len(ops)))
EOF

"$DPIP" ctl ping >/dev/null || fail "daemon does not answer after fuzzing (seed $SEED)"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "exit status after fuzzing (seed $SEED)"
if grep -qE "runtime error|AddressSanitizer|LeakSanitizer" "$DPVSD_LOG"; then
	fail "sanitizer report after fuzzing (seed $SEED)"
fi
echo "PASS: control fuzz (seed $SEED)"
