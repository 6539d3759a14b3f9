#!/usr/bin/env bash
# Static checks of the deployment files, for machines without a Docker engine or cluster
# (docs/deploy.md, "What was validated"):
#   1. docker-compose.yml against the Compose schema (`docker compose config -q`, or the
#      Debian `docker-compose` 1.29 when the compose plugin is missing);
#   2. k8s/ renders with kustomize (`kubectl kustomize`);
#   3. every rendered object against the Kubernetes / KEDA API types: kubernetes-models'
#      JSON-schema validators (types, required fields), then tsc on the objects written as
#      typed literals (unknown or misplaced fields). Its npm packages go to a temp dir.
#   4. the shell scripts parse (bash -n / sh -n).
# Usage: bash infra/docker/validate.sh    (from anywhere; exits non-zero on the first failure)
set -Eeuo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
say() { printf '[validate] %s\n' "$*"; }

# The secrets compose requires (${VAR:?...}) only need to be present to check the file.
export GATEWAY_SIGNING_KEY="${GATEWAY_SIGNING_KEY:-validate-only}"
export BOOKING_REQUEST_ID_SECRET="${BOOKING_REQUEST_ID_SECRET:-validate-only-secret}"
export INTERNAL_API_TOKEN="${INTERNAL_API_TOKEN:-validate-only-secret}"

if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
  say "docker-compose.yml: valid (docker compose config)"
elif command -v docker-compose >/dev/null; then
  docker-compose --project-directory "$REPO" -f docker-compose.yml config -q
  say "docker-compose.yml: valid ($(docker-compose version --short))"
else
  say "no docker compose: install the plugin, or apt-get install docker-compose" >&2
  exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
kubectl kustomize k8s >"$WORK/rendered.yaml"
say "k8s/: kustomize renders $(grep -c '^kind:' "$WORK/rendered.yaml") objects"

(cd "$WORK" && echo '{"private":true,"type":"module"}' >package.json &&
  npm install --no-audit --no-fund --silent kubernetes-models @kubernetes-models/keda yaml >/dev/null)
cat >"$WORK/check.mjs" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const docs = parseAllDocuments(readFileSync('rendered.yaml', 'utf8')).map((d) => d.toJS()).filter(Boolean);
let bad = 0;
let ts = '';
for (const [i, obj] of docs.entries()) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const base = group === 'keda.sh' ? '@kubernetes-models/keda/keda.sh' : group ? `kubernetes-models/${group}` : 'kubernetes-models';
  const mod = await import(`${base}/${version}/${obj.kind}`);
  try {
    new mod[obj.kind](obj).validate();
  } catch (error) {
    bad++;
    console.log(`${obj.kind}/${obj.metadata.name}: ${error.message}`);
  }
  ts += `import type { I${obj.kind} as T${i} } from '${base}/${version}/${obj.kind}';\n`;
  ts += `// ${obj.kind}/${obj.metadata.name}\nexport const m${i}: T${i} = ${JSON.stringify(obj, null, 2)};\n`;
}
writeFileSync('check.ts', ts);
process.exit(bad ? 1 : 0);
EOF
(cd "$WORK" && node check.mjs)
say "k8s/: every object passes its API schema"
cat >"$WORK/tsconfig.json" <<'EOF'
{ "compilerOptions": { "strict": true, "noEmit": true, "module": "nodenext", "moduleResolution": "nodenext", "skipLibCheck": true, "target": "es2022" }, "files": ["check.ts"] }
EOF
"$REPO/node_modules/.bin/tsc" -p "$WORK/tsconfig.json"
say "k8s/: no unknown or misplaced fields (tsc)"

bash -n infra/docker/kannel/entrypoint.sh
bash -n infra/docker/kannel/healthcheck.sh
sh -n k8s/kafka/create-topics.sh
say "scripts parse"
