#!/usr/bin/env bash
# throwaway-root.sh VERSION ARCH -- run in a private mount namespace by tests/suites/deb.sh: overlays a
# copy-on-write root on /, installs build/deb's packages there with dpkg (maintainer scripts and all),
# checks users, conffiles and units (systemd-analyze verify and security), starts edgenode and bundlegen
# serve the way their units do (User=, ExecStartPre=, ExecStart=, ExecReload=), talks to both over
# loopback, then removes and purges. Everything written lands in the overlay, thrown away at the end.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
v=$1; arch=$2
T=$(mktemp -d /tmp/deb-root.XXXXXX); M=$T/root
pids=()
cleanup() {
  local p; for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  umount -R "$M" 2>/dev/null; rm -rf "$T"
}
SUITE_CLEANUP+=(cleanup); trap cleanup EXIT
mkdir -p "$T/upper" "$T/work" "$M"
mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$M" \
  || suite_abort "overlay mount of / at $M"
mount -t proc proc "$M/proc" && mount --rbind /dev "$M/dev" && mount -t tmpfs tmpfs "$M/run" \
  || suite_abort "proc, dev and run in $M"
in_root() { chroot "$M" "$@"; }
cp "build/deb/bundlegen_${v}_${arch}.deb" "build/deb/edgenode_${v}_${arch}.deb" "$M/tmp/"

# The node's user made first, as containers/edgenode.Containerfile does: the postinst must keep it.
in_root groupadd --system --gid 990 _edgenode && in_root useradd --system --uid 990 --gid 990 \
  --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin _edgenode
exits "dpkg -i installs both packages, maintainer scripts included" 0 \
  in_root dpkg -i "/tmp/bundlegen_${v}_${arch}.deb" "/tmp/edgenode_${v}_${arch}.deb"
same "both are installed at $v" "bundlegen $v install ok installed|edgenode $v install ok installed" \
  "$(in_root dpkg-query -W -f '${Package} ${Version} ${Status}|' bundlegen edgenode | sed 's/|$//')"
same "an existing system user _edgenode is kept (uid 990, as in the image)" 990 "$(in_root id -u _edgenode)"
check "system user _bundlegen" in_root getent passwd _bundlegen
same "the node's config is readable by its group only" "640 root:_edgenode" \
  "$(in_root stat -c '%a %U:%G' /etc/edgenode/edgenode.yaml)"
same "edgenode --version from the root" "edgenode $v" "$(in_root edgenode --version)"
same "bundlegen --version from the root" "bundlegen $v" "$(in_root bundlegen --version)"
check "edgenode.service is enabled by the package" test -L "$M/etc/systemd/system/multi-user.target.wants/edgenode.service"
check "bundlegen-serve.service is not" test ! -e "$M/etc/systemd/system/multi-user.target.wants/bundlegen-serve.service"

# The units as systemd reads them.
for u in edgenode bundlegen-serve; do
  exits "systemd-analyze verify $u.service" 0 in_root systemd-analyze verify "/lib/systemd/system/$u.service"
  same "$u.service: verify says nothing" "" "$(cat "$SUITE_OUT" "$SUITE_ERR")"
  for d in $(sed -n 's/^Documentation=//p' "$M/lib/systemd/system/$u.service"); do
    case $d in
      file://*) check "$u.service: its documentation ${d#file://} is installed" test -f "$M${d#file://}" ;;
      man:*) n=${d#man:}; check "$u.service: its manual page $d is installed" \
               test -f "$M/usr/share/man/man${n//[^0-9]/}/${n%%(*}.${n//[^0-9]/}.gz" ;;
    esac
  done
  in_root systemd-analyze security --offline=yes "/lib/systemd/system/$u.service" >"$T/sec" 2>&1
  score=$(sed -n "s/.*Overall exposure level for $u.service: \([0-9.]*\).*/\1/p" "$T/sec")
  echo "    systemd-analyze security $u.service: $(grep 'Overall exposure' "$T/sec")"
  check "$u.service exposure $score is at most 2.0 (systemd's OK band)" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
done

# unit_line UNIT KEY: the values of KEY= in the installed unit, one a line.
unit_line() { sed -n "s/^$2=//p" "$M/lib/systemd/system/$1.service"; }
unit_user() { unit_line "$1" User; }
wait_http() {   # wait_http URL: at most 10 s until it answers 200
  local i; for i in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1")" = 200 ] && return 0; sleep 0.1; done; return 1
}

# edgenode.service: the packaged config on free ports, as an administrator would edit it.
P=$(free_port); A=$(free_port)
sed -i "s/^listen: 127.0.0.1:5050 /listen: 127.0.0.1:$P /; s/^admin_listen: 127.0.0.1:9000 /admin_listen: 127.0.0.1:$A /" \
  "$M/etc/edgenode/edgenode.yaml"
u=$(unit_user edgenode); same "edgenode.service runs as _edgenode" _edgenode "$u"
in_root install -d -o "$u" -g "$u" -m 0755 /var/log/edgenode     # what LogsDirectory=edgenode makes
exits "ExecStartPre (check-config) accepts the packaged config" 0 \
  chroot --userspec="$u:$u" "$M" sh -c "$(unit_line edgenode ExecStartPre)"
chroot --userspec="$u:$u" "$M" sh -c "exec $(unit_line edgenode ExecStart)" >"$T/edgenode.log" 2>&1 &
node=$!; pids+=("$node")
if wait_http "http://127.0.0.1:$A/live"; then ok "edgenode started by ExecStart answers /live"
else bad "edgenode started by ExecStart answers /live" "$T/edgenode.log"; fi
same "the shipped rules were found under /usr/share" "200" "$(curl -s -o "$T/b" -w '%{http_code}' --max-time 5 -X POST \
  -H 'Host: api.example.com' "http://127.0.0.1:$P/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--")"
has "an attack is detected (monitoring, the packaged mode)" "$T/b" '"reason":"attack"'
has "and written to /var/log/edgenode/events.jsonl" "$M/var/log/edgenode/events.jsonl" '"class":"sqli"'
# ExecReload: check-config, then kill -HUP $MAINPID.
sed -i 's/^mode: monitoring /mode: block /' "$M/etc/edgenode/edgenode.yaml"
reload_ok=1
while read -r line; do
  line=${line//\$MAINPID/$node}
  chroot --userspec="$u:$u" "$M" sh -c "$line" || reload_ok=0
done < <(unit_line edgenode ExecReload)
same "ExecReload's commands succeed" 1 "$reload_ok"
for _ in $(seq 1 50); do
  [ "$(curl -s --max-time 2 "http://127.0.0.1:$A/metrics" | sed -n 's/^edgenode_config_reloads_total{result="ok"} //p')" = 1 ] && break
  sleep 0.1
done
same "after reload the node blocks (mode: block)" 403 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
  -H 'Host: api.example.com' "http://127.0.0.1:$P/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--")"
kill -TERM "$node"; wait "$node"; same "edgenode stops with exit 0 on SIGTERM" 0 "$?"

# bundlegen-serve.service with /etc/default/bundlegen-serve, the listen address moved to a free port.
S=$(free_port)
sed -i "s/^BUNDLEGEN_SERVE_LISTEN=.*/BUNDLEGEN_SERVE_LISTEN=127.0.0.1:$S/" "$M/etc/default/bundlegen-serve"
u=$(unit_user bundlegen-serve); same "bundlegen-serve.service runs as _bundlegen" _bundlegen "$u"
envf=$(unit_line bundlegen-serve EnvironmentFile); envf=${envf#-}
# systemd expands ${VAR} whole and $VAR split on spaces; the shell does the same for these values.
chroot --userspec="$u:$u" "$M" sh -c "set -a; . $envf; set +a; cd /; exec $(unit_line bundlegen-serve ExecStart)" \
  >"$T/serve.log" 2>&1 &
serve=$!; pids+=("$serve")
if wait_http "http://127.0.0.1:$S/ready"; then ok "bundlegen serve started by ExecStart is ready"
else bad "bundlegen serve started by ExecStart is ready" "$T/serve.log"; fi
n=$(curl -s --max-time 5 "http://127.0.0.1:$S/v1/platforms" | jq '.platforms | length')
same "it serves every platform from /usr/share/bundlegen" "$(ls platforms/*.yaml | grep -vc '/_')" "$n"
curl -s --max-time 5 -o "$T/console.html" "http://127.0.0.1:$S/"
has "it serves the web console from /usr/share/bundlegen/console" "$T/console.html" '<option value="kong">'
ep=https://node.example.com:5050
curl -s --max-time 30 -o "$T/served.zip" "http://127.0.0.1:$S/v1/bundles/cloudflare?endpoint=$ep"
build/bundlegen generate cloudflare --endpoint "$ep" --out "$T/tree.zip" >/dev/null 2>&1
same "the bundle it serves has the bytes the source tree generates" "$(sha256sum <"$T/tree.zip")" "$(sha256sum <"$T/served.zip")"
in_root sh -c "cd / && bundlegen generate kong --endpoint $ep --out /tmp/kong.tar.gz" >/dev/null 2>&1
build/bundlegen generate kong --endpoint "$ep" --out "$T/kong.tar.gz" >/dev/null 2>&1
same "bundlegen generate in the root finds the installed data: same bytes" "$(sha256sum <"$T/kong.tar.gz")" "$(sha256sum <"$M/tmp/kong.tar.gz" 2>&1)"
kill -TERM "$serve"; wait "$serve"; same "bundlegen serve stops with exit 0 on SIGTERM" 0 "$?"
has "its access log went to stderr (the journal)" "$T/serve.log" '"GET /v1/platforms" 200'

# Removal keeps the edited conffile; purge removes it.
exits "dpkg -r edgenode" 0 in_root dpkg -r edgenode
check "the edited config stays after removal" grep -q "^listen: 127.0.0.1:$P " "$M/etc/edgenode/edgenode.yaml"
exits "dpkg -P edgenode bundlegen" 0 in_root dpkg -P edgenode bundlegen
check "purge removes the config" test ! -e "$M/etc/edgenode/edgenode.yaml"
check "purge removes /etc/default/bundlegen-serve" test ! -e "$M/etc/default/bundlegen-serve"
check "and the programs" test ! -e "$M/usr/bin/edgenode" -a ! -e "$M/usr/bin/bundlegen"
suite_end
