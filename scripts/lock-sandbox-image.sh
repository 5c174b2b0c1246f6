#!/usr/bin/env bash
# Re-pin the sandbox image's libraries: resolve requirements.txt in a fresh image's venv and
# write the full, exact list to sandboxes/image/requirements.lock (what every build installs).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
image=autograde-sandbox:unpinned
AUTOGRADE_SANDBOX_IMAGE=$image AUTOGRADE_SANDBOX_REQUIREMENTS=requirements.txt bash "$here/scripts/build-sandbox-image.sh"
{
  echo "# Every library in the sandbox image, pinned, so that every host builds the same image and grades alike."
  echo "# The direct needs are in requirements.txt; remake this with scripts/lock-sandbox-image.sh after changing them."
  docker run --rm --entrypoint /opt/sandbox/bin/pip "$image" freeze
} >"$here/sandboxes/image/requirements.lock"
echo "wrote sandboxes/image/requirements.lock" >&2
