import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../../worker/src/secrets/token-cipher.js';

const key = () => randomBytes(32).toString('base64');

describe('tokens at rest', () => {
  it('encrypts so the stored value never contains the token, and decrypts it back', () => {
    const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: key() });
    const stored = cipher.encrypt('refresh-token-abc');
    expect(stored).not.toContain('refresh-token-abc');
    expect(cipher.decrypt(stored)).toBe('refresh-token-abc');
    // Same plaintext, fresh IV: two encryptions never look alike.
    expect(cipher.encrypt('refresh-token-abc')).not.toBe(stored);
  });

  it('detects tampering', () => {
    const cipher = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: key() });
    const parts = cipher.encrypt('secret').split('.');
    parts[4] = Buffer.from('other').toString('base64');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  });

  it('rotates keys: old ciphertexts stay readable and are flagged for re-encryption', () => {
    const oldKey = key();
    const before = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: `k1:${oldKey}` });
    const stored = before.encrypt('token');
    const after = TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: `k2:${key()}`, TOKEN_ENCRYPTION_KEYS_OLD: `k1:${oldKey}` });
    expect(after.decrypt(stored)).toBe('token');
    expect(after.needsRotation(stored)).toBe(true);
    expect(after.needsRotation(after.encrypt('token'))).toBe(false);
  });

  it('refuses to start without a proper key, and says how to make one', () => {
    expect(() => TokenCipher.fromEnvironment({})).toThrow('TOKEN_ENCRYPTION_KEY is not set: generate one with `openssl rand -base64 32`');
    expect(() => TokenCipher.fromEnvironment({ TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow('must be 32 bytes of base64 (got 5 bytes)');
  });
});
