/**
 * Text made safe to store: PostgreSQL refuses NUL in text and lone UTF-16 surrogates in jsonb,
 * and hostile input may contain both. Replacements keep the length, so offsets stay valid.
 */
export function storableText(text: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what is removed here
  return text.replace(/\u0000/g, '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The first `max` characters, never ending in the middle of a surrogate pair. */
export function boundedText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** JSON for a jsonb column, with every string made storable. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? storableText(item) : item));
}
