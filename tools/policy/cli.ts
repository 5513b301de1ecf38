/**
 * Entry point of `npm run --silent policy -- …` (see cli-main.ts for the commands).
 * Only this file touches the process and the real engine.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { evaluatePolicy } from '../../shared/policy/index';
import { runCli } from './cli-main';
import { createHash } from 'node:crypto';
import { useNativeSha256 } from '../../shared/policy/hash';

useNativeSha256(createHash);

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const code = await runCli(process.argv.slice(2), evaluatePolicy, {
  stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  readStdin: readAll,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  readFile: (path) => readFileSync(path, 'utf8'),
  now: () => Date.now(),
});
process.exitCode = code;
