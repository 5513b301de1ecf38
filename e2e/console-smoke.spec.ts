import { expect, test } from '@playwright/test';

test('the built console renders under its Content-Security-Policy', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Bulwark' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('console.png') });
  expect(problems).toEqual([]);
});
