export * from './call-session';
