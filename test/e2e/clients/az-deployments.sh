#!/usr/bin/env bash
# The az CLI's deployment commands against a running Lazurite:
#   az-deployments.sh BASE_URL CA_PEM QUICKSTART_TEMPLATE PARAMETERS_FILE SUBSCRIPTION_TEMPLATE
# AZ_CLOUD_SCRIPT names the shared cloud-registration script (az-emulator-cloud.sh).
set -uo pipefail
base="$1"; ca="$2"; qs="$3"; params="$4"; subt="$5"
errf=$(mktemp)
cfg="$(mktemp -d -t azcfg-dep.XXXXXX)"
eval "$("${AZ_CLOUD_SCRIPT:?}" "$base" "$ca" "$cfg")" || { echo "cloud setup/login failed"; exit 1; }
pass=0; fail=0
t() { # t NAME EXPECTED -- az args...
  local name="$1" exp="$2"; shift 3
  local out; out="$(az "$@" -o tsv 2>"$errf")"; local rc=$?
  if [ $rc -eq 0 ] && { [ -z "$exp" ] || [ "$out" = "$exp" ]; }; then pass=$((pass+1)); echo "PASS $name"
  else fail=$((fail+1)); echo "FAIL $name (rc=$rc, got '$out', want '$exp')"; sed 's/^/    /' "$errf" | tail -8; fi
}
rg="az-qs"
t "group create" "Succeeded" -- group create -n "$rg" -l westus --query properties.provisioningState
t "deployment group validate" "Succeeded" -- deployment group validate -g "$rg" -n qs --template-file "$qs" --parameters "@$params" adminPassword=Lazurite-Quickstart-1 --query properties.provisioningState
t "deployment group create" "Succeeded" -- deployment group create -g "$rg" -n qs --template-file "$qs" --parameters "@$params" adminPassword=Lazurite-Quickstart-1 --query properties.provisioningState
t "deployment group show" "Incremental" -- deployment group show -g "$rg" -n qs --query properties.mode
t "deployment group list" "qs" -- deployment group list -g "$rg" --query "[].name"
out="$(az deployment group what-if -g "$rg" -n qs --template-file "$qs" --parameters "@$params" adminPassword=Lazurite-Quickstart-1 --no-pretty-print -o json 2>"$errf")"; rc=$?
changed="$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(len([c for c in d["changes"] if c["changeType"] not in ("NoChange","Ignore")]), len(d["changes"]))' 2>>"$errf")"
if [ $rc -eq 0 ] && [ "${changed%% *}" = "0" ]; then pass=$((pass+1)); echo "PASS what-if no change ($changed)"
else fail=$((fail+1)); echo "FAIL what-if no change (rc=$rc, $changed)"; tail -8 "$errf"; fi
pretty="$(az deployment group what-if -g "$rg" -n qs --template-file "$qs" --parameters "@$params" adminPassword=Lazurite-Quickstart-1 2>"$errf")"; rc=$?
if [ $rc -eq 0 ] && printf '%s' "$pretty" | grep -q "Resource changes: .*no change"; then pass=$((pass+1)); echo "PASS what-if pretty print"
else fail=$((fail+1)); echo "FAIL what-if pretty print (rc=$rc)"; printf '%s\n' "$pretty" | tail -5; tail -5 "$errf"; fi
t "deployment sub create" "Succeeded" -- deployment sub create -n subdep -l westus --template-file "$subt" --parameters rgName=az-from-sub --query properties.provisioningState
t "deployment group delete" "" -- deployment group delete -g "$rg" -n qs
rm -rf "$cfg" "$errf"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
