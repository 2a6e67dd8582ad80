import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * JWT-shaped HS256 tokens the sandbox IAM issues and every sandbox service verifies. ibm-cloud-sdk-core's
 * IamAuthenticator decodes `exp`/`iat` from the token to plan its refresh, so the shape must be a real JWT.
 */
export interface SandboxTokenClaims {
  iam_id: string;
  id: string;
  sub: string;
  sub_type: string;
  account: { bss: string };
  iat: number;
  exp: number;
  iss: string;
  grant_type: string;
  scope: string;
  client_id: string;
  jti: string;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signSandboxToken(
  key: Buffer,
  options: { issuer: string; accountId: string; ttlSeconds: number; grantType: string; now?: number },
): { token: string; claims: SandboxTokenClaims } {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: SandboxTokenClaims = {
    iam_id: 'iam-ServiceId-sandbox',
    id: 'iam-ServiceId-sandbox',
    sub: 'ServiceId-sandbox',
    sub_type: 'ServiceId',
    account: { bss: options.accountId },
    iat,
    exp: iat + options.ttlSeconds,
    iss: options.issuer,
    grant_type: options.grantType,
    scope: 'ibm openid',
    client_id: 'default',
    jti: randomUUID(),
  };
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'sandbox' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  return { token: `${head}.${body}.${signature}`, claims };
}

/** The claims of a valid, unexpired token signed with `key`; null for anything else. */
export function verifySandboxToken(token: string, key: Buffer, now = Date.now()): SandboxTokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [head, body, signature] = parts;
  let header: { alg?: unknown };
  let claims: SandboxTokenClaims;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SandboxTokenClaims;
  } catch {
    return null;
  }
  if (header.alg !== 'HS256') return null;
  const expected = createHmac('sha256', key).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return null;
  return claims;
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}
