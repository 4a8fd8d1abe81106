import { hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('agent-demo-1');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    await expect(verifyPassword('agent-demo-1', hash)).resolves.toBe(true);
    await expect(verifyPassword('agent-demo-2', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('treats malformed hashes as non-matching', async () => {
    await expect(verifyPassword('x', 'plain')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$abc$8$1$salt$hash')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$32768$8$1$c2FsdA$c2hvcnQ')).resolves.toBe(false);
  });
});
