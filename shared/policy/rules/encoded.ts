/**
 * Encoded and obfuscated execution. Blocked whatever the payload: an administrator has no reason
 * to hide a command from the person reviewing it. Decoding to the screen or to a file is allowed.
 *
 * Techniques:
 * - `powershell -EncodedCommand/-enc/-e …` (also when the payload is a variable),
 * - base64 (or hex) decoded and executed: `… | base64 -d | sh`, `eval "$(… | base64 -d)"`,
 *   `IEX ([Text.Encoding]::…GetString([Convert]::FromBase64String(…)))`, `exec(base64.b64decode(…))`,
 *   a decoded file that is then run,
 * - command names hidden by escapes, split quotes, globbing, `$IFS`, `%VAR:~x,y%` substrings, or
 *   computed at run time (`&('i'+'ex')`, `& (gcm i*x)`, `[char[]](…) -join`),
 * - sensitive words assembled by string building, so they do not appear in the text,
 * - invisible Unicode (zero-width, bidi controls) inside commands.
 */
import type { Document, SimpleCommand, Word } from '../analysis/document';
import {
  computedProgram,
  contentWriteTargets,
  executedFiles,
  executesArguments,
  fileKey,
  isDecoder,
  redirectOrPipeTargets,
  referencedVariables,
  referencesAny,
  runsPipedInput,
} from '../analysis/semantics';
import { INTERPRETERS, POSIX_SHELLS, POWERSHELL_HOSTS } from '../analysis/unwrap';
import type { Span } from '../types';
import { docHas, DocumentCache, POWERSHELL_TEXT_RUNNERS } from './command-match';
import type { Finding, RuleContext, RuleFamily } from './rule';

const REMEDY = 'Send the command in plain text; a supervisor can grant extended trust, or save the script and have its hash permitted.';
const UNICODE_REMEDY = 'Retype the command without invisible or look-alike characters.';

/** Names whose disguise is a strong signal on its own. */
const SENSITIVE_NAMES = new Set([
  'invoke-expression',
  'invoke-webrequest',
  'invoke-restmethod',
  'invoke-command',
  'start-process',
  'new-object',
  'set-alias',
  'add-type',
  'start-bitstransfer',
  'invoke-item',
  'powershell',
  'pwsh',
  'cmd',
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'python',
  'python3',
  'perl',
  'ruby',
  'php',
  'node',
  'curl',
  'wget',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'base64',
  'certutil',
  'bitsadmin',
  'mshta',
  'rundll32',
  'regsvr32',
  'wscript',
  'cscript',
  'msiexec',
  'wmic',
  'schtasks',
  'reg',
  'sc',
  'net',
  'net1',
  'vssadmin',
  'bcdedit',
  'whoami',
  'eval',
  'exec',
  'chmod',
  'rm',
  'crontab',
  'mimikatz',
  'procdump',
  'nslookup',
  'ftp',
  'tftp',
  'openssl',
  'osascript',
]);

/** Terms that obfuscation is used to hide; found in deobfuscated words but not in the raw text. */
const SENSITIVE_TERMS = [
  'invoke-expression',
  'downloadstring',
  'downloadfile',
  'downloaddata',
  'net.webclient',
  'invoke-webrequest',
  'invoke-restmethod',
  'frombase64string',
  'scriptblock',
  'start-process',
  'powershell',
  'cmd.exe',
  'bitstransfer',
  'reflection.assembly',
  'virtualalloc',
  'amsiutils',
  'amsiinitfailed',
  'mimikatz',
  '-encodedcommand',
  '/bin/sh',
  '/bin/bash',
  '/dev/tcp',
];

/** `iex` as a word of its own (not inside `iexplore`). */
function hasIexWord(lower: string): boolean {
  for (let i = lower.indexOf('iex'); i >= 0; i = lower.indexOf('iex', i + 1)) {
    const before = lower.charCodeAt(i - 1);
    const after = lower.charCodeAt(i + 3);
    const isWordChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
    if (!(i > 0 && isWordChar(before)) && !isWordChar(after)) return true;
  }
  return false;
}

const CODE_DECODE = [
  'b64decode',
  'base64.decode',
  'decode_base64',
  'decode64',
  'base64_decode',
  'frombase64string',
  "'base64')",
  '"base64")',
  'atob(',
  'unhexlify',
  'bytes.fromhex',
  'codecs.decode',
  'zlib.decompress',
];
const CODE_EXEC = [
  'exec(',
  'eval(',
  // Perl/Ruby call without parentheses (`eval decode_base64("…")`), Python 2's `exec` statement.
  'eval ',
  'exec ',
  'os.system',
  'subprocess',
  'popen',
  'system(',
  'execsync',
  'child_process',
  'shell_exec',
  'passthru',
  'compile(',
];

function finding(
  code: 'encoded_command' | 'obfuscation' | 'unicode_trick',
  ruleId: string,
  message: string,
  spans: (Span | undefined)[],
  severity: { standard: 'block' | 'flag'; extended: 'block' | 'flag' } = { standard: 'block', extended: 'flag' },
): Finding {
  const clean: Span[] = [];
  for (const s of spans) if (s && !clean.some((c) => c.start === s.start && c.end === s.end)) clean.push({ start: s.start, end: s.end });
  clean.sort((a, b) => a.start - b.start || a.end - b.end);
  return {
    code,
    ruleId,
    standard: severity.standard,
    extended: severity.extended,
    message,
    spans: clean,
    remedy: code === 'unicode_trick' ? UNICODE_REMEDY : REMEDY,
  };
}

function codeDecodesAndRuns(code: string): boolean {
  const l = code.toLowerCase();
  return CODE_DECODE.some((t) => l.includes(t)) && CODE_EXEC.some((t) => l.includes(t));
}

/** The first command nested in `w` that decodes (see `decodeFlags`). */
function nestedDecoder(doc: Document, decodes: readonly number[], w: Word): SimpleCommand | undefined {
  if (!w.nested) return undefined;
  for (const i of w.nested) {
    const c = doc.commands[i];
    if (c && decodes[i] !== 0) return c;
  }
  return undefined;
}

function isPowerShellDecode(cmd: SimpleCommand): boolean {
  for (const w of cmd.words) {
    const l = w.lower;
    if (l.includes('frombase64string') || (l.includes('encoding]::') && l.includes('getstring('))) return true;
  }
  return false;
}

/**
 * `printf '\x63\x75\x72\x6c…'`, `echo -e '\143\165…'`: text written as character codes, which printf and
 * echo decode. A letter or digit written as a code is enough; colour codes (`\033[32m`) are not text.
 */
function printsEscapedText(cmd: SimpleCommand): boolean {
  if (cmd.name !== 'printf' && cmd.name !== 'echo') return false;
  for (const w of cmd.words) {
    if (w.value.indexOf('\\') < 0) continue;
    const codes = /\\(x[0-9a-fA-F]{2}|[0-7]{3})/g;
    for (let m = codes.exec(w.value); m !== null; m = codes.exec(w.value)) {
      const digits = m[1] as string;
      const code = digits[0] === 'x' ? parseInt(digits.slice(1), 16) : parseInt(digits, 8);
      if (isAlnumCode(code)) return true;
    }
  }
  return false;
}

function isAlnumCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** `decodeFlags` bits: `isDecoder` (a decoding program, or printf/echo of character codes), and a PowerShell command that decodes base64 text. */
const DECODER = 1;
const POWERSHELL_DECODE = 2;

/** Per command (by index), how it decodes (0: not at all). */
function decodeFlags(doc: Document): readonly number[] {
  const flags: number[] = [];
  const joins = docHas(doc, '[char]') ? charCodeJoins(doc) : null;
  for (let i = 0; i < doc.commands.length; i++) {
    const cmd = doc.commands[i]!;
    let f = isDecoder(cmd) || printsEscapedText(cmd) ? DECODER : 0;
    if (cmd.shell === 'powershell' && (isPowerShellDecode(cmd) || joins?.has(i) === true)) f |= POWERSHELL_DECODE;
    flags.push(f);
  }
  return flags;
}

/**
 * `($codes | ForEach-Object { [char]$_ }) -join ''`: character codes cast one by one inside a command
 * whose result is joined, by the joining command's index. The analysis folds written-out codes itself;
 * this catches codes it cannot see (a variable, a computed list).
 */
function charCodeJoins(doc: Document): Set<number> {
  const out = new Set<number>();
  for (const cmd of doc.commands) {
    if (cmd.shell !== 'powershell' || !(cmd.words[0]?.lower.startsWith('[char]') ?? false)) continue;
    let at = cmd.parent;
    for (let depth = 0; at !== undefined && depth < 4; depth++) {
      const ancestor = doc.commands[at];
      if (ancestor === undefined) break;
      if (ancestor.words.some((w) => w.lower === '-join')) {
        out.add(at);
        break;
      }
      at = ancestor.parent;
    }
  }
  return out;
}
const DECODE_FLAGS = new DocumentCache(decodeFlags);

/** Records what decoding commands of `d` leave behind: variables holding decoded text, decoded files (with the span, for the current text). */
function trackDecoded(
  d: Document,
  flags: readonly number[],
  current: boolean,
  decodedVariables: Set<string>,
  decodedFiles: Map<string, Span | undefined>,
): void {
  for (let i = 0; i < d.commands.length; i++) {
    const cmd = d.commands[i]!;
    if (flags[i] === 0) {
      // Decoded text passed on: an expression over it (`$t = [regex]::Matches($decoded, …)`) holds decoded text, and
      // whatever writes it (`$t -join '' | Set-Content x.ps1`) leaves a decoded file.
      if (decodedVariables.size === 0 || !referencesAny(cmd, decodedVariables)) continue;
      if (cmd.assignTo !== undefined && cmd.name === '') decodedVariables.add(cmd.assignTo.toLowerCase());
      for (const t of contentWriteTargets(cmd, d)) decodedFiles.set(fileKey(t), current ? cmd.span : undefined);
      continue;
    }
    if (cmd.assignTo !== undefined) decodedVariables.add(cmd.assignTo.toLowerCase());
    for (const t of redirectOrPipeTargets(cmd, d)) decodedFiles.set(fileKey(t), current ? cmd.span : undefined);
    if (cmd.name === 'certutil') {
      const files = cmd.words.slice(1).filter((w) => !w.value.startsWith('-') && !w.value.startsWith('/'));
      const out = files[1];
      if (out) decodedFiles.set(fileKey(out.value), current ? cmd.span : undefined);
    }
  }
}

/** What a `variable_obfuscation` note hides: `$IFS` standing for spaces, or an empty expansion (as written) splitting a name. */
function variableObfuscationMessage(detail: string | undefined): string {
  if (detail === undefined || detail === '$IFS') return 'A shell variable ($IFS) is used in place of spaces to disguise the command.';
  const shown = detail.length > 40 ? detail.slice(0, 40) + '…' : detail;
  return `The expansion \`${shown}\` inside the command name is empty when unset, so it only serves to split the name and disguise the command.`;
}

export const encodedRules: RuleFamily = (doc: Document, ctx: RuleContext): Finding[] => {
  const findings: Finding[] = [];
  const original = doc.original;
  // The raw text, lower case: only needed when a word was deobfuscated, so computed on first use.
  let lowerOriginal: string | null = null;

  // Decoded variables/files of earlier lines count too.
  const decodedVariables = new Set<string>();
  const decodedFiles = new Map<string, Span | undefined>();
  for (const h of ctx.history) trackDecoded(h, DECODE_FLAGS.ofHistory(h), false, decodedVariables, decodedFiles);
  const decodes = DECODE_FLAGS.of(doc);
  trackDecoded(doc, decodes, true, decodedVariables, decodedFiles);
  const runsText = POWERSHELL_TEXT_RUNNERS.of(doc);

  // Notes made by the analysis.
  for (const note of doc.notes) {
    switch (note.kind) {
      case 'encoded_command':
        findings.push(
          finding(
            'encoded_command',
            'enc.ps-encodedcommand',
            'PowerShell is given an -EncodedCommand: the command is base64 text that cannot be reviewed as written.',
            [note.span],
          ),
        );
        break;
      case 'computed_invocation':
        findings.push(
          finding(
            'obfuscation',
            'enc.computed-invocation',
            `The command name is computed at run time${note.detail ? ` (it resolves to ${note.detail})` : ''}, which only serves to hide what runs.`,
            [note.span],
          ),
        );
        break;
      case 'variable_obfuscation':
        findings.push(finding('obfuscation', 'enc.ifs', variableObfuscationMessage(note.detail), [note.span]));
        break;
      case 'unicode_zero_width':
        if (!(note.span.start === 0 && original.charCodeAt(0) === 0xfeff)) {
          findings.push(
            finding(
              'unicode_trick',
              'enc.unicode-invisible',
              'The text contains invisible (zero-width) characters, which can hide what a command really is.',
              [note.span],
              { standard: 'block', extended: 'block' },
            ),
          );
        }
        break;
      case 'unicode_bidi':
        findings.push(
          finding(
            'unicode_trick',
            'enc.unicode-bidi',
            'The text contains bidirectional control characters, which make it display differently from what runs.',
            [note.span],
            { standard: 'block', extended: 'block' },
          ),
        );
        break;
      case 'budget_exhausted':
        findings.push(
          finding(
            'obfuscation',
            'enc.too-complex',
            'The text is too complex to analyse completely (an abnormal number of commands or nested layers); it is held for review.',
            [note.span],
            { standard: 'flag', extended: 'flag' },
          ),
        );
        break;
      case 'unicode_fullwidth':
        findings.push(
          finding(
            'unicode_trick',
            'enc.unicode-fullwidth',
            'The text uses full-width or compatibility look-alike characters; they were normalised for analysis.',
            [note.span],
            { standard: 'flag', extended: 'flag' },
          ),
        );
        break;
      default:
        break;
    }
  }

  const psStatementsWithExec = new Set<number>();
  const psStatementsWithDecode = new Map<number, SimpleCommand>();
  for (let i = 0; i < doc.commands.length; i++) {
    const cmd = doc.commands[i]!;
    if (cmd.shell !== 'powershell') continue;
    const st = cmd.statement ?? -1;
    if (runsText[i] === 1) psStatementsWithExec.add(st);
    const refsDecoded = decodedVariables.size > 0 && referencesAny(cmd, decodedVariables);
    if ((decodes[i]! & POWERSHELL_DECODE) !== 0 || refsDecoded) psStatementsWithDecode.set(st, cmd);
  }

  for (let i = 0; i < doc.commands.length; i++) {
    const cmd = doc.commands[i]!;
    const name = cmd.name;
    const head = cmd.words[0];

    // Disguised command names.
    // Disguising an ordinary command changes nothing it can do; disguising a program that runs code,
    // downloads or changes the system only serves to get past review.
    if (head?.obfuscated && SENSITIVE_NAMES.has(name)) {
      findings.push(
        finding(
          'obfuscation',
          'enc.disguised-name',
          `The command name \`${name}\` is disguised (escape characters, split quotes, wildcards or variable substrings).`,
          [head.span],
        ),
      );
    }

    // Sensitive terms that only appear after deobfuscation.
    {
      for (const w of cmd.words) {
        if (!w.obfuscated || w === head) continue;
        const lower = w.lower;
        lowerOriginal ??= original.toLowerCase();
        const raw = lowerOriginal.slice(w.span.start, w.span.end);
        const hidden =
          SENSITIVE_TERMS.find((t) => lower.includes(t) && !raw.includes(t)) ?? (hasIexWord(lower) && !hasIexWord(raw) ? 'iex' : undefined);
        if (hidden) {
          findings.push(
            finding(
              'obfuscation',
              'enc.hidden-term',
              `\`${hidden}\` is assembled at run time (escapes, string building or substrings) so it does not appear in the text.`,
              [w.span],
            ),
          );
          break;
        }
      }
    }

    // Decoded content executed via pipes: `… | base64 -d | sh`, or into a program named at run time (`| $SHELL`).
    const piped = cmd.position > 0 ? runsPipedInput(doc, cmd) : null;
    if (piped !== null) {
      const members = doc.pipelines[cmd.pipeline] ?? [];
      for (let p = 0; p < cmd.position; p++) {
        const prevIndex = members[p] as number;
        const prev = doc.commands[prevIndex];
        if (!prev) continue;
        const fromDecodedVar = decodedVariables.size > 0 && referencesAny(prev, decodedVariables);
        if (decodes[prevIndex] !== 0 || fromDecodedVar) {
          findings.push(
            finding(
              'encoded_command',
              'enc.decode-pipe-exec',
              piped === 'computed'
                ? `Encoded text is decoded by \`${prev.words[0]?.value ?? prev.name}\` and piped into \`${head?.value ?? name}\`, a program whose name is only known at run time (it could be a shell), invoked as if to run what it reads.`
                : `Encoded text is decoded by \`${prev.words[0]?.value ?? prev.name}\` and piped into \`${head?.value ?? name}\`, which runs it.`,
              [prev.span, cmd.span],
            ),
          );
          break;
        }
      }
    }

    // Decoded content as an executed argument: `eval "$(echo … | base64 -d)"`, `bash -c "$(… base64 -d)"`.
    for (const w of executesArguments(cmd)) {
      const decoder = nestedDecoder(doc, decodes, w);
      const fromVar = decodedVariables.size > 0 && referencedVariables(w).some((v) => decodedVariables.has(v));
      if (decoder || fromVar) {
        findings.push(
          finding(
            'encoded_command',
            'enc.decode-exec',
            `\`${head?.value ?? name}\` runs text that is decoded from an encoding at run time.`,
            [decoder?.span, cmd.span],
          ),
        );
        break;
      }
      if (w.lower.length > 12 && (INTERPRETERS.has(name) || POSIX_SHELLS.has(name)) && codeDecodesAndRuns(w.value)) {
        findings.push(
          finding(
            'encoded_command',
            'enc.inline-decode-exec',
            `\`${name}\` is given code that decodes an encoded payload and executes it.`,
            [w.span],
          ),
        );
        break;
      }
    }

    // Decoded text handed to a program whose name is computed at run time (`& ($c.Insert(1,'E').Substring(0,3)) $dec`).
    if (decodedVariables.size > 0 && computedProgram(doc, cmd) !== null) {
      const arg = cmd.words.slice(1).find((w) => referencedVariables(w).some((v) => decodedVariables.has(v)));
      if (arg)
        findings.push(
          finding(
            'encoded_command',
            'enc.decode-exec',
            `Decoded text (${arg.value}) is handed to \`${head?.value ?? name}\`, a program whose name is only known at run time (it could be Invoke-Expression or a shell).`,
            [arg.span, cmd.span],
          ),
        );
    }

    // Code that decodes and executes, written somewhere (an autostart file, a script).
    if ((name === 'echo' || name === 'printf') && (cmd.redirects.length > 0 || (doc.pipelines[cmd.pipeline]?.length ?? 0) > 1)) {
      const w = cmd.words.slice(1).find((x) => x.lower.length > 12 && codeDecodesAndRuns(x.value));
      if (w)
        findings.push(
          finding(
            'encoded_command',
            'enc.stored-decode-exec',
            'Code that decodes an encoded payload and executes it is written out to be run later.',
            [w.span],
          ),
        );
    }

    // Running a file that was produced by decoding.
    if (decodedFiles.size > 0 && (decodes[i]! & DECODER) === 0) {
      for (const key of executedFiles(cmd)) {
        if (!key || !decodedFiles.has(key)) continue;
        findings.push(
          finding('encoded_command', 'enc.decoded-file-run', `\`${key}\` is produced by decoding encoded data and then executed.`, [
            decodedFiles.get(key),
            cmd.span,
          ]),
        );
        break;
      }
    }

    // PowerShell host given encoded arguments via a variable (`powershell -EncodedCommand $x`) is noted by analysis;
    // `-EncodedArguments` too.
    if (POWERSHELL_HOSTS.has(name) && cmd.words.some((w) => /^[-/]encodeda/i.test(w.value))) {
      findings.push(
        finding('encoded_command', 'enc.ps-encodedarguments', 'PowerShell is given -EncodedArguments: its arguments are base64 text.', [
          cmd.span,
        ]),
      );
    }
  }

  // PowerShell: decode and execute in one statement (`IEX ([Text.Encoding]::…GetString([Convert]::FromBase64String(…)))`).
  for (const [st, decodeCmd] of psStatementsWithDecode) {
    if (psStatementsWithExec.has(st)) {
      findings.push(
        finding('encoded_command', 'enc.ps-decode-exec', 'This PowerShell statement decodes base64 text and executes the result.', [
          decodeCmd.span,
        ]),
      );
    }
  }
  // `[char[]](…)`/`[char]` codes assembled into something that is executed.
  for (let i = 0; i < doc.commands.length; i++) {
    if (runsText[i] !== 1) continue;
    const cmd = doc.commands[i]!;
    const built = cmd.words.slice(1).find((w) => w.obfuscated);
    if (built)
      findings.push(
        finding(
          'obfuscation',
          'enc.ps-built-exec',
          'Text assembled at run time (string building, character codes or format strings) is executed.',
          [built.span],
        ),
      );
  }
  return findings;
};
