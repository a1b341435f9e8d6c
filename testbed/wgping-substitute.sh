#!/usr/bin/env bash
# wgping-substitute.sh — stands in for `./keymesh wgping` using a second wireguard-go, so that the
# test bed (namespaces, veth, wireguard-go, tshark, the checks) can be proven without keymesh.
#
# Same command line and same summary line as the real thing (see wg-interop.sh), run the same way:
#   ip netns exec KM testbed/wgping-substitute.sh --private-key FILE --peer-public-key B64 \
#       --endpoint IP:PORT --listen-port P --address A --target T --count N [--initiate|--await] \
#       [--rekey-every DURATION] [--timeout DURATION]   (durations in whole seconds: 5s, 2m)
# Differences from keymesh:
#   * --under-load is not possible with wireguard-go: exits 77 ("unsupported").
#   * --rekey-every D is emulated by removing and re-adding the peer every S seconds, which
#     drops its sessions, so the next packet makes it start a fresh handshake (as initiator).
#   * The old --rekey-every-seconds S and --timeout-seconds T are accepted too, as by keymesh.
#   * --await: it just waits until the other side has completed a handshake; the kernel of this
#     namespace answers echo requests to --address through the TUN device.
# The interface is named kmwg${KMWG_RUN}k (KMWG_RUN is exported by wg-interop.sh), so the
# leftover cleanup of wg-interop.sh recognises it.
set -euo pipefail

# seconds DURATION — whole seconds of "30s", "2m", "1h" or a plain number of seconds.
seconds() {
    case "$1" in
        *ms) echo "wgping-substitute: durations here are whole seconds, got $1" >&2; exit 2 ;;
        *s) echo "${1%s}" ;;
        *m) echo $(( ${1%m} * 60 )) ;;
        *h) echo $(( ${1%h} * 3600 )) ;;
        *) echo "$1" ;;
    esac
}

key='' peer='' endpoint='' port='' address='' target='' count=5 mode=initiate rekey=0 timeout=30 under_load=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --private-key) key=$2; shift 2 ;;
        --peer-public-key) peer=$2; shift 2 ;;
        --endpoint) endpoint=$2; shift 2 ;;
        --listen-port) port=$2; shift 2 ;;
        --address) address=$2; shift 2 ;;
        --target) target=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --initiate) mode=initiate; shift ;;
        --await) mode=await; shift ;;
        --rekey-every) rekey=$(seconds "$2"); shift 2 ;;
        --rekey-every-seconds) rekey=$2; shift 2 ;;
        --under-load) under_load=1; shift ;;
        --timeout) timeout=$(seconds "$2"); shift 2 ;;
        --timeout-seconds) timeout=$2; shift 2 ;;
        *) echo "wgping-substitute: unknown argument $1" >&2; exit 2 ;;
    esac
done
if (( under_load )); then
    echo "wgping-substitute: --under-load is unsupported (wireguard-go cannot be told to demand mac2)"
    exit 77
fi

ifname="kmwg${KMWG_RUN:-s$$}k"
sock="/var/run/wireguard/${ifname}.sock"
wg_pid=
cleanup() {
    if [[ -n $wg_pid ]]; then kill "$wg_pid" 2>/dev/null || true; wait "$wg_pid" 2>/dev/null || true; fi
    rm -f "$sock"
}
trap cleanup EXIT

WG_PROCESS_FOREGROUND=1 wireguard-go "$ifname" >/dev/null 2>&1 &
wg_pid=$!
for _ in $(seq 200); do [[ -S $sock ]] && break; sleep 0.01; done
[[ -S $sock ]] || { echo "wgping-substitute: wireguard-go did not come up" >&2; exit 1; }

add_peer() {
    if [[ $mode == initiate ]]; then
        wg set "$ifname" peer "$peer" endpoint "$endpoint" allowed-ips "$target/32"
    else   # --await: the other side must find us; we never send first
        wg set "$ifname" peer "$peer" allowed-ips "$target/32"
    fi
}
wg set "$ifname" listen-port "$port" private-key "$key"
add_peer
ip addr add "$address/24" dev "$ifname"
ip link set "$ifname" up
echo "listening on UDP port $port"

deadline=$(( SECONDS + timeout ))
last_hs=0 handshakes=0 rekeys=0
note_handshake() {   # count distinct values of latest-handshake (1 s resolution)
    local hs
    hs=$(wg show "$ifname" latest-handshakes | awk '{print $2}')
    if [[ -n $hs && $hs != 0 && $hs != "$last_hs" ]]; then last_hs=$hs; handshakes=$(( handshakes + 1 )); fi
}

if [[ $mode == await ]]; then
    until note_handshake; [[ $handshakes -gt 0 ]]; do
        (( SECONDS < deadline )) || { echo "wgping: no handshake from peer within ${timeout}s"; break; }
        sleep 0.1
    done
fi

sent=0 received=0 last_rekey=$SECONDS
while (( sent < count && SECONDS < deadline )); do
    if (( rekey > 0 && SECONDS - last_rekey >= rekey )); then
        wg set "$ifname" peer "$peer" remove
        add_peer
        rekeys=$(( rekeys + 1 )); last_rekey=$SECONDS
    fi
    sent=$(( sent + 1 ))
    if out=$(ping -n -c 1 -W 6 "$target" 2>&1); then
        received=$(( received + 1 ))
        grep -m1 'bytes from' <<<"$out" || true
    else
        echo "no reply to echo request $sent"
    fi
    note_handshake
    sleep 0.5
done
[[ $mode == await ]] && sleep 1   # keep answering the peer's pings a little longer
echo "wgping: sent=$sent received=$received handshakes=$handshakes cookie_replies_sent=0 rekeys=$rekeys"
(( sent == count && received == count ))
