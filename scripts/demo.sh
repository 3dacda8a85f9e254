#!/usr/bin/env bash
# `make demo`: hotpod runs the bundled Go + Gin example; edit it and watch it reload.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
hotpod=$(readlink -f "${1:-$repo/build/hotpod}")
app="$repo/examples/gin-app"

# Go needs a build cache; keep it in the repository's (git-ignored) .cache unless one is set.
export GOCACHE="${GOCACHE:-$repo/.cache/go}"
# The example's hotpod.yaml puts hotpod's dev proxy on 127.0.0.1:8080 and gives the app a private
# port; PORT moves the proxy.
PORT="${PORT:-8080}"
export HOTPOD_PROXY_LISTEN="127.0.0.1:$PORT"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "demo: port $PORT is taken; run: PORT=8090 make demo" >&2
  exit 1
fi

cat <<EOF

  hotpod demo — the Go + Gin app in examples/gin-app

  1. wait for the app's "listening on" line below (the first Go build takes ~10 s); it names
     the app's private port: hotpod's dev proxy on 127.0.0.1:$PORT forwards to it
  2. open   http://127.0.0.1:$PORT/        (or: curl http://127.0.0.1:$PORT/)
  3. edit   examples/gin-app/main.go — change the greeting constant — and save
  4. reload the page: hotpod rebuilt and restarted the app (a request made meanwhile waits
     for the new version instead of failing); break the code and the old version keeps
     answering while the build error is shown here
  5. stop   Ctrl-C

EOF
cd "$app"
exec "$hotpod" run
