import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ShellName } from '../shared/agent-protocol/policy-wire';

export interface ExecRequest {
  shell: ShellName;
  text: string;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface ExecCallbacks {
  started(pid: number | null): void;
  output(stream: 'stdout' | 'stderr', data: string): void;
  finished(result: ExecResult): void;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
  error: string | null;
}

/** Output is sent in batches: at most this much per message, at least every FLUSH_MS. */
const FLUSH_BYTES = 32 * 1024;
const FLUSH_MS = 50;
/** Texts longer than this go through a temporary file instead of the command line. */
const INLINE_LIMIT = 32 * 1024;

interface Invocation {
  file: string;
  args: string[];
  cleanup: () => void;
}

function temporaryScript(text: string, extension: string, bom = false): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-exec-'));
  const file = path.join(dir, `script${extension}`);
  writeFileSync(file, (bom ? '\ufeff' : '') + text, { mode: 0o600 });
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** How each shell is started: no profiles or rc files, non-interactive. */
function invocation(shell: ShellName, text: string, platform: NodeJS.Platform): Invocation {
  const none = () => undefined;
  switch (shell) {
    case 'bash':
    case 'sh':
    case 'zsh': {
      const flags = shell === 'bash' ? ['--noprofile', '--norc'] : shell === 'zsh' ? ['-f'] : [];
      if (text.length <= INLINE_LIMIT) return { file: shell, args: [...flags, '-c', text], cleanup: none };
      const script = temporaryScript(text, '.sh');
      return { file: shell, args: [...flags, script.file], cleanup: script.cleanup };
    }
    case 'powershell': {
      // Windows PowerShell reads a BOM-less file as ANSI; the BOM keeps non-ASCII text intact.
      const script = temporaryScript(text, '.ps1', true);
      const program = platform === 'win32' ? 'powershell.exe' : 'pwsh';
      return {
        file: program,
        args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script.file],
        cleanup: script.cleanup,
      };
    }
    case 'cmd': {
      const script = temporaryScript(`@echo off\r\n${text.replace(/\r?\n/g, '\r\n')}\r\n`, '.cmd');
      return { file: 'cmd.exe', args: ['/d', '/q', '/c', script.file], cleanup: script.cleanup };
    }
  }
}

/** Ends the process and everything it started. */
function killTree(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null) return;
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export interface RunningExec {
  cancel(): void;
}

/**
 * Runs a command or script in the requested shell with a timeout and an output limit,
 * streaming stdout/stderr in batches. Past the output limit the process is stopped and the
 * result says `truncated`. Never throws: a shell that cannot start is reported in `error`.
 */
export function runExec(request: ExecRequest, callbacks: ExecCallbacks, platform: NodeJS.Platform = process.platform): RunningExec {
  const startedAt = performance.now();
  let sentBytes = 0;
  let truncated = false;
  let timedOut = false;
  let finished = false;
  let spawnError: string | null = null;
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  let flushTimer: NodeJS.Timeout | null = null;

  let call: Invocation;
  try {
    call = invocation(request.shell, request.text, platform);
  } catch (error) {
    callbacks.finished({ exitCode: null, signal: null, timedOut: false, truncated: false, durationMs: 0, error: (error as Error).message });
    return { cancel: () => undefined };
  }

  const child = spawn(call.file, call.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: platform !== 'win32',
    windowsHide: true,
    env: { ...process.env },
  });

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (pending[stream]) callbacks.output(stream, pending[stream]);
      pending[stream] = '';
    }
  };

  const onData = (stream: 'stdout' | 'stderr', decoder: StringDecoder) => (chunk: Buffer) => {
    if (truncated) return;
    let data = chunk;
    if (sentBytes + data.length > request.maxOutputBytes) {
      data = data.subarray(0, Math.max(0, request.maxOutputBytes - sentBytes));
      truncated = true;
    }
    sentBytes += data.length;
    pending[stream] += decoder.write(data);
    if (pending.stdout.length + pending.stderr.length >= FLUSH_BYTES) flush();
    else flushTimer ??= setTimeout(flush, FLUSH_MS);
    if (truncated) killTree(child);
  };
  const stdoutDecoder = new StringDecoder('utf8');
  const stderrDecoder = new StringDecoder('utf8');
  child.stdout?.on('data', onData('stdout', stdoutDecoder));
  child.stderr?.on('data', onData('stderr', stderrDecoder));

  const timeout = setTimeout(() => {
    timedOut = true;
    killTree(child);
  }, request.timeoutMs);

  const finish = (exitCode: number | null, signal: string | null) => {
    if (finished) return;
    finished = true;
    clearTimeout(timeout);
    if (!truncated) {
      pending.stdout += stdoutDecoder.end();
      pending.stderr += stderrDecoder.end();
    }
    flush();
    call.cleanup();
    callbacks.finished({
      exitCode,
      signal,
      timedOut,
      truncated,
      durationMs: Math.round(performance.now() - startedAt),
      error: spawnError,
    });
  };

  child.on('spawn', () => callbacks.started(child.pid ?? null));
  child.on('error', (error: NodeJS.ErrnoException) => {
    spawnError =
      error.code === 'ENOENT' ? `${call.file} is not installed on this endpoint` : `could not start ${call.file}: ${error.message}`;
    finish(null, null);
  });
  child.on('close', (code, signal) => finish(code, signal));

  return {
    cancel: () => {
      if (!finished) killTree(child);
    },
  };
}
