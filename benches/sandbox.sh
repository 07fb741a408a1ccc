#!/usr/bin/env bash
# Times `balance check` over 5, 50 and 500 profiles against `balance sandbox`
# answering with a fixed latency, with hyperfine, and compares each with
#   - the ideal: ceil(N / concurrency) x latency, and
#   - a shell loop running curl for the same requests one after another.
#
#   bash benches/sandbox.sh                 # defaults below
#   LATENCY_MS=100 SIZES="5 50" bash benches/sandbox.sh
#
# Needs hyperfine and curl (Debian packages `hyperfine`, `curl`): installed with
# apt-get when running as root, otherwise asked for.
set -euo pipefail

LATENCY_MS=${LATENCY_MS:-50}
CONCURRENCY=${CONCURRENCY:-8}
SIZES=${SIZES:-"5 50 500"}
RUNS=${RUNS:-10}            # hyperfine runs of `balance check` per size
CURL_RUNS=${CURL_RUNS:-3}   # the curl loop takes N x latency a run: fewer runs

cd "$(dirname "$0")/.."

need() {
    command -v "$1" >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing $1 (apt-get install $1)" >&2
        apt-get install -y -qq "$1" >/dev/null
    else
        echo "this benchmark needs $1: sudo apt-get install $1 (or your system's package)" >&2
        exit 1
    fi
}
need hyperfine
need curl

cargo build --release --quiet
bin=$PWD/target/release/balance
work=$(mktemp -d)
sandbox_pid=
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" sandbox --port 0 --latency "$LATENCY_MS" >"$work/snippet.toml" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 100); do
    grep -q '^# Scenarios:' "$work/snippet.toml" 2>/dev/null && break
    sleep 0.05
done
base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/snippet.toml" | head -1)
[ -n "$base" ] || { cat "$work/sandbox.log" >&2; exit 1; }

# The snippet's healthy profiles (one per vendor and API generation), with
# literal keys so that no `echo` process is timed, repeated to N profiles.
# Yeastar's token is fetched in the warm-up run and cached, as in real use.
sed 's/{ command = \["echo", "healthy"\] }/"healthy"/' "$work/snippet.toml" |
    awk '/^\[profiles\./ { n++ } n { block[n] = block[n] $0 "\n" }
         END { for (i = 1; i <= n; i++) printf "%s", block[i] > (dir "/profile" i) ; print n > (dir "/count") }' dir="$work"
kinds=$(cat "$work/count")

make_config() { # N → config with N profiles
    local n=$1 file="$work/config-$1.toml"
    printf '[settings]\nconcurrency = %s\nretries = 0\n\n' "$CONCURRENCY" >"$file"
    for i in $(seq "$n"); do
        sed "1s/^\[profiles\.\(.*\)\]/[profiles.p$i-\1]/" "$work/profile$(( (i - 1) % kinds + 1 ))" >>"$file"
    done
    chmod 600 "$file"
    echo "$file"
}

# The same requests as those profiles, one curl after another.
token=$(curl -s -A bench -X POST "$base/auth/openapi/v1/oauth/token" \
    -d 'client_id=bench&client_secret=healthy&grant_type=pp_credentials' |
    sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
make_curl_loop() { # N → script
    local n=$1 file="$work/curl-$1.sh"
    cat >"$file" <<EOF
base=$base
for i in \$(seq $n); do
  case \$(( (i - 1) % $kinds )) in
  0) curl -sf -o /dev/null -H 'Authorization: Bearer healthy' \$base/api/v1/accounts/0b5c7e4a-1f3d-4c8e-9a6b-2d7f1e3c5a90/balance ;;
  1) curl -sf -o /dev/null -H 'Authorization: App healthy' \$base/account/1/balance ;;
  2) curl -sf -o /dev/null -H 'Authorization: Bearer $token' \$base/user/openapi/user/v1/client/account_balance ;;
  3) curl -sf -o /dev/null -u sandbox:healthy \$base/v1beta1/organizations/a1d4c7e2-3b6f-4a9d-8c2e-7f1b5d9e3a60/billing/5f0c2b9e-8a4d-4e1b-b7c3-9d2e6f1a4c80/balance ;;
  4) curl -sf -o /dev/null -u sandbox:healthy -H 'Content-Type: application/json' -d '{"id":"5f0c2b9e-8a4d-4e1b-b7c3-9d2e6f1a4c80"}' \$base/raystack.frontier.v1beta1.FrontierService/GetBillingBalance ;;
  5) curl -sf -o /dev/null -u sandbox-healthy:healthy \$base/v1/balance ;;
  esac || exit 1
done
EOF
    echo "$file"
}

median() { # hyperfine CSV → median seconds
    awk -F, 'NR == 2 { print $4 }' "$1"
}

export XDG_CACHE_HOME="$work/cache"
printf '\nbalance sandbox at %s, latency %s ms, concurrency %s, %s\n\n' \
    "$base" "$LATENCY_MS" "$CONCURRENCY" "$(nproc) cores"
rows=()
for n in $SIZES; do
    config=$(make_config "$n")
    loop=$(make_curl_loop "$n")
    hyperfine --style basic --warmup 1 --runs "$RUNS" --export-csv "$work/balance-$n.csv" \
        -n "balance check: $n profiles" "$bin --config $config check --json"
    hyperfine --style basic --runs "$CURL_RUNS" --export-csv "$work/curl-$n.csv" \
        -n "curl loop: $n requests" "bash $loop"
    rows+=("$(awk -v n="$n" -v c="$CONCURRENCY" -v l="$LATENCY_MS" \
        -v b="$(median "$work/balance-$n.csv")" -v s="$(median "$work/curl-$n.csv")" 'BEGIN {
            ideal = int((n + c - 1) / c) * l / 1000
            printf "| %d | %.3f s | %.3f s | %.2fx | %.3f s | %.1fx |", n, b, ideal, b / ideal, s, s / b }')")
done

echo
echo "| profiles | balance (median) | ideal ceil(N/$CONCURRENCY) x ${LATENCY_MS} ms | balance / ideal | curl loop (median) | curl loop / balance |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
