// Keeps one TLS connection to a blob host open (keep-alive) and reports how it ends.
import { connect } from "node:tls";

const host = process.argv[2];
const s = connect({ host, port: 443, servername: host });
s.on("secureConnect", () => {
  s.write(`GET /?comp=list HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
});
let said = false;
s.on("data", () => {
  if (!said) console.log("open");
  said = true;
});
s.on("error", (e) => {
  console.log(e.code ?? e.message);
  process.exit(said ? 0 : 4);
});
s.on("close", () => {
  console.log("closed");
  process.exit(5);
});
