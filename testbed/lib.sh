# shellcheck shell=bash
# lib.sh — helpers for the keymesh test bed scripts (sourced, not run).
# Expects the caller to have `set -euo pipefail`.

# ---------------------------------------------------------------------------------------------
# Logging and the pass/fail tally
# ---------------------------------------------------------------------------------------------
PASSED=0 FAILED=0 SKIPPED=0
log()  { printf '[%(%H:%M:%S)T] %s\n' -1 "$*"; }
die()  { log "ERROR: $*"; exit 1; }

# check NAME REASONS... — passes when no reason is given; every reason is printed on failure.
check() {
    local name=$1; shift
    if [[ $# -eq 0 ]]; then
        PASSED=$(( PASSED + 1 )); log "PASS  $name"
    else
        FAILED=$(( FAILED + 1 )); log "FAIL  $name"
        local r; for r in "$@"; do log "        - $r"; done
    fi
}
skip() { SKIPPED=$(( SKIPPED + 1 )); log "SKIP  $1 ($2)"; }

# ---------------------------------------------------------------------------------------------
# Preconditions
# ---------------------------------------------------------------------------------------------
# require_root WHY / require_tools TOOL... — print "skipped: ..." and exit 0 when the bed cannot
# run here.
require_root() {
    if [[ $(id -u) -ne 0 ]]; then echo "skipped: needs root ($1)"; exit 0; fi
}
require_tools() {
    local missing=() t
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "skipped: missing tools: ${missing[*]} (apt-get install wireguard-go wireguard-tools tshark iproute2 nftables iputils-ping)"
        exit 0
    fi
}
# require_root_and_tools TOOL... — both, for the wireguard-go bed; also makes sure /dev/net/tun exists.
require_root_and_tools() {
    require_root "network namespaces, TUN"
    require_tools "$@"
    # wireguard-go needs /dev/net/tun; containers sometimes lack the node (not the driver).
    if [[ ! -c /dev/net/tun ]]; then
        mkdir -p /dev/net
        if ! mknod -m 600 /dev/net/tun c 10 200; then echo "skipped: no /dev/net/tun and mknod failed"; exit 0; fi
    fi
}

# ---------------------------------------------------------------------------------------------
# Leftovers of earlier runs. Every script names what it creates with a prefix and its PID
# (wg-interop.sh: namespaces kmwg<PID>-*, wireguard-go interfaces kmwg<PID>, kmwg<PID>k;
# relay-nat.sh: namespaces kmrl<PID>-*; mesh-nat.sh: namespaces kmmn<PID>-*; relay-abuse.sh: kmra<PID>-*). Only runs whose PID is no longer a live instance of the
# same script are removed, so concurrent runs do not hurt each other.
# ---------------------------------------------------------------------------------------------
_run_alive() {   # _run_alive PID [SCRIPT] — is PID a running SCRIPT (default wg-interop)?
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' </proc/"$1"/cmdline | grep -q -- "${2:-wg-interop}"
}
# remove_leftover_namespaces PREFIX SCRIPT — deletes namespaces PREFIX<PID>-* of dead runs of
# SCRIPT, killing (by PID) the processes still inside them first.
remove_leftover_namespaces() {
    local prefix=$1 script=$2 ns run pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${prefix}[0-9]+-" || true); do
        run=${ns#"$prefix"}; run=${run%%-*}
        _run_alive "$run" "$script" && continue
        # processes still inside that namespace (wireguard-go, tshark, java): kill by PID
        for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
        log "removed leftover namespace $ns"
    done
}
remove_leftovers() {
    local sock ifn run pid
    remove_leftover_namespaces kmwg wg-interop
    for sock in /var/run/wireguard/kmwg[0-9]*.sock; do
        [[ -e $sock ]] || continue
        ifn=$(basename "$sock" .sock); run=${ifn#kmwg}; run=${run%k}
        _run_alive "$run" && continue
        # a wireguard-go of a dead run that lost its namespace: find it by its exact command line
        for pid in $(pgrep -x wireguard-go || true); do
            if [[ $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null) == "wireguard-go $ifn " ]]; then
                kill "$pid" 2>/dev/null || true
            fi
        done
        rm -f "$sock"
        log "removed leftover socket $sock"
    done
}

# ---------------------------------------------------------------------------------------------
# Processes we start (killed by PID in the trap)
# ---------------------------------------------------------------------------------------------
STARTED_PIDS=()
track() { STARTED_PIDS+=("$1"); }
kill_tracked() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${STARTED_PIDS[@]}"; do
        # give each up to 2 s, then SIGKILL
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    STARTED_PIDS=()
}

# wait_for TIMEOUT_S CMD... — poll CMD every 0.05 s until it succeeds; fails after TIMEOUT_S.
wait_for() {
    local limit=$1; shift
    local end=$(( $(date +%s%N) + limit * 1000000000 ))
    until "$@" >/dev/null 2>&1; do
        (( $(date +%s%N) < end )) || return 1
        sleep 0.05
    done
}

# ---------------------------------------------------------------------------------------------
# wireguard-go
# ---------------------------------------------------------------------------------------------
# start_wireguard_go NS IFNAME LOGFILE — foreground mode so $! is the daemon itself; returns when
# its control socket exists (≈ 40 ms here).
start_wireguard_go() {
    local ns=$1 ifn=$2 logf=$3
    ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 wireguard-go "$ifn" >"$logf" 2>&1 &
    track $!
    wait_for 10 test -S "/var/run/wireguard/$ifn.sock" || die "wireguard-go $ifn did not create its socket (log: $(cat "$logf"))"
}

# ---------------------------------------------------------------------------------------------
# Namespaces and NAT routers
# ---------------------------------------------------------------------------------------------
# veth_link NS1 IF1 ADDR1 NS2 IF2 [ADDR2] — a veth pair between two namespaces, both ends up;
# ADDR as "IP/LEN", "-" for none (e.g. an end that joins a bridge).
veth_link() {
    local ns1=$1 if1=$2 a1=$3 ns2=$4 if2=$5 a2=${6:--}
    ip -n "$ns1" link add "$if1" type veth peer name "$if2" netns "$ns2"
    [[ $a1 == - ]] || ip -n "$ns1" addr add "$a1" dev "$if1"
    [[ $a2 == - ]] || ip -n "$ns2" addr add "$a2" dev "$if2"
    ip -n "$ns1" link set "$if1" up
    ip -n "$ns2" link set "$if2" up
}
# pub_port NS IFNAME ADDR — NS joins the caller's public bridge (br0 in namespace $NS_PUB) through
# its interface IFNAME with address ADDR/24; the bridge's end is named "to" + NS's last part.
pub_port() {
    local ns=$1 ifn=$2 addr=$3
    local port="to${ns##*-}"
    veth_link "$NS_PUB" "$port" - "$ns" "$ifn" "$addr/24"
    ip -n "$NS_PUB" link set "$port" master br0
}
# nat_router NS cone|symmetric — NS forwards from its interface "lan" to its interface "wan" and
# masquerades there: cone is endpoint-independent and port-preserving; symmetric (fully-random)
# maps each destination to a new random port. Unsolicited inbound on "wan" is dropped (input and
# forward), as a home router does; without that, a peer's early packet creates a conntrack entry
# that changes the mapping of the host's own outbound flow.
nat_router() {
    local ns=$1 kind=$2 flags=
    [[ $kind == symmetric ]] && flags=" fully-random"
    ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'   # this namespace only
    ip netns exec "$ns" nft -f - <<EOF
table ip nat {
    chain postrouting {
        type nat hook postrouting priority 100;
        oifname "wan" masquerade$flags
    }
}
table inet filter {
    chain input {
        type filter hook input priority 0;
        iifname "wan" ct state new drop
    }
    chain forward {
        type filter hook forward priority 0;
        iifname "wan" ct state new drop
    }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# tshark capture and decoding
# ---------------------------------------------------------------------------------------------
CAPTURE_PID=      # the latest capture
CAPTURE_PIDS=()   # every capture not yet stopped (several may run at once)
# wire_datagrams NS IF — packets leaving IF in NS, and those its veth peer sends to it, carry one
# UDP datagram each, as on a physical wire. A sender using segmentation offload (UDP_SEGMENT, as
# keymesh's batched I/O does) otherwise crosses a veth as one super-packet of several datagrams
# that the kernel splits only at the receiving socket, and a capture on either end sees it whole
# (one 196-byte "datagram" made of a 148-byte initiation and a 48-byte keepalive). With
# gso_max_segs 1 the kernel segments before the capture taps see the packet.
wire_datagrams() {
    local ns=$1 ifn=$2 info peer_ns peer_idx peer_if
    ip -n "$ns" link set dev "$ifn" gso_max_segs 1
    info=$(ip -n "$ns" -o link show dev "$ifn")
    [[ $info =~ @if([0-9]+): ]] || return 0   # not a veth (a bridge): nothing sends to it
    peer_idx=${BASH_REMATCH[1]}
    [[ $info =~ link-netns\ ([^ ]+) ]] && peer_ns=${BASH_REMATCH[1]} || peer_ns=$ns
    peer_if=$(ip -n "$peer_ns" -o link show | awk -F': ' -v i="$peer_idx" '$1 == i { sub(/@.*/, "", $2); print $2 }')
    [[ -n $peer_if ]] || die "wire_datagrams: no interface $peer_idx in $peer_ns (peer of $ifn in $ns)"
    ip -n "$peer_ns" link set dev "$peer_if" gso_max_segs 1
}
# capture_start NS IF PORT FILE — returns once tshark reports "Capturing on" (≈ 0.7 s here).
# The capture sees one datagram per packet (wire_datagrams).
capture_start() {
    local ns=$1 ifn=$2 port=$3 file=$4
    wire_datagrams "$ns" "$ifn"
    ip netns exec "$ns" tshark -i "$ifn" -f "udp port $port" -d "udp.port==$port,wg" -w "$file" \
        >"$file.log" 2>&1 &
    CAPTURE_PID=$!
    CAPTURE_PIDS+=("$CAPTURE_PID")
    track "$CAPTURE_PID"
    wait_for 30 grep -q 'Capturing on' "$file.log" || die "tshark did not start: $(cat "$file.log")"
}
# capture_stop — SIGINT lets tshark flush and close the file (the latest capture).
capture_stop() {
    [[ -n $CAPTURE_PID ]] || return 0
    sleep 0.3   # let the last packets reach the capture
    kill -INT "$CAPTURE_PID" 2>/dev/null || true
    wait "$CAPTURE_PID" 2>/dev/null || true
    CAPTURE_PID=
}
# capture_stop_all — stops every capture still running, as capture_stop does.
capture_stop_all() {
    local pid
    [[ ${#CAPTURE_PIDS[@]} -gt 0 ]] || return 0
    sleep 0.3
    for pid in "${CAPTURE_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "${CAPTURE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    CAPTURE_PIDS=() CAPTURE_PID=
}

# TSHARK_KEYS: tshark -o options that give the wg dissector static private keys, so that it
# verifies mac1 of initiations/responses (wg.receiver_pubkey is only set when mac1 matches a known
# key) and decrypts the initiator's static key (wg.static). Set by the caller.
TSHARK_KEYS=()

# decode_capture FILE PORT — writes FILE.tsv with one line per UDP packet:
#   frame  ip.src  udp.srcport  wg.type  wg.receiver_pubkey  wg.static  wg.mac2
# (wg.type empty = the packet was NOT decoded as WireGuard) and FILE.bad with every packet that
# is malformed or carries an expert error.
decode_capture() {
    local file=$1 port=$2
    tshark -r "$file" -d "udp.port==$port,wg" "${TSHARK_KEYS[@]}" -Y udp -T fields \
        -E occurrence=f -e frame.number -e ip.src -e udp.srcport -e wg.type \
        -e wg.receiver_pubkey -e wg.static -e wg.mac2 >"$file.tsv" 2>/dev/null
    tshark -r "$file" -d "udp.port==$port,wg" "${TSHARK_KEYS[@]}" \
        -Y '_ws.malformed || _ws.expert.severity >= error' >"$file.bad" 2>/dev/null
}
# tsv_count FILE AWK-CONDITION — number of packets in FILE.tsv matching the condition; the
# columns are $1 frame, $2 src, $3 sport, $4 type, $5 receiver_pubkey, $6 static, $7 mac2.
tsv_count() { awk -F'\t' "$2 { n++ } END { print n + 0 }" "$1.tsv"; }

# type_counts FILE — "type1=A type2=B type3=C type4=D other=E"
type_counts() {
    awk -F'\t' '{ if ($4 ~ /^[1-4]$/) c[$4]++; else o++ }
        END { printf "type1=%d type2=%d type3=%d type4=%d not-wg=%d\n", c[1], c[2], c[3], c[4], o }' "$1.tsv"
}

# ---------------------------------------------------------------------------------------------
# The wgping summary line: "wgping: sent=N received=M handshakes=H cookie_replies_sent=C rekeys=R"
# ---------------------------------------------------------------------------------------------
# summary_value LOGFILE KEY — the value of KEY= on the last "wgping:" summary line, or -1.
summary_value() {
    local line
    line=$(grep -E '^wgping: .*sent=' "$1" | tail -n1 || true)
    [[ $line =~ (^|[[:space:]])$2=([0-9]+) ]] && echo "${BASH_REMATCH[2]}" || echo -1
}

# ---------------------------------------------------------------------------------------------
# `keymesh up` nodes in namespaces (relay-nat.sh, mesh-nat.sh). Each reads the caller's ROOT (the
# repository), WORK (its work directory: NAME.conf in, NAME.log and NAME.out out) and RUN_LIMIT (the
# --exit-after every node gets, so none outlives a script that died).
# ---------------------------------------------------------------------------------------------
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

declare -A NODE_PID=()
# node_start NAME NS ARGS... — `keymesh up` with WORK/NAME.conf in NS; log (stderr) to NAME.log,
# status tables (stdout) to NAME.out; returns at once.
node_start() {
    local name=$1 ns=$2; shift 2
    ip netns exec "$ns" "$ROOT/keymesh" up --config "$WORK/$name.conf" --exit-after "$RUN_LIMIT" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.log" &
    NODE_PID[$name]=$!
    track "${NODE_PID[$name]}"
}
node_listening() { grep -q ' listening on ' "$WORK/$1.log" || ! kill -0 "${NODE_PID[$1]}" 2>/dev/null; }
node_alive() { kill -0 "${NODE_PID[$1]}" 2>/dev/null; }
# node_stop NAME [KILL] — SIGTERM (the node prints a last status table and exits 0; SIGKILL after
# 5 s) or SIGKILL at once; waits for it.
node_stop() {
    local pid=${NODE_PID[$1]}
    if [[ ${2:-} == KILL ]]; then
        kill -KILL "$pid" 2>/dev/null || true
    else
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    { wait "$pid"; } 2>/dev/null || true
}
# logged NAME TEXT — NAME.log has TEXT; count_logged: how many lines; announced NAME KEY — NAME logged KEY's announce.
logged() { grep -qF -- "$2" "$WORK/$1.log"; }
count_logged() { grep -cF -- "$2" "$WORK/$1.log" || true; }
announced() { logged "$1" "announce from $2"; }
