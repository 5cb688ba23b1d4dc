#!/usr/bin/env bash
# Sets up mliflow on a fresh Debian machine with Node 20 and npm, then runs the main job:
# the example model deployed on the default board (the host).
#   bash scripts/setup.sh            set up, then run the example
#   bash scripts/setup.sh --no-run   set up only (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

run_example=1
for arg in "$@"; do
  case "$arg" in
    --no-run) run_example=0 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }

step "Node.js"
if ! command -v node >/dev/null 2>&1; then
  echo "setup.sh: Node.js 20 or newer is required: apt-get install -y nodejs npm (or see nodejs.org)" >&2
  exit 3
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: Node.js $(node --version) is too old; mliflow needs 20 or newer" >&2
  exit 3
fi
echo "node $(node --version)"

step "pnpm"
pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  echo "installing pnpm $pnpm_version with npm"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi
echo "pnpm $(pnpm --version)"

step "toolchains (Debian packages)"
bash scripts/setup-toolchains.sh

step "dependencies"
pnpm install --frozen-lockfile --reporter=append-only

if [ "$run_example" = 1 ]; then
  step "example: deploy the example model on the host board"
  pnpm run deploy --board host
fi
