export * from './storage';
export * from './engage-socket';
export * from './chat-session';
