/**
 * Electron security gate: runs @doyensec/electronegativity over the console's sources to a
 * SARIF file and fails when a finding is not listed, with a justification, in
 * security/electronegativity-exceptions.json. Electronegativity itself always exits 0, so the
 * verdict comes from reading the SARIF.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';

const require = createRequire(import.meta.url);

export const CONSOLE_SOURCE_DIRS = ['main', 'preload', 'renderer'] as const;
/** Needs the network to look up Electron releases. */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

const exceptionSchema = z.array(
  z.object({
    check: z.string().min(1),
    file: z.string().min(1),
    reason: z.string().min(20, 'each exception needs a one-line justification'),
  }),
);
export type ElectronegativityException = z.infer<typeof exceptionSchema>[number];

const sarifSchema = z.object({
  runs: z.array(
    z.object({
      results: z.array(
        z.object({
          ruleId: z.string(),
          message: z.object({ text: z.string() }),
          locations: z
            .array(
              z.object({
                physicalLocation: z.object({
                  artifactLocation: z.object({ uri: z.string() }),
                  region: z.object({ startLine: z.number() }).partial().optional(),
                }),
              }),
            )
            .default([]),
        }),
      ),
    }),
  ),
});

export interface Finding {
  check: string;
  file: string;
  line?: number;
  message: string;
}

export interface GateResult {
  findings: Finding[];
  unlisted: Finding[];
  /** Exceptions no finding matched any more: candidates for removal. */
  stale: ElectronegativityException[];
  sarifPath: string;
}

export function loadExceptions(file: string): ElectronegativityException[] {
  return exceptionSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function readSarif(file: string): Finding[] {
  const sarif = sarifSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return sarif.runs.flatMap((run) =>
    run.results.map((result) => {
      const location = result.locations[0]?.physicalLocation;
      return {
        check: result.ruleId,
        file: (location?.artifactLocation.uri ?? '').split(path.sep).join('/'),
        line: location?.region?.startLine,
        message: result.message.text,
      };
    }),
  );
}

export function compareWithExceptions(
  findings: Finding[],
  exceptions: ElectronegativityException[],
): Pick<GateResult, 'unlisted' | 'stale'> {
  const listed = (finding: Finding) => exceptions.some((e) => e.check === finding.check && e.file === finding.file);
  const used = (exception: ElectronegativityException) => findings.some((f) => f.check === exception.check && f.file === exception.file);
  return { unlisted: findings.filter((f) => !listed(f)), stale: exceptions.filter((e) => !used(e)) };
}

/**
 * Scans `projectDir` (its main/, preload/, renderer/ and package.json are copied to a scratch
 * folder first, so node_modules is never scanned) and compares with the exceptions.
 */
export function runGate(options: { projectDir: string; exceptionsFile: string; sarifPath: string }): GateResult {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bulwark-electronegativity-'));
  try {
    for (const dir of CONSOLE_SOURCE_DIRS) {
      const from = path.join(options.projectDir, dir);
      if (existsSync(from)) cpSync(from, path.join(scratch, dir), { recursive: true });
    }
    cpSync(path.join(options.projectDir, 'package.json'), path.join(scratch, 'package.json'));
    mkdirSync(path.dirname(options.sarifPath), { recursive: true });
    rmSync(options.sarifPath, { force: true });
    const cli = require.resolve('@doyensec/electronegativity/dist/index.js');
    const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
    const run = spawnSync(
      process.execPath,
      [cli, '-i', scratch, '-o', options.sarifPath, '-r', '-v', 'false', '-e', electronVersion, '-x', EXCLUDED_CHECKS.join(',')],
      {
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    if (!existsSync(options.sarifPath)) {
      throw new Error(`electronegativity wrote no SARIF (exit ${String(run.status)}): ${run.stderr || run.stdout}`);
    }
    const findings = readSarif(options.sarifPath);
    return { findings, ...compareWithExceptions(findings, loadExceptions(options.exceptionsFile)), sarifPath: options.sarifPath };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function main(): void {
  const root = process.cwd();
  const projectDir = path.resolve(process.argv[2] ?? root);
  const result = runGate({
    projectDir,
    exceptionsFile: path.join(root, 'security/electronegativity-exceptions.json'),
    sarifPath: path.join(root, 'reports/electronegativity.sarif'),
  });
  for (const e of result.stale) console.log(`note: exception no longer needed: ${e.check} ${e.file}`);
  if (result.unlisted.length > 0) {
    console.error(`Electron security gate: ${result.unlisted.length} finding(s) not in security/electronegativity-exceptions.json:`);
    for (const f of result.unlisted) console.error(`  ${f.check}  ${f.file}${f.line ? `:${f.line}` : ''}  ${f.message}`);
    process.exitCode = 1;
    return;
  }
  console.log(
    `Electron security gate passed: ${result.findings.length} finding(s), all reviewed (SARIF: ${path.relative(root, result.sarifPath)}).`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
