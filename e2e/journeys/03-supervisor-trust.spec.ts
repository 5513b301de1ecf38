/**
 * Journey 3 — the supervisor: the tenant admin asks for extended trust; the supervisor sees the
 * request, approves it for 7 days with a reason after step-up; the technician's previously
 * blocked line is now allowed (and still audited); the supervisor revokes trust; blocked again.
 */
import { expect, test } from '../support/fixtures';
import { DOWNLOAD_AND_EXECUTE, scriptLogs } from '../support/lines';
import { tourScreenshot } from '../support/system';
import { TerminalTab } from '../support/terminal';

test('supervisor: approves 7 days of extended trust after step-up, the blocked line runs, revoked, blocked again', async ({
  openConsole,
  system,
}, testInfo) => {
  const tenantName = system.tenant.name;

  // The tenant admin asks (the console offers it on the Trust requests screen).
  const tenantAdmin = await openConsole('tenant-admin');
  await tenantAdmin.signIn('tenantAdmin');
  await tenantAdmin.goTo('Trust requests');
  await tenantAdmin.page.getByRole('button', { name: 'Ask a supervisor for extended trust' }).click();
  const ask = await tenantAdmin.see(tenantAdmin.page.getByRole('dialog', { name: 'Ask for extended trust' }), 'the trust request dialog');
  await ask.getByLabel(/^Days/).fill('7');
  await ask.getByLabel('Reason').fill('Vendor installer for the new X-ray software is delivered as a download-and-run script');
  await ask.getByRole('button', { name: 'Send request' }).click();
  await tenantAdmin.see(ask.getByText('Your request was sent.'), 'the confirmation that the request was sent');

  // The supervisor decides.
  const supervisor = await openConsole('supervisor');
  await supervisor.signIn('supervisor');
  await supervisor.goTo('Trust requests');
  const page = supervisor.page;
  await supervisor.see(page.getByRole('cell', { name: tenantName }), `the pending request of ${tenantName}`);
  await page.getByRole('button', { name: `Review request from ${tenantName}` }).click();
  const detail = await supervisor.see(page.getByRole('region', { name: `Request from ${tenantName}` }), 'the request details');
  await expect(detail.getByRole('definition').filter({ hasText: 'Vendor installer for the new X-ray software' })).toBeVisible();
  await detail.getByLabel(/^Days to grant/).fill('7');
  await detail.getByLabel('Reason for your decision').fill('Checked with the clinic: one-off vendor installation this week');
  await supervisor.keepScreenshot(testInfo, 'trust-request-review', tourScreenshot('04-trust-requests'));
  await detail.getByRole('button', { name: 'Approve' }).click();
  await supervisor.stepUp('supervisor');
  const active = page.getByRole('listitem').filter({ hasText: `${tenantName} — extended trust ends in` });
  await supervisor.see(active, 'the tenant listed under active extended trust');
  await expect(active).toContainText(/6 d 23 h|7 d 0 h/);
  await supervisor.keepScreenshot(testInfo, 'trust-active');

  // The technician's line that was blocked now goes through (flagged and audited).
  const technician = await openConsole('technician');
  await technician.ensureSignedIn('technician');
  const terminal = new TerminalTab(technician);
  await terminal.openEndpoint(system.endpoint.hostname);
  await terminal.open('technician');
  const allowedFrom = new Date(Date.now() - 1000).toISOString();
  await terminal.type(DOWNLOAD_AND_EXECUTE);
  // It reached the real shell: curl itself complains that the reserved .invalid host does not resolve.
  await terminal.waitForRow((row) => /curl: \(6\)|Could not resolve host/.test(row), 'curl running on the endpoint');
  await expect(terminal.refusal).toHaveCount(0);
  await technician.keepScreenshot(testInfo, 'line-allowed-under-trust');
  const audited = await scriptLogs(system, { q: 'updates.example.invalid/setup.sh', from: allowedFrom, decision: 'any' });
  expect(
    audited.map((e) => e.decision),
    'the allowed line is still in the audit',
  ).toContain('flag');

  // The supervisor ends it early.
  await active.getByRole('button', { name: `Revoke extended trust of ${tenantName}` }).click();
  await active.getByLabel('Reason for revoking').fill('Vendor installation finished');
  await active.getByRole('button', { name: 'Revoke trust' }).click();
  await supervisor.see(page.getByText('No tenant has extended trust right now'), 'the active trust list empty after revoking');

  // Blocked again, on the very next line.
  await terminal.type(DOWNLOAD_AND_EXECUTE);
  const panel = await terminal.refusalOf(DOWNLOAD_AND_EXECUTE);
  await expect(panel.getByLabel('Reason code download_execute')).toBeVisible();
  await technician.keepScreenshot(testInfo, 'blocked-again-after-revoke');
});
