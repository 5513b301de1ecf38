import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ServiceAvailability } from './services';

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Xvfb plus the tools the viewer tests draw and capture with. */
export function xvfbAvailability(): ServiceAvailability {
  const missing = ['Xvfb', 'xsetroot', 'import'].filter((name) => !hasCommand(name));
  return missing.length === 0
    ? { available: true, reason: '' }
    : {
        available: false,
        reason: `${missing.join(', ')} not found; install the Debian packages "xvfb", "x11-xserver-utils" and "imagemagick"`,
      };
}

export interface ThrowawayXvfb {
  /** e.g. ":93", for DISPLAY. */
  display: string;
  env: NodeJS.ProcessEnv;
  /** Paints the whole root window one colour (`#rrggbb`). */
  paint(colour: string): void;
  stop(): Promise<void>;
}

/**
 * Starts a virtual X server on a free display number. `-noreset`: otherwise the server resets
 * (and forgets the root window's colour) each time its last client disconnects.
 */
export async function startXvfb(size = '320x240'): Promise<ThrowawayXvfb> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const number = 100 + Math.floor(Math.random() * 800);
    if (existsSync(`/tmp/.X${number}-lock`) || existsSync(`/tmp/.X11-unix/X${number}`)) continue;
    const child: ChildProcess = spawn('Xvfb', [`:${number}`, '-screen', '0', `${size}x24`, '-nolisten', 'tcp', '-noreset'], {
      stdio: 'ignore',
    });
    let exited = false;
    child.on('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!exited && !existsSync(`/tmp/.X11-unix/X${number}`) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (exited || !existsSync(`/tmp/.X11-unix/X${number}`)) {
      child.kill('SIGKILL');
      continue;
    }
    const display = `:${number}`;
    const env = { ...process.env, DISPLAY: display };
    return {
      display,
      env,
      paint(colour) {
        execFileSync('xsetroot', ['-solid', colour], { env, stdio: 'ignore' });
      },
      stop: () =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  throw new Error('could not start Xvfb on a free display');
}
