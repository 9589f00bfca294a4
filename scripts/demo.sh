#!/usr/bin/env bash
# `make run`: two demo schools on 127.0.0.1:8080 and :8081, a teacher on each following the
# other and a first post exchanged, a community on A that B's teacher joined and shared a
# worksheet in, served until Ctrl-C or SIGTERM (both stop both servers). Data stays in
# ./var/demo/{a,b}. CLOUDSCHOOL_DEMO_PORT_A / _PORT_B (default 8080 / 8081) and
# CLOUDSCHOOL_DEMO_DIR (default ./var/demo) move it, e.g. next to another demo already running.
set -euo pipefail
BIN=${1:-build/cloudschool}
BIN=$(realpath "$BIN")
PORT_A=${CLOUDSCHOOL_DEMO_PORT_A:-8080}
PORT_B=${CLOUDSCHOOL_DEMO_PORT_B:-8081}
DEMO=${CLOUDSCHOOL_DEMO_DIR:-./var/demo}
A=$DEMO/a
B=$DEMO/b
HOST_A=127.0.0.1:$PORT_A
HOST_B=127.0.0.1:$PORT_B
cs_a() { "$BIN" --data "$A" "$@"; }
cs_b() { "$BIN" --data "$B" "$@"; }

for port in "$PORT_A" "$PORT_B"; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "port $port is in use: stop what runs there (an earlier 'make run'?) and try again" >&2
    exit 1
  fi
done

first_run=0
if [ ! -f "$A/cloudschool.toml" ]; then
  first_run=1
  echo "== setting up two demo schools (first run)"
  cs_a init --domain "$HOST_A" --http --allow-addresses 127.0.0.0/8
  cs_a user add ann --display-name "Ann (School A)"
  cs_b init --domain "$HOST_B" --http --allow-addresses 127.0.0.0/8
  cs_b user add bob --display-name "Bob (School B)"
fi

mkdir -p "$DEMO"
# The servers themselves in the background (not a function or subshell around them): $! is then
# the server's pid, so the trap below stops the servers, not a shell that would leave them running.
"$BIN" --data "$A" serve --listen "$HOST_A" > "$DEMO/a.log" 2>&1 &
PA=$!
"$BIN" --data "$B" serve --listen "$HOST_B" > "$DEMO/b.log" 2>&1 &
PB=$!
# Background commands of a script ignore SIGINT, so Ctrl-C reaches the servers only through this
# trap, as SIGTERM does. `|| true`: under `set -e` the status of the stopped servers (wait
# returns theirs) must not end the script before it says so.
stop() {
  trap - INT TERM
  kill -TERM "$PA" "$PB" 2>/dev/null || true
  wait "$PA" "$PB" 2>/dev/null || true
  echo
  echo "stopped both schools"
}
trap 'stop; exit 0' INT TERM

for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/.well-known/nodeinfo" 2>/dev/null && break
    sleep 0.1
  done
done

wait_for() {  # wait_for DESCRIPTION COMMAND...: polls for up to 10 s
  local what=$1; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for: $what (see $DEMO/*.log)" >&2
  return 1
}

if [ $first_run = 1 ]; then
  echo "== ann (school A) follows bob (school B), and bob follows ann"
  cs_a follow --as ann bob@$HOST_B
  cs_b follow --as bob ann@$HOST_A
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
  cs_b join --as bob maths@$HOST_A
  wait_for "the community to accept bob" sh -c "'$BIN' --data '$A' community members maths | grep -q bob"
  printf '# Fractions\n\n1. 1/2 + 1/4 =\n2. 2/3 - 1/6 =\n' > "$DEMO/fractions-worksheet.md"
  cs_b resource add --as bob --community maths@$HOST_A --title "Fractions worksheet" \
    --file "$DEMO/fractions-worksheet.md" --description "Two warm-up sums for year 5" \
    --level po --subject mathematics --language en >/dev/null
  wait_for "bob's worksheet to reach the community" sh -c "'$BIN' --data '$A' community posts maths | grep -q Fractions"
fi

echo
echo "== ann's timeline on school A"
cs_a timeline --as ann --limit 5
cat <<EOT
Two schools are running: http://$HOST_A (teacher ann) and http://$HOST_B (teacher bob).
Try, in another terminal:
  $BIN --data $A post --as ann "My first post"
  $BIN --data $B timeline --as bob
  $BIN --data $A lookup bob@$HOST_B
  $BIN --data $B followers --as bob --json
  $BIN --data $A community posts maths
  $BIN --data $A resource list
  $BIN --data $A resource fetch \$($BIN --data $B resource list --json | grep -m1 '"id"' | cut -d'"' -f4) --out $DEMO/downloads
  $BIN --data $B post --as bob --community maths@$HOST_A --title "Question" "Who teaches decimals?"
  curl -s http://$HOST_A/users/ann -H 'Accept: application/activity+json'
Logs: $DEMO/a.log $DEMO/b.log. Ctrl-C stops both; 'make run' again resumes them.
EOT
# Returns when a signal arrives (the trap stops both) or when a server exits by itself.
wait "$PA" "$PB" || true
stop
