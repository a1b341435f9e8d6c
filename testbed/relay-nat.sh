#!/usr/bin/env bash
# relay-nat.sh — two keymesh nodes behind NATs reach each other by key through public relays.
#
# Usage (root):  testbed/relay-nat.sh [--keep]
#   --keep   keep the work directory (keys, configs, logs, pcaps); it is always kept when a check fails.
#
# Layout (namespaces kmrl<PID>-*, so runs never collide and leftovers are recognisable):
#
#                          netns pub: bridge br0, 198.51.100.0/24 (the "internet")
#        +------------------+------------------+------------------+-----------------------+
#   P 198.51.100.10    Q 198.51.100.11    NA wan .20 (cone)  NB wan .21 (symmetric)  S .30 (strangers)
#   relay              relay              |  lan 10.1.0.1    |  lan 10.2.0.1
#                                         A 10.1.0.2         B 10.2.0.2
#
#   Every node is `./keymesh up --config FILE` in its namespace, UDP port 51820, one network key
#   (keys from `./keymesh genkey`, `pubkey`, `genpsk`).
#   P and Q: relay { enabled = true, ... }; peers A and B, without endpoints.
#   A and B: peers P and Q with endpoints and persistent-keepalive = 25s; each other with
#   via = [P, Q], no endpoint, persistent-keepalive = 1s (that keepalive is the ongoing traffic
#   between A and B that check 3 watches). Both run with --announce and --status-interval 1s.
#   NA masquerades endpoint-independently (cone), NB with fully-random (symmetric); both drop
#   unsolicited inbound, so A and B could not punch holes to each other even if they tried.
#   S: two strangers, each a `keymesh up` listing P with its endpoint: S1 holds another network
#   key, S2 the right network key under a key no one lists.
#   tshark captures UDP port 51820 on P's and Q's interfaces for the whole run.
#
# Checks:
#   1. A and B reach each other by key through a relay: each logs `announce from <the other>`
#      within 30 s of their start; the path each uses for the other (the status table's path
#      column, or the path-change log line where the table has none) is a relay, P or Q.
#   2. Everything on P's and Q's wires is WireGuard: every UDP packet decodes as message type 1-4
#      (tshark's wg dissector), nothing malformed or with expert errors; data from NA reached a relay.
#   3a. Failover, live: the relay A uses (P if that cannot be read) is killed (SIGKILL) while A and
#      B exchange keepalives and probes through it. Between 4 s and 8 s after the kill both still
#      receive each other's packets (status table counters), neither reports the other down, both
#      use the surviving relay, and tshark sees it carry data from NA and from NB.
#   3b. Then A and B start afresh (new processes, same configs) with the killed relay still dead
#      and must reach each other through the other one (announces both ways within 30 s). The
#      surviving relay still holds their earlier sessions and circuits: restarted nodes meet it.
#   Not checked here: failover in the middle of a reliable transfer (every message delivered, in
#      order, switch within 2 s). `keymesh up` has no command that keeps application data flowing
#      between two nodes, so the traffic here is keepalives and probes; the mid-transfer case is
#      checked in the simulator (keymesh-sim MeshNodeRelaySimTest).
#   4. Strangers get silence from P: both send handshake initiations to P (tshark sees them), P
#      sends nothing at all back to S, and neither stranger logs P up.
# Timings printed (TIMING lines): from starting A and B until B logged A's announce (the first
# exchange through a relay) and until A logged B's; from the kill until A logged B's path moving
# to the surviving relay; the fresh start's first exchange.
#
# Findings on this machine (Debian 12, 2 vCPUs shared with other builds, nftables 1.0.6, tshark 4.0.17):
#  * Needs a `keymesh up` that starts a handshake with a down peer when a path to it appears: a
#    peer reached only through relays has no endpoint, and nothing else sends to it first. Without
#    that, check 1 fails with A's status row for B "down, never" and 3a and 3b are not run.
#  * 3b catches a race: when one side's circuit opens first, its initiation reaches the other side
#    before that side has a path of its own, so the response must go back where the initiation
#    came from. A build that sent it to the (null) endpoint failed 3b in 7 runs of 8: 6 times that
#    side logged a NullPointerException in Circuits.send (from MeshOverlay.flush), once both sides
#    had a path and still no handshake completed within 30 s. A build with that fixed (and with
#    restarted peers noticed from unanswered probes) passed it 6 times of 6, in 1.2-2.6 s.
#  * The 14 JVM starts for the keys (genkey, pubkey, genpsk), run in parallel, take 6-27 s: the
#    largest part of the run. `keymesh up` takes 2.3-8 s to listen; the first relayed exchange
#    follows 0.06-1.1 s later (circuit open, handshake through the relay, announce).
#  * A logged the switch to the other relay 1.2-1.7 s after the kill (probe after 0.5 s of silence,
#    1 s probe timeout).
#  * A relay's wire carries only the handshakes of its own sessions (types 1/2 with A and B, and
#    the strangers' initiations) and type-4 messages: A's and B's handshake with each other rides
#    inside those, as do the circuit frames and probes.
#  * Each stranger sends an initiation every 5 s (REKEY_TIMEOUT); P answers none, not even with a
#    cookie reply.
#  * The status table's handshake column holds spaces ("12 s ago"), so the packet counters are found
#    by pattern, not by column number.
#  * `ip netns exec` execs its command and ./keymesh execs java, so $! is the JVM itself: a node is
#    killed by PID, nothing else.
#  * Whole run: 25-65 s.
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
PFX="kmrl${RUN}"
NS_PUB="$PFX-pub" NS_P="$PFX-p" NS_Q="$PFX-q" NS_NA="$PFX-na" NS_A="$PFX-a" NS_NB="$PFX-nb" NS_B="$PFX-b"
NS_S="$PFX-s"
ALL_NS=("$NS_PUB" "$NS_P" "$NS_Q" "$NS_NA" "$NS_A" "$NS_NB" "$NS_B" "$NS_S")
P_IP=198.51.100.10 Q_IP=198.51.100.11 NA_WAN=198.51.100.20 NB_WAN=198.51.100.21 S_IP=198.51.100.30
A_IP=10.1.0.2 NA_LAN=10.1.0.1 B_IP=10.2.0.2 NB_LAN=10.2.0.1
PORT=51820 S2_PORT=51821
RUN_LIMIT=100s          # every node stops by itself after this, whatever happens to the script
ANNOUNCE_WAIT=30        # seconds from starting A and B until both must have logged the other's announce
# Smaller JVMs start faster when six share two cores; the caller's KEYMESH_JAVA_OPTS wins.
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

# status_counts NAME KEY — "TX RX" packets of the last status row for KEY in NAME.out, or "-1 -1".
status_counts() {
    awk -v k="$2" '$1 == k { line = $0 } END {
        if (match(line, /(never|[0-9]+ (ms|s|min|h) ago) +[0-9]+ +[0-9]+/)) {
            n = split(substr(line, RSTART, RLENGTH), f, / +/); print f[n - 1], f[n]
        } else print -1, -1 }' "$WORK/$1.out"
}
# path_of NAME KEY — the path NAME's packets to KEY take: "P", "Q" (the relay), "direct", "?" (a
# relay not known here) and where that was read: "P status" from the status table's path column
# (the last row for KEY), else "P log" from the latest log line about KEY's path (onPathChanged);
# nothing if neither shows a path. A relay appears as "relay KEY" in the table, KEY cut to 8
# characters, and as "relayed via KEY" in the log.
path_of() {
    local seen
    seen=$(awk -v k="$2" '$1 == k { line = $0 } END {
        if (match(line, /relay [A-Za-z0-9+\/]+/)) print substr(line, RSTART + 6, 8), "status"
        else if (line ~ / direct /) print "direct status" }' "$WORK/$1.out")
    [[ -n $seen ]] || seen=$(awk -v k="$2" 'index($0, k) && tolower($0) ~ /path/ {
        if (match($0, /relay(ed via)? [A-Za-z0-9+\/]+/)) {
            n = split(substr($0, RSTART, RLENGTH), w, / /); p = substr(w[n], 1, 8) " log"
        } else if ($0 ~ / direct /) p = "direct log" } END { if (p != "") print p }' "$WORK/$1.log")
    [[ -n $seen ]] || return 0
    case "${seen%% *}" in
        direct) echo "$seen" ;;
        "${P_PUB:0:8}") echo "P ${seen#* }" ;;
        "${Q_PUB:0:8}") echo "Q ${seen#* }" ;;
        *) echo "? ${seen#* }" ;;
    esac
}
# log_problems NAME — the first warning or error of NAME.log with the line after it (an exception's
# first frame), on one line; nothing if there is none.
log_problems() {
    grep -m1 -A1 -E ' (WARN|ERROR) ' "$WORK/$1.log" | tr '\n\t' '  ' || true
}
# first_logged_after NAME MS-EPOCH AWK-CONDITION — "MS-EPOCH LINE" of the first line of NAME.log
# (lines start HH:MM:SS.mmm) at or after MS-EPOCH that matches; nothing if none.
first_logged_after() {
    local midnight; midnight=$(( $(date -d 'today 00:00' +%s) * 1000 ))
    awk -v since="$(( $2 - midnight ))" -v m="$midnight" '
        { split($1, t, /[:.]/); ms = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
        ms >= since && ('"$3"') { printf "%.0f %s\n", m + ms, $0; exit }' "$WORK/$1.log"
}

# ---------------------------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------------------------
remove_leftover_namespaces kmrl relay-nat

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
pub_port "$NS_Q" eth0 "$Q_IP"
pub_port "$NS_S" eth0 "$S_IP"
pub_port "$NS_NA" wan "$NA_WAN"
pub_port "$NS_NB" wan "$NB_WAN"
veth_link "$NS_NA" lan "$NA_LAN/24" "$NS_A" eth0 "$A_IP/24"
veth_link "$NS_NB" lan "$NB_LAN/24" "$NS_B" eth0 "$B_IP/24"
ip -n "$NS_A" route add default via "$NA_LAN"
ip -n "$NS_B" route add default via "$NB_LAN"
nat_router "$NS_NA" cone
nat_router "$NS_NB" symmetric
log "8 namespaces, bridge, 2 NAT routers in $(( $(now_ms) - t0 )) ms"

# Keys: one per node, one network key, and another network key for stranger S1.
t0=$(now_ms)
KEYGEN_PIDS=()
for n in a b p q s1 s2; do
    (umask 077; "$ROOT/keymesh" genkey >"$WORK/$n.key"; "$ROOT/keymesh" pubkey <"$WORK/$n.key" >"$WORK/$n.pub") &
    KEYGEN_PIDS+=($!); track $!
done
(umask 077; "$ROOT/keymesh" genpsk >"$WORK/network.key") & KEYGEN_PIDS+=($!); track $!
(umask 077; "$ROOT/keymesh" genpsk >"$WORK/other-network.key") & KEYGEN_PIDS+=($!); track $!
# tshark on the relays' wires, from before anything is sent (it starts while the keys are made)
capture_start "$NS_P" eth0 "$PORT" "$WORK/p.pcapng"
capture_start "$NS_Q" eth0 "$PORT" "$WORK/q.pcapng"
for pid in "${KEYGEN_PIDS[@]}"; do wait "$pid" || die "key generation failed"; done
A_PUB=$(cat "$WORK/a.pub") B_PUB=$(cat "$WORK/b.pub") P_PUB=$(cat "$WORK/p.pub") Q_PUB=$(cat "$WORK/q.pub")
S1_PUB=$(cat "$WORK/s1.pub") S2_PUB=$(cat "$WORK/s2.pub")
for k in A_PUB B_PUB P_PUB Q_PUB S1_PUB S2_PUB; do [[ ${!k} =~ ^[A-Za-z0-9+/]{43}=$ ]] || die "bad key $k='${!k}'"; done
log "keys (and tshark started) in $(( $(now_ms) - t0 )) ms: A $A_PUB  B $B_PUB"
log "                      P $P_PUB  Q $Q_PUB"
log "                      S1 $S1_PUB (other network key)  S2 $S2_PUB (listed by no one)"

# Configs, with the key names of the README.
relay_conf() {   # relay_conf NAME — P or Q: relays for A and B
    cat >"$WORK/$1.conf" <<EOF
keymesh {
  private-key-file = "$1.key"
  listen = "0.0.0.0:$PORT"
  control.socket = "$1.sock"       # each node its own: they share one file system and one port
  network-key-file = "network.key"
  peers = [
    { public-key = "$A_PUB" }
    { public-key = "$B_PUB" }
  ]
  relay { enabled = true, max-circuits = 1024, bytes-per-second = 0, idle-timeout = 120s }
}
EOF
}
edge_conf() {    # edge_conf NAME OTHER-KEY — A or B: P and Q with endpoints, the other through them
    cat >"$WORK/$1.conf" <<EOF
keymesh {
  private-key-file = "$1.key"
  listen = "0.0.0.0:$PORT"
  control.socket = "$1.sock"
  network-key-file = "network.key"
  peers = [
    { public-key = "$P_PUB", endpoint = "$P_IP:$PORT", persistent-keepalive = 25s }
    { public-key = "$Q_PUB", endpoint = "$Q_IP:$PORT", persistent-keepalive = 25s }
    { public-key = "$2", via = ["$P_PUB", "$Q_PUB"], persistent-keepalive = 1s }
  ]
}
EOF
}
stranger_conf() {  # stranger_conf NAME PORT NETWORK-KEY-FILE — lists P, initiates to it
    cat >"$WORK/$1.conf" <<EOF
keymesh {
  private-key-file = "$1.key"
  listen = "0.0.0.0:$2"
  control.socket = "$1.sock"
  network-key-file = "$3"
  peers = [
    { public-key = "$P_PUB", endpoint = "$P_IP:$PORT" }
  ]
}
EOF
}
relay_conf p
relay_conf q
edge_conf a "$B_PUB"
edge_conf b "$A_PUB"
stranger_conf s1 "$PORT" other-network.key
stranger_conf s2 "$S2_PORT" network.key


# ---------------------------------------------------------------------------------------------
# Relays first, then A and B (and the strangers) at once
# ---------------------------------------------------------------------------------------------
t0=$(now_ms)
node_start p "$NS_P" --status-interval 2s
node_start q "$NS_Q" --status-interval 2s
wait_for 30 node_listening p || true
wait_for 30 node_listening q || true
log "relays listening after $(( $(now_ms) - t0 )) ms"
for n in p q; do
    if ! node_alive "$n" || ! logged "$n" ' listening on '; then
        check "relay $n starts" "$(head -n 5 "$WORK/$n.log" | tr '\n' ';')"
        echo "$PASSED passed, $FAILED failed"; exit 1
    fi
done

T_AB=$(now_ms)
node_start a "$NS_A" --announce --status-interval 1s
node_start b "$NS_B" --announce --status-interval 1s
node_start s1 "$NS_S"
node_start s2 "$NS_S"
wait_for 30 node_listening a || true
wait_for 30 node_listening b || true
T_LISTEN=$(now_ms)
log "A and B listening after $(( T_LISTEN - T_AB )) ms (JVM start)"

# ---------------------------------------------------------------------------------------------
# 1. A and B reach each other through a relay
# ---------------------------------------------------------------------------------------------
REASONS=()
T_B_GOT=-1 T_A_GOT=-1
end=$(( T_AB + ANNOUNCE_WAIT * 1000 ))
while (( $(now_ms) < end )); do
    (( T_B_GOT >= 0 )) || ! announced b "$A_PUB" || T_B_GOT=$(now_ms)
    (( T_A_GOT >= 0 )) || ! announced a "$B_PUB" || T_A_GOT=$(now_ms)
    (( T_B_GOT >= 0 && T_A_GOT >= 0 )) && break
    node_alive a && node_alive b || break
    sleep 0.05
done
REACHED=0
(( T_B_GOT >= 0 && T_A_GOT >= 0 )) && REACHED=1
if (( T_B_GOT >= 0 )); then
    log "TIMING first relayed exchange: B logged A's announce $(( T_B_GOT - T_AB )) ms after A and B were started" \
        "($(( T_B_GOT - T_LISTEN )) ms after both listened)"
else
    REASONS+=("B did not log 'announce from $A_PUB' within $ANNOUNCE_WAIT s")
fi
if (( T_A_GOT >= 0 )); then
    log "TIMING A logged B's announce $(( T_A_GOT - T_AB )) ms after A and B were started"
else
    REASONS+=("A did not log 'announce from $B_PUB' within $ANNOUNCE_WAIT s")
fi
for n in a b; do node_alive "$n" || REASONS+=("node $n exited early: $(grep -v ' INFO ' "$WORK/$n.log" | head -n 3 | tr '\n' ';')"); done
if (( ! REACHED )); then
    # what the nodes say about each other and about the relays
    for n in a b; do
        other=$([[ $n == a ]] && echo "$B_PUB" || echo "$A_PUB")
        REASONS+=("${n^^}'s status row for ${other:0:8}…: $(awk -v k="$other" '$1 == k { l = $0 } END { $0 = l; $1 = ""; print }' "$WORK/$n.out" | tr -s ' ')")
        REASONS+=("${n^^}'s log on relays P/Q: $(grep -cF -e "peer $P_PUB up" -e "peer $Q_PUB up" "$WORK/$n.log") 'up' lines")
        problem=$(log_problems "$n"); [[ -z $problem ]] || REASONS+=("${n^^}'s log: $problem")
    done
fi
sleep 1.2   # one more status table
read -r PATH_AB SRC_AB <<<"$(path_of a "$B_PUB")"
read -r PATH_BA SRC_BA <<<"$(path_of b "$A_PUB")"
if [[ -z $PATH_AB ]]; then
    log "    neither the status table nor the log shows the path in this build: not checked"
else
    log "    A's path to B: ${PATH_AB/[PQ]/relay &} (from its $SRC_AB), B's path to A: ${PATH_BA/[PQ]/relay &} (from its $SRC_BA)"
    [[ $PATH_AB == [PQ] ]] || REASONS+=("A's path to B is '$PATH_AB', expected relay P or Q")
    [[ $PATH_BA == [PQ] ]] || REASONS+=("B's path to A is '$PATH_BA', expected relay P or Q")
fi
check "1. A and B reach each other by key through a relay" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 3. Failover: kill the relay A uses while keepalives flow; then a fresh start with it dead
#    (the verdict comes after the captures are decoded)
# ---------------------------------------------------------------------------------------------
DEAD=p
[[ $PATH_AB == Q ]] && DEAD=q
ALIVE=$([[ $DEAD == p ]] && echo q || echo p)
FAILOVER_REASONS=() RESTART_REASONS=() T_SETTLED_EPOCH=0 T_RESTART_EPOCH=0
if (( ! REACHED )); then
    FAILOVER_REASONS+=("not run: A and B never reached each other (check 1)")
    RESTART_REASONS+=("not run: A and B never reached each other (check 1)")
else
    REASONS=()
    if [[ $PATH_AB == [PQ] ]]; then
        log "---- failover: killing ${DEAD^^}, the relay A uses for B"
    else
        log "---- failover: killing P (which relay A uses cannot be read here)"
    fi
    read -r _ a_rx0 <<<"$(status_counts a "$B_PUB")"
    read -r _ b_rx0 <<<"$(status_counts b "$A_PUB")"
    T_KILL=$(now_ms)
    node_stop "$DEAD" KILL
    # A probes the path in use after 0.5 s of silence and gives it up after 1 s more: by 4 s the
    # traffic has moved; from then on each side must keep receiving the other's packets.
    sleep 4
    read -r _ a_rx1 <<<"$(status_counts a "$B_PUB")"
    read -r _ b_rx1 <<<"$(status_counts b "$A_PUB")"
    T_SETTLED_EPOCH=$(date +%s.%N)
    sleep 4
    read -r _ a_rx2 <<<"$(status_counts a "$B_PUB")"
    read -r _ b_rx2 <<<"$(status_counts b "$A_PUB")"
    log "    packets from B at A: $a_rx0 at the kill, $a_rx1 4 s later, $a_rx2 8 s later"
    log "    packets from A at B: $b_rx0 at the kill, $b_rx1 4 s later, $b_rx2 8 s later"
    (( a_rx2 > a_rx1 && a_rx1 >= 0 )) || REASONS+=("A received nothing from B between 4 s and 8 s after the kill ($a_rx1 -> $a_rx2)")
    (( b_rx2 > b_rx1 && b_rx1 >= 0 )) || REASONS+=("B received nothing from A between 4 s and 8 s after the kill ($b_rx1 -> $b_rx2)")
    logged a "peer $B_PUB down" && REASONS+=("A reported B down: $(grep -F "peer $B_PUB down" "$WORK/a.log" | head -n1)")
    logged b "peer $A_PUB down" && REASONS+=("B reported A down: $(grep -F "peer $A_PUB down" "$WORK/b.log" | head -n1)")
    read -r PATH_AB2 SRC_AB2 <<<"$(path_of a "$B_PUB")"
    read -r PATH_BA2 SRC_BA2 <<<"$(path_of b "$A_PUB")"
    if [[ -n $PATH_AB2 ]]; then
        log "    after the kill: A's path to B: ${PATH_AB2/[PQ]/relay &} (from its $SRC_AB2), B's path to A: ${PATH_BA2/[PQ]/relay &} (from its $SRC_BA2)"
        [[ $PATH_AB2 == "${ALIVE^^}" ]] || REASONS+=("A's path to B is '$PATH_AB2', expected relay ${ALIVE^^}")
        [[ $PATH_BA2 == "${ALIVE^^}" ]] || REASONS+=("B's path to A is '$PATH_BA2', expected relay ${ALIVE^^}")
    fi
    # When A logged B's path moving to the surviving relay (a line naming B's key, "path" and
    # "relay KEY" or "relayed via KEY" with the relay's key), if its log has such lines
    ALIVE_PUB=$([[ $ALIVE == p ]] && echo "$P_PUB" || echo "$Q_PUB")
    switch=$(first_logged_after a "$T_KILL" "index(\$0, \"$B_PUB\") && tolower(\$0) ~ /path/ &&
        (index(\$0, \"relay ${ALIVE_PUB:0:8}\") || index(\$0, \"relayed via ${ALIVE_PUB:0:8}\"))")
    if [[ -n $switch ]]; then
        log "TIMING failover: A logged B's path moving to ${ALIVE^^} $(( ${switch%% *} - T_KILL )) ms after ${DEAD^^} was killed"
        log "        a| ${switch#* }"
    fi

    # A fresh start with that relay still dead: A and B start again (new processes, the same
    # configs, the dead relay still listed) and must reach each other through the surviving one.
    FAILOVER_REASONS=("${REASONS[@]}")
    REASONS=()
    T_RESTART_EPOCH=$(date +%s.%N)
    node_stop a
    node_stop b
    for n in a b; do mv "$WORK/$n.log" "$WORK/$n-first.log"; mv "$WORK/$n.out" "$WORK/$n-first.out"; done
    T_AB2=$(now_ms)
    node_start a "$NS_A" --announce --status-interval 1s
    node_start b "$NS_B" --announce --status-interval 1s
    if wait_for "$ANNOUNCE_WAIT" bash -c "grep -qF -- 'announce from $A_PUB' '$WORK/b.log' && grep -qF -- 'announce from $B_PUB' '$WORK/a.log'"; then
        log "TIMING fresh start with ${DEAD^^} dead: both logged the other's announce $(( $(now_ms) - T_AB2 )) ms after A and B were started"
        sleep 1.2
        read -r PATH_AB3 _ <<<"$(path_of a "$B_PUB")"
        if [[ -n $PATH_AB3 && $PATH_AB3 != "${ALIVE^^}" ]]; then
            REASONS+=("after the fresh start A's path to B is '$PATH_AB3', expected relay ${ALIVE^^}")
        fi
    else
        announced b "$A_PUB" || REASONS+=("fresh start with ${DEAD^^} dead: B did not log A's announce within $ANNOUNCE_WAIT s")
        announced a "$B_PUB" || REASONS+=("fresh start with ${DEAD^^} dead: A did not log B's announce within $ANNOUNCE_WAIT s")
        for n in a b; do
            problem=$(log_problems "$n"); [[ -z $problem ]] || REASONS+=("${n^^}'s log: $problem")
        done
    fi
    RESTART_REASONS=("${REASONS[@]}")
fi

# ---------------------------------------------------------------------------------------------
# Stop everything, decode the captures
# ---------------------------------------------------------------------------------------------
for n in a b s1 s2 p q; do node_stop "$n"; done
capture_stop_all
for n in p q; do
    decode_capture "$WORK/$n.pcapng" "$PORT"
    tshark -r "$WORK/$n.pcapng" -d "udp.port==$PORT,wg" -Y udp -T fields -E occurrence=f \
        -e frame.time_epoch -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e wg.type \
        >"$WORK/$n.pcapng.times" 2>/dev/null
done
# between FILE AWK-CONDITION — packets of FILE.times matching; $1 time $2 src $3 sport $4 dst $5 dport $6 type
between() { awk -F'\t' "$2 { n++ } END { print n + 0 }" "$1.times"; }

# 3, continued: the surviving relay carried A's and B's packets from 4 s after the kill until the
# fresh start
if (( REACHED )); then
    window="\$1 > $T_SETTLED_EPOCH && \$1 < $T_RESTART_EPOCH && \$6 == 4"
    n_na=$(between "$WORK/$ALIVE.pcapng" "$window && \$2 == \"$NA_WAN\"")
    n_nb=$(between "$WORK/$ALIVE.pcapng" "$window && \$2 == \"$NB_WAN\"")
    log "    ${ALIVE^^}'s capture from 4 s to 8 s after the kill: $n_na data messages from NA, $n_nb from NB"
    (( n_na > 0 )) || FAILOVER_REASONS+=("${ALIVE^^} carried no data messages from NA 4-8 s after the kill")
    (( n_nb > 0 )) || FAILOVER_REASONS+=("${ALIVE^^} carried no data messages from NB 4-8 s after the kill")
fi

# ---------------------------------------------------------------------------------------------
# 2. Only WireGuard on the relays' wires
# ---------------------------------------------------------------------------------------------
REASONS=()
for n in p q; do
    cap="$WORK/$n.pcapng"
    total=$(tsv_count "$cap" 1)
    notwg=$(tsv_count "$cap" "\$4 !~ /^[1-4]\$/")
    bad=$(wc -l <"$cap.bad")
    log "    (${n^^}) $total udp packets: $(type_counts "$cap"), malformed/expert errors=$bad"
    [[ $total -gt 0 ]] || REASONS+=("(${n^^}) nothing captured")
    [[ $notwg -eq 0 ]] || REASONS+=("(${n^^}) $notwg UDP packets not decoded as WireGuard")
    [[ $bad -eq 0 ]] || REASONS+=("(${n^^}) $bad malformed packets / expert errors: $(head -n3 "$cap.bad" | tr '\n' ';')")
done
for n in p q; do
    line=$(grep '^relay service:' "$WORK/$n.out" | tail -n 1 || true)
    [[ -z $line ]] || log "    (${n^^}'s last status table) $line"
done
relayed=$(( $(between "$WORK/p.pcapng" "\$2 == \"$NA_WAN\" && \$6 == 4") + $(between "$WORK/q.pcapng" "\$2 == \"$NA_WAN\" && \$6 == 4") ))
[[ $relayed -gt 0 ]] || REASONS+=("no data messages from NA reached either relay")
check "2. tshark: only WireGuard messages (types 1-4) on P's and Q's wires" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 3. Failover (verdicts): a. live, b. fresh start
# ---------------------------------------------------------------------------------------------
if (( REACHED )); then
    check "3a. failover: ${DEAD^^} killed under traffic, A and B carry on through ${ALIVE^^}" "${FAILOVER_REASONS[@]}"
    check "3b. a fresh start of A and B with ${DEAD^^} still dead: they meet through ${ALIVE^^}" "${RESTART_REASONS[@]}"
else
    check "3a. failover when the relay in use dies" "${FAILOVER_REASONS[@]}"
    check "3b. a fresh start with one relay dead" "${RESTART_REASONS[@]}"
fi

# ---------------------------------------------------------------------------------------------
# 4. Strangers get silence from P
# ---------------------------------------------------------------------------------------------
REASONS=()
cap="$WORK/p.pcapng"
s1_init=$(between "$cap" "\$2 == \"$S_IP\" && \$3 == $PORT && \$6 == 1")
s2_init=$(between "$cap" "\$2 == \"$S_IP\" && \$3 == $S2_PORT && \$6 == 1")
to_s=$(between "$cap" "\$4 == \"$S_IP\"")
log "    P's capture: S1 (other network key) sent $s1_init initiations, S2 (unlisted key) $s2_init; P sent $to_s packets to S"
(( s1_init >= 1 )) || REASONS+=("no initiation from S1 reached P (the check would prove nothing)")
(( s2_init >= 1 )) || REASONS+=("no initiation from S2 reached P (the check would prove nothing)")
(( to_s == 0 )) || REASONS+=("P sent $to_s packets to the strangers")
for n in s1 s2; do logged "$n" "peer $P_PUB up" && REASONS+=("stranger $n logged P up"); done
check "4. strangers (other network key, unlisted key) get silence from P" "${REASONS[@]}"

(( SKIPPED == 0 )) || log "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
