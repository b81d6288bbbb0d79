#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are up,
# starting them if not. With --check it only reports, and fails naming the
# command that starts whichever is down.
set -u
check=${1:-}
PG_START='pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
REDIS_START='redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log'

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

status=0
if ! pg_up; then
  if [ "$check" = "--check" ]; then echo "PostgreSQL is down on 127.0.0.1:5432 — start it with: $PG_START"; status=1
  else echo "starting PostgreSQL: $PG_START"; eval "$PG_START" || status=1; fi
fi
if ! redis_up; then
  if [ "$check" = "--check" ]; then echo "Redis is down on 127.0.0.1:6379 — start it with: $REDIS_START"; status=1
  else echo "starting Redis: $REDIS_START"; eval "$REDIS_START" || status=1; fi
fi
if [ "$check" != "--check" ]; then
  for i in $(seq 1 30); do pg_up && redis_up && break; sleep 1; done
fi
pg_up && echo "PostgreSQL: up on 127.0.0.1:5432" || { echo "PostgreSQL: DOWN"; status=1; }
redis_up && echo "Redis: up on 127.0.0.1:6379" || { echo "Redis: DOWN"; status=1; }
exit $status
