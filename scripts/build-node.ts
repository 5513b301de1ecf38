/**
 * Builds the Node programs (control-plane server, endpoint agent, policy CLI) to plain
 * JavaScript in build-node/: our own TypeScript is bundled, packages stay in node_modules.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const programs = { server: 'server/cli.ts', agent: 'agent/cli.ts', policy: 'tools/policy/cli.ts' };

const entryPoints = Object.fromEntries(Object.entries(programs).filter(([, file]) => existsSync(path.join(root, file))));

await build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'build-node',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'info',
});
console.log(`built: ${Object.keys(entryPoints).join(', ')} → build-node/`);
