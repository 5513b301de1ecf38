/**
 * The console's Content-Security-Policy: only its own scripts and styles, no eval, no plugins,
 * no framing. Network access goes through main (the renderer never talks to servers itself).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
