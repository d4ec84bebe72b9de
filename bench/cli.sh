#!/usr/bin/env bash
# The CLI benchmark: median wall time of `task list` over 1,000 and 10,000
# pending tasks, `task add` and `task done ID`, next to `task --version` (the
# process-start floor) and to Taskwarrior 2.6 doing the same on the same
# tasks, measured in one hyperfine run against a release taskd on a fresh
# temp database and a random loopback port.
#
#   bench/cli.sh                     # 50 runs per command
#   bench/cli.sh --runs 200
#   bench/cli.sh --no-taskwarrior    # ours only
#
# Installs hyperfine and Taskwarrior (Debian packages) if missing. Prints
# hyperfine's table and the medians; writes bench/results/cli.json.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=50
taskwarrior=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --no-taskwarrior) taskwarrior=no; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/cli.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# Taskwarrior's binary is also called `task`: it is used by its Debian path,
# never looked up on PATH, where ours may be.
tw=/usr/bin/task
is_taskwarrior() { [ -x "$tw" ] && "$tw" --version 2>/dev/null | grep -Eq '^[0-9]+\.'; }
missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
if [ "$taskwarrior" = yes ] && ! is_taskwarrior; then missing+=(taskwarrior); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} …" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
if [ "$taskwarrior" = yes ] && ! is_taskwarrior; then
    echo "bench/cli.sh: $tw is not Taskwarrior; run with --no-taskwarrior" >&2
    exit 1
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

# Taskwarrior gets the same tasks (imported), its default settings but for
# where its data lives and no confirmation prompts.
tw_commands=()
tw_prepare=()
if [ "$taskwarrior" = yes ]; then
    echo "importing the same tasks into Taskwarrior $("$tw" --version) …" >&2
    for user_count in small:1000 large:10000; do
        user="${user_count%%:*}"; n="${user_count##*:}"
        mkdir -p "$work/tw-$user/data"
        printf 'data.location=%s\nconfirmation=off\n' "$work/tw-$user/data" >"$work/tw-$user/rc"
        python3 - "$n" >"$work/tw-$user/tasks.json" <<'PY'
import json, sys, uuid
for i in range(int(sys.argv[1])):
    task = {"uuid": str(uuid.uuid4()), "description": f"Seeded task number {i}", "status": "pending",
            "entry": "20261124T120000Z", "tags": ["bench"], "due": f"2027{1 + i % 12:02d}{1 + i % 28:02d}T120000Z"}
    if i % 3 == 0:
        task["priority"] = "H"
    print(json.dumps(task))
PY
        TASKRC="$work/tw-$user/rc" "$tw" rc.verbose=nothing import "$work/tw-$user/tasks.json" >/dev/null
        count="$(TASKRC="$work/tw-$user/rc" "$tw" rc.verbose=nothing status:pending count)"
        [ "$count" -eq "$n" ] || { echo "expected $n Taskwarrior tasks for $user, found $count" >&2; exit 1; }
    done
    tw_small="env TASKRC=$work/tw-small/rc"
    tw_large="env TASKRC=$work/tw-large/rc"
    tw_commands=(
        -n 'Taskwarrior --version' "$tw_small $tw --version"
        -n 'Taskwarrior list (1,000 tasks)' "$tw_small $tw list"
        -n 'Taskwarrior list (10,000 tasks)' "$tw_large $tw list"
        -n 'Taskwarrior add' "$tw_small $tw add Benchmark task +bench due:tomorrow pri:H"
        -n 'Taskwarrior done ID' "$tw_small $tw 5 done"
    )
    # Taskwarrior keeps ID 5 on the same task until a report renumbers;
    # reopened by UUID before each run, it is pending for every `done`.
    tw_uuid="$(TASKRC="$work/tw-small/rc" "$tw" rc.verbose=nothing 5 _uuid)"
    tw_prepare=(-p true -p true -p true -p true -p "$tw_small $tw rc.verbose=nothing $tw_uuid modify status:pending")
fi

mkdir -p bench/results
small="env TASK_CONFIG_DIR=$work/small"
large="env TASK_CONFIG_DIR=$work/large"
# One run, in this order: the lists are measured before `add` grows them.
# Each `done` of ours finds task 5 pending: the one before it reopens it.
hyperfine --warmup 5 --runs "$runs" -N \
    --export-json bench/results/cli.json \
    -p true -p true -p true -p true -p "$small $task reopen 5" "${tw_prepare[@]}" \
    -n 'task --version' "$small $task --version" \
    -n 'task list (1,000 tasks)' "$small $task list" \
    -n 'task list (10,000 tasks)' "$large $task list" \
    -n 'task add' "$small $task add Benchmark task +bench due:tomorrow pri:H" \
    -n 'task done ID' "$small $task done 5" \
    "${tw_commands[@]}"

python3 - bench/results/cli.json <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
floor = results[0]["median"]
print()
print(f"{'command':<32} {'median':>9} {'min':>9} {'max':>9}   vs task --version")
for r in results:
    print(f"{r['command']:<32} {r['median']*1e3:>7.2f}ms {r['min']*1e3:>7.2f}ms {r['max']*1e3:>7.2f}ms   {r['median']/floor:>5.1f}x")
ours = {r["command"][len("task "):]: r["median"] for r in results if r["command"].startswith("task ")}
theirs = {r["command"][len("Taskwarrior "):]: r["median"] for r in results if r["command"].startswith("Taskwarrior ")}
if theirs:
    print()
    print(f"{'same command':<26} {'task':>9} {'Taskwarrior':>12}   Taskwarrior / task")
    for name, mine in ours.items():
        if name in theirs:
            print(f"{name:<26} {mine*1e3:>7.2f}ms {theirs[name]*1e3:>10.2f}ms   {theirs[name]/mine:>5.1f}x")
EOF
