#!/bin/sh
# Example seawall plugin in plain POSIX shell: reports accounts whose /etc/shadow
# password field is empty. It reads the target through the host's fs.read service
# (JSON-RPC 2.0, one JSON object per line on stdin/stdout), so it never needs the
# image extracted. JSON is written with printf and read with sed; no jq needed.
set -u

if [ "${1:-}" = "info" ]; then
    printf '%s\n' '{"manifestVersion":1,"name":"empty-password","version":"1.0.0","author":"seawall examples","description":"Accounts with an empty password in /etc/shadow (POSIX shell example)","tags":["example","weakpass"],"commands":[{"type":"image","path":["scan","image"]},{"type":"container","path":["scan","container"]},{"type":"rootfs","path":["scan","rootfs"]}],"timeout":30}'
    exit 0
fi
if [ "${SEAWALL_RPC:-}" != "1" ]; then
    echo "empty-password: run me through seawall, e.g. seawall rootfs DIR --plugin empty-password" >&2
    exit 2
fi

# The protocol's input stays on fd 3, so loops that redirect stdin cannot eat it.
exec 3<&0
next_id=0
REPLY_LINE=""
# rpc METHOD PARAMS: send one request, read its answer into REPLY_LINE. Calls are
# strictly one at a time, so the next line from the host is always our answer.
rpc() {
    next_id=$((next_id + 1))
    printf '{"jsonrpc":"2.0","id":%d,"method":"%s","params":%s}\n' "$next_id" "$1" "$2"
    IFS= read -r REPLY_LINE <&3 || exit 1
}
log() {
    printf '{"jsonrpc":"2.0","method":"log","params":{"level":"%s","message":"%s"}}\n' "$1" "$2"
}

# The host's first message is the "run" request; the host always writes
# {"jsonrpc":"2.0","id":N,... so the id is the first number.
IFS= read -r request <&3 || exit 1
run_id=$(printf '%s' "$request" | sed -n 's/^{"jsonrpc":"2.0","id":\([0-9][0-9]*\).*/\1/p')
kind=$(printf '%s' "$request" | sed -n 's/.*"target":{"kind":"\([a-z]*\)".*/\1/p')
log info "scanning a ${kind:-target} for empty passwords"

rpc fs.read '{"path":"/etc/shadow"}'
case "$REPLY_LINE" in
*'"error"'*)
    log info "no readable /etc/shadow"
    printf '{"jsonrpc":"2.0","id":%s,"result":{"reported":0}}\n' "$run_id"
    exit 0 ;;
esac
data=$(printf '%s' "$REPLY_LINE" | sed -n 's/.*"data":"\([A-Za-z0-9+/=]*\)".*/\1/p')

reported=0
lineno=0
tmp="${TMPDIR:-/tmp}/empty-password.$$"
printf '%s' "$data" | base64 -d > "$tmp" 2>/dev/null
while IFS=: read -r name pass rest; do
    lineno=$((lineno + 1))
    case "$name" in
    '' | *[!A-Za-z0-9._-]*) continue ;;  # only names we can put in JSON unescaped
    esac
    if [ -z "$pass" ]; then
        rpc report "{\"finding\":{\"rule_id\":\"SWX-SH-001\",\"category\":\"weakpass\",\"severity\":\"high\",\"title\":\"Account $name has an empty password\",\"remediation\":\"Lock the account (passwd -l $name) or set a password.\",\"location\":{\"path\":\"/etc/shadow\",\"line\":$lineno},\"evidence\":\"$name::...\"}}"
        case "$REPLY_LINE" in *'"accepted":1'*) reported=$((reported + 1)) ;; esac
    fi
done < "$tmp"
rm -f "$tmp"

printf '{"jsonrpc":"2.0","id":%s,"result":{"reported":%d}}\n' "$run_id" "$reported"
