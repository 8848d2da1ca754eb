#!/usr/bin/env bash
# Installs the Debian packages the test suite needs beyond npm: the Azure CLI and the Azure SDK
# for Python (python3-azure comes with azure-cli), which test/e2e/real-clients.test.ts drives
# against a running Lazurite, and Debian's Chromium, which the portal's browser tests
# (test/e2e/portal.test.ts) drive with playwright-core, and Debian's PostgreSQL server, of which
# the store and multi-instance tests start throwaway instances (test/support/postgres.ts).
# iproute2 (ip netns, veth) for the data plane tests (test/e2e/data-plane.test.ts).
# Does nothing when they are already there.
set -euo pipefail
need=()
command -v az >/dev/null 2>&1 || need+=(azure-cli)
/usr/bin/python3 -c "import azure.mgmt.network, azure.mgmt.storage, azure.mgmt.resource" >/dev/null 2>&1 || need+=(python3-azure)
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
