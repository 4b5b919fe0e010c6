import { createHash, randomBytes } from 'node:crypto';
import { ProxyError } from './errors.ts';

/** A virtual key as the proxy stores it (LiteLLM's `LiteLLM_VerificationToken` row). */
export interface VirtualKey {
  /** The hashed key: LiteLLM's `token`, used in rate-limit descriptors and spend logs. */
  readonly token: string;
  readonly keyName: string;
  readonly alias: string | null;
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
  readonly models: readonly string[];
  readonly metadata: Record<string, unknown>;
  /** Epoch ms; `null` never expires. */
  readonly expiresAt: number | null;
  /** Everything `/key/generate` was sent except a custom `key`, echoed by `/key/info`. */
  readonly fields: Record<string, unknown>;
  readonly createdAt: string;
}

/** LiteLLM's `hash_token`: the sha256 hex of the raw key. */
export function hashToken(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  mo: 2_592_000_000,
};

/** LiteLLM's `duration_in_seconds` formats: `30s`, `5m`, `1h`, `1d`, `1w`, `1mo`. */
export function parseDuration(duration: string): number {
  const m = /^(\d+)(s|m|h|d|w|mo)$/.exec(duration.trim());
  if (!m)
    throw new ProxyError(400, `Unsupported duration unit: ${duration}. Use s, m, h, d, w or mo.`, 'bad_request_error');
  return Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
}

/**
 * The proxy's key table. Lookups are by hashed key, as in LiteLLM, so the raw key exists only
 * in the `/key/generate` response and in the client's hands.
 */
export class KeyStore {
  private readonly byToken = new Map<string, VirtualKey>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Number of live (not deleted) keys, expired ones included. */
  get size(): number {
    return this.byToken.size;
  }

  /** `/key/generate`: mints `sk-` + 22 url-safe characters (LiteLLM's `token_urlsafe(16)`). */
  generate(req: Record<string, unknown>): Record<string, unknown> {
    const key =
      typeof req.key === 'string' && req.key.startsWith('sk-')
        ? req.key
        : `sk-${randomBytes(16).toString('base64url')}`;
    const token = hashToken(key);
    const duration = typeof req.duration === 'string' ? req.duration : null;
    const expiresAt = duration ? this.now() + parseDuration(duration) : null;
    const alias = typeof req.key_alias === 'string' ? req.key_alias : null;
    if (alias && [...this.byToken.values()].some((k) => k.alias === alias)) {
      throw new ProxyError(
        400,
        `Unique key aliases across all keys are required, got duplicate alias: ${alias}`,
        'bad_request_error',
      );
    }
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    // A custom `key` (LiteLLM's GenerateKeyRequest.key, how rotated keys are imported) is stored
    // only as its hash: echoing `fields` must never hand the raw key back on /key/info.
    const { key: _custom, ...fields } = req;
    const vk: VirtualKey = {
      token,
      keyName: `sk-...${key.slice(-4)}`,
      alias,
      rpmLimit: num(req.rpm_limit),
      tpmLimit: num(req.tpm_limit),
      models: Array.isArray(req.models) ? req.models.filter((m): m is string => typeof m === 'string') : [],
      metadata: req.metadata && typeof req.metadata === 'object' ? (req.metadata as Record<string, unknown>) : {},
      expiresAt,
      fields,
      createdAt: new Date(this.now()).toISOString(),
    };
    this.byToken.set(token, vk);
    return {
      ...fields,
      key,
      key_name: vk.keyName,
      key_alias: alias,
      expires: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      token_id: token,
      token,
      models: vk.models,
      metadata: vk.metadata,
      rpm_limit: vk.rpmLimit,
      tpm_limit: vk.tpmLimit,
      spend: 0,
      created_at: vk.createdAt,
    };
  }

  /** The key row for a raw key, or undefined when unknown. Expiry is the caller's decision. */
  find(rawKey: string): VirtualKey | undefined {
    return this.byToken.get(hashToken(rawKey));
  }

  /**
   * The key row `/key/info` was asked about: a raw `sk-` key is hashed first, anything else is
   * taken as the hash itself (LiteLLM's `_hash_token_if_needed`), so callers can keep the raw key
   * out of URLs. Only `/key/info` looks up by hash; authentication never accepts one.
   */
  lookup(asked: string): VirtualKey | undefined {
    return this.byToken.get(asked.startsWith('sk-') ? hashToken(asked) : asked);
  }

  /** Whether a key's `duration` has run out. */
  expired(k: VirtualKey): boolean {
    return k.expiresAt !== null && k.expiresAt <= this.now();
  }

  /** Whether a key was generated with `blocked: true` (LiteLLM's `/key/block` sets the same column). */
  blocked(k: VirtualKey): boolean {
    return k.fields.blocked === true;
  }

  /**
   * `/key/info`'s `info` object: the row without the hashed `token`, with LiteLLM 1.103.10's
   * derived `status` (`_derive_key_status`: `revoked` when blocked, `expired` past `expires`,
   * else `active`) and the ownership columns (`user_id`, `team_id`) that decide who may read it.
   */
  info(k: VirtualKey): Record<string, unknown> {
    return {
      ...k.fields,
      user_id: k.fields.user_id ?? null,
      team_id: k.fields.team_id ?? null,
      blocked: typeof k.fields.blocked === 'boolean' ? k.fields.blocked : null,
      status: this.blocked(k) ? 'revoked' : this.expired(k) ? 'expired' : 'active',
      key_name: k.keyName,
      key_alias: k.alias,
      spend: 0,
      expires: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
      models: k.models,
      metadata: k.metadata,
      rpm_limit: k.rpmLimit,
      tpm_limit: k.tpmLimit,
      created_at: k.createdAt,
    };
  }

  /** Deletes the keys whose raw values are given; returns how many existed. */
  deleteKeys(rawKeys: readonly string[]): number {
    let n = 0;
    for (const raw of rawKeys) if (this.byToken.delete(hashToken(raw))) n += 1;
    return n;
  }

  /** Deletes the keys carrying any of the given aliases; returns how many existed. */
  deleteAliases(aliases: readonly string[]): number {
    let n = 0;
    for (const [token, k] of this.byToken) {
      if (k.alias !== null && aliases.includes(k.alias)) {
        this.byToken.delete(token);
        n += 1;
      }
    }
    return n;
  }
}
