#!/usr/bin/env bash
# The CLI benchmark: median wall time of `task list` over 1,000 and 10,000
# pending tasks, `task add` and `task done ID`, next to `task --version` (the process-start floor), measured in
# one hyperfine run against a release taskd on a fresh temp database and a
# random loopback port.
#
#   bench/cli.sh              # 50 runs per command
#   bench/cli.sh --runs 200
#
# Prints hyperfine's table and the medians; writes bench/results/cli.json.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=50
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/cli.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if ! command -v hyperfine >/dev/null 2>&1; then
    echo "installing hyperfine …" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq hyperfine
fi

cargo build --release -q -p task -p taskd
target="${CARGO_TARGET_DIR:-target}/release"
task="$(cd "$target" && pwd)/task"
taskd="$(cd "$target" && pwd)/taskd"

work="$(mktemp -d)"
taskd_pid=""
cleanup() {
    if [ -n "$taskd_pid" ]; then kill "$taskd_pid" 2>/dev/null || true; wait "$taskd_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: bind port 0, read what the kernel chose.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$taskd" --bind "127.0.0.1:$port" --database "$work/taskd.sqlite3" >"$work/taskd.log" 2>&1 &
taskd_pid=$!

export TASK_SERVER="http://127.0.0.1:$port" NO_COLOR=1
for _ in $(seq 100); do
    if "$task" --version >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.05
done

# Two users, one with 1,000 pending tasks and one with 10,000, each with its
# own credentials; every command runs under `env` so all pay the same exec.
for user in small large; do
    echo "bench password 1" | TASK_CONFIG_DIR="$work/$user" "$task" register "$user" --password-stdin >/dev/null
    echo "bench password 1" | TASK_CONFIG_DIR="$work/$user" "$task" login "$user" --password-stdin >/dev/null
done
echo "seeding 1,000 + 10,000 tasks over the API …" >&2
python3 - "http://127.0.0.1:$port" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url = sys.argv[1]
def call(path, body, token=None):
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    return json.load(urllib.request.urlopen(req))
for user, n in (("small", 1000), ("large", 10000)):
    token = call("/api/login/", {"username": user, "password": "bench password 1"})["access"]
    def add(i):
        body = {"title": f"Seeded task number {i}", "tags": ["bench"], "due": f"2027-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00Z"}
        if i % 3 == 0:
            body["priority"] = "high"
        call("/api/tasks/", body, token)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(n)))
PY
for user_count in small:1000 large:10000; do
    user="${user_count%%:*}"; want="${user_count##*:}"
    count="$(TASK_CONFIG_DIR="$work/$user" "$task" --json list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
    [ "$count" -eq "$want" ] || { echo "expected $want tasks for $user, found $count" >&2; exit 1; }
done

mkdir -p bench/results
small="env TASK_CONFIG_DIR=$work/small"
large="env TASK_CONFIG_DIR=$work/large"
# One run, in this order: the lists are measured before `add` grows them.
hyperfine --warmup 5 --runs "$runs" -N \
    --export-json bench/results/cli.json \
    -n 'task --version' "$small $task --version" \
    -n 'task list (1,000 tasks)' "$small $task list" \
    -n 'task list (10,000 tasks)' "$large $task list" \
    -n 'task add' "$small $task add Benchmark task +bench due:tomorrow pri:H" \
    -n 'task done ID' "$small $task done 5"

python3 - bench/results/cli.json <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["median"]
print()
print(f"{'command':<26} {'median':>9} {'min':>9} {'max':>9}   vs --version")
for r in results:
    print(f"{r['command']:<26} {r['median']*1e3:>7.2f}ms {r['min']*1e3:>7.2f}ms {r['max']*1e3:>7.2f}ms   {r['median']/floor:>5.1f}x")
EOF
