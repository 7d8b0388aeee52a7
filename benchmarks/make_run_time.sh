#!/usr/bin/env bash
# Time `make run` from a fresh clone to "ready", twice: first with an empty Deskmate cache (venvs
# built, model trained; pip's download cache is left as the machine has it unless
# PIP_NO_CACHE_DIR=1 is set), then again in the same clone (nothing to install or train).
#
#   benchmarks/make_run_time.sh            prints a Markdown table
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
export DESKMATE_CACHE_DIR="$work/cache"
git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export DESKMATE_PORT="$(port)" DESKMATE_RASA_PORT="$(port)" DESKMATE_ACTION_SERVER_PORT="$(port)"
export DESKMATE_RASA_URL="http://127.0.0.1:$DESKMATE_RASA_PORT"
export DESKMATE_ACTION_SERVER_URL="http://127.0.0.1:$DESKMATE_ACTION_SERVER_PORT"

time_to_ready() {
  local log="$work/run-$1.log" start end
  start=$(date +%s.%N)
  setsid make run >"$log" 2>&1 &
  local pid=$!
  until grep -q "Deskmate is ready" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "make run failed, see $log" >&2; exit 1; fi
    sleep 0.5
  done
  end=$(date +%s.%N)
  kill -TERM -- -"$pid"; wait "$pid" || true
  python3 -c "print($end - $start)"
}
first=$(time_to_ready 1)
second=$(time_to_ready 2)
echo "| \`make run\` in a fresh clone, empty Deskmate cache, to ready | ${first%.*} s |"
echo "| second \`make run\`, to ready | ${second%.*} s |"
rm -rf "$work"
