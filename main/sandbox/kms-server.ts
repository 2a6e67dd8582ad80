import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  listenLoopback,
  mediaType,
  readBody,
  sendEmpty,
  sendJson,
  type ListeningServer,
} from './http-server';
import {
  KEY_STATES,
  openWithVersion,
  parseCiphertext,
  SandboxKeyStore,
  sealWithVersion,
  type StoredKey,
} from './kms-store';
import { bearerToken, verifySandboxToken } from './sandbox-token';

/**
 * A stand-in for Key Protect's v2 API on 127.0.0.1: keys (list, create, import, get, delete) and the key
 * actions wrap, unwrap, rewrap, rotate, enable and disable, with Key Protect's headers, states, error envelope
 * and reason codes, so the official SDK and our client run against it unchanged. Actions are accepted both as
 * `POST /api/v2/keys/{id}/actions/{action}` (what @ibm-cloud/ibm-key-protect sends) and as the older
 * `POST /api/v2/keys/{id}?action={action}`.
 */
export interface KmsServerOptions {
  dataDir: string;
  instanceId: string;
  region: string;
  accountId: string;
  tokenSigningKey: Buffer;
  unref?: boolean;
}

const KEY_TYPE = 'application/vnd.ibm.kms.key+json';
const ERROR_TYPE = 'application/vnd.ibm.kms.error+json';
const MORE_INFO = 'https://cloud.ibm.com/apidocs/key-protect';
const ACTIONS = ['wrap', 'unwrap', 'rewrap', 'rotate', 'enable', 'disable'] as const;
type KeyAction = (typeof ACTIONS)[number];
/** Key Protect refuses wrap plaintexts above this size. */
const MAX_PLAINTEXT_BYTES = 7400;
const MAX_AAD_ENTRY = 255;

class KmsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly reasonMessage: string,
    readonly errorMsg: string,
    readonly target?: { type: string; name: string },
  ) {
    super(reasonMessage);
  }
}

function errorEnvelope(error: KmsHttpError): unknown {
  const reason: Record<string, unknown> = {
    code: error.reason,
    message: error.reasonMessage,
    status: error.status,
    moreInfo: MORE_INFO,
  };
  if (error.target) reason.target = error.target;
  return {
    metadata: { collectionType: ERROR_TYPE, collectionTotal: 1 },
    resources: [{ errorMsg: error.errorMsg, reasons: [reason] }],
  };
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
};

function fail(
  status: number,
  reason: string,
  reasonMessage: string,
  what: string,
  target?: { type: string; name: string },
): never {
  throw new KmsHttpError(
    status,
    reason,
    reasonMessage,
    `${statusText[status] ?? 'Error'}: ${what}. Please see \`reasons\` for more details.`,
    target,
  );
}

const ACCEPTED_TYPES: Record<'create' | KeyAction, readonly string[]> = {
  create: [KEY_TYPE, 'application/json'],
  wrap: ['application/vnd.ibm.kms.key_action_wrap+json', 'application/vnd.ibm.kms.key_action+json', 'application/json'],
  unwrap: ['application/vnd.ibm.kms.key_action_unwrap+json', 'application/vnd.ibm.kms.key_action+json', 'application/json'],
  rewrap: ['application/vnd.ibm.kms.key_action_rewrap+json', 'application/vnd.ibm.kms.key_action+json', 'application/json'],
  rotate: ['application/vnd.ibm.kms.key_action_rotate+json', 'application/vnd.ibm.kms.key_action+json', 'application/json'],
  enable: ['application/vnd.ibm.kms.key_action_enable+json', 'application/vnd.ibm.kms.key_action+json', 'application/json'],
  disable: ['application/vnd.ibm.kms.key_action_disable+json', 'application/vnd.ibm.kms.key_action+json', 'application/json'],
};

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

async function readJsonBody(request: IncomingMessage, kind: 'create' | KeyAction, required: boolean): Promise<Record<string, unknown>> {
  const body = await readBody(request, 256 * 1024);
  if (body.length === 0) {
    if (required) fail(400, 'NO_BODY_ERR', 'Missing body in request', 'The request has no body');
    return {};
  }
  const type = mediaType(request);
  if (type !== '' && !ACCEPTED_TYPES[kind].includes(type)) {
    fail(415, 'BAD_BODY_ERR', `Unsupported content-type '${type}'; use ${ACCEPTED_TYPES[kind][0]}`, 'Unsupported media type');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    fail(400, 'BAD_BODY_ERR', 'Invalid body data was passed: Please ensure the data passed had valid formatting with no invalid characters', 'The body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail(400, 'BAD_BODY_ERR', 'Invalid body data was passed: Please ensure the data passed had valid formatting with no invalid characters', 'The body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function aadOf(body: Record<string, unknown>): string[] {
  const aad = body.aad;
  if (aad === undefined) return [];
  if (!Array.isArray(aad) || aad.some((entry) => typeof entry !== 'string' || entry.length > MAX_AAD_ENTRY)) {
    fail(400, 'INVALID_FIELD_ERR', 'The field `aad` must be an array of strings of at most 255 characters', 'Key could not be used', {
      type: 'field',
      name: 'aad',
    });
  }
  return aad as string[];
}

function latest(key: StoredKey) {
  return key.versions[key.versions.length - 1];
}

function keyCrn(options: KmsServerOptions, keyId: string): string {
  return `crn:v1:bluemix:public:kms:${options.region}:a/${options.accountId}:${options.instanceId}:key:${keyId}`;
}

function representation(options: KmsServerOptions, key: StoredKey): Record<string, unknown> {
  const current = latest(key);
  const resource: Record<string, unknown> = {
    type: KEY_TYPE,
    id: key.id,
    name: key.name,
    aliases: key.aliases.length > 0 ? key.aliases : undefined,
    description: key.description,
    state: key.state,
    crn: keyCrn(options, key.id),
    extractable: key.extractable,
    imported: key.imported,
    algorithmType: 'AES',
    algorithmBitSize: Buffer.from(current.material, 'base64').length * 8,
    algorithmMode: 'CBC_PAD',
    createdBy: 'ServiceId-sandbox',
    creationDate: key.creationDate,
    lastUpdateDate: key.lastUpdateDate,
    lastRotateDate: key.lastRotateDate,
    keyVersion: { id: current.id, creationDate: current.creationDate },
    keyRingID: 'default',
    dual_auth_delete: { enabled: false },
    deleted: key.state === KEY_STATES.destroyed,
    deletionDate: key.deletionDate,
  };
  return resource;
}

function collection(resources: unknown[], total = resources.length): unknown {
  return { metadata: { collectionType: KEY_TYPE, collectionTotal: total }, resources };
}

export async function startKmsServer(options: KmsServerOptions): Promise<ListeningServer> {
  const store = SandboxKeyStore.forInstance(options.dataDir, options.instanceId);

  function authorize(request: IncomingMessage): void {
    const token = bearerToken(request.headers.authorization);
    if (!token || !verifySandboxToken(token, options.tokenSigningKey)) {
      fail(401, 'UNAUTHORIZED_ERR', 'Unauthorized: The user does not have access to the specified resource', 'The request is not authorized');
    }
    const instance = request.headers['bluemix-instance'];
    if (typeof instance !== 'string' || instance.trim() === '') {
      fail(400, 'BAD_REQUEST_ERR', "Missing or empty 'bluemix-instance' header: Please provide the instance ID of the Key Protect service", 'The bluemix-instance header is required');
    }
    if (instance.trim() !== options.instanceId) {
      fail(401, 'UNAUTHORIZED_ERR', 'Unauthorized: The user does not have access to the specified resource', 'The request is not authorized');
    }
  }

  async function keyOrFail(idOrAlias: string): Promise<StoredKey> {
    const key = await store.find(idOrAlias);
    if (!key) fail(404, 'KEY_NOT_FOUND_ERR', 'Key does not exist', 'Key could not be found', { type: 'resource', name: idOrAlias });
    if (key.state === KEY_STATES.destroyed) {
      fail(410, 'KEY_DELETED_ERR', 'Key has already been deleted: Please delete references to this key', 'Key has been deleted');
    }
    return key;
  }

  function requireRoot(key: StoredKey, action: string): void {
    if (key.extractable) {
      fail(400, 'KEY_ROOT_REQ_ERR', 'Requested action can only be completed with a root key', `Key could not be used to ${action}`);
    }
  }

  function requireState(key: StoredKey, allowed: readonly number[], action: string): void {
    if (!allowed.includes(key.state)) {
      fail(409, 'KEY_ACTION_INVALID_STATE_ERR', 'Key is not in a valid state', `Key could not be used to ${action} because of its state (${key.state})`);
    }
  }

  async function createKey(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonBody(request, 'create', true);
    const resources = body.resources;
    if (!Array.isArray(resources) || resources.length !== 1 || typeof resources[0] !== 'object' || resources[0] === null) {
      fail(400, 'BAD_BODY_ERR', 'Invalid body data was passed: Please ensure the data passed had valid formatting with no invalid characters', 'Key could not be created');
    }
    const resource = resources[0] as Record<string, unknown>;
    const name = resource.name;
    if (typeof name !== 'string' || name.length < 2 || name.length > 90) {
      fail(400, 'INVALID_FIELD_ERR', 'The field `name` must be a string of 2 to 90 characters', 'Key could not be created', { type: 'field', name: 'name' });
    }
    const extractable = resource.extractable === true;
    const payload = resource.payload;
    let material: Buffer;
    if (payload !== undefined) {
      if (typeof payload !== 'string' || !isBase64(payload)) {
        fail(400, 'INVALID_FIELD_ERR', 'The field `payload` must be base64 encoded key material', 'Key could not be created', { type: 'field', name: 'payload' });
      }
      material = Buffer.from(payload, 'base64');
      if (!extractable && ![16, 24, 32].includes(material.length)) {
        fail(400, 'INVALID_FIELD_ERR', 'Root key material must be 128, 192 or 256 bits', 'Key could not be created', { type: 'field', name: 'payload' });
      }
    } else {
      material = randomBytes(32);
    }
    const aliases = resource.aliases;
    if (aliases !== undefined && (!Array.isArray(aliases) || aliases.some((alias) => typeof alias !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{1,89}$/.test(alias)))) {
      fail(400, 'INVALID_FIELD_ERR', 'The field `aliases` must hold 2 to 90 character names starting with a letter', 'Key could not be created', { type: 'field', name: 'aliases' });
    }
    for (const alias of (aliases as string[] | undefined) ?? []) {
      if (await store.find(alias)) {
        fail(409, 'KEY_ALIAS_NOT_UNIQUE_ERR', `The alias '${alias}' is already used by another key`, 'Key could not be created');
      }
    }
    const now = new Date().toISOString();
    const key = await store.create({
      id: randomUUID(),
      name,
      description: typeof resource.description === 'string' ? resource.description : undefined,
      extractable,
      imported: payload !== undefined,
      state: KEY_STATES.active,
      aliases: (aliases as string[] | undefined) ?? [],
      creationDate: now,
      lastUpdateDate: now,
      versions: [{ id: randomUUID(), material: material.toString('base64'), creationDate: now }],
    });
    material.fill(0);
    sendJson(response, 201, collection([representation(options, key)]));
  }

  async function listKeys(request: IncomingMessage, response: ServerResponse, head: boolean): Promise<void> {
    const query = new URL(request.url ?? '/', 'http://sandbox').searchParams;
    let keys = await store.list();
    const states = query.get('state');
    const wanted = states ? states.split(',').map(Number) : [0, 1, 2, 3];
    keys = keys.filter((key) => wanted.includes(key.state));
    const extractable = query.get('extractable');
    if (extractable === 'true' || extractable === 'false') keys = keys.filter((key) => String(key.extractable) === extractable);
    const total = keys.length;
    if (head) {
      response.writeHead(200, { 'key-total': String(total), 'content-length': 0 });
      response.end();
      return;
    }
    const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
    const limit = Math.min(5000, Math.max(1, Number(query.get('limit') ?? 200) || 200));
    const page = keys.slice(offset, offset + limit).map((key) => representation(options, key));
    sendJson(response, 200, collection(page, page.length));
  }

  async function keyAction(request: IncomingMessage, response: ServerResponse, idOrAlias: string, action: KeyAction): Promise<void> {
    const needsBody = action === 'unwrap' || action === 'rewrap';
    const body = await readJsonBody(request, action, needsBody);
    const key = await keyOrFail(idOrAlias);
    switch (action) {
      case 'wrap': {
        requireRoot(key, 'wrap');
        requireState(key, [KEY_STATES.active], 'wrap');
        const aad = aadOf(body);
        let plaintext: Buffer;
        let generated = false;
        if (body.plaintext === undefined) {
          plaintext = randomBytes(32);
          generated = true;
        } else {
          if (typeof body.plaintext !== 'string' || !isBase64(body.plaintext)) {
            fail(400, 'INVALID_FIELD_ERR', 'The field `plaintext` must be a base64 encoded string', 'Key could not be wrapped', { type: 'field', name: 'plaintext' });
          }
          plaintext = Buffer.from(body.plaintext, 'base64');
          if (plaintext.length > MAX_PLAINTEXT_BYTES) {
            fail(400, 'INVALID_FIELD_ERR', `The field \`plaintext\` must decode to at most ${MAX_PLAINTEXT_BYTES} bytes`, 'Key could not be wrapped', { type: 'field', name: 'plaintext' });
          }
        }
        const version = latest(key);
        const ciphertext = sealWithVersion(key.id, version, plaintext, aad);
        const result: Record<string, unknown> = { ciphertext, keyVersion: { id: version.id } };
        if (generated) result.plaintext = plaintext.toString('base64');
        plaintext.fill(0);
        sendJson(response, 200, result);
        return;
      }
      case 'unwrap':
      case 'rewrap': {
        requireRoot(key, action);
        requireState(key, [KEY_STATES.active, KEY_STATES.deactivated], action);
        const aad = aadOf(body);
        if (typeof body.ciphertext !== 'string' || body.ciphertext === '') {
          fail(400, 'INVALID_FIELD_ERR', 'The field `ciphertext` is required', `Key could not be used to ${action}`, { type: 'field', name: 'ciphertext' });
        }
        const parsed = parseCiphertext(body.ciphertext);
        const version = parsed && parsed.keyId === key.id ? key.versions.find((entry) => entry.id === parsed.versionId) : undefined;
        const plaintext = parsed && version ? openWithVersion(parsed, version, aad) : null;
        if (!parsed || !version || !plaintext) {
          fail(422, 'UNPROCESSABLE_CIPHERTEXT_ERR', 'The provided ciphertext is invalid or corrupted', `Key could not be used to ${action}`);
        }
        const newest = latest(key);
        const result: Record<string, unknown> = {};
        if (action === 'unwrap') {
          result.plaintext = plaintext.toString('base64');
          result.keyVersion = { id: version.id };
          if (version.id !== newest.id) {
            result.ciphertext = sealWithVersion(key.id, newest, plaintext, aad);
            result.rewrappedKeyVersion = { id: newest.id };
          }
        } else {
          result.ciphertext = sealWithVersion(key.id, newest, plaintext, aad);
          result.keyVersion = { id: newest.id };
          result.rewrappedKeyVersion = { id: newest.id };
        }
        plaintext.fill(0);
        sendJson(response, 200, result);
        return;
      }
      case 'rotate': {
        requireRoot(key, 'rotate');
        requireState(key, [KEY_STATES.active], 'rotate');
        let material: Buffer;
        if (key.imported) {
          if (typeof body.payload !== 'string' || !isBase64(body.payload)) {
            fail(400, 'KEY_PAYLOAD_REQ_ERR', "This root key was created with user-supplied key material: Key material is required to perform a 'rotate' action", 'Key could not be rotated');
          }
          material = Buffer.from(body.payload, 'base64');
          if (![16, 24, 32].includes(material.length)) {
            fail(400, 'INVALID_FIELD_ERR', 'Root key material must be 128, 192 or 256 bits', 'Key could not be rotated', { type: 'field', name: 'payload' });
          }
        } else {
          material = randomBytes(32);
        }
        const now = new Date().toISOString();
        const rotated = await store.update(key.id, (current) => ({
          ...current,
          lastRotateDate: now,
          lastUpdateDate: now,
          versions: [...current.versions, { id: randomUUID(), material: material.toString('base64'), creationDate: now }],
        }));
        material.fill(0);
        if ((request.headers.prefer ?? '').includes('return=representation')) {
          sendJson(response, 200, collection([representation(options, rotated)]));
        } else {
          sendEmpty(response, 204);
        }
        return;
      }
      case 'disable':
      case 'enable': {
        requireState(key, action === 'disable' ? [KEY_STATES.active] : [KEY_STATES.suspended], action);
        const now = new Date().toISOString();
        await store.update(key.id, (current) => ({
          ...current,
          state: action === 'disable' ? KEY_STATES.suspended : KEY_STATES.active,
          lastUpdateDate: now,
        }));
        sendEmpty(response, 204);
        return;
      }
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const parts = url.pathname.split('/').filter((part) => part.length > 0).map(decodeURIComponent);
    if (parts[0] !== 'api' || parts[1] !== 'v2' || parts[2] !== 'keys' || parts.length > 6) {
      fail(404, 'NOT_FOUND_ERR', 'The requested resource does not exist', 'Not found');
    }
    authorize(request);
    const method = request.method ?? 'GET';
    if (parts.length === 3) {
      if (method === 'GET' || method === 'HEAD') return listKeys(request, response, method === 'HEAD');
      if (method === 'POST') return createKey(request, response);
      fail(405, 'METHOD_NOT_ALLOWED_ERR', `Method ${method} is not allowed here`, 'Method not allowed');
    }
    const id = parts[3];
    if (parts.length === 4) {
      const queryAction = url.searchParams.get('action');
      if (method === 'POST' && queryAction !== null) {
        if (!(ACTIONS as readonly string[]).includes(queryAction)) {
          fail(400, 'BAD_BODY_ERR', `Unsupported action '${queryAction}' in this sandbox`, 'Action not supported');
        }
        return keyAction(request, response, id, queryAction as KeyAction);
      }
      if (method === 'GET') {
        const key = await keyOrFail(id);
        sendJson(response, 200, collection([representation(options, key)]));
        return;
      }
      if (method === 'DELETE') {
        const key = await keyOrFail(id);
        const now = new Date().toISOString();
        const deleted = await store.update(key.id, (current) => ({
          ...current,
          state: KEY_STATES.destroyed,
          deletionDate: now,
          lastUpdateDate: now,
          // Crypto-shredding: the material of a destroyed key is gone for good, as in Key Protect.
          versions: current.versions.map((version) => ({ ...version, material: Buffer.alloc(32).toString('base64') })),
        }));
        if ((request.headers.prefer ?? '').includes('return=representation')) {
          sendJson(response, 200, collection([representation(options, deleted)]));
        } else {
          sendEmpty(response, 204);
        }
        return;
      }
      fail(405, 'METHOD_NOT_ALLOWED_ERR', `Method ${method} is not allowed here`, 'Method not allowed');
    }
    if (parts.length === 6 && parts[4] === 'actions' && method === 'POST') {
      const action = parts[5];
      if (!(ACTIONS as readonly string[]).includes(action)) {
        fail(400, 'BAD_BODY_ERR', `Unsupported action '${action}' in this sandbox`, 'Action not supported');
      }
      return keyAction(request, response, id, action as KeyAction);
    }
    fail(404, 'NOT_FOUND_ERR', 'The requested resource does not exist', 'Not found');
  }

  return listenLoopback(
    async (request, response) => {
      try {
        await route(request, response);
      } catch (error) {
        if (error instanceof KmsHttpError) {
          sendJson(response, error.status, errorEnvelope(error));
          return;
        }
        if (error instanceof BodyTooLargeError) {
          sendJson(response, 413, errorEnvelope(new KmsHttpError(413, 'BAD_BODY_ERR', 'Request body too large', 'Payload too large')));
          return;
        }
        throw error;
      }
    },
    { unref: options.unref },
  );
}
