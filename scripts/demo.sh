#!/usr/bin/env bash
# `make demo`: hotpod runs the bundled Go + Gin example; edit it and watch it reload.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
hotpod=$(readlink -f "${1:-$repo/build/hotpod}")
app="$repo/examples/gin-app"

# Go needs a build cache; keep it in the repository's (git-ignored) .cache unless one is set.
export GOCACHE="${GOCACHE:-$repo/.cache/go}"
export PORT="${PORT:-8080}"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "demo: port $PORT is taken; run: PORT=8090 make demo" >&2
  exit 1
fi

cat <<EOF

  hotpod demo — the Go + Gin app in examples/gin-app

  1. wait for "listening on http://127.0.0.1:$PORT" below (the first Go build takes ~10 s)
  2. open   http://127.0.0.1:$PORT/        (or: curl http://127.0.0.1:$PORT/)
  3. edit   examples/gin-app/main.go — change the greeting constant — and save
  4. reload the page: hotpod rebuilt and restarted the app; break the code and the old
     version keeps answering while the build error is shown here
  5. stop   Ctrl-C

EOF
cd "$app"
exec "$hotpod" run
