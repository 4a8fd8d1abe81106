import type { Routes } from '@angular/router';
import { supervisorGuard } from '../../core/auth/guards';

export const deskRoutes: Routes = [
  {
    path: 'history',
    title: 'History · Engage desk',
    loadComponent: () => import('../history/history.page').then((m) => m.HistoryPage),
    children: [
      { path: '', loadComponent: () => import('../../shared/ui/empty-pane.component').then((m) => m.EmptyPaneComponent), data: { message: 'Select a past engagement to read its transcript.' } },
      { path: ':id', loadComponent: () => import('../history/transcript-pane.component').then((m) => m.TranscriptPaneComponent) },
    ],
  },
  {
    path: 'supervise',
    title: 'Supervise · Engage desk',
    canMatch: [supervisorGuard],
    loadComponent: () => import('../supervise/supervise.page').then((m) => m.SupervisePage),
    children: [
      { path: '', loadComponent: () => import('../../shared/ui/empty-pane.component').then((m) => m.EmptyPaneComponent), data: { message: 'Select a live engagement to watch it.' } },
      { path: ':id', loadComponent: () => import('../supervise/watch-pane.component').then((m) => m.WatchPaneComponent) },
    ],
  },
  {
    path: '',
    title: 'Desk · Engage',
    loadComponent: () => import('./workspace/workspace.page').then((m) => m.WorkspacePage),
    children: [
      { path: '', loadComponent: () => import('../../shared/ui/empty-pane.component').then((m) => m.EmptyPaneComponent), data: { message: 'Accept someone from the queue or open one of your engagements.' } },
      { path: 'e/:id', loadComponent: () => import('./workspace/engagement-pane.component').then((m) => m.EngagementPaneComponent) },
    ],
  },
];
