/**
 * The layering and dangerous-pattern rules, run through the project's real ESLint config
 * (only Bulwark's own rules are reported, so the cases stay focused).
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId.startsWith('bulwark/'),
  // Type information is not needed by these rules, and lets the cases use files that do not exist.
  overrideConfig: { languageOptions: { parserOptions: { project: false } } },
});

async function messagesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('layering', () => {
  it.each([
    ['renderer/src/x.tsx', "import { readFileSync } from 'node:fs';", /renderer\/' runs where Node is not available: 'node:fs'/],
    ['renderer/src/x.tsx', "import fs from 'fs';", /'fs' is not allowed/],
    ['renderer/src/x.tsx', "import { x } from '../../server/app';", /'renderer\/' may not import from 'server\/'/],
    ['renderer/src/x.tsx', "import { x } from '../../main/index';", /may not import from 'main\/'/],
    ['shared/policy/x.ts', "import { x } from '../../server/app';", /'shared\/' may not import from 'server\/'/],
    ['shared/policy/x.ts', "import { createHash } from 'node:crypto';", /'shared\/' runs where Node is not available/],
    ['shared/x.ts', "export * from '../agent/cli';", /'shared\/' may not import from 'agent\/'/],
    ['server/x.ts', "import { x } from '../renderer/src/App';", /'server\/' may not import from 'renderer\/'/],
    ['server/x.ts', "import { x } from '../preload/index';", /may not import from 'preload\/'/],
    ['agent/x.ts', "import { x } from '../main/index';", /'agent\/' may not import from 'main\/'/],
    ['server/x.ts', "import { app } from 'electron';", /'electron' may be imported only in main\/ and preload\//],
    ['renderer/src/x.tsx', "const m = await import('electron');", /'electron' may be imported only/],
    ['preload/x.ts', "import { readFileSync } from 'node:fs';", /'preload\/' runs where Node is not available/],
  ])('%s: %s is refused', async (file, code, expected) => {
    const messages = await messagesFor(file, code);
    expect(
      messages.some((m) => expected.test(m)),
      messages.join('\n'),
    ).toBe(true);
  });

  it.each([
    ['renderer/src/x.tsx', "import { IpcChannel } from '../../shared/ipc/channels';\nimport { create } from 'zustand';"],
    [
      'main/x.ts',
      "import { app } from 'electron';\nimport { join } from 'node:path';\nimport { IpcChannel } from '../shared/ipc/channels';",
    ],
    ['preload/x.ts', "import { contextBridge } from 'electron';"],
    ['server/x.ts', "import { createHash } from 'node:crypto';\nimport { REASON_CODES } from '../shared/policy/types';"],
    ['shared/policy/x.ts', "import { z } from 'zod';\nimport type { Span } from './types';"],
    ['shared/policy/x.test.ts', "import { readFileSync } from 'node:fs';"],
  ])('%s: allowed imports pass', async (file, code) => {
    expect(await messagesFor(file, code)).toEqual([]);
  });
});

describe('dangerous patterns', () => {
  it.each([
    ['renderer/src/x.tsx', 'export function f(el: HTMLElement, s: string) { el.innerHTML = s; }', /Assigning innerHTML/],
    ['renderer/src/x.tsx', 'export function f(el: HTMLElement, s: string) { el.outerHTML = s; }', /Assigning outerHTML/],
    [
      'renderer/src/x.tsx',
      'export const X = (p: { h: string }) => <div dangerouslySetInnerHTML={{ __html: p.h }} />;',
      /dangerouslySetInnerHTML/,
    ],
    ['shared/x.ts', 'export const f = (s: string): unknown => eval(s);', /eval\(\) runs a string/],
    ['server/x.ts', "export const f = new Function('return 1');", /new Function\(\) runs a string/],
    ['renderer/src/x.tsx', "setTimeout('alert(1)', 10);", /string passed to setTimeout/],
    ['renderer/src/x.tsx', 'export const f = (el: HTMLElement, s: string) => el.insertAdjacentHTML("beforeend", s);', /insertAdjacentHTML/],
    [
      'main/x.ts',
      "import { shell } from 'electron';\nvoid shell.openExternal('https://example.org');",
      /openExternal may be called only in main\/security\/external-links.ts/,
    ],
  ])('%s: %s is refused', async (file, code, expected) => {
    const messages = await messagesFor(file, code);
    expect(
      messages.some((m) => expected.test(m)),
      messages.join('\n'),
    ).toBe(true);
  });

  it('lets the one allow-listing module call shell.openExternal', async () => {
    const code = readFileSync(path.join(root, 'main/security/external-links.ts'), 'utf8');
    expect(await messagesFor('main/security/external-links.ts', code)).toEqual([]);
  });

  it('keeps every reviewed exception justified and pointing at a real file', () => {
    const entries = JSON.parse(readFileSync(path.join(root, 'security/dangerous-pattern-exceptions.json'), 'utf8')) as {
      file: string;
      pattern: string;
      reason: string;
    }[];
    for (const entry of entries) {
      expect(existsSync(path.join(root, entry.file)), entry.file).toBe(true);
      expect(entry.reason.trim().length, `${entry.file}: reason`).toBeGreaterThan(20);
    }
  });
});
