/**
 * The process that runs inside the edge namespace: it opens listening sockets there (TCP for the
 * front doors, UDP for DNS) and hands them to the server over the IPC channel, so every socket
 * lives in the edge namespace while the server, in its own, accepts on them. Kept as source text
 * (CommonJS, no imports of ours) so it runs the same from dist/ and from the sources.
 */
export const EDGE_CHILD_SOURCE = `
const net = require("net");
const dgram = require("dgram");
process.on("message", (m) => {
  const fail = (e) => process.send({ id: m.id, error: String(e && e.message || e) });
  try {
    if (m.op === "tcp") {
      const s = net.createServer();
      s.once("error", fail);
      s.listen({ host: m.host, port: m.port }, () => process.send({ id: m.id }, s, () => s.close()));
    } else if (m.op === "udp") {
      const s = dgram.createSocket("udp4");
      s.once("error", fail);
      s.bind({ address: m.host, port: m.port }, () => process.send({ id: m.id }, s, () => s.close()));
    }
  } catch (e) { fail(e); }
});
process.on("disconnect", () => process.exit(0));
process.send({ ready: true });
`;
