import { describe, expect, it } from 'vitest';
import { formatReport, parseCorpus, preview, scoreCorpus, type CorpusItem } from './score';

const item = (id: string, expect: CorpusItem['expect'], category: string, text = id): CorpusItem => ({
  id,
  text,
  expect,
  category,
  shell: 'bash',
  platform: 'linux',
});

describe('scoreCorpus', () => {
  const items = [
    item('b1', 'block', 'download_execute'),
    item('b2', 'block', 'download_execute'),
    item('b3', 'block', 'encoded'),
    item('f1', 'flag', 'persistence'),
    item('f2', 'flag', 'persistence'),
    item('a1', 'allow', 'benign_admin'),
    item('a2', 'allow', 'benign_admin'),
    item('a3', 'allow', 'benign_admin'),
    item('a4', 'allow', 'benign_admin'),
    item('u1', 'unsure', 'other'),
  ];
  const decisions: Record<string, string> = {
    b1: 'block',
    b2: 'flag',
    b3: 'block',
    f1: 'block',
    f2: 'allow',
    a1: 'allow',
    a2: 'flag',
    a3: 'allow',
    a4: 'error',
    u1: 'block',
  };
  const report = scoreCorpus(items, (i) => decisions[i.id] as never);

  it('computes recall(block), recall(block+flag) with blocks counting as flags, and FPR(allow)', () => {
    expect(report.overall.recallBlock).toEqual({ hit: 2, total: 3 });
    expect(report.overall.recallBlockFlag).toEqual({ hit: 4, total: 5 }); // b1 b2 b3 f1 detected, f2 missed
    expect(report.overall.fprAllow).toEqual({ hit: 1, total: 4 }); // a2 flagged; an error is not a detection
    expect(report.scored).toBe(9);
    expect(report.unsure).toBe(1);
  });
  it('per category', () => {
    expect(report.byCategory.get('download_execute')?.recallBlock).toEqual({ hit: 1, total: 2 });
    expect(report.byCategory.get('persistence')?.recallBlockFlag).toEqual({ hit: 1, total: 2 });
    expect(report.byCategory.has('other')).toBe(false);
  });
  it('lists misses: blocks not blocked, flags not detected, allows not allowed, errors', () => {
    expect(report.misses.map((m) => [m.id, m.expected, m.got])).toEqual([
      ['b2', 'block', 'flag'],
      ['f2', 'flag', 'allow'],
      ['a2', 'allow', 'flag'],
      ['a4', 'allow', 'error'],
    ]);
  });
  it('an unsure line of a session is not scored but still reaches the evaluator (later lines see it as history)', () => {
    const seen: string[] = [];
    const session = (id: string, expect: CorpusItem['expect']): CorpusItem => ({ ...item(id, expect, 'download_execute'), session: 's1' });
    const r = scoreCorpus([session('set-up', 'unsure'), session('run', 'block'), item('alone', 'unsure', 'other')], (i) => {
      seen.push(i.id);
      return 'block';
    });
    expect(seen).toEqual(['set-up', 'run']);
    expect(r.scored).toBe(1);
    expect(r.unsure).toBe(2);
  });
  it('formats a report with targets and the first 120 characters of each miss', () => {
    const long = item('x', 'block', 'encoded', `${'A'.repeat(200)}\nsecond line`);
    const out = formatReport(scoreCorpus([long], () => 'allow'));
    expect(out).toMatch(/recall\(block\)\s+0\.0%\s+0\/1\s+target ≥ 97%: NOT met/);
    expect(out).toContain(`x  expected block got allow encoded            ${'A'.repeat(120)}…`);
    expect(formatReport(report)).toMatch(/FPR\(allow\)\s+25\.0%\s+1\/4/);
  });
});

describe('parseCorpus and preview', () => {
  it('keeps good lines and reports bad ones', () => {
    const good = JSON.stringify({
      id: '1',
      text: 't',
      expect: 'allow',
      category: 'benign_admin',
      shell: 'cmd',
      platform: 'windows',
      source: 's',
    });
    const { items, errors } = parseCorpus(
      `${good}\n{bad\n${JSON.stringify({ id: '2', text: 't', expect: 'maybe', shell: 'cmd', platform: 'windows' })}\n`,
    );
    expect(items).toHaveLength(1);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(/line 3: expect/);
  });
  it('preview escapes newlines and cuts', () => {
    expect(preview('a\nb', 120)).toBe('a\\nb');
    expect(preview('abcdef', 3)).toBe('abc…');
  });
});
