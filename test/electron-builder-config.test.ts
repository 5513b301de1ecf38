/**
 * electron-builder.yml is validated the way electron-builder itself validates it (Ajv over
 * app-builder-lib's scheme.json, strict off), plus the hardening the project relies on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const configText = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
const config = parse(configText) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;

function validate(data: unknown) {
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: false });
  const check = ajv.compile(schema);
  return { ok: check(data), errors: check.errors ?? [] };
}

describe('electron-builder.yml', () => {
  it('declares its schema for editors', () => {
    expect(configText.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*app-builder-lib\/scheme\.json$/);
  });

  it('validates against app-builder-lib scheme.json', () => {
    const result = validate(config);
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('is refused by the same validation when an option is misspelt', () => {
    expect(validate({ ...config, asarr: true }).ok).toBe(false);
    expect(validate({ ...config, electronFuses: { runAsNod: false } }).ok).toBe(false);
  });

  it('sets the identity, targets and hardening the product relies on', () => {
    expect(config).toMatchObject({ appId: expect.any(String), productName: 'Bulwark', asar: true, npmRebuild: false });
    expect(config.win).toMatchObject({ target: ['nsis'] });
    expect(config.mac).toMatchObject({ target: ['dmg', 'zip'] });
    expect(config.linux).toMatchObject({ target: ['AppImage'] });
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
