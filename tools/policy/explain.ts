/**
 * Human explanation of a policy result: the decision, each reason (code, severity, message,
 * remedy) and the text with every reason's spans underlined by its number on the line below.
 */
import type { PolicyResult, Span } from '../../shared/policy/types';

/** Lines shown around a marked line when the text is long. */
const CONTEXT_LINES = 1;
/** Longest line printed whole; longer lines are cut around their marks. */
const MAX_LINE = 160;

/** One display column per UTF-16 unit; tabs and control characters become one space so marks line up. */
function displayable(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out +=
      c < 0x20 || c === 0x7f || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ? ' ' : s[i];
  }
  return out;
}

/** Marker for reason i (0-based): 1–9, then letters; '^' where reasons overlap. */
function markerFor(i: number): string {
  return i < 9 ? String(i + 1) : String.fromCharCode(97 + ((i - 9) % 26));
}

export function formatMarkedText(text: string, spansPerReason: readonly (readonly Span[])[]): string {
  const marks = new Array<string>(text.length).fill(' ');
  spansPerReason.forEach((spans, r) => {
    for (const s of spans) {
      const start = Math.max(0, Math.min(text.length, s.start));
      const end = Math.max(start, Math.min(text.length, s.end));
      for (let p = start; p < end; p++) marks[p] = marks[p] === ' ' || marks[p] === markerFor(r) ? markerFor(r) : '^';
      // An empty span (a position) is shown as a mark on the character it points at.
      if (end === start && start < text.length) marks[start] = markerFor(r);
    }
  });
  const lines: { no: number; text: string; mark: string }[] = [];
  let offset = 0;
  text.split('\n').forEach((line, i) => {
    const mark = marks
      .slice(offset, offset + line.length)
      .join('')
      .trimEnd();
    lines.push({ no: i + 1, text: line, mark });
    offset += line.length + 1;
  });
  const show = new Set<number>();
  const long = lines.length > 20;
  lines.forEach((l, i) => {
    if (!long || l.mark !== '') for (let k = i - (long ? CONTEXT_LINES : 0); k <= i + (long ? CONTEXT_LINES : 0); k++) show.add(k);
  });
  const width = String(lines.length).length;
  const out: string[] = [];
  let last = -1;
  lines.forEach((l, i) => {
    if (!show.has(i)) return;
    if (i !== last + 1) out.push(`${' '.repeat(width)} …`); // lines left out
    last = i;
    let t = displayable(l.text);
    let m = l.mark;
    if (t.length > MAX_LINE) {
      // Cut around the first mark so it stays visible.
      const first = m.search(/\S/);
      const from = Math.max(0, (first < 0 ? 0 : first) - 40);
      t = (from > 0 ? '…' : '') + t.slice(from, from + MAX_LINE) + '…';
      m = (from > 0 ? ' ' : '') + m.slice(from, from + MAX_LINE);
    }
    out.push(`${String(l.no).padStart(width)} | ${t}`);
    if (m.trim() !== '') out.push(`${' '.repeat(width)} | ${m}`);
  });
  if (last < lines.length - 1) out.push(`${' '.repeat(width)} …`);
  return out.join('\n');
}

export function formatExplanation(text: string, result: PolicyResult): string {
  const out: string[] = [];
  out.push(
    `Decision: ${result.decision.toUpperCase()}  (shell ${result.shell}, trust ${result.trustInForce}${result.permittedByHash ? ', permitted by hash' : ''})`,
  );
  out.push(`sha256:   ${result.sha256}`);
  if (result.reasons.length === 0) {
    out.push('', 'No reasons: nothing in the text matched a rule.');
  } else {
    out.push('', 'Reasons:');
    result.reasons.forEach((r, i) => {
      out.push(`  [${markerFor(i)}] ${r.code} (${r.severity}, rule ${r.ruleId})`);
      out.push(`      ${r.message}`);
      if (r.remedy) out.push(`      Remedy: ${r.remedy}`);
      if (r.spans.length)
        out.push(
          `      At: ${r.spans.map((s) => `${s.start}–${s.end} ${JSON.stringify(text.slice(s.start, s.end).slice(0, 60))}`).join(', ')}`,
        );
    });
  }
  if (result.destinations.length) {
    out.push('', 'Destinations:');
    for (const d of result.destinations) out.push(`  ${d.kind.padEnd(4)} ${d.url ?? d.host}  (${d.span.start}–${d.span.end})`);
  }
  out.push(
    '',
    'Text (reasons marked by number, ^ where they overlap):',
    formatMarkedText(
      text,
      result.reasons.map((r) => r.spans),
    ),
  );
  return out.join('\n');
}
