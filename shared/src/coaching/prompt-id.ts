import type { UserId } from '../domain/ids.js';
import type { PeriodId } from '../time/period.js';
import type { CoachingRule } from './types.js';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * FNV-1a, 64 bits, over the UTF-16 code units of the key. Hand-rolled rather than
 * node:crypto because shared code also runs in CRM cards; 64 bits keeps the chance of two
 * prompts of one tenant colliding negligible (about 1 in 3·10⁷ at a million prompts).
 */
function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/**
 * The prompt's identity: the same rule, rep, subject and period give the same id on every
 * run, whatever `asOf`, so storage upserts a prompt instead of duplicating it as days pass.
 * The subject is the deal for deal prompts, and the stage or tier otherwise, because a rep
 * can have several conversion prompts in one period. JSON keeps ids containing separators
 * from colliding ("a|b" + "c" vs "a" + "b|c").
 */
export function promptId(rule: CoachingRule, repId: UserId, subject: string, periodId: PeriodId): string {
  return `cp_${fnv1a64(JSON.stringify([rule, repId, subject, periodId])).toString(16).padStart(16, '0')}`;
}
