#!/usr/bin/env bash
# forward-nat.sh — a PostgreSQL database on a private network behind a NAT, reached through
# `keymesh` service forwarding from a node behind another NAT.
#
# Usage (root):  testbed/forward-nat.sh [--keep] [--pgbench-seconds N]
#   --keep               keep the work directory (keys, configs, logs); always kept when a check fails
#   --pgbench-seconds N  how long pgbench runs through the forward (default 60)
#
# Layout (namespaces kmfw<PID>-*, so runs never collide and leftovers are recognisable):
#
#                      netns pub: bridge br0, 198.51.100.0/24 (the "internet")
#        +------------------------+-----------------------------+
#   P 198.51.100.10          NA wan .20 (cone)             NB wan .21 (cone)
#   public member            |  lan 10.1.0.1               |  lan (bridge) 10.2.0.1
#                            A 10.1.0.2                    +-- B 10.2.0.2  (node exposing "db")
#                            (client node; psql,           +-- D 10.2.0.3  (PostgreSQL, listening
#                             pgbench on 127.0.0.1)                         on 10.2.0.3 only)
#
#   P, A and B run `./keymesh up`, UDP port 51820, one network key, accept-members = true.
#   B exposes the service "db" = 10.2.0.3:5432 to A's key only, and "other" = 10.2.0.3:5432 to a
#   key that is not A's; A knows P by its endpoint and B by key only (found through P), and
#   forwards 127.0.0.1:15432 to B's "db", 127.0.0.1:15433 to B's "nope" (not exposed) and
#   127.0.0.1:15434 to B's "other" (not for A). The NAT routers drop unsolicited inbound; D is
#   reachable only inside B's private network.
#
# Checks:
#   1. D is not reachable from A directly (psql to 10.2.0.3 fails), but psql through A's forward
#      runs queries on D (inet_server_addr() = 10.2.0.3, a table created and read back).
#   2. pgbench with 8 clients for --pgbench-seconds through the forward: exit 0, no failed
#      transactions (tps printed).
#   3. A service B does not expose, and a service exposed to another key, are refused: psql fails
#      at once, B logs the refusal naming the service and A's key, A logs the reason.
#   4. Stopping A's node (SIGTERM) closes the local connections (a psql waiting in pg_sleep(60)
#      ends within 5 s) and B closes its connections to D (pg_stat_activity on D shows no client
#      from B within 10 s; D checks for gone clients every 500 ms).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

KEEP=0 PGBENCH_SECONDS=60
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keep) KEEP=1 ;;
        --pgbench-seconds) PGBENCH_SECONDS=$2; shift ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

require_root "network namespaces, nftables"
require_tools ip nft awk psql pgbench runuser
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [[ -z $PG_BIN || ! -x $PG_BIN/postgres ]]; then
    echo "skipped: no PostgreSQL server (apt-get install postgresql)"; exit 0
fi

RUN=$$
PFX="kmfw${RUN}"
NS_PUB="$PFX-pub" NS_P="$PFX-p" NS_NA="$PFX-na" NS_A="$PFX-a" NS_NB="$PFX-nb" NS_B="$PFX-b" NS_D="$PFX-d"
ALL_NS=("$NS_PUB" "$NS_P" "$NS_NA" "$NS_A" "$NS_NB" "$NS_B" "$NS_D")
P_IP=198.51.100.10 NA_WAN=198.51.100.20 NB_WAN=198.51.100.21
A_IP=10.1.0.2 NA_LAN=10.1.0.1 B_IP=10.2.0.2 D_IP=10.2.0.3 NB_LAN=10.2.0.1
PORT=51820
RUN_LIMIT=$(( PGBENCH_SECONDS + 150 ))s   # every node stops by itself after this
export KEYMESH_JAVA_OPTS=${KEYMESH_JAVA_OPTS:-"-XX:+UseSerialGC -Xmx256m"}

WORK=$(mktemp -d "/tmp/${PFX}.XXXXXX")
chmod 755 "$WORK"   # PostgreSQL runs as the postgres user
PG_PID=

cleanup() {
    local rc=$? ns
    set +e
    kill_tracked
    [[ -z $PG_PID ]] || { kill "$PG_PID" 2>/dev/null; wait "$PG_PID" 2>/dev/null; }
    for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    if (( KEEP || FAILED > 0 || rc != 0 )); then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log_problems() { grep -m1 -A1 -E ' (WARN|ERROR) ' "$WORK/$1.log" | tr '\n\t' '  ' || true; }
# psql_a PORT SQL — psql in A's namespace through the forward on 127.0.0.1:PORT (5 s connect timeout)
psql_a() {
    ip netns exec "$NS_A" env PGCONNECT_TIMEOUT=5 psql -X -q -t -A -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}
# psql_d SQL — psql on D itself
psql_d() { ip netns exec "$NS_D" psql -X -q -t -A -h "$D_IP" -U postgres -d postgres -c "$1"; }

# ---------------------------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------------------------
remove_leftover_namespaces kmfw forward-nat

t0=$(now_ms)
if ! "$ROOT/keymesh" --version >"$WORK/build.log" 2>&1; then
    check "keymesh builds" "./keymesh --version failed: $(tail -n 5 "$WORK/build.log" | tr '\n' ';')"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
log "keymesh ready in $(( $(now_ms) - t0 )) ms"

t0=$(now_ms)
for ns in "${ALL_NS[@]}"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$NS_PUB" link add br0 type bridge
ip -n "$NS_PUB" link set br0 up
pub_port "$NS_P" eth0 "$P_IP"
pub_port "$NS_NA" wan "$NA_WAN"
pub_port "$NS_NB" wan "$NB_WAN"
veth_link "$NS_NA" lan "$NA_LAN/24" "$NS_A" eth0 "$A_IP/24"
# NB's private network is a bridge named lan with B and D on it
ip -n "$NS_NB" link add lan type bridge
ip -n "$NS_NB" addr add "$NB_LAN/24" dev lan
ip -n "$NS_NB" link set lan up
for host in b d; do
    ns_var="NS_${host^^}" ip_var="${host^^}_IP"
    veth_link "$NS_NB" "to$host" - "${!ns_var}" eth0 "${!ip_var}/24"
    ip -n "$NS_NB" link set "to$host" master lan
    ip -n "${!ns_var}" route add default via "$NB_LAN"
done
ip -n "$NS_A" route add default via "$NA_LAN"
nat_router "$NS_NA" cone
nat_router "$NS_NB" cone
log "7 namespaces, 2 NAT routers in $(( $(now_ms) - t0 )) ms"

# PostgreSQL on D, listening on its private address only
t0=$(now_ms)
mkdir -p "$WORK/pg" "$WORK/pgsock"
chown postgres "$WORK/pg" "$WORK/pgsock"
runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres >"$WORK/initdb.log" 2>&1 \
    || die "initdb failed: $(tail -n 3 "$WORK/initdb.log")"
echo "host all all 0.0.0.0/0 trust" >>"$WORK/pg/pg_hba.conf"
ip netns exec "$NS_D" runuser -u postgres -- "$PG_BIN/postgres" -D "$WORK/pg" -c listen_addresses="$D_IP" \
    -c unix_socket_directories="$WORK/pgsock" -c fsync=off -c max_connections=50 -c client_connection_check_interval=500ms >"$WORK/postgres.log" 2>&1 &
PG_PID=$!
wait_for 30 psql_d "select 1" || die "PostgreSQL did not start: $(tail -n 3 "$WORK/postgres.log")"
ip netns exec "$NS_D" pgbench -q -i -s 4 -h "$D_IP" -U postgres postgres >"$WORK/pgbench-init.log" 2>&1 \
    || die "pgbench -i failed: $(tail -n 3 "$WORK/pgbench-init.log")"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $D_IP:5432 with pgbench tables (scale 4) in $(( $(now_ms) - t0 )) ms"

# Keys and configs
if command -v wg >/dev/null 2>&1; then GENKEY=(wg genkey) PUBKEY=(wg pubkey) GENPSK=(wg genpsk)
else GENKEY=("$ROOT/keymesh" genkey) PUBKEY=("$ROOT/keymesh" pubkey) GENPSK=("$ROOT/keymesh" genpsk); fi
for n in p a b x; do (umask 077; "${GENKEY[@]}" >"$WORK/$n.key"; "${PUBKEY[@]}" <"$WORK/$n.key" >"$WORK/$n.pub"); done
(umask 077; "${GENPSK[@]}" >"$WORK/network.key")
P_PUB=$(cat "$WORK/p.pub") A_PUB=$(cat "$WORK/a.pub") B_PUB=$(cat "$WORK/b.pub") X_PUB=$(cat "$WORK/x.pub")
log "keys: P $P_PUB  A $A_PUB  B $B_PUB  (X $X_PUB: a key B lets use \"other\", not A)"

cat >"$WORK/p.conf" <<EOF
keymesh {
  private-key-file = "p.key"
  control.socket = "p.sock"
  listen = "0.0.0.0:$PORT"
  network-key-file = "network.key"
  accept-members = true
}
EOF
cat >"$WORK/b.conf" <<EOF
keymesh {
  private-key-file = "b.key"
  control.socket = "b.sock"
  listen = "0.0.0.0:$PORT"
  network-key-file = "network.key"
  accept-members = true
  peers = [ { public-key = "$P_PUB", endpoint = "$P_IP:$PORT", persistent-keepalive = 10s } ]
  services {
    db { target = "$D_IP:5432", allow = ["$A_PUB"] }
    other { target = "$D_IP:5432", allow = ["$X_PUB"] }
  }
}
EOF
cat >"$WORK/a.conf" <<EOF
keymesh {
  private-key-file = "a.key"
  control.socket = "a.sock"
  listen = "0.0.0.0:$PORT"
  network-key-file = "network.key"
  accept-members = true
  peers = [
    { public-key = "$P_PUB", endpoint = "$P_IP:$PORT", persistent-keepalive = 10s }
    { public-key = "$B_PUB" }
  ]
  forwards = [
    { listen = "127.0.0.1:15432", to = "$B_PUB/db" }
    { listen = "127.0.0.1:15433", to = "$B_PUB/nope" }
    { listen = "127.0.0.1:15434", to = "$B_PUB/other" }
  ]
}
EOF

# ---------------------------------------------------------------------------------------------
# Nodes: P, then B; A once B is a member of P
# ---------------------------------------------------------------------------------------------
t0=$(now_ms)
node_start p "$NS_P" --status-interval 0
node_start b "$NS_B" --status-interval 0
wait_for 60 bash -c "grep -qF 'peer $B_PUB up' '$WORK/p.log'" \
    || { check "B becomes a member of P" "P: $(log_problems p); B: $(log_problems b)"; echo "$PASSED passed, $FAILED failed"; exit 1; }
node_start a "$NS_A" --status-interval 0
wait_for 60 bash -c "grep -qF 'peer $P_PUB up' '$WORK/a.log'" \
    || { check "A starts and meets P" "A: $(log_problems a)"; echo "$PASSED passed, $FAILED failed"; exit 1; }
log "P, B and A up in $(( $(now_ms) - t0 )) ms"

# ---------------------------------------------------------------------------------------------
# 1. psql through the forward
# ---------------------------------------------------------------------------------------------
REASONS=()
if ip netns exec "$NS_A" env PGCONNECT_TIMEOUT=2 psql -X -h "$D_IP" -U postgres -c "select 1" >/dev/null 2>&1; then
    REASONS+=("A reached $D_IP:5432 directly: the check would prove nothing")
fi
t0=$(now_ms)
if ! wait_for 30 psql_a 15432 "select 1"; then
    REASONS+=("psql through 127.0.0.1:15432 failed for 30 s: $(psql_a 15432 'select 1' 2>&1 | head -n 2 | tr '\n' ' ')")
    REASONS+=("A: $(log_problems a)" "B: $(log_problems b)")
else
    log "TIMING first psql through the forward answered $(( $(now_ms) - t0 )) ms after A met P (B found by key)"
    server=$(psql_a 15432 "select inet_server_addr()" 2>&1)
    [[ $server == "$D_IP" ]] || REASONS+=("inet_server_addr() through the forward: '$server', not $D_IP")
    psql_a 15432 "create table t_forward(id int primary key, v text); insert into t_forward select g, md5(g::text) from generate_series(1, 10000) g" >/dev/null 2>&1 \
        || REASONS+=("create/insert through the forward failed")
    sum_a=$(psql_a 15432 "select md5(string_agg(v, ',' order by id)) from t_forward" 2>&1)
    sum_d=$(psql_d "select md5(string_agg(v, ',' order by id)) from t_forward" 2>&1)
    [[ -n $sum_a && $sum_a == "$sum_d" ]] || REASONS+=("table read back through the forward '$sum_a' differs from D's '$sum_d'")
fi
check "1. psql reaches the database on B's private network through A's forward (not directly)" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 2. pgbench through the forward
# ---------------------------------------------------------------------------------------------
REASONS=()
if ip netns exec "$NS_A" pgbench -c 8 -j 2 -T "$PGBENCH_SECONDS" -h 127.0.0.1 -p 15432 -U postgres postgres \
        >"$WORK/pgbench.log" 2>&1; then
    failed=$(awk -F'[: ]+' '/number of failed transactions/ {print $5}' "$WORK/pgbench.log")
    tps=$(awk '/^tps/ {print $3}' "$WORK/pgbench.log")
    done_tx=$(awk -F': ' '/number of transactions actually processed/ {print $2}' "$WORK/pgbench.log")
    log "    pgbench through the forward: $done_tx transactions, tps $tps, failed ${failed:-?}"
    [[ ${failed:-x} == 0 ]] || REASONS+=("pgbench reported failed transactions: ${failed:-none reported}")
    [[ ${done_tx%%/*} -gt 0 ]] 2>/dev/null || REASONS+=("pgbench processed no transactions")
else
    REASONS+=("pgbench failed: $(grep -m3 -iE 'error|fatal|abort' "$WORK/pgbench.log" | tr '\n' ' ')")
fi
check "2. pgbench, 8 clients for ${PGBENCH_SECONDS} s through the forward, without errors" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 3. Refusals
# ---------------------------------------------------------------------------------------------
REASONS=()
for case in "15433 nope" "15434 other"; do
    set -- $case
    t0=$(now_ms)
    if out=$(psql_a "$1" "select 1" 2>&1); then
        REASONS+=("psql through 127.0.0.1:$1 (service $2) succeeded")
    else
        log "    service $2: psql failed after $(( $(now_ms) - t0 )) ms: $(echo "$out" | head -n 1)"
    fi
    grep -F "$2" "$WORK/b.log" | grep -qiE 'refus' || REASONS+=("B logged no refusal of service $2")
    grep -F "$2" "$WORK/a.log" | grep -qiE 'refus' || REASONS+=("A logged no refusal of service $2")
done
check "3. a service B does not expose, and one it exposes to another key only, are refused" "${REASONS[@]}"

# ---------------------------------------------------------------------------------------------
# 4. Stopping A's node closes the forwarded connections at both ends
# ---------------------------------------------------------------------------------------------
REASONS=()
from_b() { psql_d "select count(*) from pg_stat_activity where client_addr = '$B_IP'"; }
ip netns exec "$NS_A" env PGCONNECT_TIMEOUT=5 psql -X -h 127.0.0.1 -p 15432 -U postgres -c "select pg_sleep(60)" \
    >"$WORK/sleeper.out" 2>&1 &
SLEEPER=$!
track "$SLEEPER"
wait_for 10 bash -c "[[ \$(ip netns exec $NS_D psql -X -q -t -A -h $D_IP -U postgres -c \"select count(*) from pg_stat_activity where query like 'select pg_sleep%'\") -ge 1 ]]" \
    || REASONS+=("the sleeping query never reached D")
before=$(from_b)
t0=$(now_ms)
node_stop a
closed_local=-1 closed_remote=-1
for _ in $(seq 100); do
    (( closed_local >= 0 )) || kill -0 "$SLEEPER" 2>/dev/null || closed_local=$(( $(now_ms) - t0 ))
    (( closed_remote >= 0 )) || [[ $(from_b) != 0 ]] || closed_remote=$(( $(now_ms) - t0 ))
    (( closed_local >= 0 && closed_remote >= 0 )) && break
    sleep 0.1
done
log "    connections from B to D before the stop: $before; psql ended after $closed_local ms; D saw none from B after $closed_remote ms"
(( closed_local >= 0 && closed_local <= 5000 )) || REASONS+=("the local psql did not end within 5 s of A's node stopping")
(( closed_remote >= 0 && closed_remote <= 10000 )) || REASONS+=("B kept its connection to D for more than 10 s after A's node stopped")
check "4. stopping A's node closes the local connection and B's connection to the database" "${REASONS[@]}"

(( SKIPPED == 0 )) || log "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
