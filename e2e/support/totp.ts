/**
 * Fresh TOTP codes for the journeys' users, computed like an authenticator app (otpauth).
 *
 * The server accepts the previous, current and next 30 s step, and each step only once per
 * user (replays are refused). So a code is always for a step this secret has not used yet;
 * when the three acceptable steps are used up, we wait for the next step to begin — real
 * time, because these are real processes.
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;
/** A code for the previous step is only used while this much of the current step is left. */
const PREVIOUS_STEP_MARGIN_MS = 10_000;

export class TotpCodes {
  private readonly lastStep = new Map<string, number>();

  /** A code the server will accept now and has not seen from this secret before. */
  async next(secret: string): Promise<string> {
    for (;;) {
      const now = Date.now();
      const current = Math.floor(now / PERIOD_MS);
      const left = (current + 1) * PERIOD_MS - now;
      const last = this.lastStep.get(secret) ?? -Infinity;
      const candidates = left > PREVIOUS_STEP_MARGIN_MS ? [current - 1, current, current + 1] : [current, current + 1];
      const step = candidates.find((candidate) => candidate > last);
      if (step !== undefined) {
        this.lastStep.set(secret, step);
        return codeAt(secret, step);
      }
      await new Promise((resolve) => setTimeout(resolve, left + 50));
    }
  }
}

function codeAt(secret: string, step: number): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: PERIOD_MS / 1000, secret: Secret.fromBase32(secret) }).generate({
    timestamp: step * PERIOD_MS,
  });
}
