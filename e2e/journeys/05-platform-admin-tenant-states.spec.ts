/**
 * Journey 5 — the platform admin: restricts the tenant (the technician's terminal is refused
 * with the reason), blocks it (the technician is signed out with the reason and the agent is
 * disconnected), unblocks it (everything works again and no data was lost).
 */
import type { ConsolePage } from '../support/console';
import { expect, test } from '../support/fixtures';
import { scriptLogs } from '../support/lines';
import { TerminalTab } from '../support/terminal';

/** After a block the agent waits a random pause of up to 5 minutes (agent/runner.ts) before it tries again. */
const AGENT_RETURN_MS = 330_000;

async function setTenantState(admin: ConsolePage, tenantName: string, state: 'active' | 'restricted' | 'blocked', reason: string) {
  const page = admin.page;
  await page.getByRole('button', { name: `Change state of ${tenantName}` }).click();
  const form = await admin.see(page.getByRole('form', { name: `Change the state of ${tenantName}` }), 'the tenant state form');
  await form.getByLabel('New state').selectOption(state);
  await form.getByLabel('Reason').fill(reason);
  await form.getByRole('button', { name: `Set ${state}` }).click();
  const row = page.getByRole('row').filter({ hasText: tenantName });
  await admin.see(row.getByText(state, { exact: true }), `${tenantName} shown as ${state}`);
  await expect(row).toContainText(reason);
}

test('platform admin: restrict refuses the terminal, block signs the technician out and disconnects the agent, unblock restores all', async ({
  openConsole,
  system,
}, testInfo) => {
  test.setTimeout(AGENT_RETURN_MS + 300_000);
  const tenantName = system.tenant.name;
  const before = await scriptLogs(system, { decision: 'any' });

  const admin = await openConsole('admin');
  await admin.signIn('platformAdmin');
  await admin.goTo('Admin');
  await admin.page.getByRole('tab', { name: 'Tenants' }).click();

  const technician = await openConsole('technician');
  await technician.ensureSignedIn('technician');
  const terminal = new TerminalTab(technician);

  // Restricted: the terminal is refused, and the console says why.
  const restrictReason = 'Abuse report under review (ticket 4711)';
  await setTenantState(admin, tenantName, 'restricted', restrictReason);
  await admin.keepScreenshot(testInfo, 'tenant-restricted');
  await terminal.openEndpoint(system.endpoint.hostname);
  await technician.page.getByRole('button', { name: /^Open (a new )?terminal$/ }).click();
  const prompt = technician.page.getByRole('dialog', { name: 'Confirm it is you' });
  const refusal = technician.page.getByRole('alert').filter({ hasText: 'The terminal could not be opened' });
  await technician.see(prompt.or(refusal), 'the step-up prompt or the refusal', { alertsAreFailures: false });
  if (await prompt.isVisible()) await technician.stepUp('technician');
  await technician.see(refusal, 'the terminal refused for the restricted tenant', { alertsAreFailures: false });
  await expect(refusal).toContainText(/restricted/i);
  await technician.keepScreenshot(testInfo, 'terminal-refused-restricted');

  // Blocked: the technician is signed out with the reason; the agent is disconnected.
  const blockReason = 'Unpaid invoices: service suspended';
  await setTenantState(admin, tenantName, 'blocked', blockReason);
  const signedOut = technician.page.getByRole('alert').filter({ hasText: 'You were signed out' });
  await technician.see(signedOut, 'the technician signed out after the block', { alertsAreFailures: false });
  await expect(signedOut).toContainText(/blocked/i);
  await technician.keepScreenshot(testInfo, 'technician-signed-out-blocked');
  await expect
    .poll(async () => (await system.endpointStatus()).online, { message: 'the agent disconnected after the block', timeout: 30_000 })
    .toBe(false);
  // Signing in again is refused with the reason while the tenant is blocked.
  await technician.page.getByLabel('Server address').fill(system.adminUrl);
  await technician.page.getByLabel('Email').fill(system.accounts.technician.email);
  await technician.page.getByLabel('Password').fill(system.accounts.technician.password);
  await technician.page.getByRole('button', { name: 'Continue' }).click();
  const refusedSignIn = technician.page.getByRole('alert').filter({ hasText: /blocked/i });
  await technician.see(refusedSignIn.or(technician.page.getByLabel('Authenticator code')), 'the sign-in answer for a blocked tenant', {
    alertsAreFailures: false,
  });
  if (await technician.page.getByLabel('Authenticator code').isVisible()) {
    await technician.page.getByLabel('Authenticator code').fill(await system.codes.next(system.accounts.technician.totpSecret));
    await technician.page.getByRole('button', { name: 'Sign in' }).click();
  }
  await technician.see(
    technician.page.getByRole('alert').filter({ hasText: 'Organisation blocked' }),
    'sign-in refused: organisation blocked',
    {
      alertsAreFailures: false,
    },
  );
  await technician.keepScreenshot(testInfo, 'sign-in-refused-blocked');

  // Unblocked: the agent comes back by itself, the technician works again, nothing was lost.
  await setTenantState(admin, tenantName, 'active', 'Invoices settled');
  await expect
    .poll(async () => (await system.endpointStatus()).online, {
      message: 'the agent reconnected after the unblock',
      timeout: AGENT_RETURN_MS,
      intervals: [2000],
    })
    .toBe(true);
  await technician.signIn('technician');
  await terminal.openEndpoint(system.endpoint.hostname);
  await terminal.open('technician');
  await terminal.type('hostname');
  await terminal.waitForRow((row) => row.trim() === system.endpoint.hostname, 'hostname output after the unblock');
  const after = await scriptLogs(system, { decision: 'any' });
  expect(after.length, 'no audit entries were lost').toBeGreaterThanOrEqual(before.length);
  expect(after.map((e) => e.id)).toEqual(expect.arrayContaining(before.map((e) => e.id)));
  await technician.keepScreenshot(testInfo, 'working-again-after-unblock');
});
