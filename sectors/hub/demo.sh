#!/bin/sh
# demo.sh — the whole alert path on one machine: a throwaway hub with fresh
# keys, a subscriber printing alerts, and the mamori sensor reading a capture.
#
# usage: sectors/hub/demo.sh BUILD_DIR CAPTURE [SECTOR [MAMORI_OPTION...]]
#   e.g. sectors/hub/demo.sh build ../shared/corpus/suricata-verify/modbus/modbus.pcap
#   Options after the sector go to mamori as they are (--site, --baseline, more -r files);
#   MAMORI_DEMO_SITE names the site the sensor's key may post for (default demo-site).
# Everything (keys, config, store, logs) goes to a temporary directory that is
# printed at the end; ipc:// endpoints inside it, so no port is opened.
set -eu
build=${1:?usage: demo.sh BUILD_DIR CAPTURE [SECTOR]}
capture=${2:?usage: demo.sh BUILD_DIR CAPTURE [SECTOR]}
sector=${3:-electric-power}
[ $# -gt 3 ] && shift 3 || set --
site=${MAMORI_DEMO_SITE:-demo-site} # the site the sensor's key is bound to
hub="$build/sectors/hub/mamori-hub"
sub="$build/sectors/sub/mamori-sub"
mamori="$build/mamori"
for program in "$hub" "$sub" "$mamori"; do
    [ -x "$program" ] || { echo "demo.sh: $program not built (ninja -C $build)" >&2; exit 1; }
done
[ -r "$capture" ] || { echo "demo.sh: cannot read $capture" >&2; exit 1; }

dir=$(mktemp -d /tmp/mamori-demo-XXXXXX)
for name in hub sensor isac; do "$hub" keygen "$name" -d "$dir" >/dev/null; done
cat > "$dir/hub.yaml" <<YAML
listen:
  sensors: ipc://$dir/sensors
  subscribers: ipc://$dir/subscribers
  control: ipc://$dir/control
secret_key_file: hub.key
store: hub.db
sectors:
  $sector: {privacy: pseudonymise}
sensors:
  - name: demo-sensor
    public_key_file: sensor.pub
    organisation: demo-operator
    site: $site
    sectors: [$sector]
subscribers:
  - name: demo-isac
    public_key_file: isac.pub
    organisation: demo-isac
    sectors: [$sector]
YAML

hub_pid=; sub_pid=
cleanup() {
    [ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
    [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null
    wait 2>/dev/null
    echo "demo files (keys, hub.yaml, hub.db, sensor logs) in $dir" >&2
}
trap cleanup EXIT INT TERM

"$hub" -c "$dir/hub.yaml" 2>"$dir/hub.log" &
hub_pid=$!
tries=0
until "$hub" health -c "$dir/hub.yaml" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ $tries -lt 50 ] || { echo "demo.sh: the hub did not start:" >&2; cat "$dir/hub.log" >&2; exit 1; }
    sleep 0.1
done
echo "== hub running ($dir/hub.yaml); subscriber demo-isac (another organisation: internal addresses pseudonymised):" >&2

"$sub" --hub "ipc://$dir/subscribers" --key "$dir/isac.key" --hub-key "$dir/hub.pub" --from-start &
sub_pid=$!
mkdir "$dir/logs"
"$mamori" -r "$capture" --sector "$sector" --sensor demo-sensor --log-dir "$dir/logs" --no-progress \
    --hub "ipc://$dir/sensors" --key "$dir/sensor.key" --hub-key "$dir/hub.pub" -o "hub.spool=$dir/spool.db" \
    "$@" 2>"$dir/mamori.log"
grep "mamori: hub" "$dir/mamori.log" >&2 || true
# Give the subscriber the time to print what the hub stored (up to 10 s).
count() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$dir/hub-stats.json"; }
tries=0
while "$hub" stats -c "$dir/hub.yaml" >"$dir/hub-stats.json" && [ "$(count delivered)" -lt "$(count stored)" ] \
        && [ $tries -lt 100 ]; do
    tries=$((tries + 1))
    sleep 0.1
done
echo "== hub statistics in $dir/hub-stats.json" >&2
