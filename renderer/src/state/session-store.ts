import { create } from 'zustand';
import { getBulwark } from '../bridge/index';
import type { SessionView } from '../../../shared/ipc/schemas';
import type { Role } from '../../../shared/api/roles';
import { guard } from '../api/calls';

export type SessionStatus = 'starting' | 'signed-out' | 'signed-in';

interface SessionState {
  status: SessionStatus;
  session: SessionView | null;
  /** Why the console returned to sign-in (revoked elsewhere, tenant blocked, …), shown as a banner. */
  signedOutMessage: string | null;
  /** On start: reopen the session the keychain remembers, if any. */
  resume: () => Promise<void>;
  signedIn: (session: SessionView) => void;
  /** Main reported the session ended; `message` explains why. */
  signedOutBy: (message: string) => void;
  signOut: () => Promise<void>;
  /** Refreshes step-ups and tenant state from main. */
  refresh: () => Promise<void>;
}

export const useSession = create<SessionState>()((set) => ({
  status: 'starting',
  session: null,
  signedOutMessage: null,
  resume: async () => {
    const result = await guard(() => getBulwark().auth.resume());
    if (result.ok && result.value) set({ status: 'signed-in', session: result.value, signedOutMessage: null });
    else set({ status: 'signed-out', session: null });
  },
  signedIn: (session) => set({ status: 'signed-in', session, signedOutMessage: null }),
  signedOutBy: (message) => set({ status: 'signed-out', session: null, signedOutMessage: message }),
  signOut: async () => {
    await guard(() => getBulwark().auth.signOut());
    set({ status: 'signed-out', session: null, signedOutMessage: null });
  },
  refresh: async () => {
    const result = await guard(() => getBulwark().auth.me());
    if (result.ok) set({ session: result.value });
  },
}));

export function hasRole(session: SessionView | null, ...roles: Role[]): boolean {
  return session !== null && roles.includes(session.user.role);
}

/** Whether a step-up for `action` is still in force (so the prompt can be skipped). */
export function hasFreshStepUp(session: SessionView | null, action: string, now = Date.now()): boolean {
  return session?.stepUps.some((grant) => grant.action === action && Date.parse(grant.expiresAt) > now) ?? false;
}
