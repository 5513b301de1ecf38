/**
 * Driving the console in the browser the way a person does: by roles and labels. Every wait
 * ends either in the state we wait for or in an error that quotes what the console itself shows
 * (its alert regions, else the visible text of the screen), never in a bare timeout.
 */
import type { Locator, Page, TestInfo } from '@playwright/test';
import type { BulwarkSystem, ConsoleHost, Persona } from './system';

const DEFAULT_WAIT_MS = 30_000;

export class ConsoleError extends Error {}

export class ConsolePage {
  private constructor(
    readonly page: Page,
    readonly system: BulwarkSystem,
    /** The browser host serving this console; null for the Electron window, which serves itself. */
    readonly host: ConsoleHost | null,
  ) {}

  /** A console already showing in `page`: the Electron window (e2e/electron), which has no browser host or launch secret. */
  static attach(page: Page, system: BulwarkSystem): ConsolePage {
    return new ConsolePage(page, system, null);
  }

  /** Opens the console host `label` (a "device") in this page's browser context. */
  static async open(page: Page, system: BulwarkSystem, label: string): Promise<ConsolePage> {
    const host = await system.console(label);
    await host.authorise(page.context());
    const answer = await page.goto(`${host.origin}/`);
    if (!answer?.ok()) throw new ConsoleError(`the console host answered ${answer?.status()}: ${await answer?.text()}`);
    return new ConsolePage(page, system, host);
  }

  /** Alerts the console shows (errors, refusals, sign-out notices). */
  get alerts(): Locator {
    return this.page.getByRole('alert');
  }

  /** What the console shows now: its alerts, else the text of the screen, for failure messages. */
  async shows(): Promise<string> {
    const alerts = (await this.alerts.allInnerTexts().catch(() => [])).map((text) => text.trim()).filter(Boolean);
    if (alerts.length > 0) return `alert(s): ${alerts.join(' | ')}`;
    const body = await this.page
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(page not readable)');
    return `screen: ${body.replace(/\s+/g, ' ').trim().slice(0, 1500)}`;
  }

  /**
   * Waits until `target` is visible. If an alert appears first (and `alertsAreFailures`), or
   * the wait runs out, fails with what the console says.
   */
  async see(target: Locator, what: string, options: { timeoutMs?: number; alertsAreFailures?: boolean } = {}): Promise<Locator> {
    const timeout = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const alertsAreFailures = options.alertsAreFailures ?? true;
    const watch = alertsAreFailures ? target.or(this.alerts) : target;
    try {
      await watch.first().waitFor({ state: 'visible', timeout });
    } catch {
      throw new ConsoleError(`${what}: not shown within ${timeout / 1000} s. The console ${await this.shows()}`);
    }
    if (alertsAreFailures && !(await target.first().isVisible())) {
      // The alert may be on its way out while the target arrives: give the target a moment.
      const arrived = await target
        .first()
        .waitFor({ state: 'visible', timeout: 1000 })
        .then(() => true)
        .catch(() => false);
      if (!arrived) throw new ConsoleError(`${what}: the console reported instead — ${await this.shows()}`);
    }
    return target;
  }

  get signOutButton(): Locator {
    return this.page.getByRole('button', { name: 'Sign out', exact: true });
  }

  get signInForm(): Locator {
    return this.page.getByRole('form', { name: 'Sign in' });
  }

  /** Signs `persona` in with password and a fresh TOTP code; signs out whoever was signed in on this host first. */
  async signIn(persona: Persona, options: { screenshot?: string } = {}) {
    const account = this.system.accounts[persona];
    await this.see(this.signInForm.or(this.signOutButton), 'the console start screen', { alertsAreFailures: false });
    if (await this.signOutButton.isVisible()) await this.signOut();
    await this.page.getByLabel('Server address').fill(this.system.adminUrl);
    await this.page.getByLabel('Email').fill(account.email);
    await this.page.getByLabel('Password').fill(account.password);
    if (options.screenshot) await this.page.screenshot({ path: options.screenshot });
    await this.page.getByRole('button', { name: 'Continue' }).click();
    const code = await this.see(this.page.getByLabel('Authenticator code'), `the code prompt after ${account.email}'s password`);
    await code.fill(await this.system.codes.next(account.totpSecret));
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.see(this.signOutButton, `${persona} signed in`);
    await this.see(this.page.getByText(`(${roleLabel(account.role)})`), `the shell showing ${account.displayName}'s role`);
  }

  /** Keeps `persona` signed in on this host if they already are (the host remembers its session); signs them in otherwise. */
  async ensureSignedIn(persona: Persona) {
    await this.see(this.signInForm.or(this.signOutButton), 'the console start screen', { alertsAreFailures: false });
    const account = this.system.accounts[persona];
    const who = this.page.getByText(`${account.displayName} (${roleLabel(account.role)})`);
    if ((await this.signOutButton.isVisible()) && (await who.isVisible())) return;
    await this.signIn(persona);
  }

  async signOut() {
    await this.signOutButton.click();
    await this.see(this.signInForm, 'the sign-in form after signing out', { alertsAreFailures: false });
  }

  /** Opens a screen from the main navigation. */
  async goTo(screen: string) {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: screen, exact: true }).click();
    await this.see(this.page.getByRole('heading', { level: 1, name: screen }), `the ${screen} screen`);
  }

  /** Answers a step-up prompt ("Confirm it is you") with a fresh code. */
  async stepUp(persona: Persona) {
    const dialog = await this.see(this.page.getByRole('dialog', { name: 'Confirm it is you' }), 'the step-up prompt');
    await dialog.getByLabel('Authenticator code').fill(await this.system.codes.next(this.system.accounts[persona].totpSecret));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    try {
      await dialog.waitFor({ state: 'hidden', timeout: DEFAULT_WAIT_MS });
    } catch {
      throw new ConsoleError(`the step-up was not accepted. The console ${await this.shows()}`);
    }
  }

  /** A screenshot attached to the test's report (and written to `file` too, for the README tour). */
  async keepScreenshot(testInfo: TestInfo, name: string, file?: string) {
    const body = await this.page.screenshot({ fullPage: true, ...(file ? { path: file } : {}) });
    await testInfo.attach(name, { body, contentType: 'image/png' });
  }
}

/** The role as the shell's header shows it ("platform admin", "technician", …). */
function roleLabel(role: string): string {
  return role.replace('_', ' ');
}
