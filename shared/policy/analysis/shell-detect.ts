/**
 * Shell detection for `shell: 'auto'`: a cheap score over marker substrings, falling back to the
 * platform's default shell. Only the first 64 KiB are looked at.
 */
import type { Platform, Shell } from '../types';

const POWERSHELL_MARKERS = [
  '$env:',
  '-erroraction',
  'write-host',
  'get-',
  'set-',
  'new-',
  'invoke-',
  'start-process',
  '[system.',
  '| out-',
  '| select-object',
  '| where-object',
  '-eq ',
  '$true',
  '$false',
  '$null',
  'foreach-object',
  '[convert]::',
  'iex',
  'iwr ',
  'irm ',
];
const CMD_MARKERS = [
  '%~',
  '@echo',
  'echo off',
  'set /',
  'goto ',
  'rem ',
  '.exe /',
  ' /c ',
  ' /q',
  ' /s',
  '%windir%',
  '%temp%',
  '%comspec%',
  '%programdata%',
  'errorlevel',
  '^&',
];
const POSIX_MARKERS = [
  '#!/bin/',
  '#!/usr/bin/',
  '$(',
  '${',
  '| grep',
  '| sh',
  '| bash',
  'sudo ',
  './',
  ' && ',
  'export ',
  '/dev/null',
  'chmod ',
  '/etc/',
  '/tmp/',
  'apt ',
  'apt-get',
  'systemctl',
  ' -rf',
  '~/',
];

function score(lower: string, markers: readonly string[]): number {
  let s = 0;
  for (const m of markers) if (lower.includes(m)) s++;
  return s;
}

export function detectShell(text: string, platform: Platform): Shell {
  const lower = text.slice(0, 65536).toLowerCase();
  const ps = score(lower, POWERSHELL_MARKERS) + (/\$[a-z_][a-z0-9_]*\s*=/.test(lower.slice(0, 4096)) ? 1 : 0);
  const cmd = score(lower, CMD_MARKERS) + (/%[a-z_]+%/.test(lower.slice(0, 4096)) ? 2 : 0);
  const posix = score(lower, POSIX_MARKERS);
  const best = Math.max(ps, cmd, posix);
  if (best === 0) return platform === 'windows' ? 'powershell' : 'bash';
  if (platform === 'windows') {
    if (ps === best) return 'powershell';
    if (cmd === best) return 'cmd';
    return 'bash';
  }
  if (posix === best) return platform === 'macos' ? 'zsh' : 'bash';
  if (ps === best) return 'powershell';
  return 'cmd';
}
