/**
 * TLS for the local server: with no --cert/--key, a local CA and a server certificate for
 * `localhost`, `127.0.0.1` and `::1` are generated into DATA_DIR/tls on first start (pure JS
 * certificate building with node-forge, keys from Node's crypto) and reused afterwards.
 * Clients trust `ca.pem` (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, tlsOptions.ca).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";

export interface TlsMaterial {
  key: string;
  cert: string;
  /** The CA certificate clients must trust (the generated CA, or the given cert itself). */
  caFile: string;
  certFile: string;
  keyFile: string;
  generated: boolean;
}

function rsaKeys(): { privatePem: string; publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey } {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { privatePem: privateKey, publicKey: pub, privateKey: priv };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString("hex");
}

/** Generates a CA and a localhost server certificate signed by it (PEM strings). */
export function generateLocalCertificates(now: Date = new Date()): {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
} {
  const ca = rsaKeys();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = new Date(now.getTime() - 60_000);
  caCert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 86_400_000);
  const caName = [
    { name: "commonName", value: "Lazurite Local CA" },
    { name: "organizationName", value: "Lazurite (local development only)" },
  ];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(ca.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  const srv = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = srv.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 800 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: "localhost" }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return {
    caCert: forge.pki.certificateToPem(caCert),
    caKey: ca.privatePem,
    cert: forge.pki.certificateToPem(cert),
    key: srv.privatePem,
  };
}

/** Loads --cert/--key, or generates (first start) / reuses the local CA material in `dataDir/tls`. */
export function ensureTls(dataDir: string, given?: { certFile: string; keyFile: string }): TlsMaterial {
  if (given) {
    return {
      key: readFileSync(given.keyFile, "utf8"),
      cert: readFileSync(given.certFile, "utf8"),
      caFile: given.certFile,
      certFile: given.certFile,
      keyFile: given.keyFile,
      generated: false,
    };
  }
  const dir = join(dataDir, "tls");
  const files = {
    caFile: join(dir, "ca.pem"),
    caKeyFile: join(dir, "ca-key.pem"),
    certFile: join(dir, "server.pem"),
    keyFile: join(dir, "server-key.pem"),
  };
  let generated = false;
  if (!existsSync(files.certFile) || !existsSync(files.keyFile) || !existsSync(files.caFile)) {
    mkdirSync(dir, { recursive: true });
    const g = generateLocalCertificates();
    writeFileSync(files.caFile, g.caCert);
    writeFileSync(files.caKeyFile, g.caKey, { mode: 0o600 });
    writeFileSync(files.certFile, g.cert);
    writeFileSync(files.keyFile, g.key, { mode: 0o600 });
    generated = true;
  }
  return {
    key: readFileSync(files.keyFile, "utf8"),
    cert: readFileSync(files.certFile, "utf8"),
    caFile: files.caFile,
    certFile: files.certFile,
    keyFile: files.keyFile,
    generated,
  };
}

/**
 * A server certificate for the data plane's front doors (`*.blob.core.windows.net`, …), signed by
 * the local CA of `dataDir/tls` (generated there first when absent). With --cert/--key the
 * control plane has no CA key, so the data plane keeps its own CA in `dataDir/tls/dataplane-ca*.pem`.
 */
export function issueServiceCertificate(
  dataDir: string,
  dnsNames: readonly string[],
  ipAddresses: readonly string[] = [],
  now: Date = new Date(),
): { cert: string; key: string; caFile: string } {
  const dir = join(dataDir, "tls");
  mkdirSync(dir, { recursive: true });
  let caFile = join(dir, "ca.pem");
  let caKeyFile = join(dir, "ca-key.pem");
  if (!existsSync(caFile) || !existsSync(caKeyFile)) {
    caFile = join(dir, "dataplane-ca.pem");
    caKeyFile = join(dir, "dataplane-ca-key.pem");
    if (!existsSync(caFile) || !existsSync(caKeyFile)) {
      const g = generateLocalCertificates(now);
      writeFileSync(caFile, g.caCert);
      writeFileSync(caKeyFile, g.caKey, { mode: 0o600 });
    }
  }
  const caCert = forge.pki.certificateFromPem(readFileSync(caFile, "utf8"));
  const caKey = forge.pki.privateKeyFromPem(readFileSync(caKeyFile, "utf8")) as forge.pki.rsa.PrivateKey;
  const srv = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = srv.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 800 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: dnsNames[0] ?? "lazurite" }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...dnsNames.map((value) => ({ type: 2, value })),
        ...ipAddresses.map((a) => ({ type: 7, ip: a })),
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: srv.privatePem, caFile };
}
