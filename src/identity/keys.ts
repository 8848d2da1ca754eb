/**
 * The token-signing key: one RSA-2048 key pair, generated on first start and kept in the
 * store (so tokens stay valid across restarts of a file-backed server). Its public half is
 * served as a JWKS (`/{tenant}/discovery/v2.0/keys`, `/adfs/discovery/keys`).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import type { ResourceStore } from "../store/store.js";

export interface SigningKey {
  /** Key id (`kid`, also `x5t`): base64url SHA-1 of the public key's DER. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK, with `kid`, `use` and `alg`. */
  jwk: Record<string, unknown>;
}

const KEY_DOC = "lazurite:identity:signing-key";
const KEY_TYPE = "lazurite/signingkeys";

function fromPrivate(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  const kid = createHash("sha1").update(der).digest("base64url");
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, x5t: kid, use: "sig", alg: "RS256" };
  return { kid, privateKey, publicKey, jwk };
}

/**
 * Loads the signing key from the store, generating and storing it on first use. Instances that
 * start together on one shared store agree on one key: only the first write (expecting no
 * document) wins, the others read the winner's key.
 */
export async function ensureSigningKey(store: ResourceStore): Promise<SigningKey> {
  const doc = await store.get(KEY_DOC);
  const pem = (doc?.body as { privateKeyPem?: string } | undefined)?.privateKeyPem;
  if (pem) return fromPrivate(createPrivateKey(pem));
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = fromPrivate(privateKey);
  try {
    await store.put(
      {
        key: KEY_DOC,
        id: KEY_DOC,
        type: KEY_TYPE,
        etag: key.kid,
        body: { kid: key.kid, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
      },
      { expectedEtag: doc ? doc.etag : null },
    );
  } catch (e) {
    if ((e as { code?: unknown }).code !== "PreconditionFailed") throw e;
    return ensureSigningKey(store);
  }
  return key;
}
