#!/usr/bin/env bash
# CI: run the README's production recipe exactly as written, on a fresh copy of this checkout, against
# PostgreSQL and Redis; then smoke-test the running site over HTTP. Fails if any step fails.
#
# The recipe is the fenced block between the production-recipe markers of README.md. Its lines before the
# "long-running processes" comment run one after another and must succeed; the lines after it start the
# processes (gunicorn, the Celery worker), which run in the background until the smoke test is done.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout="$PWD"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB_NAME="guanjia_production_recipe"
REDIS_DB_URL="${PRODUCTION_REDIS_URL:-redis://127.0.0.1:6379/11}"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 20); do  # a warm shutdown first, as a supervisor would; then whatever is left
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== production recipe: a fresh copy of the checkout in $work/app"
git clone --quiet --no-hardlinks "$checkout" "$work/app"
# Uncommitted work would be missing from the clone; CI runs on a clean clone, where they are the same.
recipe="$(awk '/<!-- production-recipe:begin -->/{on=1; next} /<!-- production-recipe:end -->/{on=0} on' README.md \
  | sed -e '/^```/d')"
[ -n "$recipe" ] || { echo "README.md has no production recipe between its markers"; exit 1; }

echo "== a new database and an empty Redis database"
.venv/bin/python - "$PG_ADMIN_URL" "$DB_NAME" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY
.venv/bin/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS_DB_URL"

export DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
PII_HASH_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
export SECRET_KEY PII_HASH_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
export REDIS_URL="$REDIS_DB_URL"
export GUANJIA_VAR_DIR="$work/var"
export SWEEP_INTERVAL_SECONDS=5

cd "$work/app"
background=0
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  if [[ "$line" =~ ^[[:space:]]*# ]]; then
    [[ "$line" == *"long-running processes"* ]] && background=1
    continue
  fi
  if [ "$background" = 0 ]; then
    echo "== \$ $line"
    bash -euo pipefail -c "$line" 2>&1 | tee "$work/step.log"
    if grep -q "System check identified some issues" "$work/step.log"; then echo "check --deploy warned"; exit 1; fi
  else
    echo "== \$ $line &"
    setsid bash -c "exec $line" >"$work/process-${#pids[@]}.log" 2>&1 &
    pids+=("$!")
  fi
done <<< "$recipe"
[ "${#pids[@]}" -ge 2 ] || { echo "the recipe starts no long-running processes"; exit 1; }

echo "== smoke test through HTTP"
.venv/bin/python manage.py load_demo --no-cases >/dev/null
base_url="$(grep -oE -- '--bind [0-9.]+:[0-9]+' <<< "$recipe" | head -1 | awk '{print "http://" $2}')"
if ! .venv/bin/python "$checkout/scripts/smoke.py" "$base_url" qiantai guanjia123; then
  for log in "$work"/process-*.log; do echo "--- $log"; tail -40 "$log"; done
  exit 1
fi
for pid in "${pids[@]}"; do
  kill -0 "$pid" 2>/dev/null || { echo "a recipe process exited early"; tail -40 "$work"/process-*.log; exit 1; }
done
echo "== production recipe: passed"
