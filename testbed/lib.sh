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
# require_root_and_tools TOOL... — prints "skipped: ..." and exits 0 when the bed cannot run here.
require_root_and_tools() {
    if [[ $(id -u) -ne 0 ]]; then echo "skipped: needs root (network namespaces, TUN)"; exit 0; fi
    local missing=() t
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "skipped: missing tools: ${missing[*]} (apt-get install wireguard-go wireguard-tools tshark iproute2 iputils-ping)"
        exit 0
    fi
    # wireguard-go needs /dev/net/tun; containers sometimes lack the node (not the driver).
    if [[ ! -c /dev/net/tun ]]; then
        mkdir -p /dev/net
        if ! mknod -m 600 /dev/net/tun c 10 200; then echo "skipped: no /dev/net/tun and mknod failed"; exit 0; fi
    fi
}

# ---------------------------------------------------------------------------------------------
# Leftovers of earlier runs. All our names start with "kmwg<PID>" (namespaces kmwg<PID>-*,
# wireguard-go interfaces kmwg<PID>, kmwg<PID>k). Only runs whose PID is no longer a live
# wg-interop.sh are removed, so concurrent runs do not hurt each other.
# ---------------------------------------------------------------------------------------------
_run_alive() {   # _run_alive PID — is PID a running wg-interop.sh?
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' </proc/"$1"/cmdline | grep -q 'wg-interop'
}
remove_leftovers() {
    local ns run pid sock ifn
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^kmwg[0-9]+-' || true); do
        run=${ns#kmwg}; run=${run%%-*}
        _run_alive "$run" && continue
        # processes still inside that namespace (wireguard-go, tshark, java): kill by PID
        for pid in $(ip netns pids "$ns" 2>/dev/null || true); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
        log "removed leftover namespace $ns"
    done
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
# tshark capture and decoding
# ---------------------------------------------------------------------------------------------
CAPTURE_PID=
# capture_start NS IF PORT FILE — returns once tshark reports "Capturing on" (≈ 0.7 s here).
capture_start() {
    local ns=$1 ifn=$2 port=$3 file=$4
    ip netns exec "$ns" tshark -i "$ifn" -f "udp port $port" -d "udp.port==$port,wg" -w "$file" \
        >"$file.log" 2>&1 &
    CAPTURE_PID=$!
    track "$CAPTURE_PID"
    wait_for 30 grep -q 'Capturing on' "$file.log" || die "tshark did not start: $(cat "$file.log")"
}
# capture_stop — SIGINT lets tshark flush and close the file.
capture_stop() {
    [[ -n $CAPTURE_PID ]] || return 0
    sleep 0.3   # let the last packets reach the capture
    kill -INT "$CAPTURE_PID" 2>/dev/null || true
    wait "$CAPTURE_PID" 2>/dev/null || true
    CAPTURE_PID=
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
