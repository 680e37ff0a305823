// `Emulator.listen`: the emulator over HTTP/1.1 with node:http. Only the Node entry (node.js) imports it, so the
// Workers and browser entries do not depend on Node.
import { createServer } from "node:http";

/** Serves `dispatch` (see emulator.js) on `host:port`; resolves `{ url, port, close() }` once listening. */
export async function serve(dispatch, { port, host }) {
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    // A client that hangs up before the answer cancels its request, as on the native server.
    const hangUp = new AbortController();
    res.on("close", () => res.writableFinished || hangUp.abort(new Error("the client closed the connection")));
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const answer = await dispatch({
        method: req.method,
        target: req.url,
        headers: req.rawHeaders,
        body: new Uint8Array(Buffer.concat(chunks)),
        peer: req.socket.remoteAddress?.replace(/^::ffff:/, ""),
        signal: hangUp.signal,
      });
      if (answer === null) return req.socket.destroy();
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    } catch {
      // Only a hung-up client gets here: there is no one to answer.
      req.socket.destroy();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    host: address.address,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
