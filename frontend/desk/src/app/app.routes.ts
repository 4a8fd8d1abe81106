import type { Routes } from '@angular/router';
import { staffGuard } from './core/auth/guards';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'desk' },
  { path: 'login', title: 'Sign in · Engage desk', loadComponent: () => import('./features/login/login.page').then((m) => m.LoginPage) },
  {
    path: 'join',
    title: 'Join a conversation',
    children: [
      { path: '', loadComponent: () => import('./features/join/join.page').then((m) => m.JoinPage) },
      { path: ':code', loadComponent: () => import('./features/join/join.page').then((m) => m.JoinPage) },
    ],
  },
  {
    path: 'desk',
    canMatch: [staffGuard],
    loadComponent: () => import('./features/desk/desk-shell.component').then((m) => m.DeskShellComponent),
    loadChildren: () => import('./features/desk/desk.routes').then((m) => m.deskRoutes),
  },
  { path: '**', redirectTo: 'desk' },
];
