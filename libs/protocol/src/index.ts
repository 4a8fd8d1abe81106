export * from './errors';
export * from './limits';
export * from './model';
export * from './events';
export * from './rest';
export * from './schemas';
export * from './media';
export * from './proxy';
