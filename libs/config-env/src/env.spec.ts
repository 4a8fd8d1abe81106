import { z } from 'zod';
import { ConfigError, logLevel, parseEnv, port, positiveInt } from './env';

const schema = z.object({
  PORT: port('PORT').default(3000),
  WORKERS: positiveInt('WORKERS').optional(),
  LOG_LEVEL: logLevel().default('info'),
  SECRET: z.string().min(8, 'SECRET must be at least 8 characters long').optional(),
});
const parse = (env: Record<string, string | undefined>) => parseEnv(schema, env, { secrets: ['SECRET'] });
const messageOf = (env: Record<string, string | undefined>): string => {
  try {
    parse(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('parseEnv with port, positiveInt and logLevel', () => {
  it('coerces good values and applies defaults, treating empty strings as unset', () => {
    expect(parse({ PORT: '0', WORKERS: '4', LOG_LEVEL: 'debug' }).data).toEqual({ PORT: 0, WORKERS: 4, LOG_LEVEL: 'debug' });
    expect(parse({ PORT: '65535' }).data.PORT).toBe(65535);
    expect(parse({ PORT: '', WORKERS: undefined, LOG_LEVEL: '' })).toEqual({ data: { PORT: 3000, LOG_LEVEL: 'info' }, cleaned: {} });
    expect(parse({ OTHER: 'kept', EMPTY: '' }).cleaned).toEqual({ OTHER: 'kept' });
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid setting PORT: PORT must be a port number (got "abc").'],
    [{ PORT: '80.5' }, 'Invalid setting PORT: PORT must be a whole number (got "80.5").'],
    [{ PORT: '-1' }, 'Invalid setting PORT: PORT must be between 0 and 65535 (got "-1").'],
    [{ PORT: '65536' }, 'Invalid setting PORT: PORT must be between 0 and 65535 (got "65536").'],
    [{ WORKERS: 'many' }, 'Invalid setting WORKERS: WORKERS must be a number (got "many").'],
    [{ WORKERS: '1.5' }, 'Invalid setting WORKERS: WORKERS must be a whole number (got "1.5").'],
    [{ WORKERS: '0' }, 'Invalid setting WORKERS: WORKERS must be greater than 0 (got "0").'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid setting LOG_LEVEL: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud").'],
  ])('refuses %j with a sentence naming the variable and the value', (env, message) => {
    expect(messageOf(env)).toBe(message);
  });

  it('reports every bad variable at once and never echoes a secret', () => {
    const message = messageOf({ PORT: 'x', WORKERS: '-2', SECRET: 'hunter2' });
    expect(message).toBe(
      'Invalid setting PORT: PORT must be a port number (got "x"). Invalid setting WORKERS: WORKERS must be greater than 0 (got "-2"). Invalid setting SECRET: SECRET must be at least 8 characters long.',
    );
    expect(message).not.toContain('hunter2');
  });

  it('names the variable a custom logLevel() guards', () => {
    expect(() => parseEnv(z.object({ SFU_LOG: logLevel('SFU_LOG') }), { SFU_LOG: 'x' })).toThrow('Invalid setting SFU_LOG: SFU_LOG must be one of fatal');
  });
});
