import { useId, useState, type FormEvent } from 'react';
import { getBulwark } from '../bridge/index';
import type { IpcError } from '../../../shared/ipc/schemas';
import { guard } from '../api/calls';
import { Progress } from '../components/common';

/** The server's rules for a new password (server/identity/passwords.ts), said up front. */
export const PASSWORD_RULES = 'At least 12 characters, not a common password, and not containing your email name. A passphrase works well.';
const MIN_PASSWORD_LENGTH = 12;

type Field = 'email' | 'displayName' | 'password';

/** Messages per form field from a refusal: main's IPC validation and the server both name fields. */
export function fieldErrors(error: IpcError | null): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  for (const [key, message] of Object.entries(error?.fields ?? {})) {
    const field = key.replace(/^body\./, '');
    if (field === 'email' || field === 'displayName' || field === 'password') out[field] ??= message;
  }
  return out;
}

/**
 * First run: the server has no platform admin yet and this console was started by `npm start`
 * with the server's one-time token (held by main, never by this page). Creates the admin; the
 * caller then signs in with the same email and password, which enrolls the authenticator.
 */
export function FirstAdmin({ serverUrl, onCreated }: { serverUrl: string; onCreated: (email: string, password: string) => void }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [localPasswordError, setLocalPasswordError] = useState<string | null>(null);

  const fields = fieldErrors(error);
  const passwordError = localPasswordError ?? fields.password ?? null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (password.length < MIN_PASSWORD_LENGTH) {
      setLocalPasswordError(`Use at least ${MIN_PASSWORD_LENGTH} characters`);
      return;
    }
    setLocalPasswordError(null);
    setBusy(true);
    const result = await guard(() =>
      getBulwark().setup.createFirstAdmin({
        serverUrl,
        email: email.trim(),
        password,
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      }),
    );
    setBusy(false);
    if (result.ok) onCreated(result.value.user.email, password);
    else setError(result.error);
  }

  const described = (field: string, hint?: boolean) =>
    [hint ? `${id}-${field}-hint` : null, fields[field as Field] || (field === 'password' && passwordError) ? `${id}-${field}-error` : null]
      .filter(Boolean)
      .join(' ') || undefined;

  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>Create the first platform admin</h2>
      <p>
        This Bulwark server has no administrator yet. Create yours now: next you sign in with it and set up your authenticator app. There is
        no default password.
      </p>
      <p className="muted">Server: {serverUrl}</p>
      {error && Object.keys(fields).length === 0 ? (
        <div className="notice notice-error" role="alert">
          <strong>The admin was not created: </strong>
          {error.message}
        </div>
      ) : null}

      <label htmlFor={`${id}-email`}>Email</label>
      <input
        id={`${id}-email`}
        type="email"
        autoComplete="username"
        value={email}
        required
        aria-invalid={fields.email ? true : undefined}
        aria-describedby={described('email')}
        onChange={(e) => setEmail(e.target.value)}
      />
      {fields.email ? (
        <p id={`${id}-email-error`} className="error-text" role="alert">
          {fields.email}
        </p>
      ) : null}

      <label htmlFor={`${id}-name`}>Name</label>
      <input
        id={`${id}-name`}
        autoComplete="name"
        value={displayName}
        aria-invalid={fields.displayName ? true : undefined}
        aria-describedby={fields.displayName ? `${id}-displayName-error` : undefined}
        onChange={(e) => setDisplayName(e.target.value)}
      />
      {fields.displayName ? (
        <p id={`${id}-displayName-error`} className="error-text" role="alert">
          {fields.displayName}
        </p>
      ) : null}

      <label htmlFor={`${id}-password`}>Password</label>
      <div className="inline-form">
        <input
          id={`${id}-password`}
          type={showPassword ? 'text' : 'password'}
          autoComplete="new-password"
          value={password}
          required
          aria-invalid={passwordError ? true : undefined}
          aria-describedby={described('password', true)}
          onChange={(e) => {
            setPassword(e.target.value);
            setLocalPasswordError(null);
          }}
        />
        <button type="button" aria-pressed={showPassword} aria-controls={`${id}-password`} onClick={() => setShowPassword((v) => !v)}>
          {showPassword ? 'Hide' : 'Show'}
        </button>
      </div>
      <p id={`${id}-password-hint`} className="hint">
        {PASSWORD_RULES}
      </p>
      {passwordError ? (
        <p id={`${id}-password-error`} className="error-text" role="alert">
          {passwordError}
        </p>
      ) : null}

      <div className="button-row">
        <button type="submit" className="primary" disabled={busy || !email.trim() || !password}>
          Create admin
        </button>
      </div>
      {busy ? <Progress label="Creating the first platform admin…" /> : null}
    </form>
  );
}
