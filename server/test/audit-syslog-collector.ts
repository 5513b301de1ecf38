import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';

/**
 * A small syslog collector for tests, on loopback: TCP or TLS with RFC 6587 octet-counting
 * framing, or UDP (one message per datagram). Every message is checked by a strict RFC 5424
 * parser; anything malformed is kept in `errors` so tests can assert there are none.
 */
export interface ParsedSyslog {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: { id: string; params: [string, string][] }[];
  msg: string;
}

const NIL = '-';

/** Strict parser of the RFC 5424 ABNF (§6). Throws with the offending position on any deviation. */
export function parseRfc5424(text: string): ParsedSyslog {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`RFC 5424: ${what} at offset ${i} in ${JSON.stringify(text.slice(0, 200))}`);
  };
  const expect = (char: string) => {
    if (text[i] !== char) fail(`expected ${JSON.stringify(char)}`);
    i += 1;
  };
  const token = (max: number, what: string) => {
    const start = i;
    while (i < text.length && text[i] !== ' ') {
      const code = text.charCodeAt(i);
      if (code < 33 || code > 126) fail(`${what} must be printable US-ASCII`);
      i += 1;
    }
    const value = text.slice(start, i);
    if (value.length === 0 || value.length > max) fail(`${what} must be 1..${max} characters`);
    return value;
  };
  expect('<');
  const priStart = i;
  while (/[0-9]/.test(text[i] ?? '')) i += 1;
  const priText = text.slice(priStart, i);
  if (priText.length < 1 || priText.length > 3 || (priText.length > 1 && priText.startsWith('0'))) fail('bad PRI');
  const pri = Number(priText);
  if (pri > 191) fail('PRI out of range');
  expect('>');
  const versionStart = i;
  while (/[0-9]/.test(text[i] ?? '')) i += 1;
  const version = Number(text.slice(versionStart, i));
  if (version !== 1 || text[versionStart] === '0') fail('VERSION must be 1');
  expect(' ');
  const timestamp = token(64, 'TIMESTAMP');
  if (
    timestamp !== NIL &&
    !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/.test(
      timestamp,
    )
  ) {
    fail('bad TIMESTAMP');
  }
  expect(' ');
  const hostname = token(255, 'HOSTNAME');
  expect(' ');
  const appName = token(48, 'APP-NAME');
  expect(' ');
  const procId = token(128, 'PROCID');
  expect(' ');
  const msgId = token(32, 'MSGID');
  expect(' ');
  const structuredData: ParsedSyslog['structuredData'] = [];
  const sdName = (what: string) => {
    const start = i;
    while (i < text.length) {
      const char = text[i]!;
      const code = text.charCodeAt(i);
      if (char === '=' || char === ' ' || char === ']' || char === '"' || code < 33 || code > 126) break;
      i += 1;
    }
    const name = text.slice(start, i);
    if (name.length < 1 || name.length > 32) fail(`${what} must be 1..32 characters`);
    return name;
  };
  if (text[i] === '-') {
    i += 1;
  } else {
    if (text[i] !== '[') fail('STRUCTURED-DATA must be - or start with [');
    while (text[i] === '[') {
      i += 1;
      const id = sdName('SD-ID');
      if (id.includes('@') && !/^[^@]+@\d+(\.\d+)*$/.test(id)) fail('SD-ID with @ must be name@enterprise-number');
      const params: [string, string][] = [];
      while (text[i] === ' ') {
        i += 1;
        const name = sdName('PARAM-NAME');
        expect('=');
        expect('"');
        let value = '';
        for (;;) {
          const char = text[i];
          if (char === undefined) fail('unterminated PARAM-VALUE');
          if (char === '\\') {
            const next = text[i + 1];
            // Only ", \ and ] are escapes; any other backslash is kept as is (RFC 5424 §6.3.3).
            if (next === '"' || next === '\\' || next === ']') {
              value += next;
              i += 2;
              continue;
            }
            value += char;
            i += 1;
            continue;
          }
          if (char === '"') break;
          if (char === ']') fail('unescaped ] in PARAM-VALUE');
          value += char;
          i += 1;
        }
        expect('"');
        params.push([name, value]);
      }
      expect(']');
      structuredData.push({ id, params });
    }
  }
  let msg = '';
  if (i < text.length) {
    expect(' ');
    msg = text.slice(i);
    if (msg.startsWith('\uFEFF')) msg = msg.slice(1);
  }
  return {
    pri,
    facility: Math.floor(pri / 8),
    severity: pri % 8,
    version,
    timestamp,
    hostname,
    appName,
    procId,
    msgId,
    structuredData,
    msg,
  };
}

/** Splits an RFC 6587 octet-counted byte stream into messages, strictly. */
export class OctetCountingDecoder {
  private buffer = Buffer.alloc(0);
  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: string[] = [];
    for (;;) {
      const space = this.buffer.indexOf(0x20);
      if (space < 0) {
        if (this.buffer.length > 10) throw new Error('octet counting: no length prefix');
        return messages;
      }
      const lengthText = this.buffer.subarray(0, space).toString('ascii');
      if (!/^[1-9]\d{0,8}$/.test(lengthText)) throw new Error(`octet counting: bad length ${JSON.stringify(lengthText)}`);
      const length = Number(lengthText);
      if (this.buffer.length < space + 1 + length) return messages;
      messages.push(this.buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(space + 1 + length);
    }
  }
}

export class SyslogCollector {
  readonly messages: ParsedSyslog[] = [];
  readonly raw: string[] = [];
  readonly errors: string[] = [];
  private waiters: (() => void)[] = [];
  private server: net.Server | dgram.Socket | null = null;
  private sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    readonly protocol: 'tcp' | 'tls' | 'udp',
    private readonly tlsOptions: { cert?: Buffer; key?: Buffer } = {},
  ) {}

  /** Listens on 127.0.0.1 (port 0: any free port; or a given one, e.g. to come back up). */
  async listen(port = 0): Promise<number> {
    if (this.protocol === 'udp') {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (message) => this.accept(message.toString('utf8')));
      await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
      this.server = socket;
      this.port = socket.address().port;
      return this.port;
    }
    const onConnection = (socket: net.Socket) => {
      this.sockets.add(socket);
      const decoder = new OctetCountingDecoder();
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const message of decoder.push(chunk)) this.accept(message);
        } catch (error) {
          this.errors.push((error as Error).message);
          socket.destroy();
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    };
    const server =
      this.protocol === 'tls'
        ? tls.createServer({ cert: this.tlsOptions.cert, key: this.tlsOptions.key }, onConnection)
        : net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  private accept(text: string) {
    this.raw.push(text);
    try {
      this.messages.push(parseRfc5424(text));
    } catch (error) {
      this.errors.push((error as Error).message);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits until a message satisfies `match` (no fixed sleeps; the test's own timeout bounds it). */
  async waitFor(match: (message: ParsedSyslog) => boolean): Promise<ParsedSyslog> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    if (server instanceof dgram.Socket) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return;
    }
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Structured-data parameter values of one SD element, by name (repeated names collect). */
export function sdParams(message: ParsedSyslog, idPrefix = 'bulwark@'): Record<string, string[]> {
  const element = message.structuredData.find((sd) => sd.id.startsWith(idPrefix));
  const out: Record<string, string[]> = {};
  for (const [name, value] of element?.params ?? []) (out[name] ??= []).push(value);
  return out;
}
