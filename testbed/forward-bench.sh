#!/usr/bin/env bash
# forward-bench.sh — iperf3 through `keymesh` service forwarding vs iperf3 through wireguard-go, on
# the same veth path between two network namespaces, side by side in one run.
#
# Usage (root):  testbed/forward-bench.sh [--rounds N] [--seconds S] [--keep]
#   --rounds N   alternate the two N times (default 3), after one warm-up run of each
#   --seconds S  each iperf3 run lasts S seconds (default 10)
#   --udp-io M   keymesh's socket I/O: auto (default), batched or portable
#
# Layout: namespaces kmfb<PID>-x (10.9.0.1) and kmfb<PID>-y (10.9.0.2), one veth pair, MTU 1500.
#   wireguard-go: interfaces kmfb<PID>x and kmfb<PID>y (its control sockets are not per namespace), tunnel 10.10.0.1 <-> 10.10.0.2 (MTU 1420, its
#     default), UDP port 51821; iperf3 -c 10.10.0.2 from x to an iperf3 server on y's tunnel address.
#   keymesh: `keymesh up` in each, UDP port 51820, each lists the other with its endpoint; y exposes
#     the service "iperf" = 127.0.0.1:5201 (an iperf3 server on y's loopback), x forwards
#     127.0.0.1:15201 to it; iperf3 -c 127.0.0.1 -p 15201 in x.
#   Both carry one TCP stream from x to y; iperf3's receiver-side rate is taken.
# The last line is
#   forward-iperf3: keymesh=X wireguard-go=Y ratio=Z   (Mbit/s, medians of the rounds; Z = X / Y)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

ROUNDS=3 SECONDS_EACH=10 KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift ;;
        --seconds) SECONDS_EACH=$2; shift ;;
        --udp-io) UDP_IO=$2; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

require_root_and_tools ip wg wireguard-go iperf3 awk

RUN=$$
PFX="kmfb${RUN}"
NS_X="$PFX-x" NS_Y="$PFX-y"
X_IP=10.9.0.1 Y_IP=10.9.0.2 X_TUN=10.10.0.1 Y_TUN=10.10.0.2
WG_PORT=51821 KM_PORT=51820
RUN_LIMIT=$(( ROUNDS * (SECONDS_EACH + 10) + 120 ))s
WORK=$(mktemp -d "/tmp/${PFX}.XXXXXX")

cleanup() {
    local rc=$?
    set +e
    kill_tracked
    ip netns del "$NS_X" 2>/dev/null; ip netns del "$NS_Y" 2>/dev/null
    rm -f "/var/run/wireguard/${PFX}x.sock" "/var/run/wireguard/${PFX}y.sock"
    if (( KEEP || rc != 0 )); then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$ROOT/keymesh" --version >"$WORK/build.log" 2>&1 || die "./keymesh --version failed: $(tail -n 5 "$WORK/build.log")"
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
log "$(nproc) CPUs ($CPU), $ROUNDS rounds of ${SECONDS_EACH} s"

for ns in "$NS_X" "$NS_Y"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
veth_link "$NS_X" eth0 "$X_IP/24" "$NS_Y" eth0 "$Y_IP/24"

# Keys
for n in x y; do (umask 077; wg genkey >"$WORK/$n.key"; wg pubkey <"$WORK/$n.key" >"$WORK/$n.pub"); done
(umask 077; wg genpsk >"$WORK/network.key")
X_PUB=$(cat "$WORK/x.pub") Y_PUB=$(cat "$WORK/y.pub")

# wireguard-go in both namespaces
start_wireguard_go "$NS_X" "${PFX}x" "$WORK/wg-x.log"
start_wireguard_go "$NS_Y" "${PFX}y" "$WORK/wg-y.log"
wg set "${PFX}x" listen-port "$WG_PORT" private-key "$WORK/x.key" \
    peer "$Y_PUB" endpoint "$Y_IP:$WG_PORT" allowed-ips "$Y_TUN/32" preshared-key "$WORK/network.key"
wg set "${PFX}y" listen-port "$WG_PORT" private-key "$WORK/y.key" \
    peer "$X_PUB" endpoint "$X_IP:$WG_PORT" allowed-ips "$X_TUN/32" preshared-key "$WORK/network.key"
ip -n "$NS_X" addr add "$X_TUN/24" dev "${PFX}x"; ip -n "$NS_X" link set "${PFX}x" up
ip -n "$NS_Y" addr add "$Y_TUN/24" dev "${PFX}y"; ip -n "$NS_Y" link set "${PFX}y" up
ip netns exec "$NS_Y" iperf3 -s -B "$Y_TUN" -p 5201 >"$WORK/iperf-wg-server.log" 2>&1 &
track $!

# keymesh in both namespaces
cat >"$WORK/x.conf" <<EOF
keymesh {
  private-key-file = "x.key"
  control.socket = "x.sock"
  listen = "$X_IP:$KM_PORT"
  network-key-file = "network.key"
  udp-io = ${UDP_IO:-auto}
  peers = [ { public-key = "$Y_PUB", endpoint = "$Y_IP:$KM_PORT" } ]
  forwards = [ { listen = "127.0.0.1:15201", to = "$Y_PUB/iperf" } ]
}
EOF
cat >"$WORK/y.conf" <<EOF
keymesh {
  private-key-file = "y.key"
  control.socket = "y.sock"
  listen = "$Y_IP:$KM_PORT"
  network-key-file = "network.key"
  udp-io = ${UDP_IO:-auto}
  peers = [ { public-key = "$X_PUB", endpoint = "$X_IP:$KM_PORT" } ]
  services { iperf { target = "127.0.0.1:5201" } }
}
EOF
ip netns exec "$NS_Y" iperf3 -s -B 127.0.0.1 -p 5201 >"$WORK/iperf-km-server.log" 2>&1 &
track $!
node_start y "$NS_Y" --status-interval 0
node_start x "$NS_X" --status-interval 0
wait_for 60 bash -c "grep -qF 'peer $Y_PUB up' '$WORK/x.log'" || die "keymesh x never met y: $(tail -n 3 "$WORK/x.log")"
wait_for 10 ip netns exec "$NS_X" ping -c 1 -W 1 "$Y_TUN" || die "the wireguard-go tunnel does not answer ping"

# iperf_rate NAME ARGS... — one iperf3 client run in x; prints the receiver's Mbit/s
iperf_rate() {
    local name=$1; shift
    ip netns exec "$NS_X" iperf3 -J -t "$SECONDS_EACH" "$@" >"$WORK/$name.json" 2>&1 \
        || die "iperf3 $name failed: $(head -c 300 "$WORK/$name.json")"
    awk -F'[:,]' '/"sum_received"/ { f = 1 } f && /"bits_per_second"/ { printf "%.0f\n", $2 / 1e6; exit }' "$WORK/$name.json"
}
# One unmeasured run each first: keymesh's JIT compiles its data path in the first seconds (a cold
# first round ran at a quarter of the later ones), and wireguard-go's side gets the same treatment.
warm_wg=$(iperf_rate "wg-warm-up" -c "$Y_TUN" -p 5201)
warm_km=$(iperf_rate "km-warm-up" -c 127.0.0.1 -p 15201)
log "warm-up (not counted): keymesh forward $warm_km Mbit/s, wireguard-go $warm_wg Mbit/s"
KM=() WG=()
for r in $(seq "$ROUNDS"); do
    wg_rate=$(iperf_rate "wg-$r" -c "$Y_TUN" -p 5201)
    km_rate=$(iperf_rate "km-$r" -c 127.0.0.1 -p 15201)
    log "round $r: keymesh forward $km_rate Mbit/s, wireguard-go $wg_rate Mbit/s"
    KM+=("$km_rate") WG+=("$wg_rate")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
km=$(median "${KM[@]}") wg=$(median "${WG[@]}")
echo "forward-iperf3: keymesh=$km wireguard-go=$wg ratio=$(awk -v a="$km" -v b="$wg" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
