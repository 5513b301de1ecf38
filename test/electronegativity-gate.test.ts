/**
 * The Electron security gate, run for real: the console's own sources pass with the reviewed
 * exceptions; a deliberately insecure webPreferences is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithExceptions, runGate } from '../tools/security/electronegativity-gate';

const root = path.resolve(import.meta.dirname, '..');
const exceptionsFile = path.join(root, 'security/electronegativity-exceptions.json');
const scratch = mkdtempSync(path.join(tmpdir(), 'gate-test-'));

describe('electronegativity gate', () => {
  it('passes on the console sources with every finding reviewed', () => {
    const result = runGate({ projectDir: root, exceptionsFile, sarifPath: path.join(scratch, 'console.sarif') });
    expect(result.unlisted).toEqual([]);
    expect(result.stale).toEqual([]);
  }, 120_000);

  it('refuses nodeIntegration: true and contextIsolation: false', () => {
    const result = runGate({
      projectDir: path.join(root, 'test/fixtures/insecure-console'),
      exceptionsFile,
      sarifPath: path.join(scratch, 'insecure.sarif'),
    });
    const checks = result.unlisted.map((f) => f.check);
    expect(checks).toContain('NODE_INTEGRATION_JS_CHECK');
    expect(checks).toContain('CONTEXT_ISOLATION_JS_CHECK');
  }, 120_000);

  it('matches exceptions by check and file only', () => {
    const finding = { check: 'PRELOAD_JS_CHECK', file: 'main/index.ts', line: 3, message: 'x' };
    const exception = { check: 'PRELOAD_JS_CHECK', file: 'main/index.ts', reason: 'reviewed: named actions only' };
    expect(compareWithExceptions([finding], [exception])).toEqual({ unlisted: [], stale: [] });
    expect(compareWithExceptions([{ ...finding, file: 'main/other.ts' }], [exception]).unlisted).toHaveLength(1);
    expect(compareWithExceptions([], [exception]).stale).toEqual([exception]);
  });
});
