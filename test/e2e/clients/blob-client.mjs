// A user's own program with the official Storage SDK, unchanged: run it with `lazurite exec VM`.
// Prints one JSON line; exits 3 when the service refuses.
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

const account = process.argv[2];
const container = process.argv[3] ?? "c" + Date.now();
const svc = new BlobServiceClient(
  `https://${account}.blob.core.windows.net`,
  new StorageSharedKeyCredential(account, process.env.LAZURITE_STORAGE_KEY),
  { retryOptions: { maxTries: 1 } },
);
try {
  const c = svc.getContainerClient(container);
  await c.createIfNotExists();
  await c.getBlockBlobClient("hello.txt").upload("hello", 5);
  const names = [];
  for await (const b of c.listBlobsFlat()) names.push(b.name);
  console.log(JSON.stringify({ ok: true, names }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, name: e.name, statusCode: e.statusCode, code: e.code }));
  process.exit(3);
}
