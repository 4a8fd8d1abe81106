import type { SocketPrincipal, StaffRole } from '@engage/protocol';

export type Principal = SocketPrincipal;
export type StaffPrincipal = Extract<Principal, { userId: string }>;
export type CustomerPrincipal = Extract<Principal, { role: 'customer' }>;

export function isStaff(p: Principal): p is StaffPrincipal {
  return p.role !== 'customer';
}

export const STAFF_ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'admin'];
