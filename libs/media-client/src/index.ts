export * from './call-session';
export * from './devices';
export * from './quality';
