import type { EntityManager, DataSource } from 'typeorm';

/**
 * Runs an UPDATE/DELETE … RETURNING and gives its rows. (TypeORM's postgres `query()` answers
 * `[rows, affectedCount]` for UPDATE and DELETE but plain rows for SELECT/INSERT.)
 */
export async function queryReturning<T>(db: EntityManager | DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
