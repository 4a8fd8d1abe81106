export { ConfigError, LOG_LEVELS, logLevel, parseEnv, port, positiveInt, type LogLevel } from './env';
