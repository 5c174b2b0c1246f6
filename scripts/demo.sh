#!/usr/bin/env bash
# Set up, start the service (web + worker) and grade the bundled example course end to end.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/setup.sh"
cd "$here"
exec .venv/bin/autograde demo "$@"
