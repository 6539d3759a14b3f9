// A Prisma generator that writes the DMMF it is handed to `<output>/dmmf.json`.
// The test suite's only way to read the DMMF: @prisma/internals (getDMMF) is not a dependency,
// and the generated client keeps only a pruned data model (no nullability, keys or schemas).
// Protocol: JSON-RPC requests arrive one per line on stdin; responses go to stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const respond = (message) => process.stderr.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  try {
    if (request.method === 'getManifest') {
      const manifest = { prettyName: 'DMMF dump', defaultOutput: '.', requiresEngines: [] };
      respond({ id: request.id, result: { manifest } });
    } else if (request.method === 'generate') {
      const output = request.params.generator.output.value;
      mkdirSync(output, { recursive: true });
      writeFileSync(join(output, 'dmmf.json'), JSON.stringify(request.params.dmmf.datamodel));
      respond({ id: request.id, result: null });
    }
  } catch (error) {
    respond({ id: request.id, error: { code: -32000, message: String(error?.stack ?? error) } });
  }
});
