#!/usr/bin/env bash
# mesh-nat.sh — members behind NATs find each other by key through a public member, then go direct.
#
# Usage (root):  testbed/mesh-nat.sh [--keep]
#   --keep   keep the work directory (keys, configs, logs, pcaps); it is always kept when a check fails.
#
# Layout (namespaces kmmn<PID>-*, so runs never collide and leftovers are recognisable):
#
#                          netns pub: bridge br0, 198.51.100.0/24 (the "internet")
#        +-------------------+-------------------+-------------------+--------------------+
#   P 198.51.100.10     NA wan .20 (cone)   NB wan .21 (cone)   NC wan .22 (symmetric)  S .30
#   public member       |  lan 10.1.0.1     |  lan 10.2.0.1     |  lan 10.3.0.1        (stranger)
#                       A 10.1.0.2          B 10.2.0.2          C 10.3.0.2
#
#   Every node is `./keymesh up --config FILE` in its namespace, UDP port 51820, one network key,
#   accept-members = true (keys from `wg genkey`/`wg pubkey` where wireguard-tools is installed,
#   else `./keymesh genkey`/`pubkey`; the same format).
#   P: lists no one; the others are let in as members when they start a handshake with it.
#   B and C: only P, with its endpoint. A: P with its endpoint, B and C by key only (no endpoint, no
#   via); `keymesh up` seeks them through P once A's session with P is up. A, B and C keep P's
#   bindings with persistent-keepalive = 2s (P's 5-tuples only); nothing keeps A's and B's own
#   bindings but the overlay's probes. All run with --announce and --status-interval 1s; A also with
#   --announce-interval 64s, which sends the next message to B after a minute's idleness.
#   NA and NB masquerade endpoint-independently and port-preserving (cone), NC with fully-random
#   (symmetric); all three drop unsolicited inbound (a new flow from wan), and forget a UDP binding
#   after 5 s (nf_conntrack_udp_timeout and _stream = 5 in their namespaces only).
#   S: a stranger, `keymesh up` with another network key, listing P with its endpoint.
#   tshark captures UDP port 51820 on br0 (every packet between public addresses) and on NC's lan.
#
# Checks:
#   1. A reaches B by key through P, then they go direct: B logs `announce from A` (the first
#      message) and A `announce from B`; before B logged it, no packet at all passed between NA's
#      and NB's public addresses (so the A-B handshake and the message rode inside A-P and P-B
#      sessions: P spliced) and P's status shows packets relayed; then both log the other's path
#      `direct` within 2 s of that first message, their status tables' PATH column says `direct`,
#      and tshark on br0 sees WireGuard data messages between NA's and NB's public addresses, both
#      ways, never a bare handshake between them.
#   2. A reaches C (symmetric NAT) by key through P (announces both ways), and it stays relayed:
#      the path neither side logs nor shows at the end is direct, and nothing from NA's address got
#      through NC to C (tshark on NC's lan), though A's checks reached NC (tshark on br0).
#   3. The bindings hold while idle: after going direct, A and B exchange no application data for
#      at least 60 s (their status tables' datagram counters stay put) with 5-s NAT bindings; then
#      A's next announcement reaches B over the direct path: neither side logged a path change for
#      the other in between, their status tables still say `direct`, tshark on br0 sees a data
#      message from NA to NB larger than any while idle (the announcement, not a probe) within 1 s
#      before B logged it, and nothing larger than the idle traffic from P to NB (a relayed
#      announcement would be); the direct path never went silent for 5 s or more while idle.
#   4. The stranger gets silence from P: its initiations reach P (tshark), P sends nothing to S, and
#      S never logs P up.
# Timings printed (TIMING lines): from A listening until it logged the seek for B; from the seek
# until B logged A's announce (the first message, through P); from that message until A, then B,
# logged the other's path direct; the idle time before the next message; how often packets crossed
# the idle direct path (what held the bindings).
#
# Findings on this machine (Debian 12, 2 vCPUs "AMD EPYC" shared with other builds, nftables 1.0.6,
# tshark 4.0.17), six runs (the first failed on a bug in check 3's own capture test, since fixed):
#  * Needed a `keymesh up` that seeks a peer listed by key only: before, it started handshakes only
#    with peers that have an endpoint, so A never sent anything to B. It now seeks such a peer once
#    another peer (here P) is up, not at start: a seek sent before any session is up reaches no
#    member, and only its retry a second later would.
#  * TIMING, runs 1-6: A sought B 26-67 ms after it listened (its session with P up); B logged A's
#    first announce, through P, 36-65 ms after the seek (72-112 ms after A listened); A logged B's
#    path direct 207-489 ms after that first message, B logged A's 273-468 ms after. The first
#    packet between NA's and NB's public addresses passed 196-232 ms after the first message: the
#    seek, the splice, the handshake and the first announcements all rode inside P's sessions (P's
#    first relay line: 2 circuits, 16 packets), and no bare handshake ever passed between NA and NB.
#  * A's next announce came after 63.9 s without application data between A and B; it went
#    direct every time (a 120-byte UDP datagram NA->NB; nothing larger than the idle traffic P->NB).
#  * The idle direct path is held by the overlay's heartbeats: both sides probe it every 4 s while
#    the application sends nothing (37 packets NA->NB in an idle minute, the longest pause 3.5 s,
#    behind 5-s bindings). This bed found that the overlay used to count its own probes as sending,
#    so an idle pair probed every 0.5 s (131-135 packets a minute) and 5-s heartbeats were never
#    tested; with that fixed and heartbeats every 5 s the longest pause was 4.5 s — too close to the
#    5-s bindings — so the idle probe interval became 4 s.
#  * A-C (cone facing symmetric) stayed relayed in every run: each side's 8 checks of the first
#    round crossed br0 (16 packets each way) and none got through NC to C (the next round is due
#    60 s later, at the end of the run).
#  * S's initiations reached P every 5 s (14 in a run); P sent S nothing.
#  * Keys from `wg genkey` take about 1 s for all seven (JVM starts took 6-27 s in relay-nat.sh);
#    `keymesh up` listens 0.8-2.6 s after it starts. Whole run: 75-80 s, of which 64 s idle.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

KEEP=0
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

require_root "network namespaces, nftables"
require_tools ip nft tshark awk

# ---------------------------------------------------------------------------------------------
# Names and addresses
# ---------------------------------------------------------------------------------------------
RUN=$$
PFX="kmmn${RUN}"
NS_PUB="$PFX-pub" NS_P="$PFX-p" NS_S="$PFX-s"
NS_NA="$PFX-na" NS_A="$PFX-a" NS_NB="$PFX-nb" NS_B="$PFX-b" NS_NC="$PFX-nc" NS_C="$PFX-c"
ALL_NS=("$NS_PUB" "$NS_P" "$NS_S" "$NS_NA" "$NS_A" "$NS_NB" "$NS_B" "$NS_NC" "$NS_C")
P_IP=198.51.100.10 NA_WAN=198.51.100.20 NB_WAN=198.51.100.21 NC_WAN=198.51.100.22 S_IP=198.51.100.30
A_IP=10.1.0.2 NA_LAN=10.1.0.1 B_IP=10.2.0.2 NB_LAN=10.2.0.1 C_IP=10.3.0.2 NC_LAN=10.3.0.1
PORT=51820
RUN_LIMIT=150s          # every node stops by itself after this, whatever happens to the script
ANNOUNCE_WAIT=30        # seconds from starting A until the first messages must have arrived
DIRECT_LIMIT_MS=2000    # both sides direct within this of the first message
DIRECT_WAIT=10          # seconds to wait for direct at all (to report how long it took)
ANNOUNCE_INTERVAL=64    # A's --announce-interval (s): the next message after a minute's idleness
MIN_IDLE_MS=60000
NAT_UDP_TIMEOUT=5       # seconds a NAT router keeps an idle UDP binding
# Smaller JVMs start faster when five share two cores; the caller's KEYMESH_JAVA_OPTS wins.
export KEYMESH_JAVA_OPTS=${KEYMESH_JAVA_OPTS:-"-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m"}

WORK=$(mktemp -d "/tmp/${PFX}.XXXXXX")

cleanup() {
    local rc=$? ns
    set +e
    capture_stop_all
    kill_tracked
    for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if (( KEEP || FAILED > 0 || rc != 0 )); then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# now_ms, node_start, node_listening, node_alive, node_stop, logged, count_logged, announced: lib.sh

# logged_ms NAME TEXT [NTH] — ms since the epoch of the NTH (default 1st) line of NAME.log that
# contains TEXT (lines start HH:MM:SS.mmm, today), or -1.
MIDNIGHT_MS=$(( $(date -d 'today 00:00' +%s) * 1000 ))
logged_ms() {
    awk -v t="$2" -v nth="${3:-1}" -v m="$MIDNIGHT_MS" 'index($0, t) && ++n == nth {
        split($1, f, /[:.]/); printf "%.0f\n", m + ((f[1] * 60 + f[2]) * 60 + f[3]) * 1000 + f[4]; found = 1; exit }
        END { if (!found) print -1 }' "$WORK/$1.log"
}
# logged_between NAME TEXT FROM-MS TO-MS — the lines of NAME.log containing TEXT logged in [FROM, TO].
logged_between() {
    awk -v t="$2" -v from="$3" -v to="$4" -v m="$MIDNIGHT_MS" 'index($0, t) {
        split($1, f, /[:.]/); ms = m + ((f[1] * 60 + f[2]) * 60 + f[3]) * 1000 + f[4]
        if (ms >= from && ms <= to) print }' "$WORK/$1.log"
}
# status_row NAME KEY — the last status row for KEY in NAME.out, without the key.
status_row() { awk -v k="$2" '$1 == k { line = $0 } END { $0 = line; $1 = ""; print }' "$WORK/$1.out" | tr -s ' '; }
# status_dg NAME KEY — "OUT IN" datagrams of the last status row for KEY in NAME.out, or "-1 -1".
# The handshake column holds spaces ("12 s ago"), so the counters are found by pattern.
status_dg() {
    awk -v k="$2" '$1 == k { line = $0 } END {
        if (match(line, /(never|[0-9]+ (ms|s|min|h) ago) +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+/)) {
            n = split(substr(line, RSTART, RLENGTH), f, / +/); print f[n - 1], f[n]
        } else print -1, -1 }' "$WORK/$1.out"
}
# path_of NAME KEY — NAME's path to KEY from the last status row: "P" (relay P), "direct", "?"
# (another relay), "-" (none) or nothing if there is no row.
path_of() {
    awk -v k="$2" -v p="${P_PUB:0:8}" '$1 == k { line = $0 } END {
        if (line == "") exit
        if (match(line, /relay [A-Za-z0-9+\/]+/)) print (substr(line, RSTART + 6, 8) == p ? "P" : "?")
        else if (line ~ / direct /) print "direct"
        else print "-" }' "$WORK/$1.out"
}
log_problems() {
    grep -m1 -A1 -E ' (WARN|ERROR) ' "$WORK/$1.log" | tr '\n\t' '  ' || true
}

# ---------------------------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------------------------
remove_leftover_namespaces kmmn mesh-nat

t0=$(now_ms)
if ! "$ROOT/keymesh" --version >"$WORK/build.log" 2>&1; then
    check "keymesh builds" "./keymesh --version failed: $(tail -n 5 "$WORK/build.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
log "keymesh ready ($(tail -n 1 "$WORK/build.log" | sed "s/\x1b\[[0-9;]*m//g")) in $(( $(now_ms) - t0 )) ms"

t0=$(now_ms)
for ns in "${ALL_NS[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$NS_PUB" link add br0 type bridge
ip -n "$NS_PUB" link set br0 up
pub_port "$NS_P" eth0 "$P_IP"
pub_port "$NS_S" eth0 "$S_IP"
pub_port "$NS_NA" wan "$NA_WAN"
pub_port "$NS_NB" wan "$NB_WAN"
pub_port "$NS_NC" wan "$NC_WAN"
veth_link "$NS_NA" lan "$NA_LAN/24" "$NS_A" eth0 "$A_IP/24"
veth_link "$NS_NB" lan "$NB_LAN/24" "$NS_B" eth0 "$B_IP/24"
veth_link "$NS_NC" lan "$NC_LAN/24" "$NS_C" eth0 "$C_IP/24"
ip -n "$NS_A" route add default via "$NA_LAN"
ip -n "$NS_B" route add default via "$NB_LAN"
ip -n "$NS_C" route add default via "$NC_LAN"
nat_router "$NS_NA" cone
nat_router "$NS_NB" cone
nat_router "$NS_NC" symmetric
for ns in "$NS_NA" "$NS_NB" "$NS_NC"; do   # these namespaces only
    ip netns exec "$ns" sysctl -q -w net.netfilter.nf_conntrack_udp_timeout="$NAT_UDP_TIMEOUT" \
        net.netfilter.nf_conntrack_udp_timeout_stream="$NAT_UDP_TIMEOUT"
done
log "9 namespaces, bridge, 3 NAT routers (UDP bindings forgotten after ${NAT_UDP_TIMEOUT} s) in $(( $(now_ms) - t0 )) ms"

# Keys: one per node, one network key, another network key for the stranger.
t0=$(now_ms)
KEYGEN_PIDS=()
if command -v wg >/dev/null 2>&1; then GENKEY=(wg genkey) PUBKEY=(wg pubkey) GENPSK=(wg genpsk)
else GENKEY=("$ROOT/keymesh" genkey) PUBKEY=("$ROOT/keymesh" pubkey) GENPSK=("$ROOT/keymesh" genpsk); fi
for n in p a b c s; do
    (umask 077; "${GENKEY[@]}" >"$WORK/$n.key"; "${PUBKEY[@]}" <"$WORK/$n.key" >"$WORK/$n.pub") &
    KEYGEN_PIDS+=($!); track $!
done
(umask 077; "${GENPSK[@]}" >"$WORK/network.key") & KEYGEN_PIDS+=($!); track $!
(umask 077; "${GENPSK[@]}" >"$WORK/other-network.key") & KEYGEN_PIDS+=($!); track $!
# tshark on the public bridge (every packet between public addresses) and on NC's lan, from
# before anything is sent
capture_start "$NS_PUB" br0 "$PORT" "$WORK/pub.pcapng"
capture_start "$NS_NC" lan "$PORT" "$WORK/nc-lan.pcapng"
for pid in "${KEYGEN_PIDS[@]}"; do wait "$pid" || die "key generation failed"; done
P_PUB=$(cat "$WORK/p.pub") A_PUB=$(cat "$WORK/a.pub") B_PUB=$(cat "$WORK/b.pub") C_PUB=$(cat "$WORK/c.pub")
S_PUB=$(cat "$WORK/s.pub")
for k in P_PUB A_PUB B_PUB C_PUB S_PUB; do [[ ${!k} =~ ^[A-Za-z0-9+/]{43}=$ ]] || die "bad key $k='${!k}'"; done
log "keys ($(basename "${GENKEY[0]}")) and tshark in $(( $(now_ms) - t0 )) ms: P $P_PUB  A $A_PUB"
log "                      B $B_PUB  C $C_PUB  S $S_PUB (other network key)"

# Configs, with the key names of the README.
cat >"$WORK/p.conf" <<EOF
keymesh {
  private-key-file = "p.key"
  listen = "0.0.0.0:$PORT"
  control.socket = "p.sock"        # each node its own: they share one file system and one port
  network-key-file = "network.key"
  accept-members = true
}
EOF
member_conf() {   # member_conf NAME [KEY-ONLY-PEER...] — P with its endpoint, then peers by key only
    local name=$1 k extra=""; shift
    for k in "$@"; do extra+="    { public-key = \"$k\" }"$'\n'; done
    cat >"$WORK/$name.conf" <<EOF
keymesh {
  private-key-file = "$name.key"
  listen = "0.0.0.0:$PORT"
  control.socket = "$name.sock"
  network-key-file = "$([[ $name == s ]] && echo other-network.key || echo network.key)"
  accept-members = true
  peers = [
    { public-key = "$P_PUB", endpoint = "$P_IP:$PORT", persistent-keepalive = 2s }
$extra  ]
}
EOF
}
member_conf a "$B_PUB" "$C_PUB"
member_conf b
member_conf c
member_conf s

# ---------------------------------------------------------------------------------------------
# P and the stranger, then B and C; A once B and C are members of P
# ---------------------------------------------------------------------------------------------
t0=$(now_ms)
node_start p "$NS_P" --status-interval 1s
node_start s "$NS_S"
wait_for 30 node_listening p || true
if ! node_alive p || ! logged p ' listening on '; then
    check "P starts" "$(head -n 5 "$WORK/p.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
log "P listening after $(( $(now_ms) - t0 )) ms"
node_start b "$NS_B" --announce --status-interval 1s
node_start c "$NS_C" --announce --status-interval 1s
if ! wait_for 30 bash -c "grep -qF 'peer $B_PUB up' '$WORK/p.log' && grep -qF 'peer $C_PUB up' '$WORK/p.log'"; then
    check "B and C become members of P" "P's log: $(grep -c ' up' "$WORK/p.log") 'up' lines; B: $(log_problems b); C: $(log_problems c)"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
log "B and C are members of P after $(( $(now_ms) - t0 )) ms"

T_A=$(now_ms)
node_start a "$NS_A" --announce-interval "${ANNOUNCE_INTERVAL}s" --status-interval 1s
wait_for 30 node_listening a || true
if ! node_alive a || ! logged a ' listening on '; then
    check "A starts" "$(head -n 5 "$WORK/a.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
T_LISTEN=$(logged_ms a ' listening on ')
log "A listening after $(( T_LISTEN - T_A )) ms (JVM start)"

# ---------------------------------------------------------------------------------------------
# 1. A reaches B by key through P, then they go direct
# ---------------------------------------------------------------------------------------------
REASONS=()
wait_for "$ANNOUNCE_WAIT" bash -c "grep -qF 'announce from $A_PUB' '$WORK/b.log' && grep -qF 'announce from $B_PUB' '$WORK/a.log' \
    && grep -qF 'announce from $A_PUB' '$WORK/c.log' && grep -qF 'announce from $C_PUB' '$WORK/a.log'" || true
T_SEEK_B=$(logged_ms a "peer $B_PUB: seeking it")
T_FIRST=$(logged_ms b "announce from $A_PUB")
T_FIRST_BA=$(logged_ms a "announce from $B_PUB")
REACHED=0
if (( T_SEEK_B < 0 )); then
    REASONS+=("A never logged seeking B ('peer $B_PUB: seeking it through the members')")
else
    log "TIMING A seeks B $(( T_SEEK_B - T_LISTEN )) ms after A listened (its session with P up)"
fi
if (( T_FIRST < 0 || T_FIRST_BA < 0 )); then
    (( T_FIRST >= 0 )) || REASONS+=("B did not log 'announce from $A_PUB' within $ANNOUNCE_WAIT s")
    (( T_FIRST_BA >= 0 )) || REASONS+=("A did not log 'announce from $B_PUB' within $ANNOUNCE_WAIT s")
    REASONS+=("A's status row for B: $(status_row a "$B_PUB")")
    for n in a b p; do problem=$(log_problems "$n"); [[ -z $problem ]] || REASONS+=("${n^^}'s log: $problem"); done
else
    REACHED=1
    (( T_SEEK_B < 0 )) || log "TIMING first message A->B through P: B logged A's announce $(( T_FIRST - T_SEEK_B )) ms after A sought B" \
        "($(( T_FIRST - T_LISTEN )) ms after A listened); A logged B's $(( T_FIRST_BA - T_SEEK_B )) ms after"
fi
T_DIRECT_A=-1 T_DIRECT_B=-1
if (( REACHED )); then
    wait_for "$DIRECT_WAIT" bash -c "grep -qF 'peer $B_PUB path now direct' '$WORK/a.log' && grep -qF 'peer $A_PUB path now direct' '$WORK/b.log'" || true
    T_DIRECT_A=$(logged_ms a "peer $B_PUB path now direct")
    T_DIRECT_B=$(logged_ms b "peer $A_PUB path now direct")
    for side in A B; do
        var=T_DIRECT_$side; t=${!var}
        if (( t < 0 )); then
            REASONS+=("$side never logged the other's path direct within $DIRECT_WAIT s of the first message")
        else
            log "TIMING $side logged the other's path direct $(( t - T_FIRST )) ms after the first message"
            (( t - T_FIRST <= DIRECT_LIMIT_MS )) || REASONS+=("$side went direct $(( t - T_FIRST )) ms after the first message (limit $DIRECT_LIMIT_MS ms)")
        fi
    done
    # relayed first: A logged B's path relayed via P before direct
    logged a "peer $B_PUB path now relayed via $P_PUB" || REASONS+=("A never logged B's path relayed via P")
    sleep 1.2   # one more status table
    PATH_AB=$(path_of a "$B_PUB") PATH_BA=$(path_of b "$A_PUB")
    log "    status tables: A's path to B: $PATH_AB ($(status_row a "$B_PUB" | awk '{print $NF, $(NF-1)}'));" \
        "B's path to A: $PATH_BA"
    [[ $PATH_AB == direct ]] || REASONS+=("A's status PATH for B is '$PATH_AB', expected direct: $(status_row a "$B_PUB")")
    [[ $PATH_BA == direct ]] || REASONS+=("B's status PATH for A is '$PATH_BA', expected direct: $(status_row b "$A_PUB")")
fi
CHECK1_REASONS=("${REASONS[@]}")   # the capture's part comes after it is decoded

# ---------------------------------------------------------------------------------------------
# 3. Idle for a minute with 5-s bindings; then A's next announcement must go direct
# ---------------------------------------------------------------------------------------------
CHECK3_REASONS=() T_NEXT=-1 T_IDLE_FROM=-1
if (( T_DIRECT_A >= 0 && T_DIRECT_B >= 0 )); then
    read -r a_out0 a_in0 <<<"$(status_dg a "$B_PUB")"
    read -r b_out0 b_in0 <<<"$(status_dg b "$A_PUB")"
    # the last application data between them: the announces at session-up
    T_IDLE_FROM=$(( T_FIRST > T_FIRST_BA ? T_FIRST : T_FIRST_BA ))
    log "---- idle: A and B send each other nothing but the overlay's probes until A's next announcement" \
        "(--announce-interval ${ANNOUNCE_INTERVAL}s, due $(( ANNOUNCE_INTERVAL * 1000 - ($(now_ms) - T_LISTEN) )) ms from now)"
    # halfway: the datagram counters have not moved
    sleep 30
    read -r a_out1 a_in1 <<<"$(status_dg a "$B_PUB")"
    read -r b_out1 b_in1 <<<"$(status_dg b "$A_PUB")"
    log "    30 s into the idle time: datagrams A->B $a_out0 -> $a_out1, B from A $b_in0 -> $b_in1; paths: A $(path_of a "$B_PUB"), B $(path_of b "$A_PUB")"
    [[ $a_out0 == "$a_out1" && $b_in0 == "$b_in1" && $a_in0 == "$a_in1" && $b_out0 == "$b_out1" ]] \
        || CHECK3_REASONS+=("datagrams moved while idle: A out/in $a_out0/$a_in0 -> $a_out1/$a_in1, B out/in $b_out0/$b_in0 -> $b_out1/$b_in1")
    wait_for $(( ANNOUNCE_INTERVAL + 20 )) bash -c "[[ \$(grep -cF 'announce from $A_PUB' '$WORK/b.log') -ge 2 ]]" || true
    T_NEXT=$(logged_ms b "announce from $A_PUB" 2)
    if (( T_NEXT < 0 )); then
        CHECK3_REASONS+=("B did not log a second announce from A (A's --announce-interval ${ANNOUNCE_INTERVAL}s)")
    else
        log "TIMING idle: A and B exchanged no application data for $(( T_NEXT - T_IDLE_FROM )) ms; B logged A's next announce" \
            "$(( T_NEXT - T_DIRECT_A )) ms after A went direct"
        (( T_NEXT - T_IDLE_FROM >= MIN_IDLE_MS )) || CHECK3_REASONS+=("idle for only $(( T_NEXT - T_IDLE_FROM )) ms (less than $MIN_IDLE_MS)")
        changes=$(logged_between a "peer $B_PUB path now" $(( T_DIRECT_A + 1 )) "$T_NEXT"; logged_between b "peer $A_PUB path now" $(( T_DIRECT_B + 1 )) "$T_NEXT")
        [[ -z $changes ]] || CHECK3_REASONS+=("path changes while idle: $(tr '\n' ';' <<<"$changes")")
        sleep 1.2
        log "    after the next announce: A's path to B $(path_of a "$B_PUB"), B's path to A $(path_of b "$A_PUB")"
        [[ $(path_of a "$B_PUB") == direct ]] || CHECK3_REASONS+=("A's status PATH for B is $(path_of a "$B_PUB") after the idle minute")
        [[ $(path_of b "$A_PUB") == direct ]] || CHECK3_REASONS+=("B's status PATH for A is $(path_of b "$A_PUB") after the idle minute")
    fi
else
    CHECK3_REASONS+=("not run: A and B never went direct (check 1)")
fi

# ---------------------------------------------------------------------------------------------
# Stop everything, decode the captures
# ---------------------------------------------------------------------------------------------
for n in a b c s p; do node_stop "$n"; done
capture_stop_all
for cap in pub nc-lan; do
    tshark -r "$WORK/$cap.pcapng" -d "udp.port==$PORT,wg" -Y udp -T fields -E occurrence=f \
        -e frame.time_epoch -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e wg.type -e udp.length \
        >"$WORK/$cap.times" 2>/dev/null
    tshark -r "$WORK/$cap.pcapng" -d "udp.port==$PORT,wg" -Y '_ws.malformed || _ws.expert.severity >= error' \
        >"$WORK/$cap.bad" 2>/dev/null
done
# pkts CAP AWK-CONDITION — packets of CAP.times matching; $1 time (s) $2 src $3 sport $4 dst
# $5 dport $6 wg type $7 udp length
pkts() { awk -F'\t' "$2 { n++ } END { print n + 0 }" "$WORK/$1.times"; }
# first_pkt CAP AWK-CONDITION — ms since the epoch of the first matching packet, or -1
first_pkt() { awk -F'\t' "$2 { printf \"%.0f\n\", \$1 * 1000; f = 1; exit } END { if (!f) print -1 }" "$WORK/$1.times"; }
between_hosts() { echo "((\$2 == \"$1\" && \$4 == \"$2\") || (\$2 == \"$2\" && \$4 == \"$1\"))"; }
NAB=$(between_hosts "$NA_WAN" "$NB_WAN")
NAC=$(between_hosts "$NA_WAN" "$NC_WAN")

total=$(pkts pub 1) notwg=$(pkts pub "\$6 !~ /^[1-4]\$/") bad=$(wc -l <"$WORK/pub.bad")
log "    br0: $total udp packets, $notwg not WireGuard, $bad malformed/expert errors;" \
    "NA<->NB: $(pkts pub "$NAB && \$2 == \"$NA_WAN\"") from NA, $(pkts pub "$NAB && \$2 == \"$NB_WAN\"") from NB"

# 1, continued: nothing between NA and NB before the first message; then direct data both ways
if (( REACHED )); then
    t_nab=$(first_pkt pub "$NAB")
    if (( t_nab < 0 )); then
        CHECK1_REASONS+=("tshark saw no packet between NA's and NB's public addresses")
    else
        log "    first packet between NA and NB on br0: $(( t_nab - T_FIRST )) ms after B logged A's first announce"
        # log lines have ms resolution and are written after the packet arrived: allow 50 ms
        (( t_nab > T_FIRST - 50 )) || CHECK1_REASONS+=("a packet passed between NA and NB $(( T_FIRST - t_nab )) ms before the first message arrived: it did not all go through P")
    fi
    n_ab=$(pkts pub "$NAB && \$2 == \"$NA_WAN\" && \$6 == 4") n_ba=$(pkts pub "$NAB && \$2 == \"$NB_WAN\" && \$6 == 4")
    n_hs=$(pkts pub "$NAB && (\$6 == 1 || \$6 == 2)")
    (( n_ab > 0 && n_ba > 0 )) || CHECK1_REASONS+=("tshark: data messages between NA and NB: $n_ab from NA, $n_ba from NB (want both > 0)")
    (( n_hs == 0 )) || CHECK1_REASONS+=("tshark: $n_hs bare handshake messages between NA and NB (the handshake should ride inside P's sessions)")
    (( notwg == 0 && bad == 0 )) || CHECK1_REASONS+=("tshark: $notwg packets not WireGuard, $bad malformed on br0")
    relayed_line=$(grep '^relay service:' "$WORK/p.out" | head -n 1 || true)
    log "    P's first relay line: ${relayed_line:-none}"
    [[ $relayed_line =~ \ ([1-9][0-9]*)\ packets ]] || CHECK1_REASONS+=("P's status never showed packets relayed")
fi
check "1. A reaches B by key through P (P splices), then they go direct within 2 s" "${CHECK1_REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 2. A reaches C (symmetric NAT) through P: it stays relayed
# ---------------------------------------------------------------------------------------------
REASONS=()
announced c "$A_PUB" || REASONS+=("C did not log 'announce from $A_PUB'")
announced a "$C_PUB" || REASONS+=("A did not log 'announce from $C_PUB'")
logged a "peer $C_PUB: seeking it" || REASONS+=("A never logged seeking C")
PATH_AC=$(path_of a "$C_PUB") PATH_CA=$(path_of c "$A_PUB")
from_na=$(pkts nc-lan "\$2 == \"$NA_WAN\"")
checks_na=$(pkts pub "$NAC && \$2 == \"$NA_WAN\"") checks_nc=$(pkts pub "$NAC && \$2 == \"$NC_WAN\"")
log "    A<->C at the end: A's path to C $PATH_AC, C's path to A $PATH_CA; br0 NA->NC $checks_na packets, NC->NA $checks_nc;" \
    "through NC to C from NA: $from_na"
if logged a "peer $C_PUB path now direct" || logged c "peer $A_PUB path now direct" || [[ $PATH_AC == direct || $PATH_CA == direct ]]; then
    REASONS+=("A and C went direct: $(grep -hF -e "peer $C_PUB path now direct" "$WORK/a.log"; grep -hF -e "peer $A_PUB path now direct" "$WORK/c.log" | head -n 2 | tr '\n' ';')")
fi
[[ $PATH_AC == P ]] || REASONS+=("A's status PATH for C is '$PATH_AC', expected relay P")
[[ $PATH_CA == P ]] || REASONS+=("C's status PATH for A is '$PATH_CA', expected relay P")
(( from_na == 0 )) || REASONS+=("$from_na packets from NA's address got through NC to C")
(( checks_na > 0 )) || REASONS+=("no packet from NA to NC on br0: A never tried to go direct (the check would prove little)")
check "2. A reaches C (symmetric NAT) by key through P, and it stays relayed" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 3, continued: the next message went direct; the direct path never paused for a binding's lifetime
# ---------------------------------------------------------------------------------------------
if (( T_NEXT >= 0 )); then
    from=$(( T_NEXT - 1000 )) to=$(( T_NEXT + 50 ))
    # largest SRC->DST data message while idle (1 s after the last announce until the window), and
    # how many in the window are larger: the announcement is larger than any probe or keepalive
    idle_max() { awk -F'\t' -v f="$T_IDLE_FROM" -v t="$from" -v s="$1" -v d="$2" \
        '$2 == s && $4 == d && $6 == 4 && $1 * 1000 > f + 1000 && $1 * 1000 < t && $7 > m { m = $7 } END { print m + 0 }' "$WORK/pub.times"; }
    larger_in_window() { awk -F'\t' -v f="$from" -v t="$to" -v s="$1" -v d="$2" -v m="$3" \
        '$2 == s && $4 == d && $6 == 4 && $1 * 1000 >= f && $1 * 1000 <= t && $7 > m { n++; l = l " " $7 } END { print n + 0, l }' "$WORK/pub.times"; }
    max_ab=$(idle_max "$NA_WAN" "$NB_WAN") max_pb=$(idle_max "$P_IP" "$NB_WAN")
    read -r big_direct sizes_direct <<<"$(larger_in_window "$NA_WAN" "$NB_WAN" "$max_ab")"
    read -r big_relayed sizes_relayed <<<"$(larger_in_window "$P_IP" "$NB_WAN" "$max_pb")"
    log "    tshark in the second before B logged the next announce: NA->NB $big_direct data messages larger than" \
        "any while idle (${max_ab} bytes UDP; these: ${sizes_direct:-none}); P->NB $big_relayed larger than any while idle" \
        "(${max_pb} bytes; these: ${sizes_relayed:-none})"
    (( max_ab > 0 )) || CHECK3_REASONS+=("tshark saw no packets from NA to NB while idle")
    (( big_direct >= 1 )) || CHECK3_REASONS+=("tshark saw no announcement-sized data message from NA to NB within 1 s before B logged it")
    (( big_relayed == 0 )) || CHECK3_REASONS+=("tshark saw $big_relayed larger-than-idle data messages from P to NB as the announcement went out: relayed")
    # what kept the direct path's bindings: packets NA->NB while idle
    n_idle=$(awk -F'\t' -v f="$T_IDLE_FROM" -v t="$from" -v s="$NA_WAN" -v d="$NB_WAN" \
        '$2 == s && $4 == d && $1 * 1000 > f + 1000 && $1 * 1000 < t { n++ } END { print n + 0 }' "$WORK/pub.times")
    idle_s=$(( (from - T_IDLE_FROM - 1000) / 1000 ))
    (( idle_s <= 0 )) || log "TIMING heartbeats while idle: $n_idle packets NA->NB in $idle_s s (one every $(( idle_s * 1000 / (n_idle > 0 ? n_idle : 1) )) ms)"
    # the longest pause between direct data messages (either way) while idle
    gap=$(awk -F'\t' -v f="$T_DIRECT_A" -v t="$T_NEXT" "$NAB"' && $6 == 4 && $1 * 1000 >= f && $1 * 1000 <= t {
        ms = $1 * 1000; if (last && ms - last > g) g = ms - last; last = ms } END { printf "%.0f\n", g }' "$WORK/pub.times")
    log "    longest pause between direct data messages NA<->NB while idle: $gap ms (bindings last ${NAT_UDP_TIMEOUT} s)"
    (( gap < NAT_UDP_TIMEOUT * 1000 )) || CHECK3_REASONS+=("the direct path was silent for $gap ms: longer than the NATs keep a binding")
fi
check "3. idle for a minute behind 5-s NAT bindings, the next message still goes direct" "${CHECK3_REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 4. The stranger gets silence from P
# ---------------------------------------------------------------------------------------------
REASONS=()
s_init=$(pkts pub "\$2 == \"$S_IP\" && \$4 == \"$P_IP\" && \$6 == 1")
to_s=$(pkts pub "\$4 == \"$S_IP\"")
log "    br0: S (other network key) sent P $s_init initiations; P sent S $to_s packets"
(( s_init >= 1 )) || REASONS+=("no initiation from S reached P (the check would prove nothing)")
(( to_s == 0 )) || REASONS+=("P sent $to_s packets to the stranger")
logged s "peer $P_PUB up" && REASONS+=("the stranger logged P up")
check "4. a stranger (other network key) gets silence from P" "${REASONS[@]}"

(( SKIPPED == 0 )) || log "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
