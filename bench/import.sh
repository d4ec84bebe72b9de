#!/usr/bin/env bash
# The import benchmark: median wall time of `task import` of 10,000
# Taskwarrior tasks (projects, tags, priorities, due dates, notes,
# dependency chains, a UDA, a tenth completed) into an empty account of a
# release taskd on a fresh temp database, beside Taskwarrior 2.6's own
# `task import` of the same file into an empty database, in one hyperfine run.
#
#   bench/import.sh                  # 10 runs each
#   bench/import.sh --runs 20 --tasks 20000
#
# Installs hyperfine and Taskwarrior (Debian packages) if missing. Prints
# hyperfine's table and the ratio; writes bench/results/import.json.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
tasks=10000
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --tasks) tasks="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/import.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

# Taskwarrior's binary is also called `task`: it is used by its Debian path.
tw=/usr/bin/task
is_taskwarrior() { [ -x "$tw" ] && "$tw" --version 2>/dev/null | grep -Eq '^[0-9]+\.'; }
missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
is_taskwarrior || missing+=(taskwarrior)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} …" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
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

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$taskd" --bind "127.0.0.1:$port" --database "$work/taskd.sqlite3" >"$work/taskd.log" 2>&1 &
taskd_pid=$!
export TASK_SERVER="http://127.0.0.1:$port" NO_COLOR=1
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.05
done

python3 - "$tasks" >"$work/tasks.json" <<'PY'
import json, sys, uuid
n = int(sys.argv[1])
uuids = [str(uuid.uuid4()) for _ in range(n)]
tasks = []
for i in range(n):
    task = {"uuid": uuids[i], "description": f"Imported task number {i}, ünïcødé \"quoted\"",
            "status": "completed" if i % 10 == 0 else "pending",
            "entry": "20261124T120000Z", "modified": "20261124T130000Z",
            "tags": ["bench", f"t{i % 7}"], "project": ["home", "work.reports"][i % 2]}
    if i % 10 == 0:
        task["end"] = "20261125T120000Z"
    if i % 3 == 0:
        task["priority"] = "H"
        task["due"] = f"2027{1 + i % 12:02d}{1 + i % 28:02d}T120000Z"
    if i % 5 == 0:
        task["annotations"] = [{"entry": "20261124T120500Z", "description": f"note {i}"}]
    if i % 6 != 0:
        task["depends"] = [uuids[i - 1]]
    if i % 2 == 0:
        task["estimate"] = i / 4
    tasks.append(task)
print(json.dumps(tasks))
PY

# Each run of ours imports into a new, empty account; each of Taskwarrior's
# into a new, empty database.
cat >"$work/fresh-account" <<EOF
#!/usr/bin/env bash
set -e
n=\$(( \$(cat "$work/accounts" 2>/dev/null || echo 0) + 1 ))
echo "\$n" >"$work/accounts"
rm -rf "$work/ours"
echo "bench password 1" | TASK_CONFIG_DIR="$work/ours" "$task" register "user\$n" --password-stdin >/dev/null
echo "bench password 1" | TASK_CONFIG_DIR="$work/ours" "$task" login "user\$n" --password-stdin >/dev/null
EOF
chmod +x "$work/fresh-account"
printf 'data.location=%s\nconfirmation=off\nuda.estimate.type=numeric\n' "$work/tw" >"$work/rc"

mkdir -p bench/results
hyperfine --warmup 1 --runs "$runs" \
    --export-json bench/results/import.json \
    -p "$work/fresh-account" -p "rm -rf $work/tw" \
    -n "task import ($tasks tasks)" "env TASK_CONFIG_DIR=$work/ours $task import $work/tasks.json" \
    -n "Taskwarrior import ($tasks tasks)" "env TASKRC=$work/rc $tw rc.verbose=nothing import $work/tasks.json"

count="$(TASK_CONFIG_DIR="$work/ours" "$task" --json all | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
[ "$count" -eq "$tasks" ] || { echo "expected $tasks imported tasks, found $count" >&2; exit 1; }

python3 - bench/results/import.json <<'EOF'
import json, sys
ours, theirs = json.load(open(sys.argv[1]))["results"]
print()
print(f"{ours['command']:<34} median {ours['median']*1e3:8.1f} ms")
print(f"{theirs['command']:<34} median {theirs['median']*1e3:8.1f} ms")
print(f"Taskwarrior / task: {theirs['median']/ours['median']:.2f}x")
EOF
