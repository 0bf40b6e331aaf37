import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encrypts CRM tokens at rest with AES-256-GCM. The key comes from the environment
 * (TOKEN_ENCRYPTION_KEY: 32 bytes, base64) and never from the database or the repo.
 * Ciphertexts carry a key id so keys can be rotated: decrypt with any known key, encrypt
 * with the current one.
 */
export class TokenCipher {
  private constructor(
    private readonly currentId: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {}

  /** `TOKEN_ENCRYPTION_KEY` is the current key; `TOKEN_ENCRYPTION_KEYS_OLD` (comma-separated "id:base64") are still readable. */
  static fromEnvironment(env: { readonly TOKEN_ENCRYPTION_KEY?: string | undefined; readonly TOKEN_ENCRYPTION_KEYS_OLD?: string | undefined }): TokenCipher {
    const current = env.TOKEN_ENCRYPTION_KEY;
    if (!current) throw new Error('TOKEN_ENCRYPTION_KEY is not set: generate one with `openssl rand -base64 32` and set it in the environment (never in a file in the repo)');
    const keys = new Map<string, Buffer>();
    const parse = (id: string, b64: string, name: string): void => {
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) throw new Error(`${name} must be 32 bytes of base64 (got ${key.length} bytes): generate one with \`openssl rand -base64 32\``);
      keys.set(id, key);
    };
    const [id, b64] = current.includes(':') ? (current.split(':', 2) as [string, string]) : ['k1', current];
    parse(id, b64, 'TOKEN_ENCRYPTION_KEY');
    for (const old of (env.TOKEN_ENCRYPTION_KEYS_OLD ?? '').split(',').filter(Boolean)) {
      const [oldId, oldB64] = old.split(':', 2);
      if (!oldId || !oldB64) throw new Error('TOKEN_ENCRYPTION_KEYS_OLD entries look like "id:base64key", separated by commas');
      parse(oldId, oldB64, `TOKEN_ENCRYPTION_KEYS_OLD (${oldId})`);
    }
    return new TokenCipher(id, keys);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  decrypt(token: string): string {
    const [version, keyId, iv, tag, body] = token.split('.');
    const key = keyId === undefined ? undefined : this.keys.get(keyId);
    if (version !== 'v1' || !key || !iv || !tag || body === undefined) throw new Error(`Cannot decrypt a stored token (key "${keyId ?? '?'}" unknown or value malformed): set the key it was written with in TOKEN_ENCRYPTION_KEYS_OLD`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  /** True when a stored value was written with an old key and should be re-encrypted. */
  needsRotation(token: string): boolean {
    return token.split('.')[1] !== this.currentId;
  }
}
