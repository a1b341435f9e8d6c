#!/usr/bin/env bash
# flood.sh — a keymesh node under a handshake flood and garbage from many source addresses.
#
# Usage (root):  testbed/flood.sh [--keep] [--seconds N]
#   --keep       keep the work directory (configs, logs, pcaps); always kept when a check fails
#   --seconds N  how long each flood lasts at most (default 12)
#
# Layout (namespaces kmfl<PID>-*): a bridge in kmfl<PID>-sw, 10.77.0.0/16:
#   N 10.77.0.1   the node under attack: `keymesh up`, accept-members = true, one network key
#   L 10.77.0.2   a legitimate member: `keymesh up` listing N with its endpoint, started during a flood
#   R 10.77.0.254 a router to the flooder's network
#   X 10.78.0.0 - 10.78.3.255, behind R: the flooder, 1,024 addresses on one interface, a socket
#                 bound to each; testbed/tools/UdpFlood.java sends only to N's address and port and
#                 stops by itself after a packet count or --seconds
# tshark captures what N sends (UDP from N's address) throughout.
#
# Checks:
#   1. bad-mac1: handshake initiations with random content from 1,024 sources. N drops every one
#      for its mac1 (counted), sends the sources nothing, goes under load; L, started during the
#      flood, completes its handshake with N within 2 s of listening (a cookie reply, then its
#      retry with mac2 at once).
#   2. valid-mac1: distinct initiations whose mac1 verifies (made with N's public key and the network
#      key — a member gone rogue) from 1,024 sources. N answers with cookie replies (64 bytes for
#      148: no amplification, nothing larger sent to a source than it sent), lets in at most the
#      flooder's one key, and L, restarted during the flood, gets in within 20 s of listening (once
#      the flood is over at the latest: it is never locked out). The goal is 2 s: N sends at most
#      20 cookie replies a second per source address (COOKIE_REPLY_LIMITED beyond), so a flood
#      costs it little more than a mac1 check per packet; on a quiet 2-vCPU AMD EPYC, against
#      105,000 initiations a second, L got in 110-212 ms after listening in three runs of three.
#      The check allows 20 s because N's socket still loses part of such a flood (RcvbufErrors,
#      the flooder and N sharing two CPUs), and an initiation of L's lost there costs WireGuard's
#      5-s retry.
#   3. garbage: random datagrams of every WireGuard type and length and none. N sends the sources
#      nothing at all; L's session with N carries its announcements throughout.
#   4. Bounds: N's resident memory after the floods is within 64 MiB of before, and its table of
#      members holds at most 2 entries (L and the flooder's key).
# Reported: packets sent and rate per flood, N's CPU use during each (from /proc), N's drop counters.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

KEEP=0 FLOOD_SECONDS=12
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keep) KEEP=1 ;;
        --seconds) FLOOD_SECONDS=$2; shift ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

require_root "network namespaces"
require_tools ip tshark awk

RUN=$$
PFX="kmfl${RUN}"
NS_SW="$PFX-sw" NS_N="$PFX-n" NS_L="$PFX-l" NS_R="$PFX-r" NS_X="$PFX-x"
ALL_NS=("$NS_SW" "$NS_N" "$NS_L" "$NS_R" "$NS_X")
N_IP=10.77.0.1 L_IP=10.77.0.2 R_IP=10.77.0.254 X_BASE=10.78.0.0 X_COUNT=1024
PORT=51820
FLOOD_PACKETS=5000000
RUN_LIMIT=$(( FLOOD_SECONDS * 3 + 150 ))s
export KEYMESH_JAVA_OPTS=${KEYMESH_JAVA_OPTS:-"-XX:+UseSerialGC -Xmx256m"}

WORK=$(mktemp -d "/tmp/${PFX}.XXXXXX")
cleanup() {
    local rc=$? ns
    set +e
    capture_stop_all
    kill_tracked
    for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if (( KEEP || FAILED > 0 || rc != 0 )); then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

remove_leftover_namespaces kmfl flood

t0=$(now_ms)
if ! "$ROOT/keymesh" --version >"$WORK/build.log" 2>&1; then
    check "keymesh builds" "./keymesh --version failed: $(tail -n 5 "$WORK/build.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"; exit 1
fi
source "$ROOT/scripts/java-env.sh"
CP="$(ls "$ROOT"/keymesh-cli/target/keymesh-cli-*.jar | head -n 1):$ROOT/keymesh-cli/target/lib/*"
log "keymesh ready in $(( $(now_ms) - t0 )) ms; $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))"

for ns in "${ALL_NS[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$NS_SW" link add br0 type bridge
ip -n "$NS_SW" link set br0 up
for host in n l r; do
    ns_var="NS_${host^^}"
    veth_link "$NS_SW" "to$host" - "${!ns_var}" eth0
    ip -n "$NS_SW" link set "to$host" master br0
done
ip -n "$NS_N" addr add "$N_IP/16" dev eth0
ip -n "$NS_L" addr add "$L_IP/16" dev eth0
ip -n "$NS_R" addr add "$R_IP/16" dev eth0
# The flooder sits behind the router R, as the internet does: N's neighbour table holds R, not
# the flooder's 1,024 addresses (a flat segment would overflow it, and N could no longer reach L).
veth_link "$NS_R" tox 10.79.0.1/24 "$NS_X" eth0 10.79.0.2/24
ip netns exec "$NS_R" sysctl -q -w net.ipv4.ip_forward=1
ip -n "$NS_R" route add 10.78.0.0/16 via 10.79.0.2
ip -n "$NS_X" route add default via 10.79.0.1
ip -n "$NS_N" route add 10.78.0.0/16 via "$R_IP"
for i in $(seq 0 $(( X_COUNT - 1 ))); do echo "addr add 10.78.$(( i / 256 )).$(( i % 256 ))/32 dev eth0"; done \
    | ip -n "$NS_X" -batch -
log "5 namespaces; the flooder, behind a router, with $X_COUNT addresses"

(umask 077; "$ROOT/keymesh" genkey >"$WORK/n.key"; "$ROOT/keymesh" genkey >"$WORK/l.key"; "$ROOT/keymesh" genpsk >"$WORK/network.key")
N_PUB=$("$ROOT/keymesh" pubkey <"$WORK/n.key") L_PUB=$("$ROOT/keymesh" pubkey <"$WORK/l.key")
cat >"$WORK/n.conf" <<EOF
keymesh {
  private-key-file = "n.key"
  control.socket = "n.sock"
  listen = "$N_IP:$PORT"
  network-key-file = "network.key"
  accept-members = true
}
EOF
cat >"$WORK/l.conf" <<EOF
keymesh {
  private-key-file = "l.key"
  control.socket = "l.sock"
  listen = "$L_IP:$PORT"
  network-key-file = "network.key"
  peers = [ { public-key = "$N_PUB", endpoint = "$N_IP:$PORT", persistent-keepalive = 5s } ]
}
EOF

# Only what N sends: capturing the floods themselves would cost the machine more than N spends on them.
# One datagram per captured packet (lib.sh, wire_datagrams): the size checks read each datagram.
wire_datagrams "$NS_N" eth0
ip netns exec "$NS_N" tshark -i eth0 -f "udp and src host $N_IP" -w "$WORK/n.pcapng" >"$WORK/n.pcapng.log" 2>&1 &
CAPTURE_PID=$!
CAPTURE_PIDS+=("$CAPTURE_PID")
track "$CAPTURE_PID"
wait_for 30 grep -q 'Capturing on' "$WORK/n.pcapng.log" || die "tshark did not start: $(cat "$WORK/n.pcapng.log")"
node_start n "$NS_N" --status-interval 1s
wait_for 60 node_listening n || true
logged n ' listening on ' || { check "N starts" "$(head -n 5 "$WORK/n.log" | tr '\n' ';')"; echo "$PASSED passed, $FAILED failed"; exit 1; }
N_PID=${NODE_PID[n]}
# the java process itself (ip netns exec may have exec'd into it)
for pid in "${NODE_PID[n]}" $(pgrep -P "${NODE_PID[n]}" || true); do
    [[ $(cat /proc/"$pid"/comm 2>/dev/null) == java ]] && N_PID=$pid
done
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/"$N_PID"/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$N_PID"/stat; }
HZ=$(getconf CLK_TCK)
RSS_BEFORE=$(rss_kib)
log "N listening (java pid $N_PID, RSS $(( RSS_BEFORE / 1024 )) MiB)"

# flood KIND [ARGS...] — runs the flooder in the background; FLOOD_PID
flood() {
    local kind=$1; shift
    ip netns exec "$NS_X" "$JAVA_HOME/bin/java" -cp "$CP" "$HERE/tools/UdpFlood.java" "$kind" "$N_IP:$PORT" \
        "$X_BASE" "$X_COUNT" "$FLOOD_PACKETS" "$FLOOD_SECONDS" "$@" >"$WORK/flood-$kind.out" 2>&1 &
    FLOOD_PID=$!
    track "$FLOOD_PID"
}
# flood_wait KIND — waits for the flooder and reports its line and N's CPU use meanwhile
flood_wait() {
    local kind=$1 ticks0=$2 t0=$3
    wait "$FLOOD_PID" || true
    local ms=$(( $(now_ms) - t0 )) ticks=$(( $(cpu_ticks) - ticks0 ))
    log "    $(grep '^flood' "$WORK/flood-$kind.out" || tail -n 3 "$WORK/flood-$kind.out" | tr '\n' ' ')"
    log "    N used $(( ticks * 1000 / HZ )) ms of CPU in $ms ms ($(( ticks * 100000 / HZ / ms ))% of one CPU); RSS $(( $(rss_kib) / 1024 )) MiB; N's kernel: $(udp_errors)"
}
# udp_errors — N's namespace's UDP receive errors so far (datagrams its socket had no room for)
udp_errors() {
    ip netns exec "$NS_N" awk '/^Udp:/ { if (!h) { split($0, k); h = 1 } else { split($0, v); for (i = 2; i <= NF; i++) if (k[i] == "RcvbufErrors" || k[i] == "InErrors") printf "%s %s ", k[i], v[i] } }' /proc/net/snmp
}
# up_within NAME PEER — ms from NAME listening until it logged PEER up, or -1
up_ms() {
    local t_listen t_up
    t_listen=$(grep -m1 ' listening on ' "$WORK/$1.log" | awk '{print $1}')
    t_up=$(grep -m1 -F "peer $2 up" "$WORK/$1.log" | awk '{print $1}')
    [[ -n $t_listen && -n $t_up ]] || { echo -1; return; }
    ms_of() { awk -F'[:.]' '{ printf "%d\n", (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }' <<<"$1"; }
    echo $(( $(ms_of "$t_up") - $(ms_of "$t_listen") ))
}
# to_sources — packets N sent to the flooder's addresses so far (from the pcap, after stopping it)
from_n_to_x() { awk -F'\t' -v n="$N_IP" '$2 == n && $4 ~ /^10\.78\./ { c++ } END { print c + 0 }' "$WORK/n.pcapng.tsv"; }

# ---------------------------------------------------------------------------------------------
# 1. bad-mac1 flood; L starts during it
# ---------------------------------------------------------------------------------------------
REASONS=()
ticks0=$(cpu_ticks) t0=$(now_ms)
flood bad-mac1
sleep 2
node_start l "$NS_L" --announce-interval 1s
wait_for 60 node_listening l || true
wait_for 10 logged l "peer $N_PUB up" || true
flood_wait bad-mac1 "$ticks0" "$t0"
ms=$(up_ms l "$N_PUB")
log "    L up with N $ms ms after it listened (during the flood)"
(( ms >= 0 && ms <= 2000 )) || REASONS+=("L did not complete its handshake within 2 s of listening: $ms ms")
grep -q '^flood bad-mac1: sent' "$WORK/flood-bad-mac1.out" || REASONS+=("the flooder failed: $(tail -n 3 "$WORK/flood-bad-mac1.out")")
check "1. under a bad-mac1 initiation flood from $X_COUNT sources, a member still completes its handshake within 2 s" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 2. valid-mac1 flood; L restarted during it
# ---------------------------------------------------------------------------------------------
REASONS=()
node_stop l
mv "$WORK/l.log" "$WORK/l-1.log"
ticks0=$(cpu_ticks) t0=$(now_ms)
flood valid-mac1 "$N_PUB" "$WORK/network.key"
sleep 3
node_start l "$NS_L" --announce-interval 1s
wait_for 60 node_listening l || true
wait_for 25 logged l "peer $N_PUB up" || true
flood_wait valid-mac1 "$ticks0" "$t0"
ms=$(up_ms l "$N_PUB")
log "    L up with N again $ms ms after it listened (it started 3 s into the ${FLOOD_SECONDS}-s flood; 2 s is the goal, see the header)"
(( ms >= 0 && ms <= 20000 )) || REASONS+=("L did not complete its handshake within 20 s of listening: $ms ms")
cookies_sent=$(grep '^drops:' "$WORK/n.out" | tail -n 1 | sed -n 's/.*COOKIE_REQUIRED \([0-9]*\).*/\1/p')
log "    N answered ${cookies_sent:-no} initiations with cookie replies so far"
[[ ${cookies_sent:-0} -gt 0 ]] || REASONS+=("N never went under load (no cookie replies): the check would prove nothing")
grep -q '^flood valid-mac1: sent' "$WORK/flood-valid-mac1.out" || REASONS+=("the flooder failed: $(tail -n 3 "$WORK/flood-valid-mac1.out")")
check "2. under a valid-mac1 initiation flood (a rogue member) from $X_COUNT sources, N answers with cookies and a member still gets in" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 3. garbage
# ---------------------------------------------------------------------------------------------
REASONS=()
announces0=$(count_logged n "announce from $L_PUB")
ticks0=$(cpu_ticks) t0=$(now_ms)
flood garbage
flood_wait garbage "$ticks0" "$t0"
sleep 2
announces1=$(count_logged n "announce from $L_PUB")
log "    N logged $(( announces1 - announces0 )) announcements from L during the garbage flood"
(( announces1 - announces0 >= FLOOD_SECONDS / 2 )) || REASONS+=("L's announcements stopped reaching N: $(( announces1 - announces0 ))")
grep -q '^flood garbage: sent' "$WORK/flood-garbage.out" || REASONS+=("the flooder failed: $(tail -n 3 "$WORK/flood-garbage.out")")

capture_stop_all
sleep 1.2   # N's next status table
tshark -r "$WORK/n.pcapng" -Y udp -T fields -E occurrence=f -e frame.number -e ip.src -e udp.srcport -e ip.dst \
    -e udp.length -d "udp.port==$PORT,wg" -e wg.type >"$WORK/n.pcapng.tsv" 2>/dev/null
to_x=$(from_n_to_x)
cookies=$(awk -F'\t' -v n="$N_IP" '$2 == n && $4 ~ /^10\.78\./ && $6 == 3 { c++ } END { print c + 0 }' "$WORK/n.pcapng.tsv")
bigger=$(awk -F'\t' -v n="$N_IP" '$2 == n && $4 ~ /^10\.78\./ && $5 > 156 { c++ } END { print c + 0 }' "$WORK/n.pcapng.tsv")
log "    tshark on N: N sent the flooder's sources $to_x packets ($cookies cookie replies, $bigger larger than an initiation)"
(( bigger == 0 )) || REASONS+=("N sent $bigger packets larger than an initiation to flood sources (amplification)")
non_cookie=$(( to_x - cookies ))
# the valid-mac1 flood's first initiations (before N was under load) get handshake responses: at most a second's worth
(( non_cookie <= 128 )) || REASONS+=("N sent $non_cookie packets other than cookie replies to flood sources")
drops=$(grep '^drops:' "$WORK/n.out" | tail -n 1)
log "    N's $drops"
check "3. garbage of every kind from $X_COUNT sources gets silence; a member's traffic goes on" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 4. Bounds
# ---------------------------------------------------------------------------------------------
REASONS=()
RSS_AFTER=$(rss_kib)
members=$(grep '^status of node' "$WORK/n.out" | tail -n 1 | sed -n 's/.*: \([0-9]*\) peers.*/\1/p')
log "    N's RSS $(( RSS_BEFORE / 1024 )) MiB before the floods, $(( RSS_AFTER / 1024 )) MiB after; peers in its last table: $members"
(( RSS_AFTER - RSS_BEFORE <= 65536 )) || REASONS+=("N's RSS grew by $(( (RSS_AFTER - RSS_BEFORE) / 1024 )) MiB")
[[ -n $members ]] && (( members <= 2 )) || REASONS+=("N holds $members peers (expected L and at most the flooder's one key)")
check "4. N's memory and peer table stay bounded" "${REASONS[@]}"

(( SKIPPED == 0 )) || log "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
