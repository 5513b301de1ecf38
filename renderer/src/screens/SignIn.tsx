import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { getBulwark } from '../bridge/index';
import { checkServerUrl } from '../../../shared/ipc/server-url';
import type { IpcError } from '../../../shared/ipc/schemas';
import { guard } from '../api/calls';
import { Progress } from '../components/common';
import { QrCode } from '../components/QrCode';
import { FirstAdmin } from './FirstAdmin';
import { useSession } from '../state/session-store';

type Step =
  | { kind: 'password' }
  | { kind: 'first-admin'; serverUrl: string }
  | { kind: 'code'; purpose: 'mfa' | 'enroll'; otpauthUri: string | null };

/** What to tell a person for each refusal, keyed by the stable error code. */
function signInMessage(error: IpcError): { title: string; detail: string } {
  switch (error.code) {
    case 'invalid_credentials':
      return { title: 'Sign-in refused', detail: error.message };
    case 'rate_limited':
      return { title: 'Too many attempts', detail: error.message };
    case 'tenant_blocked':
      return { title: 'Organisation blocked', detail: error.message };
    case 'server_unreachable':
    case 'console_host_unreachable':
      return { title: 'Server unreachable', detail: `${error.message} Check the address and your network, then try again.` };
    case 'insecure_server_url':
      return { title: 'Insecure address', detail: error.message };
    case 'invalid_code':
      return { title: 'Code not accepted', detail: error.message };
    case 'challenge_expired':
    case 'no_pending_sign_in':
      return { title: 'Sign-in timed out', detail: 'Enter your password again to get a new code prompt.' };
    default:
      return { title: 'Sign-in failed', detail: error.message };
  }
}

/** The base32 key inside an otpauth URI, grouped by four for typing into an app by hand. */
function manualKey(otpauthUri: string): string | null {
  try {
    const secret = new URL(otpauthUri).searchParams.get('secret');
    return secret ? (secret.match(/.{1,4}/g) ?? []).join(' ') : null;
  } catch {
    return null;
  }
}

export function SignIn() {
  const signedIn = useSession((s) => s.signedIn);
  const signedOutMessage = useSession((s) => s.signedOutMessage);
  const id = useId();
  const [serverUrl, setServerUrl] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [urlError, setUrlError] = useState<string | null>(null);
  const [adminCreated, setAdminCreated] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      const saved = await guard(() => getBulwark().prefs.getServerUrl());
      const url = saved.ok ? saved.value.serverUrl : null;
      if (!live || !url) return;
      setServerUrl((current) => current || url);
      // First run: a server without any admin, started together with this console by `npm start`.
      const setup = await guard(() => getBulwark().setup.status({ serverUrl: url }));
      if (live && setup.ok && setup.value.canCreateFirstAdmin) setStep({ kind: 'first-admin', serverUrl: url });
    })();
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (step.kind === 'code') codeRef.current?.focus();
  }, [step]);

  async function submitPassword(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const check = checkServerUrl(serverUrl);
    if (!check.ok) {
      setUrlError(check.message);
      return;
    }
    setUrlError(null);
    await signInWith(check.origin, email.trim(), password);
  }

  async function signInWith(origin: string, account: string, secret: string) {
    setBusy('Checking your password…');
    const result = await guard(() => getBulwark().auth.signIn({ serverUrl: origin, email: account, password: secret }));
    if (!result.ok) {
      setBusy(null);
      setStep({ kind: 'password' });
      setError(result.error);
      return;
    }
    setPassword('');
    if (result.value.next === 'mfa') {
      setBusy(null);
      setStep({ kind: 'code', purpose: 'mfa', otpauthUri: null });
      return;
    }
    setBusy('Preparing your authenticator setup…');
    const enrollment = await guard(() => getBulwark().auth.startEnrollment());
    setBusy(null);
    if (!enrollment.ok) {
      setError(enrollment.error);
      return;
    }
    setStep({ kind: 'code', purpose: 'enroll', otpauthUri: enrollment.value.otpauthUri });
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    if (!/^\d{6}$/.test(code)) return;
    setError(null);
    setBusy(
      step.kind === 'code' && step.purpose === 'enroll' ? 'Checking the code before saving your authenticator…' : 'Checking the code…',
    );
    const result = await guard(() => getBulwark().auth.verifyCode({ code }));
    setBusy(null);
    setCode('');
    if (result.ok) {
      signedIn(result.value);
      return;
    }
    if (result.error.code === 'challenge_expired' || result.error.code === 'no_pending_sign_in') setStep({ kind: 'password' });
    setError(result.error);
    codeRef.current?.focus();
  }

  const message = error ? signInMessage(error) : null;

  return (
    <main className="sign-in">
      <h1>Bulwark</h1>
      {signedOutMessage ? (
        <div className="notice notice-warning" role="alert">
          <strong>You were signed out: </strong>
          {signedOutMessage}
        </div>
      ) : null}
      {message ? (
        <div className="notice notice-error" role="alert">
          <strong>{message.title}: </strong>
          {message.detail}
        </div>
      ) : null}

      {adminCreated && step.kind !== 'first-admin' ? (
        <div className="notice notice-info" role="status">
          The first platform admin was created. Sign-in continues with setting up your authenticator.
        </div>
      ) : null}

      {step.kind === 'first-admin' ? (
        <FirstAdmin
          serverUrl={step.serverUrl}
          onCreated={(createdEmail, createdPassword) => {
            setAdminCreated(true);
            setEmail(createdEmail);
            void signInWith(step.serverUrl, createdEmail, createdPassword);
          }}
        />
      ) : step.kind === 'password' ? (
        <form onSubmit={(event) => void submitPassword(event)} aria-label="Sign in" noValidate>
          <h2>Sign in</h2>
          <label htmlFor={`${id}-server`}>Server address</label>
          <input
            id={`${id}-server`}
            type="url"
            inputMode="url"
            autoComplete="url"
            placeholder="https://bulwark.example.com"
            value={serverUrl}
            required
            aria-invalid={urlError ? true : undefined}
            aria-describedby={urlError ? `${id}-server-error` : `${id}-server-hint`}
            onChange={(event) => {
              setServerUrl(event.target.value);
              setUrlError(null);
            }}
          />
          {urlError ? (
            <p id={`${id}-server-error`} className="error-text" role="alert">
              {urlError}
            </p>
          ) : (
            <p id={`${id}-server-hint`} className="hint">
              https is required; plain http only to this computer.
            </p>
          )}
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="username"
            value={email}
            required
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            value={password}
            required
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy !== null || !serverUrl || !email || !password}>
              Continue
            </button>
          </div>
        </form>
      ) : (
        <form
          onSubmit={(event) => void submitCode(event)}
          aria-label={step.purpose === 'enroll' ? 'Set up your authenticator' : 'Enter your code'}
          noValidate
        >
          {step.purpose === 'enroll' && step.otpauthUri ? (
            <>
              <h2>Set up your authenticator app</h2>
              <p>
                Scan this code with an authenticator app (for example Aegis, Google Authenticator or 1Password), then enter the 6-digit code
                it shows. Nothing is saved until the code is checked.
              </p>
              <QrCode value={step.otpauthUri} label="QR code for your authenticator app" />
              {manualKey(step.otpauthUri) ? (
                <p>
                  Can't scan? Enter this key by hand: <code className="manual-key">{manualKey(step.otpauthUri)}</code>
                </p>
              ) : null}
            </>
          ) : (
            <>
              <h2>Two-step verification</h2>
              <p>Enter the current code from your authenticator app.</p>
            </>
          )}
          <label htmlFor={`${id}-code`}>Authenticator code</label>
          <input
            ref={codeRef}
            id={`${id}-code`}
            className="totp-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={7}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
          />
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy !== null || code.length !== 6}>
              {step.purpose === 'enroll' ? 'Verify and save' : 'Sign in'}
            </button>
            <button
              type="button"
              onClick={() => {
                setStep({ kind: 'password' });
                setError(null);
                setCode('');
              }}
            >
              Start over
            </button>
          </div>
        </form>
      )}
      {busy ? <Progress label={busy} /> : null}
    </main>
  );
}
