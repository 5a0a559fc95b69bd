#!/usr/bin/env bash
# Installs Debian's redis-server and redis-tools when they are missing: the
# differential and interop tests run the real server next to kevy. Does
# nothing when both binaries are already on PATH.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing redis-server and redis-tools (Debian packages) for the differential tests" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
# The package may start a system redis-server; the tests start their own
# on free ports, so stop it.
$sudo service redis-server stop >/dev/null 2>&1 || true
