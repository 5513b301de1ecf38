/**
 * How the console's built renderer files are served, by the Electron `app://` handler and by the
 * browser host alike: the content types of the file kinds the build produces (anything else is
 * served as opaque bytes, never sniffed: both add `x-content-type-options: nosniff`).
 */
const RENDERER_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Content type for a renderer file by its extension (with the dot). */
export function rendererContentType(extension: string): string {
  return RENDERER_CONTENT_TYPES[extension.toLowerCase()] ?? 'application/octet-stream';
}
