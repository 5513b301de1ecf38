import { create } from 'zustand';

/** Simple state-based routing: one screen at a time, with its parameters. */
export type Route =
  | { screen: 'endpoints' }
  | { screen: 'endpoint'; endpointId: string; tab: EndpointTab }
  | { screen: 'scripts' }
  | { screen: 'trust' }
  | { screen: 'blocked-events' }
  | { screen: 'login-events' }
  | { screen: 'audit-trail' }
  | { screen: 'review-queue' }
  | { screen: 'admin'; tab: AdminTab }
  | { screen: 'my-sessions' };

export type EndpointTab = 'terminal' | 'run-script' | 'viewer' | 'history';
export type AdminTab = 'tenants' | 'destinations' | 'enroll-tokens' | 'users';
export type ScreenName = Route['screen'];

interface NavState {
  route: Route;
  go: (route: Route) => void;
}

export const useNav = create<NavState>()((set) => ({
  route: { screen: 'endpoints' },
  go: (route) => set({ route }),
}));
