/**
 * Non-secret preferences (last server URL and account, window size). Electron keeps them in
 * electron-store, the browser host in a JSON file; neither ever receives a token.
 */
import { z } from 'zod';

export const ConsolePrefs = z.object({
  serverUrl: z.string().nullable().default(null),
  /** Email of the last signed-in account: names the keychain entry to resume. */
  lastAccount: z.string().nullable().default(null),
});
export type ConsolePrefs = z.infer<typeof ConsolePrefs>;

export interface PrefsStore {
  read(): ConsolePrefs;
  write(prefs: ConsolePrefs): void;
}

export function memoryPrefsStore(initial: Partial<ConsolePrefs> = {}): PrefsStore {
  let current = ConsolePrefs.parse(initial);
  return {
    read: () => current,
    write: (prefs) => {
      current = ConsolePrefs.parse(prefs);
    },
  };
}
