/**
 * `npm test`: every suite of the project, one after the other, then ONE closing line
 * `N passed, N failed, N skipped` summed over all of them (CI reads that line).
 *
 * Suites: lint and formatting, the per-process type-checks, vitest (unit, component,
 * black-box server tests, security gate), and Playwright (browser journeys). A check suite
 * (lint, a type-check) counts as one test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

const root = path.resolve(import.meta.dirname, '..');
const reports = path.join(root, 'reports');
mkdirSync(reports, { recursive: true });

function run(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  console.log(`\n── ${title} ──`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error) console.error(`could not run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function checkSuite(title: string, npmScript: string): Tally {
  const status = run(title, 'npm', ['run', '--silent', npmScript]);
  return { passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function vitestSuite(): Tally {
  const outputFile = path.join(reports, 'vitest.json');
  rmSync(outputFile, { force: true });
  const status = run('unit, component and server tests (vitest)', 'npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${outputFile}`,
  ]);
  const report = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(outputFile);
  if (!report) return { passed: 0, failed: 1, skipped: 0 };
  // A failing file that ran no test (import error) still fails the suite.
  const failed = report.numFailedTests + (status !== 0 && report.numFailedTests === 0 ? 1 : 0);
  return { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests };
}

function playwrightSuite(): Tally {
  const outputFile = path.join(reports, 'playwright.json');
  rmSync(outputFile, { force: true });
  const status = run('browser journeys (Playwright)', 'npx', ['playwright', 'test']);
  const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(outputFile);
  if (!report) return { passed: 0, failed: 1, skipped: 0 };
  const failed = report.stats.unexpected + (status !== 0 && report.stats.unexpected === 0 ? 1 : 0);
  return { passed: report.stats.expected + report.stats.flaky, failed, skipped: report.stats.skipped };
}

const suites: [string, () => Tally][] = [
  ['lint', () => checkSuite('lint (ESLint: layering, dangerous patterns, type-aware rules)', 'lint')],
  ['format', () => checkSuite('formatting (Prettier)', 'format:check')],
  ['typecheck:shared', () => checkSuite('type-check shared/ (no DOM, no Node)', 'typecheck:shared')],
  ['typecheck:renderer', () => checkSuite('type-check renderer/ (DOM)', 'typecheck:renderer')],
  ['typecheck:main', () => checkSuite('type-check main/ + preload/ (Node + Electron)', 'typecheck:main')],
  ['typecheck:node', () => checkSuite('type-check server/ + agent/ + tools (Node)', 'typecheck:node')],
  ['typecheck:tests', () => checkSuite('type-check tests', 'typecheck:tests')],
  ['vitest', vitestSuite],
  ['playwright', playwrightSuite],
];

const only = process.argv.slice(2);
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];
for (const [name, suite] of suites) {
  if (only.length > 0 && !only.includes(name)) continue;
  const tally = suite();
  total.passed += tally.passed;
  total.failed += tally.failed;
  total.skipped += tally.skipped;
  if (tally.failed > 0) failures.push(name);
}

if (!existsSync(path.join(root, 'node_modules'))) console.error('node_modules is missing: run `npm ci` first.');
console.log(`\nsuites with failures: ${failures.length > 0 ? failures.join(', ') : 'none'}`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed > 0 ? 1 : 0;
