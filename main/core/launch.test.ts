import { describe, expect, it } from 'vitest';
import { profileDirFrom, takeLaunchSettings } from './launch';
import type { ConsoleLogger } from './logger';

function recordingLog(): ConsoleLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message) => warnings.push(message) };
}

describe('profileDirFrom', () => {
  it('takes an absolute directory', () => {
    const log = recordingLog();
    expect(profileDirFrom({ BULWARK_CONSOLE_PROFILE_DIR: ' /tmp/bulwark-profile ' }, log)).toBe('/tmp/bulwark-profile');
    expect(log.warnings).toEqual([]);
  });

  it('is absent without the variable', () => {
    expect(profileDirFrom({}, recordingLog())).toBeNull();
    expect(profileDirFrom({ BULWARK_CONSOLE_PROFILE_DIR: '  ' }, recordingLog())).toBeNull();
  });

  it('ignores a relative path with a warning instead of resolving it against the working directory', () => {
    const log = recordingLog();
    expect(profileDirFrom({ BULWARK_CONSOLE_PROFILE_DIR: 'profiles/test' }, log)).toBeNull();
    expect(log.warnings).toEqual(['BULWARK_CONSOLE_PROFILE_DIR ignored']);
  });
});

describe('takeLaunchSettings', () => {
  it('keeps the first-run token only with a valid server URL and removes it from the environment', () => {
    const env: NodeJS.ProcessEnv = { BULWARK_CONSOLE_SERVER_URL: 'http://127.0.0.1:4780', BULWARK_FIRST_RUN_TOKEN: 'one-time' };
    expect(takeLaunchSettings(env, recordingLog())).toEqual({ serverUrl: 'http://127.0.0.1:4780', firstRunToken: 'one-time' });
    expect(env.BULWARK_FIRST_RUN_TOKEN).toBeUndefined();
    const log = recordingLog();
    expect(takeLaunchSettings({ BULWARK_CONSOLE_SERVER_URL: 'ftp://x', BULWARK_FIRST_RUN_TOKEN: 't' }, log)).toEqual({
      serverUrl: null,
      firstRunToken: null,
    });
    expect(log.warnings).toEqual(['BULWARK_CONSOLE_SERVER_URL ignored']);
  });
});
