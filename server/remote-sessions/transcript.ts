/**
 * Per-session transcript: what the console sent (every line with its decision, every raw
 * keystroke chunk), what the terminal printed, and session events. Written in small batches
 * (not per keystroke) and bounded: input and output have separate budgets, so a flood of output
 * can never crowd out the record of what was typed. Past a budget the transcript is marked
 * truncated and only the character counts keep growing.
 */
import type { ServerContext } from '../context';

export interface TranscriptLimits {
  maxInputChars: number;
  maxOutputChars: number;
  /** Flush when this many characters are pending. */
  flushChars: number;
  flushIntervalMs: number;
}

export const DEFAULT_TRANSCRIPT_LIMITS: TranscriptLimits = {
  maxInputChars: 1024 * 1024,
  maxOutputChars: 4 * 1024 * 1024,
  flushChars: 64 * 1024,
  flushIntervalMs: 500,
};

interface PendingEntry {
  seq: number;
  at: Date;
  stream: 'input' | 'output' | 'event';
  kind: string;
  data: string;
  decision: 'allow' | 'flag' | 'block' | 'refused' | null;
  reasonCodes: string[] | null;
}

export class TranscriptRecorder {
  private seq = 0;
  private pending: PendingEntry[] = [];
  private pendingChars = 0;
  private inputChars = 0;
  private outputChars = 0;
  private storedInput = 0;
  private storedOutput = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    readonly sessionId: string,
    private readonly limits: TranscriptLimits = DEFAULT_TRANSCRIPT_LIMITS,
  ) {}

  get totals() {
    return { inputChars: this.inputChars, outputChars: this.outputChars, truncated: this.truncated };
  }

  input(
    kind: 'line' | 'raw' | 'interrupt' | 'resize',
    data: string,
    decision: PendingEntry['decision'] = null,
    reasonCodes: string[] | null = null,
  ) {
    this.inputChars += data.length;
    const room = this.limits.maxInputChars - this.storedInput;
    const kept = data.length <= room ? data : data.slice(0, Math.max(0, room));
    if (kept.length < data.length) this.truncated = true;
    // A blocked or refused line is recorded even when the budget is spent: its decision matters more than its text.
    if (kept.length === 0 && data.length > 0 && decision === null) return;
    this.storedInput += kept.length;
    this.push({ stream: 'input', kind, data: kept, decision, reasonCodes });
  }

  output(data: string) {
    this.outputChars += data.length;
    const room = this.limits.maxOutputChars - this.storedOutput;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = data.length <= room ? data : data.slice(0, room);
    if (kept.length < data.length) this.truncated = true;
    this.storedOutput += kept.length;
    const last = this.pending[this.pending.length - 1];
    // Consecutive output is one entry: fewer rows, same text.
    if (last && last.stream === 'output') {
      last.data += kept;
      this.pendingChars += kept.length;
      this.schedule();
      return;
    }
    this.push({ stream: 'output', kind: 'output', data: kept, decision: null, reasonCodes: null });
  }

  event(kind: string, data: string) {
    this.push({ stream: 'event', kind, data: data.slice(0, 2000), decision: null, reasonCodes: null });
  }

  private push(entry: Omit<PendingEntry, 'seq' | 'at'>) {
    if (this.closed) return;
    this.pending.push({ ...entry, seq: this.seq++, at: this.ctx.clock.now() });
    this.pendingChars += entry.data.length;
    this.schedule();
  }

  private schedule() {
    if (this.pendingChars >= this.limits.flushChars) {
      void this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.limits.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending; writes are serialised so rows land in order. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      try {
        await this.ctx.db
          .insertInto('remote_session_transcript')
          .values(
            batch.map((entry) => ({
              session_id: this.sessionId,
              seq: entry.seq,
              at: entry.at,
              stream: entry.stream,
              kind: entry.kind,
              // PostgreSQL text cannot hold NUL.
              data: entry.data.replaceAll('\u0000', '\uFFFD'),
              decision: entry.decision,
              reason_codes: entry.reasonCodes ? JSON.stringify(entry.reasonCodes) : null,
            })),
          )
          .execute();
      } catch (error) {
        this.ctx.logger.error({ err: error, sessionId: this.sessionId }, 'could not store a terminal transcript batch');
      }
    });
    return this.writing;
  }

  /** Final flush; later entries are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
