/**
 * The endpoint page's terminal tab, driven by keyboard like a person: open (with step-up when
 * asked), type a line, read what the real shell on the endpoint printed, read a refusal panel.
 */
import type { Locator } from '@playwright/test';
import type { ConsolePage } from './console';
import type { Persona } from './system';

export const BLOCKED_TITLE = /Blocked by the security policy — nothing was sent|Refused by the server — nothing was run/;

export class TerminalTab {
  constructor(readonly console: ConsolePage) {}

  private get page() {
    return this.console.page;
  }

  get surface(): Locator {
    return this.page.getByRole('application', { name: 'Terminal' });
  }

  /** The newest refusal panel (older ones are folded away under it). */
  get refusal(): Locator {
    return this.page.getByRole('region', { name: BLOCKED_TITLE }).first();
  }

  /** Opens the endpoint's page from the Endpoints screen and picks its Terminal tab. */
  async openEndpoint(hostname: string) {
    await this.console.goTo('Endpoints');
    const link = await this.console.see(this.page.getByRole('button', { name: hostname, exact: true }), `endpoint ${hostname} in the list`);
    await link.click();
    await this.console.see(this.page.getByRole('heading', { level: 1, name: hostname }), `the page of ${hostname}`);
    await this.page.getByRole('tab', { name: 'Terminal' }).click();
  }

  /** Clicks "Open terminal", answers the step-up prompt if the console asks, and waits for the shell. */
  async open(persona: Persona, options: { expectStepUp?: boolean } = {}) {
    await this.page.getByRole('button', { name: /^Open (a new )?terminal$/ }).click();
    const prompt = this.page.getByRole('dialog', { name: 'Confirm it is you' });
    await this.console.see(prompt.or(this.surface), 'the step-up prompt or the terminal');
    if (await prompt.isVisible()) await this.console.stepUp(persona);
    else if (options.expectStepUp) throw new Error('the console opened the terminal without asking for step-up');
    await this.console.see(this.surface, 'the open terminal');
    await this.console.see(this.page.getByText(/line mode: each line is checked before it is sent/), 'the line-mode toolbar');
  }

  /** Types a line into the terminal and presses Enter. */
  async type(line: string) {
    await this.surface.click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** The terminal's rows as plain text. */
  async rows(): Promise<string[]> {
    return (await this.surface.locator('.xterm-rows > div').allInnerTexts()).map((row) => row.replace(/\u00a0/g, ' ').trimEnd());
  }

  /** Waits until a row satisfies `match`; fails with the terminal's own text (and alerts) otherwise. */
  async waitForRow(match: (row: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.rows();
      const found = rows.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `${what}: not in the terminal within ${timeoutMs / 1000} s. Terminal shows:\n${rows.filter(Boolean).join('\n')}\nThe console ${await this.console.shows()}`,
        );
      }
      await this.page.waitForTimeout(250);
    }
  }

  /** Waits for the refusal panel of `line` and returns it. */
  async refusalOf(line: string): Promise<Locator> {
    const panel = await this.console.see(this.refusal, `the explanation why "${line}" was refused`, { alertsAreFailures: false });
    await panel
      .getByLabel(/^Matched part of the command/)
      .first()
      .waitFor();
    return panel;
  }
}
