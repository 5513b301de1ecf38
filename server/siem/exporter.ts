import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { SiemStatus } from '../../shared/api/audit';
import { frameOctetCounting } from './rfc5424';

export interface SyslogTransportOptions {
  protocol: 'tcp' | 'tls' | 'udp';
  host: string;
  port: number;
  /** TLS: trusted CA certificates (PEM); default the system's. Client certificate for mutual TLS. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
}

export interface SyslogExporterOptions extends SyslogTransportOptions {
  /** Messages held while the collector is unreachable; beyond this, new messages are dropped and counted. */
  bufferSize: number;
  retryMinMs: number;
  retryMaxMs: number;
  now: () => Date;
  /** Called from the exporter's own timers; never on the request path. */
  onError?: (error: Error) => void;
  /** Called when a message is dropped and no earlier drop is unreported (start of a loss). */
  onDropStart?: () => void;
  /**
   * Called once the collector is reachable again after drops, with how many and when, so the
   * loss itself reaches the collector (as an audit event) and the log.
   */
  onDropsReported?: (report: { count: number; firstAt: Date; lastAt: Date }) => void;
}

/** Largest chunk written at once; bigger backlogs go out in several writes. */
const WRITE_BATCH_BYTES = 64 * 1024;

/**
 * Streams syslog messages to one collector. `enqueue` is synchronous and O(1): it never waits
 * on the network. TCP/TLS messages use octet-counting framing (RFC 6587) and stay in the
 * buffer until the socket has accepted them; when the collector is down the exporter retries
 * with jittered exponential back-off, keeps at most `bufferSize` messages and counts the rest
 * as dropped. UDP sends each message as one datagram (no delivery feedback exists).
 */
export class SyslogExporter {
  private queue: string[] = [];
  private head = 0;
  private inflight = 0;
  private socket: net.Socket | null = null;
  private udp: dgram.Socket | null = null;
  private connected = false;
  private closed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private sent = 0;
  private dropped = 0;
  private unreportedDrops = 0;
  private firstUnreportedDropAt: Date | null = null;
  private lastDropAt: Date | null = null;
  private lastError: string | null = null;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly options: SyslogExporterOptions) {}

  start(): void {
    if (this.options.protocol === 'udp') {
      this.udp = dgram.createSocket(net.isIPv6(this.options.host) ? 'udp6' : 'udp4');
      this.udp.on('error', (error) => this.noteError(error));
      this.udp.unref();
      this.connected = true;
      return;
    }
    this.connect();
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  enqueue(message: string): void {
    if (this.closed) return;
    if (this.size >= this.options.bufferSize) {
      this.recordDrop();
      return;
    }
    this.queue.push(message);
    this.pump();
  }

  status(): Omit<SiemStatus, 'enabled'> {
    return {
      protocol: this.options.protocol,
      target: `${this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host}:${this.options.port}`,
      connected: this.connected,
      queued: this.size,
      bufferSize: this.options.bufferSize,
      sent: this.sent,
      dropped: this.dropped,
      lastError: this.lastError,
      lastDropAt: this.lastDropAt?.toISOString() ?? null,
    };
  }

  /** Resolves when everything buffered has been handed to the network, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Sends what can be sent within `flushTimeoutMs`, then closes the connection. */
  async close(flushTimeoutMs = 2000): Promise<void> {
    if (this.connected) await this.flush(flushTimeoutMs);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const socket = this.socket;
    const wasConnected = this.connected;
    this.socket = null;
    this.connected = false;
    if (socket && wasConnected) {
      // A clean close lets the collector read everything; a stuck peer gets a second at most.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        timer.unref();
        socket.end(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    socket?.destroy();
    this.udp?.close();
    this.udp = null;
  }

  private recordDrop() {
    const now = this.options.now();
    this.dropped += 1;
    this.lastDropAt = now;
    if (this.unreportedDrops === 0) {
      this.firstUnreportedDropAt = now;
      this.options.onDropStart?.();
    }
    this.unreportedDrops += 1;
  }

  private noteError(error: Error) {
    this.lastError = error.message;
    this.options.onError?.(error);
  }

  private connect() {
    if (this.closed) return;
    const { protocol, host, port } = this.options;
    const socket =
      protocol === 'tls'
        ? tls.connect({
            host,
            port,
            ca: this.options.ca,
            cert: this.options.cert,
            key: this.options.key,
            servername: this.options.servername ?? (net.isIP(host) ? undefined : host),
            // The collector must prove who it is: an unverified TLS peer is refused.
            rejectUnauthorized: true,
          })
        : net.connect({ host, port });
    this.socket = socket;
    socket.setKeepAlive(true, 30_000);
    socket.unref();
    socket.once(protocol === 'tls' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.attempt = 0;
      this.lastError = null;
      this.reportDrops();
      this.pump();
    });
    // Collectors do not talk back; anything they send is ignored.
    socket.on('data', () => undefined);
    socket.on('error', (error: Error) => this.noteError(error));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.connected = false;
      // What was in flight stays at the head of the buffer and is sent again (at least once).
      this.inflight = 0;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect() {
    if (this.closed || this.retryTimer) return;
    const base = Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** Math.min(this.attempt, 20));
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private reportDrops() {
    if (this.unreportedDrops === 0 || !this.firstUnreportedDropAt || !this.lastDropAt) return;
    const report = { count: this.unreportedDrops, firstAt: this.firstUnreportedDropAt, lastAt: this.lastDropAt };
    this.unreportedDrops = 0;
    this.firstUnreportedDropAt = null;
    this.options.onDropsReported?.(report);
  }

  private takeBatch(): string[] {
    const batch: string[] = [];
    let bytes = 0;
    for (let index = this.head; index < this.queue.length && (batch.length === 0 || bytes < WRITE_BATCH_BYTES); index++) {
      const message = this.queue[index]!;
      batch.push(message);
      bytes += message.length;
    }
    return batch;
  }

  private acknowledge(count: number) {
    this.head += count;
    this.sent += count;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.size === 0) {
      this.reportDrops();
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private pump() {
    if (!this.connected || this.inflight > 0 || this.size === 0) return;
    if (this.udp) {
      const udp = this.udp;
      const batch = this.takeBatch();
      this.inflight = batch.length;
      let pending = batch.length;
      for (const message of batch) {
        udp.send(message, this.options.port, this.options.host, (error) => {
          if (error) this.noteError(error);
          if (--pending === 0) {
            this.inflight = 0;
            this.acknowledge(batch.length);
            this.pump();
          }
        });
      }
      return;
    }
    const socket = this.socket;
    if (!socket) return;
    const batch = this.takeBatch();
    this.inflight = batch.length;
    socket.write(batch.map(frameOctetCounting).join(''), (error) => {
      if (this.socket !== socket) return;
      if (error) return; // 'close' follows; the batch is still buffered
      this.inflight = 0;
      this.acknowledge(batch.length);
      setImmediate(() => this.pump());
    });
  }
}
