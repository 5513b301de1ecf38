import { useEffect } from 'react';
import { getBulwark } from './bridge/index';
import { Progress } from './components/common';
import { Shell } from './screens/Shell';
import { SignIn } from './screens/SignIn';
import { useSession } from './state/session-store';

/** Top level: reopen a remembered session, listen for main's "signed out" notice, then sign-in or the shell. */
export function App() {
  const status = useSession((s) => s.status);
  const resume = useSession((s) => s.resume);
  const signedOutBy = useSession((s) => s.signedOutBy);

  useEffect(() => {
    void resume();
  }, [resume]);

  useEffect(() => {
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = getBulwark().events.onSignedOut((event) => signedOutBy(event.message));
    } catch {
      // No bridge (a bare static preview): the sign-in screen reports the host as unreachable.
    }
    return () => unsubscribe?.();
  }, [signedOutBy]);

  if (status === 'starting') {
    return (
      <main className="sign-in">
        <h1>Bulwark</h1>
        <Progress label="Starting the console…" />
      </main>
    );
  }
  return status === 'signed-in' ? <Shell /> : <SignIn />;
}
