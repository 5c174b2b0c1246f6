#!/usr/bin/env bash
# Sign one submission and post it to autograde's intake webhook: bash, openssl and curl only.
#
#   bash sign_and_submit.sh BASE_URL PLATFORM_ID SECRET ASSIGNMENT_ID LEARNER EXTERNAL_ID NOTEBOOK.ipynb
#
# Prints the HTTP status (and "Idempotent-Replayed: true" on a repeat), then the JSON reply.
# Exits 0 on 200 or 202, 1 otherwise. curl retries timeouts, 429 and 5xx with the same
# signed bytes while the signature is fresh (the server's window is 300 s): safe, because
# EXTERNAL_ID makes a repeat return the submission already stored, never a second one.
set -euo pipefail

if [ "$#" -ne 7 ]; then
  echo "usage: bash $0 BASE_URL PLATFORM_ID SECRET ASSIGNMENT_ID LEARNER EXTERNAL_ID NOTEBOOK.ipynb" >&2
  exit 2
fi
BASE_URL=${1%/} PLATFORM_ID=$2 SECRET=$3 ASSIGNMENT_ID=$4 LEARNER=$5 EXTERNAL_ID=$6 NOTEBOOK=$7
[ -r "$NOTEBOOK" ] || { echo "cannot read $NOTEBOOK" >&2; exit 2; }

json_string() {  # "$1" as a JSON string: escape \ and " (names never hold control characters)
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The body is written once, with the notebook embedded as it is (a notebook is JSON), and
# these exact bytes are signed and sent: never re-encode the body after signing it.
cat > "$WORK/body.json" <<EOF
{"external_id": $(json_string "$EXTERNAL_ID"), "assignment_id": $(json_string "$ASSIGNMENT_ID"),
 "learner": $(json_string "$LEARNER"), "filename": $(json_string "$(basename "$NOTEBOOK")"),
 "notebook": $(cat "$NOTEBOOK")}
EOF

# HMAC-SHA256 with the secret over "<timestamp>." followed by the body.
TS=$(date +%s)
SIG=$({ printf '%s.' "$TS"; cat "$WORK/body.json"; } | openssl dgst -sha256 -hmac "$SECRET" -hex | awk '{print $NF}')

# At most 200 s of retries plus 60 s for the last try: all within the 300 s window.
STATUS=$(curl -sS --retry 4 --retry-max-time 200 --max-time 60 -o "$WORK/reply.json" -D "$WORK/headers.txt" -w '%{http_code}' \
  -X POST "$BASE_URL/api/v1/platforms/$PLATFORM_ID/submissions" \
  -H "Content-Type: application/json" \
  -H "X-Autograde-Timestamp: $TS" \
  -H "X-Autograde-Signature: v1=$SIG" \
  --data-binary @"$WORK/body.json")

if grep -qi '^Idempotent-Replayed: *true' "$WORK/headers.txt"; then
  echo "HTTP $STATUS (Idempotent-Replayed: true)"
else
  echo "HTTP $STATUS"
fi
cat "$WORK/reply.json"
echo
[ "$STATUS" = 200 ] || [ "$STATUS" = 202 ]
