/**
 * Commands that do what a better-known cmdlet does, read as that cmdlet, so that the rules that know the cmdlet judge
 * them too. WMI methods: `Invoke-CimMethod -ClassName MSFT_MpPreference -MethodName Set -Arguments
 * @{DisableRealtimeMonitoring=$true}` is `Set-MpPreference -DisableRealtimeMonitoring $true`; `Win32_Service`'s `Create`
 * is `New-Service`; `StdRegProv`'s `SetStringValue` is `Set-ItemProperty` (on this machine or, `-ComputerName`, another).
 * Group Policy registry settings: `Set-GPRegistryValue -Key HKLM\…\Run -ValueName x -Value y` is the same registry
 * write, made on every computer the policy applies to.
 */
import type { SimpleCommand, Word } from './document';
import type { HashtableEntry } from './lex-powershell';
import { trimQuotes } from './names';
import type { Span } from '../types';

/** One piece of the cmdlet's command line, with the span of the original text it stands for. */
export interface CmdletPiece {
  text: string;
  span: Span;
}

interface CmdletMapping {
  cmdlet: string;
  /** How argument names become parameter names (lower-case argument → parameter); absent: the same names. */
  parameters?: Readonly<Record<string, string>>;
  /** The instance the method acts on (a service) is named by the query's `Name='…'`, given as this parameter. */
  instanceParameter?: string;
  /** A `StdRegProv` method: the hive, key and value arguments become a registry path, name and value. */
  registry?: 'set' | 'create-key' | 'delete-key' | 'delete-value';
}

const SERVICE_CREATE_PARAMETERS = { name: 'Name', displayname: 'DisplayName', pathname: 'BinaryPathName', startmode: 'StartupType' };
const REGISTRY_SET: CmdletMapping = { cmdlet: 'Set-ItemProperty', registry: 'set' };

/** `class.method` (lower case) → the cmdlet that does the same. */
const CIM_METHOD_CMDLETS: ReadonlyMap<string, CmdletMapping> = new Map([
  ['msft_mppreference.set', { cmdlet: 'Set-MpPreference' }],
  ['msft_mppreference.add', { cmdlet: 'Add-MpPreference' }],
  ['msft_mppreference.remove', { cmdlet: 'Remove-MpPreference' }],
  ['win32_service.create', { cmdlet: 'New-Service', parameters: SERVICE_CREATE_PARAMETERS }],
  ['win32_service.change', { cmdlet: 'Set-Service', parameters: SERVICE_CREATE_PARAMETERS, instanceParameter: 'Name' }],
  ['win32_service.changestartmode', { cmdlet: 'Set-Service', parameters: { startmode: 'StartupType' }, instanceParameter: 'Name' }],
  ['win32_service.stopservice', { cmdlet: 'Stop-Service', parameters: {}, instanceParameter: 'Name' }],
  ['win32_service.delete', { cmdlet: 'Remove-Service', parameters: {}, instanceParameter: 'Name' }],
  ['stdregprov.setstringvalue', REGISTRY_SET],
  ['stdregprov.setexpandedstringvalue', REGISTRY_SET],
  ['stdregprov.setmultistringvalue', REGISTRY_SET],
  ['stdregprov.setdwordvalue', REGISTRY_SET],
  ['stdregprov.setqwordvalue', REGISTRY_SET],
  ['stdregprov.setbinaryvalue', REGISTRY_SET],
  ['stdregprov.createkey', { cmdlet: 'New-Item', registry: 'create-key' }],
  ['stdregprov.deletekey', { cmdlet: 'Remove-Item', registry: 'delete-key' }],
  ['stdregprov.deletevalue', { cmdlet: 'Remove-ItemProperty', registry: 'delete-value' }],
]);

/** `hDefKey` values (the documented constants, and the hive the method uses when none is given). */
const REGISTRY_HIVES: ReadonlyMap<string, string> = new Map([
  ['2147483648', 'HKCR:'],
  ['2147483649', 'HKCU:'],
  ['2147483650', 'HKLM:'],
  ['2147483651', 'Registry::HKEY_USERS'],
  ['0x80000000', 'HKCR:'],
  ['0x80000001', 'HKCU:'],
  ['0x80000002', 'HKLM:'],
  ['0x80000003', 'Registry::HKEY_USERS'],
]);
const DEFAULT_HIVE = 'HKLM:';

/** Invoke-CimMethod's parameters that take a value, for finding its positional class name and arguments. */
const VALUE_PARAMETERS: readonly string[] = [
  'classname',
  'methodname',
  'arguments',
  'namespace',
  'computername',
  'cimsession',
  'cimclass',
  'inputobject',
  'query',
  'querydialect',
  'resourceuri',
  'operationtimeoutsec',
];
const SWITCH_PARAMETERS: readonly string[] = ['whatif', 'confirm', 'asjob'];
const ALL_PARAMETERS: readonly string[] = [...VALUE_PARAMETERS, ...SWITCH_PARAMETERS];

/** The parameter an option names, allowing PowerShell's unambiguous prefixes (`-Class`, `-Method`, `-Arg`). */
function parameterNamed(option: string): string | undefined {
  const key = option.slice(1).split(':', 1)[0] as string;
  if (key.length === 0) return undefined;
  let found: string | undefined;
  for (const p of ALL_PARAMETERS) {
    if (p === key) return p;
    if (!p.startsWith(key)) continue;
    if (found !== undefined) return undefined;
    found = p;
  }
  return found;
}

interface CimCall {
  className?: Word;
  method?: Word;
  arguments?: Word;
  query?: Word;
}

/** Invoke-CimMethod's class, method, arguments and query: named (`-ClassName X`, `-MethodName:Y`) or by position (class, arguments). */
function readCall(words: readonly Word[]): CimCall {
  const call: CimCall = {};
  const positional: Word[] = [];
  for (let k = 1; k < words.length; k++) {
    const w = words[k] as Word;
    const parameter = w.quoted !== true && w.value.length > 1 && w.value.startsWith('-') ? parameterNamed(w.lower) : undefined;
    if (parameter === undefined) {
      positional.push(w);
      continue;
    }
    if (SWITCH_PARAMETERS.includes(parameter)) continue;
    const colon = w.value.indexOf(':');
    const value = colon > 0 ? { value: w.value.slice(colon + 1), lower: w.lower.slice(colon + 1), span: w.span } : words[++k];
    if (value === undefined) break;
    if (parameter === 'classname') call.className = value;
    else if (parameter === 'methodname') call.method = value;
    else if (parameter === 'arguments') call.arguments = value;
    else if (parameter === 'query') call.query = value;
  }
  call.className ??= positional[0];
  call.arguments ??= positional[call.className === positional[0] ? 1 : 0];
  return call;
}

/** The class and filter of a `Get-CimInstance`/`Get-WmiObject` piped into the method call. */
function pipedInstances(listing: SimpleCommand | undefined): { className?: Word; filter?: Word } {
  if (listing === undefined || (listing.name !== 'get-ciminstance' && listing.name !== 'get-wmiobject')) return {};
  const words = listing.words;
  const out: { className?: Word; filter?: Word } = {};
  for (let k = 1; k < words.length; k++) {
    const w = words[k] as Word;
    if (w.lower === '-classname' || w.lower === '-class') out.className = words[++k];
    else if (w.lower === '-filter' || w.lower === '-query') out.filter = words[++k];
    else if (w.lower.startsWith('-')) k++;
    else out.className ??= w;
  }
  return out;
}

/** The service a WQL filter or query selects (`Name='WinDefend'`, `… WHERE Name = "Sense"`), if it names one. */
function instanceName(filter: Word): string | undefined {
  if (filter.value.length > 1024) return undefined;
  const m = /\bname\s*=\s*['"]([^'"]{1,256})['"]/i.exec(filter.value);
  return m?.[1];
}

/** A value written as PowerShell would read it back: variables, numbers and `$true` as they are, anything else quoted. */
function literal(value: string): string {
  return /^[\w$.:\\/-]+$/.test(value) ? value : "'" + value.replace(/'/g, "''") + "'";
}

/** `[uint32]2147483650` → `2147483650`: a cast before a number does not change it. */
function withoutCast(value: string): string {
  return value.startsWith('[') ? value.slice(value.indexOf(']') + 1) : value;
}

/**
 * The cmdlet command line an `Invoke-CimMethod` call amounts to, as pieces with their original spans; undefined when
 * its class and method are not one of the known pairs. `entriesOf` reads a hashtable argument (inline or a variable).
 */
export function cimMethodCmdlet(
  cmd: SimpleCommand,
  piped: SimpleCommand | undefined,
  entriesOf: (w: Word) => readonly HashtableEntry[] | undefined,
): CmdletPiece[] | undefined {
  const call = readCall(cmd.words);
  const listing = pipedInstances(piped);
  const className = call.className ?? listing.className;
  if (className === undefined || call.method === undefined) return undefined;
  const bareClass = className.lower.slice(className.lower.lastIndexOf(':') + 1);
  const mapping = CIM_METHOD_CMDLETS.get(bareClass + '.' + call.method.lower);
  if (mapping === undefined) return undefined;
  const entries = (call.arguments !== undefined ? entriesOf(call.arguments) : undefined) ?? [];
  const pieces: CmdletPiece[] = [{ text: mapping.cmdlet, span: call.method.span }];
  if (mapping.registry !== undefined) return registryCommand(mapping, entries, pieces);
  if (mapping.instanceParameter !== undefined) {
    const filter = call.query ?? listing.filter;
    const name = filter === undefined ? undefined : instanceName(filter);
    if (filter === undefined || name === undefined) return undefined;
    pieces.push({ text: '-' + mapping.instanceParameter, span: filter.span }, { text: literal(name), span: filter.span });
  }
  // Each argument as the parameter of the same (or the mapped) name, followed by its value (`$true` for a switch given).
  for (const { key, value } of entries) {
    const parameter = mapping.parameters === undefined ? trimQuotes(key.value) : mapping.parameters[trimQuotes(key.lower)];
    if (parameter === undefined || !/^\w+$/.test(parameter)) continue;
    pieces.push({ text: '-' + parameter, span: key.span }, { text: literal(value.value), span: value.span });
  }
  return pieces;
}

/** `StdRegProv` arguments (`hDefKey`, `sSubKeyName`, `sValueName`, `sValue`/`uValue`) as a registry cmdlet's path, name and value. */
function registryCommand(mapping: CmdletMapping, entries: readonly HashtableEntry[], pieces: CmdletPiece[]): CmdletPiece[] | undefined {
  const find = (...keys: string[]) => entries.find((e) => keys.includes(trimQuotes(e.key.lower)));
  const subKey = find('ssubkeyname');
  if (subKey === undefined) return undefined;
  const hive = find('hdefkey');
  const hiveName = hive === undefined ? DEFAULT_HIVE : REGISTRY_HIVES.get(withoutCast(hive.value.lower).trim());
  if (hiveName === undefined) return undefined;
  const path = hiveName + '\\' + subKey.value.value.replace(/^\\+/, '');
  pieces.push({ text: '-Path', span: subKey.key.span }, { text: literal(path), span: subKey.value.span });
  if (mapping.registry === 'create-key' || mapping.registry === 'delete-key') return pieces;
  const name = find('svaluename');
  if (name !== undefined) pieces.push({ text: '-Name', span: name.key.span }, { text: literal(name.value.value), span: name.value.span });
  const value = mapping.registry === 'set' ? find('svalue', 'uvalue') : undefined;
  if (value !== undefined)
    pieces.push({ text: '-Value', span: value.key.span }, { text: literal(withoutCast(value.value.value)), span: value.value.span });
  return pieces;
}

/** Group Policy cmdlets that set a registry value on the computers (or users) a policy applies to. */
export const GPO_REGISTRY_SETTERS: ReadonlySet<string> = new Set(['set-gpregistryvalue', 'set-gpprefregistryvalue']);

/** `Set-GPRegistryValue -Name P -Key 'HKLM\…' -ValueName v -Value x`: the `Set-ItemProperty` it makes on each computer. */
export function gpoRegistryCmdlet(cmd: SimpleCommand): CmdletPiece[] | undefined {
  const words = cmd.words;
  let key: Word | undefined;
  let valueName: Word | undefined;
  let value: Word | undefined;
  for (let k = 1; k < words.length - 1; k++) {
    const option = (words[k] as Word).lower;
    if (option === '-key') key = words[++k];
    else if (option === '-valuename') valueName = words[++k];
    else if (option === '-value') value = words[++k];
  }
  if (key === undefined) return undefined;
  // `HKLM\Software\…` as a PowerShell registry path: `HKLM:\Software\…`.
  const slash = key.value.indexOf('\\');
  const hive = slash > 0 ? key.value.slice(0, slash) : key.value;
  const path = /^hk[a-z]+$/i.test(hive) ? hive + ':' + key.value.slice(hive.length) : key.value;
  const pieces: CmdletPiece[] = [
    { text: valueName === undefined ? 'New-Item' : 'Set-ItemProperty', span: words[0]!.span },
    { text: '-Path', span: key.span },
    { text: literal(path), span: key.span },
  ];
  if (valueName !== undefined)
    pieces.push({ text: '-Name', span: valueName.span }, { text: literal(valueName.value), span: valueName.span });
  if (valueName !== undefined && value !== undefined)
    pieces.push({ text: '-Value', span: value.span }, { text: literal(value.value), span: value.span });
  return pieces;
}

/** Invoke-WmiMethod's switches (its other parameters take a value). */
const WMI_SWITCHES: ReadonlySet<string> = new Set(['-asjob', '-enableallprivileges', '-whatif', '-confirm']);

/** Positions in Invoke-WmiMethod's `-ArgumentList` of Win32_Service.Create's arguments (WMI orders them by name). */
const SERVICE_CREATE_POSITIONS = { name: 5, pathName: 6, startMode: 9 };

/**
 * `Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList 'cmd …'`: the command line started (`process`);
 * `-Class Win32_Service -Name Create -ArgumentList $false,'Display',1,$null,$null,'Name','C:\x.exe',…`: the
 * `New-Service` it amounts to (`cmdlet`). Neither for other classes and methods.
 */
export function wmiMethodCall(cmd: SimpleCommand): { process?: Word; cmdlet?: CmdletPiece[] } {
  const words = cmd.words;
  let className: string | undefined;
  let method: string | undefined;
  const items: Word[] = [];
  for (let k = 1; k < words.length; k++) {
    const option = (words[k] as Word).lower;
    if (option === '-class') className = words[++k]?.lower;
    else if (option === '-name') method = words[++k]?.lower;
    else if (option === '-argumentlist' || option === '-args') {
      // Items separated by `,` words, up to the next parameter.
      for (k++; k < words.length; k += 2) {
        items.push(words[k] as Word);
        if (words[k + 1]?.value !== ',') break;
      }
    } else if (option.startsWith('-') && !WMI_SWITCHES.has(option)) k++;
  }
  if (method !== 'create' || items.length === 0) return {};
  if (className === 'win32_process') return { process: items[0] };
  if (className !== 'win32_service' || items.length <= SERVICE_CREATE_POSITIONS.pathName) return {};
  const name = items[SERVICE_CREATE_POSITIONS.name] as Word;
  const path = items[SERVICE_CREATE_POSITIONS.pathName] as Word;
  const pieces: CmdletPiece[] = [
    { text: 'New-Service', span: words[0]!.span },
    { text: '-Name', span: name.span },
    { text: literal(name.value), span: name.span },
    { text: '-BinaryPathName', span: path.span },
    { text: literal(path.value), span: path.span },
  ];
  const start = items[SERVICE_CREATE_POSITIONS.startMode];
  if (start !== undefined) pieces.push({ text: '-StartupType', span: start.span }, { text: literal(start.value), span: start.span });
  return { cmdlet: pieces };
}
