#!/usr/bin/env bash
# Check a saved result callback with openssl: exit 0 if its signature matches, 1 if not.
#
#   bash verify_callback.sh SECRET TIMESTAMP SIGNATURE BODY_FILE [WINDOW]
#
# TIMESTAMP and SIGNATURE are the values of the X-Autograde-Timestamp and
# X-Autograde-Signature headers, BODY_FILE the raw body exactly as received, and WINDOW
# (default 300) how many seconds the timestamp may be from this machine's clock.
# For checks by hand and in scripts: a server compares in constant time (verify_callback.py).
set -euo pipefail

if [ "$#" -lt 4 ] || [ "$#" -gt 5 ]; then
  echo "usage: bash $0 SECRET TIMESTAMP SIGNATURE BODY_FILE [WINDOW]" >&2
  exit 2
fi
SECRET=$1 TS=$2 OFFERED=$3 BODY=$4 WINDOW=${5:-300}
[ -r "$BODY" ] || { echo "cannot read $BODY" >&2; exit 2; }

case "$TS" in
  '' | *[!0-9]*) echo "the timestamp must be whole Unix seconds, not '$TS'" >&2; exit 1 ;;
esac
AGE=$(( $(date +%s) - 10#$TS ))
if [ "${AGE#-}" -gt "$WINDOW" ]; then
  echo "stale: signed $AGE s from this machine's clock (window $WINDOW s)" >&2
  exit 1
fi

# HMAC-SHA256 with the secret over "<timestamp>." followed by the body.
EXPECTED=v1=$({ printf '%s.' "$TS"; cat "$BODY"; } | openssl dgst -sha256 -hmac "$SECRET" -hex | awk '{print $NF}')

# Several comma-separated signatures may come while a secret is being rotated.
set -f  # split the list below at commas and spaces, but expand nothing
for part in ${OFFERED//,/ }; do
  if [ "$part" = "$EXPECTED" ]; then
    echo "signature OK"
    exit 0
  fi
done
echo "the signature does not match" >&2
exit 1
