import { expect, test } from '@playwright/test';
import { electronUnavailable, launchDesktopConsole } from './desktop-console';

test.beforeAll(() => {
  const reason = electronUnavailable();
  if (reason) {
    console.log(`skipped: ${reason}`);
    test.skip(true, reason);
  }
});

test('the packaged console window opens with the app shell', async () => {
  const desktop = await launchDesktopConsole();
  const window = desktop.window;
  await expect(window.getByRole('heading', { name: 'Bulwark' })).toBeVisible();
  expect(window.url()).toMatch(/^app:\/\/console\//);
  const nodeVisible = await window.evaluate(() => typeof (globalThis as { require?: unknown }).require);
  expect(nodeVisible).toBe('undefined');
  // The preload exposes named actions only, answering through the validated IPC gate.
  const exposed = await window.evaluate(() => {
    const api = (globalThis as { bulwark?: Record<string, Record<string, unknown>> }).bulwark;
    return { groups: Object.keys(api ?? {}).sort(), hasIpcRenderer: 'ipcRenderer' in (api ?? {}), signIn: typeof api?.auth?.signIn };
  });
  expect(exposed).toMatchObject({ hasIpcRenderer: false, signIn: 'function' });
  expect(exposed.groups).toContain('terminal');
  const info = await window.evaluate(() =>
    (globalThis as unknown as { bulwark: { app: { info: () => Promise<unknown> } } }).bulwark.app.info(),
  );
  expect(info).toMatchObject({ ok: true, value: { name: 'Bulwark', host: 'electron' } });
  await window.screenshot({ path: test.info().outputPath('electron-console.png') });
  await desktop.close();
});
