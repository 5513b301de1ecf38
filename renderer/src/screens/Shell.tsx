import type { ReactNode } from 'react';
import type { Role } from '../../../shared/api/roles';
import { hasRole, useSession } from '../state/session-store';
import { useNav, type Route, type ScreenName } from '../state/nav-store';
import { AdminScreen } from './AdminScreen';
import { AuditTrailScreen } from './AuditTrailScreen';
import { BlockedEventsScreen } from './BlockedEventsScreen';
import { EndpointPage } from './EndpointPage';
import { EndpointsScreen } from './EndpointsScreen';
import { LoginEventsScreen } from './LoginEventsScreen';
import { MySessionsScreen } from './MySessionsScreen';
import { ReviewQueueScreen } from './ReviewQueueScreen';
import { ScriptsScreen } from './ScriptsScreen';
import { TrustScreen } from './TrustScreen';

interface NavItem {
  screen: ScreenName;
  label: string;
  route: Route;
  roles: readonly Role[];
}

/** Who sees which screen; the server enforces the same (this only keeps the menu honest). */
const NAV: readonly NavItem[] = [
  { screen: 'endpoints', label: 'Endpoints', route: { screen: 'endpoints' }, roles: ['technician', 'tenant_admin', 'platform_admin'] },
  {
    screen: 'scripts',
    label: 'Scripts',
    route: { screen: 'scripts' },
    roles: ['technician', 'tenant_admin', 'platform_admin', 'supervisor'],
  },
  { screen: 'trust', label: 'Trust requests', route: { screen: 'trust' }, roles: ['supervisor', 'tenant_admin', 'platform_admin'] },
  {
    screen: 'blocked-events',
    label: 'Blocked events',
    route: { screen: 'blocked-events' },
    roles: ['support', 'supervisor', 'platform_admin', 'tenant_admin'],
  },
  {
    screen: 'login-events',
    label: 'Login events',
    route: { screen: 'login-events' },
    roles: ['support', 'platform_admin', 'tenant_admin', 'supervisor'],
  },
  {
    screen: 'audit-trail',
    label: 'Audit trail',
    route: { screen: 'audit-trail' },
    roles: ['support', 'platform_admin', 'tenant_admin', 'supervisor'],
  },
  { screen: 'review-queue', label: 'Review queue', route: { screen: 'review-queue' }, roles: ['platform_admin', 'supervisor'] },
  { screen: 'admin', label: 'Admin', route: { screen: 'admin', tab: 'tenants' }, roles: ['platform_admin', 'tenant_admin'] },
  {
    screen: 'my-sessions',
    label: 'My sessions',
    route: { screen: 'my-sessions' },
    roles: ['platform_admin', 'supervisor', 'support', 'tenant_admin', 'technician'],
  },
];

const HOME: Record<Role, Route> = {
  technician: { screen: 'endpoints' },
  tenant_admin: { screen: 'endpoints' },
  platform_admin: { screen: 'endpoints' },
  supervisor: { screen: 'trust' },
  support: { screen: 'blocked-events' },
};

export function Shell() {
  const session = useSession((s) => s.session);
  const signOut = useSession((s) => s.signOut);
  const route = useNav((s) => s.route);
  const go = useNav((s) => s.go);
  if (!session) return null;
  const role = session.user.role;
  const items = NAV.filter((item) => item.roles.includes(role));
  const current = items.some((item) => item.screen === route.screen || (item.screen === 'endpoints' && route.screen === 'endpoint'))
    ? route
    : HOME[role];

  let content: ReactNode;
  switch (current.screen) {
    case 'endpoints':
      content = <EndpointsScreen />;
      break;
    case 'endpoint':
      content = <EndpointPage endpointId={current.endpointId} tab={current.tab} />;
      break;
    case 'scripts':
      content = <ScriptsScreen />;
      break;
    case 'trust':
      content = <TrustScreen />;
      break;
    case 'blocked-events':
      content = <BlockedEventsScreen />;
      break;
    case 'login-events':
      content = <LoginEventsScreen />;
      break;
    case 'audit-trail':
      content = <AuditTrailScreen />;
      break;
    case 'review-queue':
      content = <ReviewQueueScreen />;
      break;
    case 'admin':
      content = <AdminScreen tab={current.tab} />;
      break;
    case 'my-sessions':
      content = <MySessionsScreen />;
      break;
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Bulwark</span>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => {
              const active = item.screen === current.screen || (item.screen === 'endpoints' && current.screen === 'endpoint');
              return (
                <li key={item.screen}>
                  <button type="button" className="nav-link" aria-current={active ? 'page' : undefined} onClick={() => go(item.route)}>
                    {item.label}
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
        <span className="who">
          {session.user.displayName} <span className="muted">({roleLabel(role)})</span>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {session.tenant && session.tenant.state !== 'active' ? (
        <div className="notice notice-warning" role="status">
          <strong>
            {session.tenant.name} is {session.tenant.state}.{' '}
          </strong>
          {session.tenant.stateReason ?? ''}
          {session.tenant.state === 'restricted'
            ? ' Terminals, scripts, schedules and the viewer are not available until it is lifted.'
            : ''}
        </div>
      ) : null}
      {!session.vault.remembered && session.vault.message ? (
        <div className="notice notice-info" role="status">
          {session.vault.message}
        </div>
      ) : null}
      <main id="content" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}

export function roleLabel(role: Role): string {
  return {
    platform_admin: 'platform admin',
    supervisor: 'supervisor',
    support: 'support',
    tenant_admin: 'tenant admin',
    technician: 'technician',
  }[role];
}

export { hasRole };
