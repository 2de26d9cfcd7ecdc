#!/usr/bin/env bash
# agent_smoke.sh - drives a real tcpconform-agent inside a network namespace against the Linux
# kernel: CONFIG, passive open, data both ways, close on both ends (TIME_WAIT on the side that
# closed first), passive close, active open, a refused connect, and the --listen control mode.
#
# Usage: tests/agent_smoke.sh [AGENT]    (default build/tcpconform-agent; AGENT=... works too)
# Prints "N passed, N failed"; exits 1 on any failure, 77 when not root (cannot make netns).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
agent=${1:-${AGENT:-$top/build/tcpconform-agent}}
if [ ! -x "$agent" ]; then
	echo "agent_smoke: $agent is not built (make build/tcpconform-agent)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "agent_smoke: needs root for network namespaces; skipped" >&2
	exit 77
fi
command -v python3 >/dev/null || { echo "agent_smoke: needs python3" >&2; exit 1; }

# Names carry the pid so parallel runs do not collide; interface names stay within 15 bytes.
id=$(($$ % 100000))
ns=tcpc-agt-$id
vroot=tcpc-agt-r$id
vns=tcpc-agt-n$id
# 198.18.0.0/15 is reserved for benchmarking (RFC 2544), so it clashes with no real network.
octet=$(($$ % 250 + 1))
host=198.19.$octet.1
target=198.19.$octet.2

cleanup() {
	# Deleting the namespace kills nothing by itself, so the agents started in it go first.
	for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	ip link del "$vroot" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns" || exit 1
ip link add "$vroot" type veth peer name "$vns" || exit 1
ip link set "$vns" netns "$ns" || exit 1
ip addr add "$host/30" dev "$vroot" || exit 1
ip link set "$vroot" up || exit 1
ip netns exec "$ns" ip link set lo up || exit 1
ip netns exec "$ns" ip addr add "$target/30" dev "$vns" || exit 1
ip netns exec "$ns" ip link set "$vns" up || exit 1

python3 - "$agent" "$ns" "$host" "$target" <<'EOF'
import os, re, select, socket, struct, subprocess, sys, time

agent_bin, ns, host, target = sys.argv[1:5]
passed = failed = 0

def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + ("  -- " + detail if detail else ""))

class Agent:
    """A line client of the agent protocol, over a pipe pair or a socket."""
    def __init__(self, rfd, wfd):
        self.rfd, self.wfd, self.buf, self.tag, self.stash = rfd, wfd, b"", 100, []
        self.pendings = set()  # tags the agent acknowledged with PENDING

    def line(self, timeout):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([self.rfd], [], [], left)[0]:
                return None
            chunk = os.read(self.rfd, 65536)
            if not chunk:
                return None
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode()

    def send(self, text):
        self.tag += 1
        os.write(self.wfd, ("%d %s\n" % (self.tag, text)).encode())
        return str(self.tag)

    def wait(self, tag, timeout=3.0):
        """The final reply with this tag (PENDING acknowledgements are noted and skipped);
        other replies are kept for their own wait."""
        for i, l in enumerate(self.stash):
            if l.split(" ", 1)[0] == tag:
                return self.stash.pop(i)
        end = time.time() + timeout
        while True:
            l = self.line(max(0.0, end - time.time()))
            if l is None:
                return None
            parts = l.split(" ", 2)
            if len(parts) >= 2 and parts[1] == "PENDING":
                self.pendings.add(parts[0])
                continue
            if parts[0] == tag:
                return l
            self.stash.append(l)

    def req(self, text, timeout=3.0):
        return self.wait(self.send(text), timeout)

    def state(self):
        r = self.req("STATE") or ""
        m = re.match(r"\d+ OK state=(\S+)", r)
        return m.group(1) if m else r

    def state_becomes(self, want, timeout=3.0):
        end, st = time.time() + timeout, None
        while time.time() < end:
            st = self.state()
            if st == want:
                return st
            time.sleep(0.05)
        return st

def done_ok(r, call):
    return r is not None and re.fullmatch(r"\d+ DONE call=%s ret=0 errno=0" % call, r) is not None

def config(a, port, peer_port):
    return a.req("CONFIG family=4 local=%s port=%d peer=%s peer_port=%d"
                 % (target, port, host, peer_port))

p = subprocess.Popen(["ip", "netns", "exec", ns, agent_bin],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
a = Agent(p.stdout.fileno(), p.stdin.fileno())

# --- protocol basics ---
hello = a.line(3)
check("HELLO line", hello == "HELLO tcpconform-agent 1 os=linux", repr(hello))
r = a.req("PING"); check("PING -> OK", r == "%d OK" % a.tag, repr(r))
r = a.req("STATE"); check("STATE before CONFIG -> BADSTATE",
                          (r or "").startswith("%d ERR BADSTATE " % a.tag), repr(r))
os.write(a.wfd, b"x PING\n")
r = a.wait("*"); check("bad tag -> * ERR BADREQ", (r or "").startswith("* ERR BADREQ "), repr(r))
r = a.req("CALL bind"); check("unknown call -> ERR BADREQ",
                              (r or "").startswith("%d ERR BADREQ " % a.tag), repr(r))
r = a.req("CALL getsockopt opt=TCP_NODELAY")
check("CALL before CONFIG -> BADSTATE", "ERR BADSTATE" in (r or ""), repr(r))

# --- passive open, data, active close by the agent ---
r = config(a, 5001, 40001); check("CONFIG -> OK", r == "%d OK" % a.tag, repr(r))
check("STATE CLOSED before listen", a.state() == "CLOSED")
r = a.req("CALL setsockopt opt=TCP_NODELAY value=1")
check("setsockopt before listen (pre socket)", done_ok(r, "setsockopt"), repr(r))
r = a.req("CALL listen backlog=8"); check("listen DONE", done_ok(r, "listen"), repr(r))
r = a.req("CALL getsockopt opt=TCP_NODELAY")
check("listen used the pre socket", re.search(r" value=[1-9]", r or "") is not None, repr(r))
check("STATE LISTEN", a.state() == "LISTEN")
acc = a.send("CALL accept")
r = a.wait(acc, 0.3); check("accept waits for a connection", r is None, repr(r))
r = a.req("PING"); check("agent answers while accept pends", r == "%d OK" % a.tag, repr(r))

c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
c.bind((host, 40001))
c.settimeout(3)
c.connect((target, 5001))
r = a.wait(acc); check("accept DONE", done_ok(r, "accept"), repr(r))
check("the blocking accept was acknowledged with PENDING", acc in a.pendings, repr(sorted(a.pendings)))
check("STATE ESTABLISHED", a.state() == "ESTABLISHED")

rd = a.send("CALL read len=100")
r = a.wait(rd, 0.2); check("read pends with no data", r is None, repr(r))
r = a.req("CALL write data=68656c6c6f")
check("write while a read pends", r == "%d DONE call=write ret=5 errno=0" % a.tag, repr(r))
check("peer got the written bytes", c.recv(100) == b"hello")
c.sendall(b"world")
r = a.wait(rd); check("pending read completes", r == "%s DONE call=read ret=5 errno=0 data=776f726c64" % rd, repr(r))
r = a.req("CALL write len=25")
check("write len=25 DONE", r == "%d DONE call=write ret=25 errno=0" % a.tag, repr(r))
got = b""
while len(got) < 25:
    chunk = c.recv(100)
    if not chunk:
        break
    got += chunk
check("filler is 0123456789...", got == b"0123456789012345678901234", repr(got))

rd = a.send("CALL read")
r = a.req("CALL close")
check("close DONE", r == "%d DONE call=close ret=0 errno=0" % a.tag, repr(r))
r = a.wait(rd); check("close ends the pending read with EBADF",
                      r == "%s DONE call=read ret=-1 errno=EBADF" % rd, repr(r))
st = a.state_becomes("FIN_WAIT_2"); check("STATE FIN_WAIT_2 after our close", st == "FIN_WAIT_2", st)
check("peer reads EOF", c.recv(100) == b"")
c.close()
st = a.state_becomes("TIME_WAIT"); check("STATE TIME_WAIT on the side that closed first", st == "TIME_WAIT", st)

# --- second connection: the peer closes first ---
r = config(a, 5001, 40002); check("re-CONFIG with the listener open", r == "%d OK" % a.tag, repr(r))
acc = a.send("CALL accept")
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
c.bind((host, 40002))
c.settimeout(3)
c.connect((target, 5001))
r = a.wait(acc); check("second accept DONE", done_ok(r, "accept"), repr(r))
c.close()
st = a.state_becomes("CLOSE_WAIT"); check("STATE CLOSE_WAIT after the peer's FIN", st == "CLOSE_WAIT", st)
r = a.req("CALL read len=10"); check("read at EOF -> ret=0", r == "%d DONE call=read ret=0 errno=0" % a.tag, repr(r))
r = a.req("CALL write len=1"); check("write after peer FIN is queued", r == "%d DONE call=write ret=1 errno=0" % a.tag, repr(r))
time.sleep(0.3)  # the peer answers that byte with RST
r = a.req("CALL write len=1")
check("write after RST -> EPIPE or ECONNRESET",
      re.fullmatch(r"\d+ DONE call=write ret=-1 errno=(EPIPE|ECONNRESET)", r or "") is not None, repr(r))
r = a.req("CALL close"); check("close after RST", done_ok(r, "close"), repr(r))
# The connection's own state (docs/agent-protocol.md STATE): an accepted connection that is
# gone is CLOSED, not the listener's LISTEN.
check("STATE CLOSED when an accepted connection is gone and the listener is open",
      a.state() == "CLOSED")
r = a.req("STATE sock=listener"); check("STATE sock=listener -> LISTEN", r == "%d OK state=LISTEN" % a.tag, repr(r))
# A tuple nothing has used yet, with the listener open: a passive open waiting, LISTEN.
config(a, 5001, 40003)
check("STATE LISTEN for a tuple not seen yet", a.state() == "LISTEN")
# The handshake completes in the kernel, and the peer resets it before anyone accepts it: the
# connection stays in the accept queue, closed and unlisted, and is CLOSED (not LISTEN).
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
c.bind((host, 40003))
c.settimeout(3)
c.connect((target, 5001))
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
time.sleep(0.2)
check("STATE CLOSED for a connection reset in the accept queue", a.state() == "CLOSED")
config(a, 5099, 40002)
check("STATE CLOSED for a local port the listener is not on", a.state() == "CLOSED")
config(a, 5001, 40002)
r = a.req("CALL close sock=listener"); check("close listener", done_ok(r, "close"), repr(r))
r = a.req("STATE sock=listener"); check("STATE sock=listener -> CLOSED after close", r == "%d OK state=CLOSED" % a.tag, repr(r))
check("STATE CLOSED with nothing open", a.state() == "CLOSED")
r = a.req("CALL read"); check("read with no socket -> EBADF", r == "%d DONE call=read ret=-1 errno=EBADF" % a.tag, repr(r))

# --- active open ---
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((host, 40003))
l.listen(1)
config(a, 5002, 40003)
r = a.req("CALL connect"); check("connect DONE", done_ok(r, "connect"), repr(r))
check("STATE ESTABLISHED after connect", a.state() == "ESTABLISHED")
s, _ = l.accept()
r = a.req("CALL shutdown how=wr"); check("shutdown wr", done_ok(r, "shutdown"), repr(r))
s.settimeout(3)
check("peer sees EOF after shutdown wr", s.recv(10) == b"")
st = a.state_becomes("FIN_WAIT_2"); check("STATE FIN_WAIT_2 after shutdown wr", st == "FIN_WAIT_2", st)
s.close(); l.close()
r = a.req("CALL close"); check("close active conn", done_ok(r, "close"), repr(r))
config(a, 5003, 40004)
r = a.req("CALL connect")
check("connect to a closed port -> ECONNREFUSED",
      r == "%d DONE call=connect ret=-1 errno=ECONNREFUSED" % a.tag, repr(r))
r = a.req("CALL close"); check("close the refused socket", done_ok(r, "close"), repr(r))
r = a.req("CALL getsockopt opt=SO_LINGER")
check("getsockopt SO_LINGER pair", r == "%d DONE call=getsockopt ret=0 errno=0 value=0,0" % a.tag, repr(r))

# --- a write larger than the send buffer waits, without holding up the agent ---
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
l.bind((host, 40005))
l.listen(1)
r = a.req("CALL close"); check("close the pre socket", done_ok(r, "close"), repr(r))
config(a, 5004, 40005)
r = a.req("CALL connect"); check("connect for the big write", done_ok(r, "connect"), repr(r))
s, _ = l.accept()
big = 3000000
wr = a.send("CALL write len=%d" % big)
r = a.wait(wr, 0.3); check("big write pends while the peer does not read", r is None, repr(r))
r = a.req("PING"); check("agent answers while a write pends", r == "%d OK" % a.tag, repr(r))
got, ok = 0, True
s.settimeout(5)
while got < big:
    chunk = s.recv(65536)
    if not chunk:
        break
    for i, ch in enumerate(chunk[:20]):
        ok = ok and ch == ord("0") + (got + i) % 10
    got += len(chunk)
check("peer reads the whole big write", got == big and ok, "%d bytes, pattern %s" % (got, ok))
r = a.wait(wr); check("big write DONE with all bytes", r == "%s DONE call=write ret=%d errno=0" % (wr, big), repr(r))
s.close(); l.close()
r = a.req("CALL close"); check("close after big write", done_ok(r, "close"), repr(r))

# --- garbage never kills the agent ---
import random
rnd = random.Random(7)
junk = bytearray()
for _ in range(300):
    junk += bytes(rnd.randrange(256) for _ in range(rnd.randrange(60))) + b"\n"
junk += b"5 CALL write data=" + b"ab" * 40000 + b"\n"   # longer than a line may be
os.write(a.wfd, bytes(junk))
r = a.req("PING", 10); check("agent alive after garbage and an overlong line", r == "%d OK" % a.tag, repr(r))
bad = [x for x in a.stash if not re.match(r"(\*|\d+) ERR BADREQ ", x)]
check("garbage got only ERR BADREQ replies", len(a.stash) > 250 and not bad, "%d replies, odd: %r" % (len(a.stash), bad[:3]))
check("overlong line -> ERR BADREQ line longer", any(x.startswith("5 ERR BADREQ line longer than 65536") for x in a.stash))
a.stash = []

r = a.req("QUIT"); check("QUIT -> OK", r == "%d OK" % a.tag, repr(r))
try:
    rc = p.wait(3)
except subprocess.TimeoutExpired:
    p.kill(); rc = "hung"
check("agent exits 0 after QUIT", rc == 0, str(rc))
check("no unexpected replies", a.stash == [], repr(a.stash))

# --- --listen control mode ---
q = subprocess.Popen(["ip", "netns", "exec", ns, agent_bin, "--listen", "7007"])
t = None
for _ in range(50):
    try:
        t = socket.create_connection((target, 7007), timeout=1)
        break
    except OSError:
        time.sleep(0.1)
check("--listen accepts a control connection", t is not None)
if t is not None:
    b = Agent(t.fileno(), t.fileno())
    hello = b.line(3)
    check("--listen HELLO", hello == "HELLO tcpconform-agent 1 os=linux", repr(hello))
    r = b.req("PING"); check("--listen PING", r == "%d OK" % b.tag, repr(r))
    r = b.req("QUIT"); check("--listen QUIT", r == "%d OK" % b.tag, repr(r))
    t.close()
try:
    rc = q.wait(3)
except subprocess.TimeoutExpired:
    q.kill(); rc = "hung"
check("--listen agent exits 0 after QUIT", rc == 0, str(rc))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
