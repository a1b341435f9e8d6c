#!/usr/bin/env bash
# wg-interop.sh — keymesh against a real WireGuard peer (wireguard-go), on the wire, checked by tshark.
#
# Usage (root):  testbed/wg-interop.sh [--substitute] [--keep] [SCENARIO...]
#   SCENARIO      any of a b c d (default: all); (e) always checks the captures of those run.
#   --substitute  run testbed/wgping-substitute.sh (a second wireguard-go + ping) instead of
#                 `./keymesh wgping`, to prove the bed itself; scenario (d) is then skipped.
#   --keep        keep the work directory (keys, pcaps, logs); it is always kept when a check fails.
#   KEYMESH_WGPING="cmd args"  overrides the keymesh command (default: "<repo>/keymesh wgping").
#
# Layout (all names carry this run's PID, so runs never collide and leftovers are recognisable):
#
#   netns kmwg<PID>-wg                                   netns kmwg<PID>-km
#   wireguard-go  kmwg<PID>  10.99.0.1/24  :51820        keymesh wgping  10.99.0.2  :51821
#   veth vwg 192.168.77.1/24  <------ veth ------>      veth vkm 192.168.77.2/24
#   tshark -i vwg "udp port 51820"
#
# Contract of the keymesh side (run as `ip netns exec KM ./keymesh wgping ...` from the repo root):
#   --private-key FILE --peer-public-key B64 --endpoint 192.168.77.1:51820 --listen-port 51821
#   --address 10.99.0.2 --target 10.99.0.1 --count N [--initiate|--await]
#   [--rekey-every DURATION] [--under-load] [--timeout DURATION]   (durations: 5s, 500ms, 2m)
#   (also accepted, not used here: --interval DURATION (default 500ms), --preshared-key FILE)
#   Prints "listening on UDP port P" once its peer is configured (the bed waits for that line, not
#   just for the socket: a handshake arriving between bind and configuration would be dropped).
#   Sends N ICMP echo requests through the tunnel to --target, ~0.5 s apart, prints one line per
#   reply, answers echo requests addressed to --address, and ends with
#   "wgping: sent=N received=M handshakes=H cookie_replies_sent=C rekeys=R"; exit 0 iff M == N
#   (and N == --count).
#   --initiate (default): the first request starts the handshake.
#   --await: never initiates. Waits (up to --timeout) for the peer's handshake, then sends its N requests on
#   that session, so sent/received mean the same as with --initiate; it answers the peer's requests
#   all along and keeps answering 1 s past the later of its last reply and the last request it
#   answered, then exits. The peer's pings are checked from the peer's side (ping's exit status).
#   --rekey-every D: asks for a new handshake every D; WireGuard sends at most one
#   initiation per REKEY_TIMEOUT (5 s), so a refused attempt is retried every 100 ms and the next is
#   due D after the one that went out; R counts the initiations sent that way.
#
# Scenarios: (a) keymesh initiates; (b) wireguard-go initiates (ping from the wg side, keymesh
# --await); (c) forced rekey every 5 s while pinging; (d) keymesh --under-load: wireguard-go gets a
# cookie reply (wg.type 3), retries with mac2 and completes; (e) every captured UDP packet decodes
# as WireGuard, no malformed packets or expert errors, mac1 of every initiation/response verifies
# against the receiver's static key and every initiation's encrypted static key decrypts.
#
# Findings on this machine (Debian 12, wireguard-go 0.0.20220316, tshark 4.0.17):
#  * /dev/net/tun was present. Without it wireguard-go refuses to start (exit 1, "Failed to create
#    TUN device: CreateTUN(...) failed; /dev/net/tun does not exist"); the script then creates the
#    node (mknod c 10 200) and that works — the TUN driver is built in (the kernel has no modules).
#  * wireguard-go with WG_PROCESS_FOREGROUND=1 stays in the foreground ($! is the daemon); its
#    control socket appears ~40 ms after start; SIGTERM removes the socket and the TUN device.
#    It does not need `ip netns exec` for `wg show/set` (the sockets are global, per interface name),
#    which is why interface names must be unique per run.
#  * tshark needs ~0.7 s before it captures: wait for "Capturing on" on its stderr.
#  * tshark's wg dissector is length-strict: a UDP payload whose length does not fit its type is
#    NOT marked malformed, it is simply not decoded as wg. Hence check (e) counts "udp && !wg".
#  * Given the static private keys (uat:wg_keys), tshark verifies mac1 (wg.receiver_pubkey is only
#    filled when mac1 matches) and decrypts the initiation's static key (wg.static). It cannot
#    decrypt responses or data without ephemeral keys (a keylog file), so wg.handshake_ok=0 on
#    responses is normal, not an error.
#  * wireguard-go does not resend an initiation when it receives a cookie reply: it stores the
#    cookie and the next retransmission (REKEY_TIMEOUT 5 s + up to 333 ms jitter) carries mac2. So
#    (d) takes > 5 s.
#  * wireguard-go as responder may only send data once the initiator has sent its first data packet
#    (keepalive or data) on the new session — keymesh as initiator must send first. As initiator,
#    wireguard-go sends a keepalive (type 4, empty) right after it accepts a response.
#  * wireguard-go silently drops type 1/2/3 messages whose length is not exactly 148/92/64, and
#    drops decrypted IPv4 packets whose source is not in the peer's allowed-ips (10.99.0.2/32) or
#    whose total-length field exceeds the plaintext; the receiving kernel then checks the IPv4
#    header checksum. None of these drops is visible on the wire: a silent loss of pings means one
#    of them.
#  * A cookie reply is accepted only if its receiver index is the sender index of wireguard-go's
#    initiation and its XChaCha20-Poly1305 box (key BLAKE2s("cookie--" || keymesh's public key),
#    AAD = mac1 of the last handshake message wireguard-go sent) opens; otherwise it is ignored.
#  * Scenario (c) assumes wgping paces its echo requests (~0.5 s apart, like the substitute). The
#    rekey period is 5 s because WireGuard (wireguard-go and keymesh alike) sends at most one
#    initiation per REKEY_TIMEOUT: handshakes at ~0 s, ~5 s and ~10 s, so 24 requests (~11.5 s)
#    see 3 of them with margin.
#  * The keymesh side is built (./keymesh --version) before the first scenario, so that a first
#    build does not count against a scenario's timeout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

SUBSTITUTE=0 KEEP=0 SELECTED=""
for arg in "$@"; do
    case "$arg" in
        --substitute) SUBSTITUTE=1 ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        a|b|c|d) SELECTED+=" $arg" ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

SELECTED=${SELECTED:-" a b c d"}
want() { [[ " $SELECTED " == *" $1 "* ]]; }

require_root_and_tools ip wireguard-go wg tshark ping ss timeout awk

if (( SUBSTITUTE )); then
    KM_CMD=("$HERE/wgping-substitute.sh")
elif [[ -n ${KEYMESH_WGPING:-} ]]; then
    read -r -a KM_CMD <<<"$KEYMESH_WGPING"
else
    KM_CMD=("$ROOT/keymesh" wgping)
    if [[ ! -x $ROOT/keymesh ]]; then
        echo "FAIL: $ROOT/keymesh not found or not executable (build keymesh first, or use --substitute)"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

# ---------------------------------------------------------------------------------------------
# Names and addresses
# ---------------------------------------------------------------------------------------------
RUN=$$
export KMWG_RUN=$RUN                 # lets wgping-substitute.sh name its interface kmwg<PID>k
NS_WG="kmwg${RUN}-wg"
NS_KM="kmwg${RUN}-km"
WG_IF="kmwg${RUN}"                   # ≤ 15 characters (IFNAMSIZ) for any PID
VETH_WG=vwg VETH_KM=vkm
WG_VETH_IP=192.168.77.1 KM_VETH_IP=192.168.77.2
WG_PORT=51820 KM_PORT=51821
WG_TUN_IP=10.99.0.1 KM_TUN_IP=10.99.0.2

WORK=$(mktemp -d "/tmp/kmwg${RUN}.XXXXXX")
CAPTURES=()

cleanup() {
    local rc=$?
    set +e
    capture_stop
    kill_tracked
    ip netns del "$NS_WG" 2>/dev/null
    ip netns del "$NS_KM" 2>/dev/null
    rm -f "/var/run/wireguard/$WG_IF.sock" "/var/run/wireguard/${WG_IF}k.sock"
    if (( KEEP || FAILED > 0 || rc != 0 )); then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------------------------
remove_leftovers

t0=$(date +%s%N)
ip netns add "$NS_WG"
ip netns add "$NS_KM"
ip -n "$NS_WG" link add "$VETH_WG" type veth peer name "$VETH_KM" netns "$NS_KM"
ip -n "$NS_WG" addr add "$WG_VETH_IP/24" dev "$VETH_WG"
ip -n "$NS_KM" addr add "$KM_VETH_IP/24" dev "$VETH_KM"
for ns in "$NS_WG" "$NS_KM"; do ip -n "$ns" link set lo up; done
ip -n "$NS_WG" link set "$VETH_WG" up
ip -n "$NS_KM" link set "$VETH_KM" up

(umask 077
 wg genkey >"$WORK/wg.key"; wg pubkey <"$WORK/wg.key" >"$WORK/wg.pub"
 wg genkey >"$WORK/km.key"; wg pubkey <"$WORK/km.key" >"$WORK/km.pub")
WG_PUB=$(cat "$WORK/wg.pub") KM_PUB=$(cat "$WORK/km.pub")
TSHARK_KEYS=(-o "uat:wg_keys:\"Private\",\"$(cat "$WORK/wg.key")\""
             -o "uat:wg_keys:\"Private\",\"$(cat "$WORK/km.key")\"")

t1=$(date +%s%N)
start_wireguard_go "$NS_WG" "$WG_IF" "$WORK/wireguard-go.log"
t2=$(date +%s%N)
wg set "$WG_IF" listen-port "$WG_PORT" private-key "$WORK/wg.key"
ip -n "$NS_WG" addr add "$WG_TUN_IP/24" dev "$WG_IF"
ip -n "$NS_WG" link set "$WG_IF" up
log "namespaces+veth in $(( (t1 - t0) / 1000000 )) ms; wireguard-go $WG_IF up in $(( (t2 - t1) / 1000000 )) ms"
log "wg  public key $WG_PUB"
log "km  public key $KM_PUB"
log "keymesh command: ${KM_CMD[*]}"

# A fresh peer entry on the wireguard-go side for every scenario: removing the peer drops its
# sessions, timers and cookie state, so one scenario's keys never leak into the next.
reset_wg_peer() {
    wg set "$WG_IF" peer "$KM_PUB" remove 2>/dev/null || true
    wg set "$WG_IF" peer "$KM_PUB" endpoint "$KM_VETH_IP:$KM_PORT" allowed-ips "$KM_TUN_IP/32"
}

# km_start NAME ARGS... — start the keymesh side in the km namespace, in the background.
KM_PID=
km_start() {
    local name=$1; shift
    local tmo=60
    timeout -k 5 "$tmo" ip netns exec "$NS_KM" "${KM_CMD[@]}" \
        --private-key "$WORK/km.key" --peer-public-key "$WG_PUB" \
        --endpoint "$WG_VETH_IP:$WG_PORT" --listen-port "$KM_PORT" \
        --address "$KM_TUN_IP" --target "$WG_TUN_IP" "$@" >"$WORK/$name.km.log" 2>&1 &
    KM_PID=$!
    track "$KM_PID"
}
# km_wait NAME — wait for the keymesh side, show its output, set KM_RC.
KM_RC=
km_wait() {
    KM_RC=0
    wait "$KM_PID" || KM_RC=$?
    sed 's/^/        km| /' "$WORK/$1.km.log"
}
# km_listening NAME — the keymesh side has configured its peer and bound its UDP port (or has
# already died).
km_listening() {
    kill -0 "$KM_PID" 2>/dev/null || return 0
    grep -q '^listening on UDP port' "$WORK/$1.km.log" &&
        [[ -n $(ip netns exec "$NS_KM" ss -Hlun "sport = :$KM_PORT") ]]
}
# wg_ping NAME ARGS... — ping from the wireguard-go namespace through its tunnel; sets PING_RC.
PING_RC=
wg_ping() {
    local name=$1; shift
    PING_RC=0
    ip netns exec "$NS_WG" ping -n "$@" "$KM_TUN_IP" >"$WORK/$name.ping.log" 2>&1 || PING_RC=$?
    sed 's/^/        wg| /' "$WORK/$name.ping.log"
}
wg_evidence() {
    log "    wireguard-go: latest-handshake $(wg show "$WG_IF" latest-handshakes | awk '{print $2}')," \
        "transfer rx/tx $(wg show "$WG_IF" transfer | awk '{print $2 "/" $3}') bytes," \
        "endpoint $(wg show "$WG_IF" endpoints | awk '{print $2}')"
}

# begin NAME / end NAME — fresh peer, capture around the scenario, decode.
begin() {
    log "---- scenario $1: $2"
    reset_wg_peer
    capture_start "$NS_WG" "$VETH_WG" "$WG_PORT" "$WORK/$1.pcapng"
    CAPTURES+=("$WORK/$1.pcapng")
}
end() {
    capture_stop
    decode_capture "$WORK/$1.pcapng" "$WG_PORT"
    wg_evidence
    log "    capture: $(type_counts "$WORK/$1.pcapng")"
}

# Common checks on the keymesh side's result: exit code and the summary line.
# km_result_reasons COUNT — appends to the REASONS array.
km_result_reasons() {
    local count=$1 sent received
    sent=$(summary_value "$WORK/$NAME.km.log" sent)
    received=$(summary_value "$WORK/$NAME.km.log" received)
    [[ $KM_RC -eq 0 ]] || REASONS+=("keymesh exited with $KM_RC")
    [[ $sent -ge 0 ]] || REASONS+=("no 'wgping: sent=...' summary line")
    [[ $sent -eq $count && $received -eq $count ]] || REASONS+=("keymesh sent=$sent received=$received, expected $count/$count")
}
# pcap_reasons NAME DESCRIPTION AWK-CONDITION MIN — at least MIN packets match.
pcap_reasons() {
    local n; n=$(tsv_count "$WORK/$NAME.pcapng" "$3")
    [[ $n -ge $4 ]] || REASONS+=("capture: $2: $n, expected >= $4")
}
# Columns of the .tsv: $2 ip.src  $4 wg.type  (see lib.sh)
FROM_KM="\$2 == \"$KM_VETH_IP\"" FROM_WG="\$2 == \"$WG_VETH_IP\""

# ---------------------------------------------------------------------------------------------
# (a) keymesh initiates
# ---------------------------------------------------------------------------------------------
scenario_a() {
    NAME=a; REASONS=()
    begin a "keymesh initiates, pings wireguard-go"
    km_start a --initiate --count 5 --timeout 30s
    km_wait a
    end a
    km_result_reasons 5
    pcap_reasons a "initiations from keymesh" "$FROM_KM && \$4 == 1" 1
    pcap_reasons a "responses from wireguard-go" "$FROM_WG && \$4 == 2" 1
    pcap_reasons a "data keymesh->wg" "$FROM_KM && \$4 == 4" 5
    pcap_reasons a "data wg->keymesh" "$FROM_WG && \$4 == 4" 5
    check "(a) keymesh initiates" "${REASONS[@]}"
}

# ---------------------------------------------------------------------------------------------
# (b) wireguard-go initiates: ping from the wg namespace, keymesh --await answers
# ---------------------------------------------------------------------------------------------
scenario_b() {
    NAME=b; REASONS=()
    begin b "wireguard-go initiates, keymesh --await"
    km_start b --await --count 5 --timeout 30s
    wait_for 40 km_listening b || true
    wg_ping b -c 3 -i 0.2 -w 20
    km_wait b
    end b
    [[ $PING_RC -eq 0 ]] || REASONS+=("ping from the wg side failed (rc $PING_RC)")
    km_result_reasons 5
    pcap_reasons b "initiations from wireguard-go" "$FROM_WG && \$4 == 1" 1
    pcap_reasons b "responses from keymesh" "$FROM_KM && \$4 == 2" 1
    n=$(tsv_count "$WORK/b.pcapng" "$FROM_KM && \$4 == 1")
    [[ $n -eq 0 ]] || REASONS+=("keymesh sent $n initiations although --await")
    check "(b) wireguard-go initiates" "${REASONS[@]}"
}

# ---------------------------------------------------------------------------------------------
# (c) forced rekey every 5 s while pinging (needs ≥ 10 s of traffic; REKEY_TIMEOUT is 5 s)
# ---------------------------------------------------------------------------------------------
scenario_c() {
    NAME=c; REASONS=()
    begin c "keymesh rekeys every 5 s under traffic"
    km_start c --initiate --count 24 --rekey-every 5s --timeout 45s
    km_wait c
    end c
    km_result_reasons 24
    hs=$(summary_value "$WORK/c.km.log" handshakes)
    [[ $hs -ge 3 ]] || REASONS+=("keymesh reports handshakes=$hs, expected >= 3")
    pcap_reasons c "initiations from keymesh" "$FROM_KM && \$4 == 1" 3
    pcap_reasons c "responses from wireguard-go" "$FROM_WG && \$4 == 2" 3
    check "(c) forced rekey keeps traffic flowing" "${REASONS[@]}"
}

# ---------------------------------------------------------------------------------------------
# (d) keymesh under load: cookie reply, then wireguard-go retries with mac2 (≈ 5 s later)
# ---------------------------------------------------------------------------------------------
scenario_d() {
    NAME=d; REASONS=()
    if (( SUBSTITUTE )); then
        skip "(d) keymesh under load" "the wireguard-go substitute cannot demand mac2"
    else
        begin d "keymesh --under-load demands mac2 from wireguard-go"
        km_start d --await --under-load --count 3 --timeout 40s
        wait_for 40 km_listening d || true
        wg_ping d -c 3 -i 0.2 -w 30
        km_wait d
        end d
        [[ $PING_RC -eq 0 ]] || REASONS+=("ping from the wg side failed (rc $PING_RC)")
        km_result_reasons 3
        c=$(summary_value "$WORK/d.km.log" cookie_replies_sent)
        [[ $c -ge 1 ]] || REASONS+=("keymesh reports cookie_replies_sent=$c, expected >= 1")
        # Order on the wire: cookie reply (km) < initiation with mac2 != 0 (wg) < response (km)
        order=$(awk -F'\t' -v km="$KM_VETH_IP" -v wg="$WG_VETH_IP" '
            !f3 && $2 == km && $4 == 3 { f3 = $1 }
            f3 && !f1 && $2 == wg && $4 == 1 && $7 !~ /^[0:]*$/ { f1 = $1 }
            f1 && !f2 && $2 == km && $4 == 2 { f2 = $1 }
            END { printf "%d %d %d", f3, f1, f2 }' "$WORK/d.pcapng.tsv")
        read -r f3 f1 f2 <<<"$order"
        log "    frames: first cookie reply #$f3, first initiation with mac2 after it #$f1, response #$f2"
        [[ $f3 -gt 0 ]] || REASONS+=("capture: no cookie reply (wg.type 3) from keymesh")
        [[ $f1 -gt 0 ]] || REASONS+=("capture: no initiation with non-zero mac2 from wireguard-go after the cookie reply")
        [[ $f2 -gt 0 ]] || REASONS+=("capture: no handshake response from keymesh after the mac2 initiation")
        n=$(tsv_count "$WORK/d.pcapng" "$FROM_KM && \$4 == 2 && \$1 < $f1")
        [[ $f1 -eq 0 || $n -eq 0 ]] || REASONS+=("keymesh answered $n initiation(s) without mac2 although under load")
        check "(d) keymesh under load (cookie reply, then mac2)" "${REASONS[@]}"
    fi
}

# ---------------------------------------------------------------------------------------------
# (e) every capture: all WireGuard, nothing malformed, mac1 and static keys verify
# ---------------------------------------------------------------------------------------------
scenario_e() {
    REASONS=()
    if [[ ${#CAPTURES[@]} -eq 0 ]]; then skip "(e) tshark checks" "no captures"; return; fi
    for cap in "${CAPTURES[@]}"; do
        s=$(basename "$cap" .pcapng)
        total=$(tsv_count "$cap" 1)
        notwg=$(tsv_count "$cap" "\$4 !~ /^[1-4]\$/")
        bad=$(wc -l <"$cap.bad")
        nomac1=$(tsv_count "$cap" "(\$4 == 1 || \$4 == 2) && \$5 == \"\"")
        # the static key tshark decrypts from an initiation must be the sender's
        badstatic=$(tsv_count "$cap" "\$4 == 1 && !(($FROM_KM && \$6 == \"$KM_PUB\") || ($FROM_WG && \$6 == \"$WG_PUB\"))")
        log "    ($s) $total udp packets: $(type_counts "$cap"), malformed/expert errors=$bad," \
            "mac1 unverified=$nomac1, static key wrong=$badstatic"
        [[ $total -gt 0 ]] || REASONS+=("($s) nothing captured")
        [[ $notwg -eq 0 ]] || REASONS+=("($s) $notwg UDP packets not decoded as WireGuard")
        [[ $bad -eq 0 ]] || REASONS+=("($s) $bad malformed packets / expert errors: $(head -n3 "$cap.bad" | tr '\n' ';')")
        [[ $nomac1 -eq 0 ]] || REASONS+=("($s) $nomac1 initiations/responses whose mac1 does not verify")
        [[ $badstatic -eq 0 ]] || REASONS+=("($s) $badstatic initiations whose static key does not decrypt to the sender's")
    done
    check "(e) tshark: all packets well-formed WireGuard" "${REASONS[@]}"
}

# ---------------------------------------------------------------------------------------------
if (( ! SUBSTITUTE )) && [[ -z ${KEYMESH_WGPING:-} ]]; then
    t3=$(date +%s%N)
    if ! "$ROOT/keymesh" --version >"$WORK/build.log" 2>&1; then
        check "keymesh builds" "./keymesh --version failed: $(tail -n 5 "$WORK/build.log" | tr '\n' ';')"
        echo "$PASSED passed, $FAILED failed"
        exit 1
    fi
    log "keymesh ready ($(tail -n 1 "$WORK/build.log" | sed "s/\x1b\[[0-9;]*m//g")) in $(( ($(date +%s%N) - t3) / 1000000 )) ms"
fi
for sc in a b c d; do want "$sc" && "scenario_$sc"; done
scenario_e

(( SKIPPED == 0 )) || log "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
