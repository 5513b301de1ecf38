/**
 * Screen capture with each platform's own means, no native add-on:
 * - Linux/X11: ImageMagick `import -window root` (PNG or JPEG straight out), else `xwd -root`
 *   read and PNG-encoded here;
 * - macOS: `screencapture -x` to a private temporary file;
 * - Windows: .NET (System.Drawing `CopyFromScreen`) in one long-running PowerShell process that
 *   writes one base64 frame per request, so a frame does not pay PowerShell's start-up each time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { decodeXwd, encodePngRgb, jpegSize, pngSize } from './image-formats';

export type FrameFormat = 'png' | 'jpeg';

export interface CapturedFrame {
  format: FrameFormat;
  data: Buffer;
  width: number;
  height: number;
}

export interface CaptureOptions {
  format: FrameFormat;
  /** JPEG quality 1-100. */
  quality: number;
  /** Frames wider than this are scaled down (keeps bandwidth bounded on large screens). */
  maxWidth: number | null;
}

export interface ScreenCapturer {
  /** Which tool this uses, for logs and errors. */
  readonly method: string;
  capture(options: CaptureOptions): Promise<CapturedFrame>;
  close(): void;
}

export class CaptureUnavailableError extends Error {
  override name = 'CaptureUnavailableError';
}

/** Largest capture output accepted from a tool (a 8K RGB PNG stays below this). */
const MAX_TOOL_OUTPUT_BYTES = 128 * 1024 * 1024;
const TOOL_TIMEOUT_MS = 10_000;

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let errText = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TOOL_TIMEOUT_MS);
    child.stdout.on('data', (data: Buffer) => {
      size += data.length;
      if (size > MAX_TOOL_OUTPUT_BYTES) child.kill('SIGKILL');
      else out.push(data);
    });
    child.stderr.on('data', (data: Buffer) => {
      if (errText.length < 2000) errText += data.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new CaptureUnavailableError(`${file} is not installed`) : error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${file} failed (${signal ?? `exit ${code}`}): ${errText.trim().slice(0, 300)}`));
    });
  });
}

function framed(format: FrameFormat, data: Buffer): CapturedFrame {
  const size = format === 'png' ? pngSize(data) : jpegSize(data);
  return { format, data, ...size };
}

/** Linux / X11 through ImageMagick's `import`. `DISPLAY` must name the X server. */
export class ImportCapturer implements ScreenCapturer {
  readonly method = 'import';
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async capture(options: CaptureOptions): Promise<CapturedFrame> {
    const args = ['-silent', '-window', 'root', '-strip'];
    if (options.maxWidth) args.push('-resize', `${options.maxWidth}x>`);
    // png24: always 8-bit RGB, so the same screen gives the same pixel data (and the viewer one format to handle).
    if (options.format === 'jpeg') args.push('-quality', String(options.quality), 'jpeg:-');
    else args.push('png24:-');
    return framed(options.format, await run('import', args, this.env));
  }

  close() {}
}

/** Linux / X11 through `xwd` (part of the X tools) when ImageMagick is missing; always PNG. */
export class XwdCapturer implements ScreenCapturer {
  readonly method = 'xwd';
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async capture(): Promise<CapturedFrame> {
    const image = decodeXwd(await run('xwd', ['-root', '-silent'], this.env));
    return { format: 'png', data: encodePngRgb(image.width, image.height, image.rgb), width: image.width, height: image.height };
  }

  close() {}
}

/** macOS: `screencapture -x` (no sound) into a private temporary directory. */
export class ScreencaptureCapturer implements ScreenCapturer {
  readonly method = 'screencapture';
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-screen-'));

  async capture(options: CaptureOptions): Promise<CapturedFrame> {
    const file = path.join(this.dir, `frame.${options.format === 'jpeg' ? 'jpg' : 'png'}`);
    await run('screencapture', ['-x', '-t', options.format === 'jpeg' ? 'jpg' : 'png', file], process.env);
    try {
      return framed(options.format, readFileSync(file));
    } finally {
      rmSync(file, { force: true });
    }
  }

  close() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Reads a line per request: the format ("png" or "jpeg:QUALITY"); answers base64 on one line, or "ERR message". */
const POWERSHELL_CAPTURE_LOOP = `
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Windows.Forms, System.Drawing
while ($true) {
  $request = [Console]::In.ReadLine()
  if ($null -eq $request -or $request -eq 'quit') { break }
  try {
    $bounds = [System.Windows.Forms.SystemInformation]::VirtualScreen
    $bitmap = New-Object System.Drawing.Bitmap $bounds.Width, $bounds.Height
    $graphics = [System.Drawing.Graphics]::FromImage($bitmap)
    $graphics.CopyFromScreen($bounds.Left, $bounds.Top, 0, 0, $bitmap.Size)
    $stream = New-Object System.IO.MemoryStream
    if ($request.StartsWith('jpeg:')) {
      $codec = [System.Drawing.Imaging.ImageCodecInfo]::GetImageEncoders() | Where-Object { $_.MimeType -eq 'image/jpeg' }
      $params = New-Object System.Drawing.Imaging.EncoderParameters 1
      $params.Param[0] = New-Object System.Drawing.Imaging.EncoderParameter ([System.Drawing.Imaging.Encoder]::Quality, [long]$request.Substring(5))
      $bitmap.Save($stream, $codec, $params)
    } else {
      $bitmap.Save($stream, [System.Drawing.Imaging.ImageFormat]::Png)
    }
    $graphics.Dispose(); $bitmap.Dispose()
    [Console]::Out.WriteLine([Convert]::ToBase64String($stream.ToArray()))
  } catch {
    [Console]::Out.WriteLine('ERR ' + ($_.Exception.Message -replace '[\\r\\n]', ' '))
  }
}
`;

/** Windows: .NET screen capture in a PowerShell process kept running for the viewer session. */
export class PowerShellCapturer implements ScreenCapturer {
  readonly method = 'powershell';
  private child: ChildProcessWithoutNullStreams | null = null;
  private lines: Interface | null = null;
  private readonly waiting: ((line: string | null) => void)[] = [];

  private start() {
    const encoded = Buffer.from(POWERSHELL_CAPTURE_LOOP, 'utf16le').toString('base64');
    const child = spawn('powershell.exe', ['-NoProfile', '-NonInteractive', '-EncodedCommand', encoded], { windowsHide: true });
    this.child = child;
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
    child.on('close', () => {
      this.child = null;
      for (const waiter of this.waiting.splice(0)) waiter(null);
    });
    child.on('error', () => undefined);
    return child;
  }

  capture(options: CaptureOptions): Promise<CapturedFrame> {
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        reject(new Error('PowerShell screen capture timed out'));
      }, TOOL_TIMEOUT_MS);
      this.waiting.push((line) => {
        clearTimeout(timer);
        if (line === null) return reject(new CaptureUnavailableError('PowerShell screen capture stopped'));
        if (line.startsWith('ERR ')) return reject(new Error(`screen capture failed: ${line.slice(4, 300)}`));
        try {
          resolve(framed(options.format, Buffer.from(line, 'base64')));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      child.stdin.write(options.format === 'jpeg' ? `jpeg:${options.quality}\n` : 'png\n');
    });
  }

  close() {
    this.child?.stdin.end('quit\n');
    this.child?.kill();
    this.child = null;
    this.lines?.close();
  }
}

async function hasCommand(file: string, args: string[]): Promise<boolean> {
  return run(file, args, process.env).then(
    () => true,
    (error: Error) => !(error instanceof CaptureUnavailableError),
  );
}

/** The capturer for this machine, or an error saying what is missing. */
export async function platformCapturer(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ScreenCapturer> {
  if (platform === 'win32') return new PowerShellCapturer();
  if (platform === 'darwin') return new ScreencaptureCapturer();
  if (!env.DISPLAY) throw new CaptureUnavailableError('no X display (DISPLAY is not set); the viewer needs an X11 session');
  if (await hasCommand('import', ['-version'])) return new ImportCapturer(env);
  if (await hasCommand('xwd', ['-help'])) return new XwdCapturer(env);
  throw new CaptureUnavailableError('neither ImageMagick (import) nor xwd is installed');
}
