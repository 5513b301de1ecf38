import type { ReactNode } from 'react';
import { excerptRanges, segmentText, splitSpecialCharacters, type OffsetRange, type Piece } from './highlight';

/**
 * Renders text exactly as written with the given spans marked. Characters a person cannot see
 * (zero-width, bidi controls, control codes, odd spaces) are replaced by visible ⟨U+XXXX⟩ badges —
 * never emitted raw, so a right-to-left override cannot reorder what is shown — and look-alike
 * letters (full-width, Greek, Cyrillic) are flagged. React text nodes only, never HTML.
 */
export function CommandHighlight({ text, spans, label }: { text: string; spans: readonly OffsetRange[]; label?: string }) {
  const ranges = excerptRanges(text, spans);
  const excerpted = ranges.length !== 1 || ranges[0]?.start !== 0 || ranges[0]?.end !== text.length;
  const children: ReactNode[] = [];
  ranges.forEach((range, rangeIndex) => {
    if (excerpted && (rangeIndex > 0 || range.start > 0)) {
      children.push(
        <span key={`gap-${range.start}`} className="excerpt-gap" aria-label="text left out">
          {rangeIndex === 0 ? '…\n' : '\n…\n'}
        </span>,
      );
    }
    for (const segment of segmentText(text, spans, range)) {
      const content = renderPieces(splitSpecialCharacters(text.slice(segment.start, segment.end), segment.start));
      children.push(
        segment.depth > 0 ? (
          <mark
            key={`m-${segment.start}`}
            className={segment.depth > 1 ? 'mark-strong' : undefined}
            data-start={segment.start}
            data-end={segment.end}
          >
            {content}
          </mark>
        ) : (
          <span key={`t-${segment.start}`}>{content}</span>
        ),
      );
    }
  });
  const last = ranges[ranges.length - 1];
  if (excerpted && last && last.end < text.length) {
    children.push(
      <span key="gap-end" className="excerpt-gap" aria-label="text left out">
        {'\n…'}
      </span>,
    );
  }
  return (
    <pre className="command-text" aria-label={label} dir="ltr">
      <code>{children}</code>
    </pre>
  );
}

function renderPieces(pieces: Piece[]): ReactNode[] {
  return pieces.map((piece) => {
    if (piece.kind === 'text') return <span key={piece.start}>{piece.text}</span>;
    const { character } = piece;
    const description = `${character.name} (${character.label})`;
    if (character.kind === 'lookalike') {
      return (
        <span key={piece.start} className="char-lookalike" title={description} data-code-point={character.label}>
          {piece.text}
        </span>
      );
    }
    return (
      <span
        key={piece.start}
        className={`char-badge char-${character.kind}`}
        role="img"
        aria-label={description}
        title={description}
        data-code-point={character.label}
      >
        {`⟨${character.label}⟩`}
      </span>
    );
  });
}
