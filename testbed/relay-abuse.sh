#!/usr/bin/env bash
# relay-abuse.sh — a member gone rogue abuses a relay's circuits and seeks; the relay's limits hold
# and the honest members it relays for carry on.
#
# Usage (root):  testbed/relay-abuse.sh [--keep] [--seconds N]
#   --keep       keep the work directory (keys, configs, logs); always kept when a check fails
#   --seconds N  how long each abuse lasts at most (default 8; the garbage phase half that)
#
# Layout (namespaces kmra<PID>-*): a bridge in kmra<PID>-sw, 10.66.0.0/24:
#   R 10.66.0.1  the relay: `keymesh up`, accept-members = true, one network key, lists A and B;
#                relay { max-circuits = 1024, bytes-per-second = 1M, idle-timeout = 120s }
#   A 10.66.0.2  honest member: R with its endpoint, B through R (via = [R]); forwards
#                127.0.0.1:15201 to B's service "iperf"
#   B 10.66.0.3  honest member: R with its endpoint, A through R; accept-members = true; exposes
#                "iperf" = 127.0.0.1:5201 (iperf3 -s) to A
#   C 10.66.0.4  honest member: R with its endpoint; B added at run time (through R, then by key)
#   M 10.66.0.9  the rogue member: testbed/tools/RelayAbuse.java, holding the network key; a real
#                WireGuard session with R (R admits it), then overlay frames inside it as fast as it
#                can; it sends only to R's address and port and stops by itself (frame count, time)
#   nftables in A's, B's and C's namespaces drop UDP to and from anyone but R: the honest members
#   reach each other only through R (A and B over the circuits they open at start).
#   R runs with --status-interval 1s: its status table says how many circuits it joins, every second.
#   Counters come from the control sockets (`status` and `ping` requests through socat).
#
# Checks:
#   1. Circuit exhaustion: M sends RELAY_OPEN (to A, to B, to keys that exist nowhere) for --seconds,
#      as fast as R answers (at most 1,024 unanswered at once). R refuses past its limit with
#      RELAY_REFUSED capacity (M counts them by reason; R's `refused` grows by at least as many), R
#      never joins more than max-circuits (its table, every second) and M never holds more than
#      its link's share (max-circuits-per-link: half of max-circuits); the A-B circuits opened
#      before the flood keep carrying A's pings to B (at least half of them answered); a new
#      circuit between honest members, C to B through R, opened while M holds its share, carries
#      C's pings (one of two answered at least); after M closes its circuits every circuit R joins
#      has both ends at honest members.
#   2. Relay data flood: M opens 8 circuits (to A and B) and pushes RELAY_DATA on them as fast as
#      it can. R drops what is over the per-circuit rate (`packetsOverRate` grows), forwards at most
#      circuits x (burst + rate x time) bytes in all, and A's pings to B (at least half answered)
#      and an iperf3 run through A's forward to B's service go on.
#   3. Seek flood: M sends SEEK frames, each with a new origin key and seek id (M the last hop
#      passed), for A, B and keys that exist nowhere. R takes at most its per-link rate from M
#      (100 + 50 a second) and drops the rest as rate-limited; the seeks it remembers stay within
#      SEEN_CAPACITY and its circuits within max-circuits; C, told during the flood to reach B by
#      key, finds it (found by a seek, pings answered).
#   4. Garbage: malformed relay and seek frames, frames of unknown types, truncated payloads, and
#      well-formed RELAY_DATA/OPENED/REFUSED/CLOSE for circuits that do not exist, inside M's
#      session. R counts them (`malformedFrames`, discovery's `malformed`) and sends M nothing but
#      what the protocol defines: RELAY_CLOSE for data on an unknown circuit (10 a second at most),
#      besides its own REACH and OBSERVED_ADDRESS frames and the closes of check 3's splices as
#      they expire. A's pings to B go on.
#   5. Bounds: R's resident memory after the abuse is within 64 MiB of before; within 20 s every
#      circuit R joins has both ends at honest members (the splices of check 3 gone).
# Reported: M's frames and packets per second in each phase, what R sent back, R's counters, R's CPU
# use in each phase (from /proc) and datagrams its socket had no room for, A's ping RTT to B and the
# iperf3 rate before and during the floods. Measured runs: docs/testing.md, "Relay and seek abuse
# by a member". M runs at nice 19, so that on shared CPUs the flood takes only CPU time R does not
# want (an attacker on a machine of its own costs the relay only what it receives).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

KEEP=0 SECONDS_EACH=8
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keep) KEEP=1 ;;
        --seconds) SECONDS_EACH=$2; shift ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

require_root "network namespaces, nftables"
require_tools ip nft awk socat iperf3

RUN=$$
PFX="kmra${RUN}"
NS_SW="$PFX-sw" NS_R="$PFX-r" NS_A="$PFX-a" NS_B="$PFX-b" NS_C="$PFX-c" NS_M="$PFX-m"
ALL_NS=("$NS_SW" "$NS_R" "$NS_A" "$NS_B" "$NS_C" "$NS_M")
R_IP=10.66.0.1 A_IP=10.66.0.2 B_IP=10.66.0.3 C_IP=10.66.0.4 M_IP=10.66.0.9
PORT=51820
MAX_CIRCUITS=1024
LINK_SHARE=$(( (MAX_CIRCUITS + 1) / 2 ))   # max-circuits-per-link left out: half of max-circuits
RATE=1048576                                  # bytes-per-second per circuit (1M)
BURST=$(( RATE / 10 > 65536 ? RATE / 10 : 65536 ))   # RelayConfig: max(MIN_BURST_BYTES, rate / 10)
DATA_CIRCUITS=8
SEEK_BURST=100 SEEK_LINK_RATE=50              # DiscoveryConfig.DEFAULT: 50 seeks/s per link, a burst of 2 s
SEEN_CAPACITY=4096                            # Seeks.SEEN_CAPACITY
RUN_LIMIT=$(( SECONDS_EACH * 6 + 150 ))s
# R, under test, with the JIT compilers flood.sh's node has; the honest members, whose start matters
# more than their speed, with C1 only (as relay-nat.sh's). The caller's KEYMESH_JAVA_OPTS wins for all.
R_JAVA_OPTS=${KEYMESH_JAVA_OPTS:-"-XX:+UseSerialGC -Xmx256m"}
EDGE_JAVA_OPTS=${KEYMESH_JAVA_OPTS:-"-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m"}

WORK=$(mktemp -d "/tmp/${PFX}.XXXXXX")
cleanup() {
    local rc=$? ns
    set +e
    kill_tracked
    for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if (( KEEP || FAILED > 0 || rc != 0 )); then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

remove_leftover_namespaces kmra relay-abuse

# ---------------------------------------------------------------------------------------------
# Build, tools, namespaces, keys
# ---------------------------------------------------------------------------------------------
T_START=$(now_ms)
if ! "$ROOT/keymesh" --version >"$WORK/build.log" 2>&1; then
    check "keymesh builds" "./keymesh --version failed: $(tail -n 5 "$WORK/build.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
source "$ROOT/scripts/java-env.sh"
CP="$(ls "$ROOT"/keymesh-cli/target/keymesh-cli-*.jar | head -n 1):$ROOT/keymesh-cli/target/lib/*"
# The rogue member runs five times: compiled once, not at each start.
if ! "$JAVA_HOME/bin/javac" -d "$WORK/classes" -cp "$CP" "$HERE/tools/RelayAbuse.java" >"$WORK/javac.log" 2>&1; then
    check "the rogue member compiles" "$(head -n 5 "$WORK/javac.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
rogue() { "$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp "$WORK/classes:$CP" RelayAbuse "$@"; }
log "keymesh and the rogue member ready in $(( $(now_ms) - T_START )) ms; $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))"

for ns in "${ALL_NS[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$NS_SW" link add br0 type bridge
ip -n "$NS_SW" link set br0 up
for host in r a b c m; do
    ns_var="NS_${host^^}" ip_var="${host^^}_IP"
    veth_link "$NS_SW" "to$host" - "${!ns_var}" eth0 "${!ip_var}/24"
    ip -n "$NS_SW" link set "to$host" master br0
done
# The honest members reach no one but R over UDP (the forward's TCP stays on loopback).
for ns in "$NS_A" "$NS_B" "$NS_C"; do
    ip netns exec "$ns" nft -f - <<EOF
table inet onlyrelay {
    chain input {
        type filter hook input priority 0;
        iifname "eth0" meta l4proto udp ip saddr != $R_IP drop
    }
    chain output {
        type filter hook output priority 0;
        oifname "eth0" meta l4proto udp ip daddr != $R_IP drop
    }
}
EOF
done
rogue keys "$WORK" r a b c m >"$WORK/keys.log" 2>&1 || die "key generation failed: $(cat "$WORK/keys.log")"
R_PUB=$(cat "$WORK/r.pub") A_PUB=$(cat "$WORK/a.pub") B_PUB=$(cat "$WORK/b.pub") C_PUB=$(cat "$WORK/c.pub") M_PUB=$(cat "$WORK/m.pub")
log "6 namespaces, keys: R $R_PUB  A $A_PUB  B $B_PUB  C $C_PUB  M $M_PUB"

cat >"$WORK/r.conf" <<EOF
keymesh {
  private-key-file = "r.key"
  control.socket = "$WORK/r.sock"
  listen = "$R_IP:$PORT"
  network-key-file = "network.key"
  accept-members = true
  peers = [ { public-key = "$A_PUB" }, { public-key = "$B_PUB" } ]
  relay { enabled = true, max-circuits = $MAX_CIRCUITS, bytes-per-second = $RATE, idle-timeout = 120s }
}
EOF
cat >"$WORK/a.conf" <<EOF
keymesh {
  private-key-file = "a.key"
  control.socket = "$WORK/a.sock"
  listen = "$A_IP:$PORT"
  network-key-file = "network.key"
  peers = [
    { public-key = "$R_PUB", endpoint = "$R_IP:$PORT", persistent-keepalive = 25s }
    { public-key = "$B_PUB", via = [ "$R_PUB" ] }
  ]
  forwards = [ { listen = "127.0.0.1:15201", to = "$B_PUB/iperf" } ]
}
EOF
cat >"$WORK/b.conf" <<EOF
keymesh {
  private-key-file = "b.key"
  control.socket = "$WORK/b.sock"
  listen = "$B_IP:$PORT"
  network-key-file = "network.key"
  accept-members = true
  peers = [
    { public-key = "$R_PUB", endpoint = "$R_IP:$PORT", persistent-keepalive = 25s }
    { public-key = "$A_PUB", via = [ "$R_PUB" ] }
  ]
  services { iperf { target = "127.0.0.1:5201", allow = [ "$A_PUB" ] } }
}
EOF
cat >"$WORK/c.conf" <<EOF
keymesh {
  private-key-file = "c.key"
  control.socket = "$WORK/c.sock"
  listen = "$C_IP:$PORT"
  network-key-file = "network.key"
  peers = [ { public-key = "$R_PUB", endpoint = "$R_IP:$PORT", persistent-keepalive = 25s } ]
}
EOF

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
# ctl NAME WAIT TAIL REQUEST... — sends the requests (JSON lines) to NAME's control socket, one
# every WAIT seconds, and prints the answers; socat waits TAIL seconds after the last for answers
# still to come (the daemon keeps the connection open).
ctl() {
    local name=$1 wait=$2 tail=$3; shift 3
    { local r; for r in "$@"; do printf '%s\n' "$r"; sleep "$wait"; done; } \
        | socat -t "$tail" - UNIX-CONNECT:"$WORK/$name.sock" 2>>"$WORK/socat.log" || true
}
# status NAME FILE — NAME's status (one JSON line) into FILE
status() { ctl "$1" 0 1 '{"v":1,"op":"status"}' >"$2"; }
# jnum FILE SECTION KEY — the number KEY holds in the object SECTION of the JSON in FILE, up to the
# first object inside it; SECTION "-": anywhere (the first). 0 if there is none (a failed status
# request shows as counters that did not move).
jnum() {
    local v
    v=$(if [[ $2 == - ]]; then grep -o "\"$3\":[0-9]*" "$1"; else grep -o "\"$2\":{[^}]*}" "$1"; fi \
        | head -n 1 | grep -o "\"$3\":[0-9]*" | head -n 1 | cut -d: -f2)
    echo "${v:-0}"
}
# count_rogue_circuits — LEFT: how many of the circuits R joins now lack an end at an honest
# member. Each circuit between honest members (opened by one, or spliced by R for a seek) has an end
# at each, so twice R's circuits less the ends A, B and C hold is what M still holds through R (one
# of M's circuits to A or B has one honest end: it counts once). Also R_NOW and ENDS_NOW.
count_rogue_circuits() {
    local n
    status r "$WORK/rc-r.json"
    R_NOW=$(jnum "$WORK/rc-r.json" relay circuits) ENDS_NOW=0
    for n in a b c; do
        status "$n" "$WORK/rc-$n.json"
        ENDS_NOW=$(( ENDS_NOW + $(jnum "$WORK/rc-$n.json" relay ownCircuits) ))
    done
    LEFT=$(( 2 * R_NOW - ENDS_NOW ))
}
no_rogue_circuits() { count_rogue_circuits; (( LEFT <= 0 )); }
# pings NAME PEER COUNT INTERVAL FILE — COUNT pings from NAME to PEER, INTERVAL s apart, 2-s timeout
# each; FILE gets the answers. ping_summary FILE: "answered/sent, rtt min/avg/max X/Y/Z ms".
pings() {
    local name=$1 peer=$2 count=$3 interval=$4 file=$5 reqs=() i
    for i in $(seq "$count"); do reqs+=("{\"v\":1,\"op\":\"ping\",\"peer\":\"$peer\",\"timeoutMs\":2000}"); done
    ctl "$name" "$interval" 2.5 "${reqs[@]}" >"$file"
}
ping_answered() { grep -c '"rttMs":' "$1" || true; }
ping_summary() {
    local sent; sent=$(grep -c '"v":1' "$1" || true)
    grep -o '"rttMs":[0-9.]*' "$1" | cut -d: -f2 | awk -v s="$sent" '
        { n++; t += $1; if (n == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
        END { if (n) printf "%d/%d answered, rtt min/avg/max %.2f/%.2f/%.2f ms\n", n, s, mn, t / n, mx
              else printf "0/%d answered\n", s }'
}
# iperf NAME — a 3-s iperf3 run through A's forward; prints the receiver's rate in Mbit/s, or "failed"
iperf_run() {
    ip netns exec "$NS_A" timeout 20 iperf3 -c 127.0.0.1 -p 15201 -t 3 -f m >"$WORK/iperf-$1.out" 2>&1 || true
    awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") r = $(i - 1) } END { print (r == "" ? "failed" : r) }' \
        "$WORK/iperf-$1.out"
}
# r_lines — lines of R's status output so far; circuits_max_since LINE — the most circuits R's
# tables after LINE showed (0 if no table had a relay line)
r_lines() { wc -l <"$WORK/r.out"; }
circuits_max_since() {
    awk -v from="$1" 'NR > from && /^relay service:/ { if ($3 > m) m = $3 } END { print m + 0 }' "$WORK/r.out"
}
circuits_now() { grep '^relay service:' "$WORK/r.out" | tail -n 1 | awk '{print $3}'; }
# The rogue member: rogue_start MODE ARGS... (in the background, ROGUE_PID); rogue_line MODE PATTERN
rogue_start() {
    local mode=$1; shift
    ip netns exec "$NS_M" nice -n 19 "$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp "$WORK/classes:$CP" RelayAbuse "$mode" \
        "$M_IP:$PORT" "$R_IP:$PORT" "$R_PUB" "$WORK/network.key" "$WORK/m.key" "$@" >"$WORK/m-$mode.out" 2>&1 &
    ROGUE_PID=$!
    track "$ROGUE_PID"
}
rogue_wait() { wait "$ROGUE_PID" 2>/dev/null || true; }
# R's CPU and memory (the java process itself)
R_PID=
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/"$R_PID"/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$R_PID"/stat; }
HZ=$(getconf CLK_TCK)
# phase_cpu — "R used X ms of CPU in Y ms (Z% of one CPU)" since phase_begin
phase_begin() { P_TICKS=$(cpu_ticks) P_T0=$(now_ms) P_LINE=$(r_lines) P_RCVBUF=$(udp_errors "$NS_R"); }
# phase_cpu — "R used X ms of CPU in Y ms (Z% of one CPU); its socket overflowed N times" since phase_begin
phase_cpu() {
    local ms=$(( $(now_ms) - P_T0 )) ticks=$(( $(cpu_ticks) - P_TICKS ))
    echo "R used $(( ticks * 1000 / HZ )) ms of CPU in $ms ms ($(( ticks * 100000 / HZ / ms ))% of one CPU); its socket had no room for $(( $(udp_errors "$NS_R") - P_RCVBUF )) datagrams"
}
# udp_errors NS — the namespace's UDP receive errors so far (datagrams a socket had no room for)
udp_errors() {
    ip netns exec "$1" awk '/^Udp:/ { if (!h) { split($0, k); h = 1 } else { split($0, v); for (i = 2; i <= NF; i++) if (k[i] == "RcvbufErrors") print v[i] } }' /proc/net/snmp
}
# first_logged_after NAME MS-EPOCH AWK-CONDITION — "MS-EPOCH LINE" of the first line of NAME.log
# (lines start HH:MM:SS.mmm) at or after MS-EPOCH that matches; nothing if none (as relay-nat.sh).
first_logged_after() {
    local midnight; midnight=$(( $(date -d 'today 00:00' +%s) * 1000 ))
    awk -v since="$(( $2 - midnight ))" -v m="$midnight" '
        { split($1, t, /[:.]/); ms = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
        ms >= since && ('"$3"') { printf "%.0f %s\n", m + ms, $0; exit }' "$WORK/$1.log"
}
declare -A REPORT=()

# ---------------------------------------------------------------------------------------------
# Start R, then A, B, C; A and B meet through R
# ---------------------------------------------------------------------------------------------
KEYMESH_JAVA_OPTS=$R_JAVA_OPTS node_start r "$NS_R" --status-interval 1s
wait_for 60 node_listening r || true
logged r ' listening on ' || { check "R starts" "$(head -n 5 "$WORK/r.log" | tr '\n' ';')"; echo "$PASSED passed, $FAILED failed"; exit 1; }
R_PID=${NODE_PID[r]}
for pid in "${NODE_PID[r]}" $(pgrep -P "${NODE_PID[r]}" || true); do
    [[ $(cat /proc/"$pid"/comm 2>/dev/null) == java ]] && R_PID=$pid
done
ip netns exec "$NS_B" iperf3 -s -B 127.0.0.1 -p 5201 >"$WORK/iperf-server.log" 2>&1 &
track $!
KEYMESH_JAVA_OPTS=$EDGE_JAVA_OPTS node_start a "$NS_A" --announce --status-interval 5s
KEYMESH_JAVA_OPTS=$EDGE_JAVA_OPTS node_start b "$NS_B" --announce --status-interval 5s
KEYMESH_JAVA_OPTS=$EDGE_JAVA_OPTS node_start c "$NS_C" --status-interval 5s
T_AB=$(now_ms)
wait_for 60 bash -c "grep -qF -- 'announce from $A_PUB' '$WORK/b.log' && grep -qF -- 'announce from $B_PUB' '$WORK/a.log'" || true
if ! announced a "$B_PUB" || ! announced b "$A_PUB"; then
    check "A and B meet through R" "A logged B's announce: $(announced a "$B_PUB" && echo yes || echo no);" \
        "B logged A's announce: $(announced b "$A_PUB" && echo yes || echo no)"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
wait_for 30 logged c "peer $R_PUB up" || true
log "A and B met through R $(( $(now_ms) - T_AB )) ms after they started; R java pid $R_PID"

# Baseline: A's pings to B, an iperf3 run, R's counters and memory
sleep 1
pings a "$B_PUB" 10 0.2 "$WORK/ping-before.out"
REPORT[ping-before]=$(ping_summary "$WORK/ping-before.out")
REPORT[iperf-before]=$(iperf_run before)
log "before the abuse: A->B pings ${REPORT[ping-before]}; iperf3 A->B through the forward ${REPORT[iperf-before]} Mbit/s"
sleep 1
HONEST_CIRCUITS=$(circuits_now)
RSS_BEFORE=$(rss_kib)
status r "$WORK/r-0.json"
log "R joins ${HONEST_CIRCUITS:-0} circuits (the honest ones), RSS $(( RSS_BEFORE / 1024 )) MiB"

# ---------------------------------------------------------------------------------------------
# 1. Circuit exhaustion
# ---------------------------------------------------------------------------------------------
REASONS=()
log "---- 1. circuit exhaustion: M opens circuits through R as fast as it can for ${SECONDS_EACH} s"
phase_begin
rogue_start circuits "$SECONDS_EACH" 5000000 "$A_PUB" "$B_PUB"
wait_for $(( SECONDS_EACH + 20 )) grep -q -e '^circuits: at capacity' -e '^circuits: sent' "$WORK/m-circuits.out" || true
sleep 0.5
pings a "$B_PUB" 10 0.2 "$WORK/ping-circuits.out" &
PING_PID=$!
# a new circuit between honest members while R is full: C adds B through R and pings it
ctl c 0 1 "{\"v\":1,\"op\":\"peer.add\",\"peer\":\"$B_PUB\",\"via\":[\"$R_PUB\"]}" >"$WORK/c-add-1.out"
pings c "$B_PUB" 2 0.5 "$WORK/ping-c-circuits.out"
status c "$WORK/c-1.json"
wait "$PING_PID" || true
rogue_wait
REPORT[cpu-circuits]=$(phase_cpu)
sleep 1.5   # M's closes are in; R's next table
status r "$WORK/r-1.json"
max1=$(circuits_max_since "$P_LINE")
wait_for 10 no_rogue_circuits || true
left1=$LEFT
after1="$R_NOW (the honest members hold $ENDS_NOW ends)"
log "    $(grep -e '^circuits: sent' "$WORK/m-circuits.out" || tail -n 3 "$WORK/m-circuits.out" | tr '\n' ' ')"
log "    $(grep -e '^circuits: at capacity' "$WORK/m-circuits.out" || echo "M never saw a capacity refusal")"
log "    $(grep -e '^circuits: .* open at the end' "$WORK/m-circuits.out" || true)"
log "    $(grep -e '^circuits: from R' "$WORK/m-circuits.out" || true)"
log "    ${REPORT[cpu-circuits]}; R's tables showed at most $max1 circuits; $after1 after M closed its own"
capacity=$(grep -o 'refused by reason:[^;]*' "$WORK/m-circuits.out" | grep -o 'capacity=[0-9]*' | cut -d= -f2)
m_refused=$(grep -o 'refused by reason:[^;]*' "$WORK/m-circuits.out" | grep -o '=[0-9]*' | tr -d = | awk '{ s += $1 } END { print s + 0 }')
m_openmax=$(grep -o 'open at most [0-9]*' "$WORK/m-circuits.out" | tail -n 1 | awk '{print $4}')
r_refused=$(( $(jnum "$WORK/r-1.json" relay refused) - $(jnum "$WORK/r-0.json" relay refused) ))
REPORT[ping-circuits]=$(ping_summary "$WORK/ping-circuits.out")
c_answered=$(ping_answered "$WORK/ping-c-circuits.out")
c_own_refused=$(jnum "$WORK/c-1.json" relay ownRefused)
log "    R refused $r_refused openings (M counted $m_refused refusals, ${capacity:-0} for capacity); M held at most ${m_openmax:-?} circuits"
log "    A->B pings during the flood (the circuits opened before it): ${REPORT[ping-circuits]}"
log "    a new circuit from C to B through R during the flood: $c_answered/2 pings answered, C counts ${c_own_refused:-?} of its circuits refused"
REPORT[c-new-circuit]="$c_answered/2 pings answered, ${c_own_refused:-?} circuits refused"
grep -q '^circuits: sent' "$WORK/m-circuits.out" || REASONS+=("the rogue member failed: $(tail -n 3 "$WORK/m-circuits.out" | tr '\n' ';')")
(( ${capacity:-0} > 0 )) || REASONS+=("R never refused an opening for capacity (M counted none): the check would prove nothing")
(( r_refused >= ${m_refused:-0} )) || REASONS+=("M counted $m_refused refusals, R only $r_refused")
(( max1 <= MAX_CIRCUITS )) || REASONS+=("R joined $max1 circuits, more than max-circuits $MAX_CIRCUITS")
(( ${m_openmax:-0} <= LINK_SHARE )) || REASONS+=("M held $m_openmax circuits, more than its link's share $LINK_SHARE")
(( c_answered >= 1 )) || REASONS+=("C's new circuit to B during the flood carried no ping: ${REPORT[c-new-circuit]}")
(( $(ping_answered "$WORK/ping-circuits.out") >= 5 )) || REASONS+=("A's pings to B during the flood: ${REPORT[ping-circuits]}")
(( left1 <= 0 )) || REASONS+=("R still joins $after1 circuits after M closed its own: $left1 without both ends at honest members")
check "1. circuit exhaustion by one member: R refuses past its link's share, A-B's circuits carry on, C opens a new one" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 2. Relay data flood
# ---------------------------------------------------------------------------------------------
REASONS=()
log "---- 2. relay data flood: M pushes RELAY_DATA on $DATA_CIRCUITS circuits as fast as it can for ${SECONDS_EACH} s"
status r "$WORK/r-1b.json"
phase_begin
T2=$(now_ms)
rogue_start data "$SECONDS_EACH" 50000000 "$DATA_CIRCUITS" "$A_PUB" "$B_PUB"
wait_for 20 grep -q -e '^data: .* circuits open' -e '^data: sent' "$WORK/m-data.out" || true
sleep 0.5
pings a "$B_PUB" 10 0.2 "$WORK/ping-data.out" &
PING_PID=$!
REPORT[iperf-data]=$(iperf_run data)
wait "$PING_PID" || true
rogue_wait
REPORT[cpu-data]=$(phase_cpu)
T2_MS=$(( $(now_ms) - T2 ))
status r "$WORK/r-2.json"
over=$(( $(jnum "$WORK/r-2.json" relay packetsOverRate) - $(jnum "$WORK/r-1b.json" relay packetsOverRate) ))
fwd=$(( $(jnum "$WORK/r-2.json" relay bytesForwarded) - $(jnum "$WORK/r-1b.json" relay bytesForwarded) ))
fwd_pkts=$(( $(jnum "$WORK/r-2.json" relay packetsForwarded) - $(jnum "$WORK/r-1b.json" relay packetsForwarded) ))
max2=$(circuits_max_since "$P_LINE")
# every circuit R joined in the phase carries at most its burst plus the rate for the phase's time
bound=$(( (max2 > 0 ? max2 : DATA_CIRCUITS + 4) * (BURST + RATE * (T2_MS / 1000 + 1)) ))
REPORT[ping-data]=$(ping_summary "$WORK/ping-data.out")
log "    $(grep -e '^data: .* circuits open' "$WORK/m-data.out" || true)"
log "    $(grep -e '^data: sent' "$WORK/m-data.out" || tail -n 3 "$WORK/m-data.out" | tr '\n' ' ')"
log "    ${REPORT[cpu-data]}; R forwarded $fwd_pkts packets ($fwd bytes, at most $bound allowed for $max2 circuits in $T2_MS ms) and dropped $over over the rate"
log "    A->B during the flood: pings ${REPORT[ping-data]}; iperf3 ${REPORT[iperf-data]} Mbit/s (before: ${REPORT[iperf-before]})"
grep -q '^data: sent' "$WORK/m-data.out" || REASONS+=("the rogue member failed: $(tail -n 3 "$WORK/m-data.out" | tr '\n' ';')")
grep -q "^data: $DATA_CIRCUITS circuits open" "$WORK/m-data.out" || REASONS+=("M did not get its $DATA_CIRCUITS circuits: $(grep '^data: .* circuits open' "$WORK/m-data.out")")
(( over > 0 )) || REASONS+=("R dropped nothing over the rate: the check would prove nothing")
(( fwd <= bound )) || REASONS+=("R forwarded $fwd bytes, more than $bound (circuits x (burst + rate x time))")
(( $(ping_answered "$WORK/ping-data.out") >= 5 )) || REASONS+=("A's pings to B during the flood: ${REPORT[ping-data]}")
[[ ${REPORT[iperf-data]} != failed ]] || REASONS+=("iperf3 through A's forward to B failed during the flood: $(tail -n 3 "$WORK/iperf-data.out" | tr '\n' ';')")
check "2. relay data flood: R holds each circuit to its rate, A-B traffic goes on" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 3. Seek flood
# ---------------------------------------------------------------------------------------------
REASONS=()
log "---- 3. seek flood: M sends SEEK frames (a new origin and id each) as fast as it can for ${SECONDS_EACH} s"
# C forgets B (its circuit to B through R goes); during the flood it is told to reach B by key
ctl c 0 1 "{\"v\":1,\"op\":\"peer.remove\",\"peer\":\"$B_PUB\"}" >"$WORK/c-remove.out"
status r "$WORK/r-2b.json"
phase_begin
T3=$(now_ms)
rogue_start seeks "$SECONDS_EACH" 50000000 "$A_PUB" "$B_PUB"
wait_for 20 grep -q -e '^seeks: up with R' "$WORK/m-seeks.out" || true
sleep 2
T_ADD=$(now_ms)
ctl c 0 1 "{\"v\":1,\"op\":\"peer.add\",\"peer\":\"$B_PUB\"}" >"$WORK/c-add-2.out"
pings c "$B_PUB" 3 0.5 "$WORK/ping-c-seeks.out"
status c "$WORK/c-3.json"
rogue_wait
REPORT[cpu-seeks]=$(phase_cpu)
T3_MS=$(( $(now_ms) - T3 ))
status r "$WORK/r-3.json"
d() { echo $(( $(jnum "$WORK/r-3.json" "$1" "$2") - $(jnum "$WORK/r-2b.json" "$1" "$2") )); }
received=$(d discovery received) limited=$(d dropped rate-limited) malformed=$(d dropped malformed) duplicate=$(d dropped duplicate)
spliced=$(d discovery spliced) passed_on=$(d discovery passedOn) not_spliced=$(d dropped not-spliced)
taken=$(( received - limited - malformed - duplicate ))
seen=$(jnum "$WORK/r-3.json" - seen)
seek_bound=$(( SEEK_BURST + SEEK_LINK_RATE * (T3_MS / 1000 + 1) ))
max3=$(circuits_max_since "$P_LINE")
c_answered=$(ping_answered "$WORK/ping-c-seeks.out")
c_sought=$(grep -c '"how":"sought"' "$WORK/c-3.json" || true)
c_up=$(first_logged_after c "$T_ADD" "index(\$0, \"peer $B_PUB up\")")
c_up_ms=$([[ -n $c_up ]] && echo $(( ${c_up%% *} - T_ADD )) || echo "never")
REPORT[c-seek]="B up at C $c_up_ms ms after it was added by key, found by a seek: $( (( c_sought > 0 )) && echo yes || echo no); $c_answered/3 pings answered"
log "    $(grep -e '^seeks: sent' "$WORK/m-seeks.out" || tail -n 3 "$WORK/m-seeks.out" | tr '\n' ' ')"
log "    $(grep -e '^seeks: from R' "$WORK/m-seeks.out" || true)"
log "    ${REPORT[cpu-seeks]}; R received $received seeks, dropped $limited as rate-limited, took $taken (at most $seek_bound allowed in $T3_MS ms),"
log "    spliced $spliced (not spliced: $not_spliced), passed on $passed_on; remembers $seen seeks; its tables showed at most $max3 circuits"
log "    C reaching B by key during the flood: ${REPORT[c-seek]}"
grep -q '^seeks: sent' "$WORK/m-seeks.out" || REASONS+=("the rogue member failed: $(tail -n 3 "$WORK/m-seeks.out" | tr '\n' ';')")
(( limited > 0 )) || REASONS+=("R dropped no seek as rate-limited: the check would prove nothing")
(( taken <= seek_bound )) || REASONS+=("R took $taken seeks, more than its link's rate allows ($seek_bound)")
(( ${seen:-0} <= SEEN_CAPACITY )) || REASONS+=("R remembers $seen seeks, more than $SEEN_CAPACITY")
(( max3 <= MAX_CIRCUITS )) || REASONS+=("R joined $max3 circuits, more than max-circuits $MAX_CIRCUITS")
(( c_answered >= 1 && c_sought > 0 )) || REASONS+=("C did not reach B by key during the flood: ${REPORT[c-seek]}: $(head -c 300 "$WORK/ping-c-seeks.out" | tr '\n' ' ')")
check "3. seek flood with forged origins: R's per-link rate holds, an honest member's seek is answered" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 4. Garbage inside the session
# ---------------------------------------------------------------------------------------------
REASONS=()
G_SECONDS=$(( (SECONDS_EACH + 1) / 2 ))
log "---- 4. garbage: malformed and stray overlay frames from M for ${G_SECONDS} s"
status r "$WORK/r-3b.json"
phase_begin
rogue_start garbage "$G_SECONDS" 50000000
wait_for 20 grep -q -e '^garbage: up with R' "$WORK/m-garbage.out" || true
sleep 0.5
pings a "$B_PUB" 10 0.2 "$WORK/ping-garbage.out"
rogue_wait
REPORT[cpu-garbage]=$(phase_cpu)
status r "$WORK/r-4.json"
mal_relay=$(( $(jnum "$WORK/r-4.json" relay malformedFrames) - $(jnum "$WORK/r-3b.json" relay malformedFrames) ))
mal_seek=$(( $(jnum "$WORK/r-4.json" dropped malformed) - $(jnum "$WORK/r-3b.json" dropped malformed) ))
from_r=$(grep '^garbage: from R' "$WORK/m-garbage.out" || true)
g_ms=$(grep -o '^garbage: sent .* in [0-9]* ms' "$WORK/m-garbage.out" | awk '{print $(NF - 1)}')
# RELAY_CLOSE target-gone answers data on unknown circuits; idle ones close the seek phase's splices as they expire
closes=$(grep -o 'closed by reason:[^;]*' <<<"$from_r" | grep -o 'target-gone=[0-9]*' | cut -d= -f2)
# Everything R may send M unasked, and RELAY_CLOSE for data on unknown circuits: anything else is an answer
answers=$(awk -F'; ' '{print $2}' <<<"$from_r" | tr ' ' '\n' | grep '=' \
    | grep -v -e '^RELAY_CLOSE=' -e '^REACH=' -e '^OBSERVED_ADDRESS=' -e '^PROBE=' || true)
REPORT[ping-garbage]=$(ping_summary "$WORK/ping-garbage.out")
log "    $(grep -e '^garbage: sent' "$WORK/m-garbage.out" || tail -n 3 "$WORK/m-garbage.out" | tr '\n' ' ')"
log "    $from_r"
log "    ${REPORT[cpu-garbage]}; R counted $mal_relay malformed relay frames and $mal_seek malformed seeks"
log "    A->B pings during the garbage: ${REPORT[ping-garbage]}"
grep -q '^garbage: sent' "$WORK/m-garbage.out" || REASONS+=("the rogue member failed: $(tail -n 3 "$WORK/m-garbage.out" | tr '\n' ';')")
(( mal_relay > 0 )) || REASONS+=("R counted no malformed relay frames")
(( mal_seek > 0 )) || REASONS+=("R counted no malformed seeks")
[[ -z $answers ]] || REASONS+=("R answered garbage with: $(tr '\n' ' ' <<<"$answers")")
(( ${closes:-0} <= (${g_ms:-0} + 1000) / 100 + 2 )) || REASONS+=("R answered data on unknown circuits with $closes RELAY_CLOSE in ${g_ms} ms: more than 10 a second")
(( $(ping_answered "$WORK/ping-garbage.out") >= 5 )) || REASONS+=("A's pings to B during the garbage: ${REPORT[ping-garbage]}")
check "4. garbage overlay frames from a member: counted, answered only as the protocol says, A-B goes on" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 5. Bounds
# ---------------------------------------------------------------------------------------------
REASONS=()
# the seek phase's splices close SPLICE_ANSWER_TIMEOUT (10 s) after they were made, at R's next sweep (2.5 s)
T5=$(now_ms)
wait_for 20 no_rogue_circuits || true
left=$LEFT
log "    $(( $(now_ms) - T5 )) ms after the garbage phase R joins $R_NOW circuits ($HONEST_CIRCUITS before the abuse); A, B and C hold $ENDS_NOW ends"
RSS_AFTER=$(rss_kib)
log "    R's RSS $(( RSS_BEFORE / 1024 )) MiB before the abuse, $(( RSS_AFTER / 1024 )) MiB after"
(( RSS_AFTER - RSS_BEFORE <= 65536 )) || REASONS+=("R's RSS grew by $(( (RSS_AFTER - RSS_BEFORE) / 1024 )) MiB")
(( left <= 0 )) || REASONS+=("R joins $R_NOW circuits after the abuse, $left of them without both ends at honest members")
node_alive r || REASONS+=("R exited")
check "5. R's memory and circuits are back within bounds after the abuse" "${REASONS[@]}"

log "summary: A->B pings before ${REPORT[ping-before]}; circuits ${REPORT[ping-circuits]}; data ${REPORT[ping-data]}; garbage ${REPORT[ping-garbage]}"
log "         iperf3 A->B before ${REPORT[iperf-before]} Mbit/s, during the data flood ${REPORT[iperf-data]} Mbit/s"
log "         C's new circuit to B during the circuit flood: ${REPORT[c-new-circuit]}; during the seek flood: ${REPORT[c-seek]}"
log "         whole run $(( ($(now_ms) - T_START) / 1000 )) s"
(( SKIPPED == 0 )) || log "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
