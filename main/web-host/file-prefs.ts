/** Non-secret preferences for the browser host, in a JSON file (tokens never go here). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConsolePrefs, type PrefsStore } from '../core/prefs';

export function defaultPrefsFile(): string {
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'bulwark-console', 'preferences.json');
}

export function filePrefsStore(file: string): PrefsStore {
  return {
    read() {
      try {
        return ConsolePrefs.parse(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        return ConsolePrefs.parse({});
      }
    },
    write(prefs) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${JSON.stringify(ConsolePrefs.parse(prefs), null, 2)}\n`, { mode: 0o600 });
    },
  };
}
