/**
 * `npm run --silent policy -- <command>`: argument handling and dispatch, with the evaluator
 * and all I/O passed in so it runs in tests without the engine, a terminal or files.
 */
import { parseArgs } from 'node:util';
import type { DestinationRule, Platform, ShellOrAuto } from '../../shared/policy/types';
import { buildContext, evaluateStream, parseRulesFile, type Evaluator } from './evaluate-stream';
import { formatExplanation } from './explain';

export interface CliIo {
  stdinLines: () => AsyncIterable<string>;
  readStdin: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => string;
  now: () => number;
}

export const HELP = `Bulwark command policy

Usage:
  npm run --silent policy -- evaluate [options] < items.jsonl
      Reads JSON lines {"id","text","shell","platform"} (shell: powershell|cmd|bash|sh|zsh|auto,
      default auto; platform: windows|linux|macos, default from the shell; optional "session":
      lines with the same session are evaluated with the earlier ones as history).
      Writes one JSON line per input line: {"id","decision","reasons":[{"code","start","end"}]}
      (one entry per matched span; offsets are UTF-16 units into "text"). A bad input line
      gets {"id","error"} and the run goes on.

  npm run --silent policy -- explain [options] [--shell SHELL] [--platform PLATFORM] 'TEXT'
      Prints the decision, each reason (code, message, remedy) and the text with the matched
      spans marked. TEXT "-" reads the text from stdin.

Options:
  --trust standard|extended        trust in force (default standard)
  --blocked-destinations FILE      blocked-destination rules: JSON array or JSON lines of
                                   {"kind","value","reason"?}, or lines "kind value [reason]";
                                   kind is domain | ip | cidr | url_prefix
  --allowlist FILE                 destination allowlist (same format); only listed destinations may be reached
  --now MS                         evaluation time, epoch milliseconds (default: current time)
  -h, --help                       this help

Exit status: 0 on success (whatever the decisions), 2 on a usage or rules-file error.`;

interface Common {
  trust: 'standard' | 'extended';
  blockedDestinations: DestinationRule[];
  allowlist: DestinationRule[] | null;
  now: number;
}

class UsageError extends Error {}

function common(values: Record<string, string | boolean | undefined>, io: CliIo): Common {
  const trust = (values.trust as string | undefined) ?? 'standard';
  if (trust !== 'standard' && trust !== 'extended') throw new UsageError(`--trust must be "standard" or "extended", not "${trust}"`);
  const rules = (flag: string): DestinationRule[] | null => {
    const file = values[flag];
    if (typeof file !== 'string') return null;
    let content: string;
    try {
      content = io.readFile(file);
    } catch (e) {
      throw new UsageError(`cannot read --${flag} ${file}: ${(e as Error).message}`);
    }
    try {
      return parseRulesFile(content, file);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  };
  const nowText = values.now as string | undefined;
  const now = nowText === undefined ? io.now() : Number(nowText);
  if (!Number.isFinite(now)) throw new UsageError(`--now must be epoch milliseconds, not "${nowText}"`);
  return { trust, blockedDestinations: rules('blocked-destinations') ?? [], allowlist: rules('allowlist'), now };
}

const SHELLS: readonly string[] = ['powershell', 'cmd', 'bash', 'sh', 'zsh', 'auto'];
const PLATFORMS: readonly string[] = ['windows', 'linux', 'macos'];

/** Runs the CLI; returns the exit status. */
export async function runCli(argv: readonly string[], evaluate: Evaluator, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(HELP);
    return command === undefined ? 2 : 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        trust: { type: 'string' },
        'blocked-destinations': { type: 'string' },
        allowlist: { type: 'string' },
        now: { type: 'string' },
        shell: { type: 'string' },
        platform: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const opts = common(values, io);
    if (command === 'evaluate') {
      if (positionals.length) throw new UsageError(`evaluate reads stdin and takes no arguments (got "${positionals[0]}")`);
      const { errors } = await evaluateStream(io.stdinLines(), io.stdout, evaluate, {
        trust: opts.trust,
        blockedDestinations: opts.blockedDestinations,
        destinationAllowlist: opts.allowlist,
        now: opts.now,
      });
      if (errors) io.stderr(`${errors} input line(s) had errors (see their "error" field).`);
      return 0;
    }
    if (command === 'explain') {
      if (positionals.length !== 1) throw new UsageError('explain takes exactly one TEXT argument (quote it; "-" reads stdin)');
      const shell = values.shell ?? 'auto';
      if (!SHELLS.includes(shell)) throw new UsageError(`--shell must be one of ${SHELLS.join(', ')}`);
      const platform = values.platform ?? (shell === 'powershell' || shell === 'cmd' ? 'windows' : 'linux');
      if (!PLATFORMS.includes(platform)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')}`);
      const text = positionals[0] === '-' ? await io.readStdin() : (positionals[0] ?? '');
      const result = evaluate({
        text,
        shell: shell as ShellOrAuto,
        platform: platform as Platform,
        action: 'terminal_line',
        context: buildContext({
          trust: opts.trust,
          blockedDestinations: opts.blockedDestinations,
          destinationAllowlist: opts.allowlist,
          now: opts.now,
        }),
      });
      io.stdout(formatExplanation(text, result));
      return 0;
    }
    throw new UsageError(`unknown command "${command}" (expected evaluate or explain)`);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`policy: ${(e as Error).message}\nRun with --help for usage.`);
      return 2;
    }
    throw e;
  }
}
