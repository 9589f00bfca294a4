#!/usr/bin/env bash
# `make run`: two demo schools on 127.0.0.1:8080 and :8081, a teacher on each following the
# other and a first post exchanged, a community on A that B's teacher joined and shared a
# worksheet in, served until Ctrl-C. Data stays in ./var/demo/{a,b}.
set -euo pipefail
BIN=${1:-build/cloudschool}
BIN=$(realpath "$BIN")
A=./var/demo/a
B=./var/demo/b
cs_a() { "$BIN" --data "$A" "$@"; }
cs_b() { "$BIN" --data "$B" "$@"; }

for port in 8080 8081; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "port $port is in use: stop what runs there (an earlier 'make run'?) and try again" >&2
    exit 1
  fi
done

first_run=0
if [ ! -f "$A/cloudschool.toml" ]; then
  first_run=1
  echo "== setting up two demo schools (first run)"
  cs_a init --domain 127.0.0.1:8080 --http --allow-addresses 127.0.0.0/8
  cs_a user add ann --display-name "Ann (School A)"
  cs_b init --domain 127.0.0.1:8081 --http --allow-addresses 127.0.0.0/8
  cs_b user add bob --display-name "Bob (School B)"
fi

mkdir -p ./var/demo
cs_a serve --listen 127.0.0.1:8080 > ./var/demo/a.log 2>&1 &
PA=$!
cs_b serve --listen 127.0.0.1:8081 > ./var/demo/b.log 2>&1 &
PB=$!
stop() { kill -TERM $PA $PB 2>/dev/null; wait $PA $PB 2>/dev/null; echo; echo "stopped both schools"; }
trap 'stop; exit 0' INT TERM

for port in 8080 8081; do
  for _ in $(seq 1 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/.well-known/nodeinfo" 2>/dev/null && break
    sleep 0.1
  done
done

wait_for() {  # wait_for DESCRIPTION COMMAND...: polls for up to 10 s
  local what=$1; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for: $what (see ./var/demo/*.log)" >&2
  return 1
}

if [ $first_run = 1 ]; then
  echo "== ann (school A) follows bob (school B), and bob follows ann"
  cs_a follow --as ann bob@127.0.0.1:8081
  cs_b follow --as bob ann@127.0.0.1:8080
  wait_for "bob to accept ann" sh -c "'$BIN' --data '$A' following --as ann | grep -q accepted"
  wait_for "ann to accept bob" sh -c "'$BIN' --data '$B' following --as bob | grep -q accepted"
  echo "== bob posts; ann replies"
  NOTE=$(cs_b post --as bob "Hello from **School B**! Who wants to share a fractions worksheet?")
  wait_for "bob's post to reach ann" sh -c "'$BIN' --data '$A' timeline --as ann | grep -q School"
  cs_a post --as ann --reply-to "$NOTE" "Hi Bob, I have one for year 5. Sending it over!" >/dev/null
  wait_for "ann's reply to reach bob" sh -c "'$BIN' --data '$B' timeline --as bob | grep -q 'year 5'"
fi

if ! cs_a community show maths >/dev/null 2>&1; then
  echo "== school A opens the community 'maths'; bob joins and shares a worksheet in it"
  cs_a community add maths --title "Maths teachers" --description "Lesson ideas for **maths**" \
    --join open --moderator ann
  cs_a join --as ann maths
  cs_b join --as bob maths@127.0.0.1:8080
  wait_for "the community to accept bob" sh -c "'$BIN' --data '$A' community members maths | grep -q bob"
  printf '# Fractions\n\n1. 1/2 + 1/4 =\n2. 2/3 - 1/6 =\n' > ./var/demo/fractions-worksheet.md
  cs_b resource add --as bob --community maths@127.0.0.1:8080 --title "Fractions worksheet" \
    --file ./var/demo/fractions-worksheet.md --description "Two warm-up sums for year 5" \
    --level po --subject mathematics --language en >/dev/null
  wait_for "bob's worksheet to reach the community" sh -c "'$BIN' --data '$A' community posts maths | grep -q Fractions"
fi

echo
echo "== ann's timeline on school A"
cs_a timeline --as ann --limit 5
cat <<EOT
Two schools are running: http://127.0.0.1:8080 (teacher ann) and http://127.0.0.1:8081 (teacher bob).
Try, in another terminal:
  $BIN --data $A post --as ann "My first post"
  $BIN --data $B timeline --as bob
  $BIN --data $A lookup bob@127.0.0.1:8081
  $BIN --data $B followers --as bob --json
  $BIN --data $A community posts maths
  $BIN --data $A resource list
  $BIN --data $A resource fetch \$($BIN --data $B resource list --json | grep -m1 '"id"' | cut -d'"' -f4) --out ./var/demo/downloads
  $BIN --data $B post --as bob --community maths@127.0.0.1:8080 --title "Question" "Who teaches decimals?"
  curl -s http://127.0.0.1:8080/users/ann -H 'Accept: application/activity+json'
Logs: ./var/demo/a.log ./var/demo/b.log. Ctrl-C stops both; 'make run' again resumes them.
EOT
wait $PA $PB
