/**
 * The console's Content-Security-Policy: only its own scripts and styles, no eval, no plugins,
 * no framing. Network access goes through main (the renderer never talks to servers itself;
 * in the browser host, 'self' is the local host's bridge). Sent as a header by app:// and by the
 * browser host; renderer/index.html carries the same policy in a meta tag — keep them in step.
 * style-src-elem allows <style> elements because xterm writes its theme and cell sizes into them;
 * scripts stay 'self' only and inline style attributes stay blocked.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-elem 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
