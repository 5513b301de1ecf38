/**
 * Playwright fixtures for the journeys: one running system per worker (the whole project runs
 * with one worker: on two shared cores one control plane, agent and a few consoles is what we can
 * afford), consoles opened in their own browser contexts, and on failure the screens of every
 * console and the processes' own last words attached to the report.
 */
import { test as base, type BrowserContext } from '@playwright/test';
import { ConsolePage } from './console';
import { BulwarkSystem } from './system';

export interface JourneyFixtures {
  /**
   * Opens console host `label` (a "device": its own browser-host process and server session) in a
   * fresh browser context. The same label later in the run reaches the same host.
   */
  openConsole: (label: string) => Promise<ConsolePage>;
  /** Attaches every part's recent output to a failed test. */
  processLogsOnFailure: void;
}

export interface SystemFixtures {
  system: BulwarkSystem;
}

let anyFailure = false;

export const test = base.extend<JourneyFixtures, SystemFixtures>({
  system: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a function wants from its first parameter
    async ({}, use) => {
      const system = await BulwarkSystem.start();
      await use(system);
      // A failed run keeps the data and logs for a look afterwards (the path is in the attachments).
      await system.stop({ keepFiles: anyFailure });
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  openConsole: async ({ browser, system }, use, testInfo) => {
    const opened: { label: string; context: BrowserContext; console: ConsolePage }[] = [];
    await use(async (label) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
      const page = await context.newPage();
      const console = await ConsolePage.open(page, system, label);
      opened.push({ label, context, console });
      return console;
    });
    const failed = testInfo.status !== testInfo.expectedStatus;
    for (const { label, context, console } of opened) {
      if (failed) {
        const body = await console.page.screenshot({ fullPage: true }).catch(() => null);
        if (body) await testInfo.attach(`console-${label}-at-failure.png`, { body, contentType: 'image/png' });
      }
      // Tracing may already have collected this context after a failure; closing is best effort.
      await context.close().catch(() => undefined);
    }
  },
  processLogsOnFailure: [
    async ({ system }, use, testInfo) => {
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
      anyFailure = true;
      await testInfo.attach('processes-recent-output.txt', { body: system.recentOutput(), contentType: 'text/plain' });
      await testInfo.attach('server-diagnostics.txt', { body: await system.diagnostics(), contentType: 'text/plain' });
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
