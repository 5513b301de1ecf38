/**
 * The working directory, followed through the text: after `cd /etc` a command's `shadow` is `/etc/shadow`, after
 * `Set-Location $env:APPDATA\…\Startup` its `x.lnk` is in the Startup folder. Rules that match paths resolve
 * relative ones with `resolvePath`; everything else keeps the words as written.
 */
import type { DocBuilder } from './builder';
import type { SimpleCommand, Word } from './document';

/** Longer directories are not followed: every relative path resolved against one would cost its length. */
const MAX_DIRECTORY = 256;

const DIRECTORY_CHANGERS: ReadonlySet<string> = new Set(['cd', 'chdir', 'pushd', 'set-location', 'push-location']);

/**
 * Sets `directory` on the commands that follow a `cd` to a known place, in text order. Each layer is its own
 * reading (`cmd /c "pushd \\host\s && start x.exe"` moves inside the unwrapped text), so each keeps its own place.
 */
export function followDirectories(b: DocBuilder): void {
  const directories = new Map<number, string | undefined>();
  for (const cmd of b.commands) {
    const directory = directories.get(cmd.layer);
    if (directory !== undefined) (cmd as { directory?: string }).directory = directory;
    // `popd`, `Pop-Location`, `cd -`: back to a place this reading does not keep.
    if (cmd.name === 'popd' || cmd.name === 'pop-location') directories.delete(cmd.layer);
    else if (DIRECTORY_CHANGERS.has(cmd.name) && cmd.parent === undefined) directories.set(cmd.layer, nextDirectory(cmd, directory));
  }
}

/** The directory a `cd`-like command names: its first word that is not an option (`cd /d D:\x`, `Set-Location -Path x`, `cd -P dir`). */
export function directoryTarget(cmd: SimpleCommand): Word | undefined {
  return cmd.words.slice(1).find((w: Word) => !w.value.startsWith('-') && !/^\/d$/i.test(w.value));
}

function nextDirectory(cmd: SimpleCommand, current: string | undefined): string | undefined {
  const target = directoryTarget(cmd);
  if (target === undefined) return undefined;
  const value = target.value;
  // Unresolved variables or a substitution: the place is not known.
  if (value === '' || value.length > MAX_DIRECTORY || /[$%`]/.test(value) || value.includes('*')) return undefined;
  if (isAbsolute(value)) return trimSeparator(value);
  const joined = current === undefined ? undefined : joinPath(current, value);
  return joined !== undefined && joined.length <= MAX_DIRECTORY ? joined : undefined;
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || path.startsWith('~') || path.startsWith('\\') || /^[a-z]:[\\/]/i.test(path) || /^[a-z]+:\\/i.test(path);
}

function trimSeparator(path: string): string {
  let end = path.length;
  while (end > 1 && (path[end - 1] === '/' || path[end - 1] === '\\') && path[end - 2] !== ':') end--;
  return path.slice(0, end);
}

/** `current` joined with a relative path (`..` and `.` applied), in the separator style `current` uses. */
function joinPath(current: string, relative: string): string {
  const separator = current.includes('\\') && !current.includes('/') ? '\\' : '/';
  const parts = trimSeparator(current).split(/[\\/]/);
  for (const part of relative.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 1) parts.pop();
    } else parts.push(part);
  }
  const joined = parts.join(separator);
  return joined === '' ? separator : joined;
}

/**
 * A path argument as the command sees it: relative ones joined to the directory the text moved to. Curl's
 * `name=@file` and `@file` forms keep their prefix. Values that are not relative paths come back unchanged.
 */
export function resolvePath(cmd: SimpleCommand, value: string): string {
  const directory = cmd.directory;
  if (directory === undefined || value === '' || value.startsWith('-')) return value;
  const at = value.indexOf('@');
  const prefix = at >= 0 && at < 64 && /^[\w.-]*=?@$/.test(value.slice(0, at + 1)) ? value.slice(0, at + 1) : '';
  const path = value.slice(prefix.length);
  if (path === '' || isAbsolute(path) || /[$%`]|:\/\//.test(path) || path.includes('=')) return value;
  return prefix + joinPath(directory, path);
}
