/**
 * Journey 6 — session revocation: the same technician signed in on two devices (two console
 * hosts, each in its own browser context); revoking the other session from "My sessions" drops
 * that device to the sign-in screen, with the reason, within seconds.
 */
import { expect, test } from '../support/fixtures';

test('session revocation: revoking the other session from My sessions signs that device out', async ({ openConsole }, testInfo) => {
  const laptop = await openConsole('technician');
  await laptop.ensureSignedIn('technician');
  const desktop = await openConsole('technician-desktop');
  await desktop.signIn('technician');

  await laptop.goTo('My sessions');
  const page = laptop.page;
  await laptop.see(page.getByRole('cell', { name: /\(this session\)/ }), 'the list of my sessions');
  const revokeButtons = page.getByRole('button', { name: /^Revoke session started/ });
  await expect(revokeButtons, 'exactly one other session: the desktop').toHaveCount(1);
  await laptop.keepScreenshot(testInfo, 'my-sessions');
  await revokeButtons.click();
  await laptop.see(page.getByRole('status').filter({ hasText: 'The session was ended' }), 'the confirmation of the revocation');

  // The desktop learns it from the server (the console host polls every few seconds).
  const notice = desktop.page.getByRole('alert').filter({ hasText: 'You were signed out' });
  await desktop.see(notice, 'the desktop dropped to sign-in', { alertsAreFailures: false, timeoutMs: 20_000 });
  await expect(notice).toContainText(/ended|revoked/i);
  await expect(desktop.signInForm).toBeVisible();
  await desktop.keepScreenshot(testInfo, 'desktop-signed-out');
  // The laptop's own session is untouched.
  await expect(laptop.signOutButton).toBeVisible();
});
