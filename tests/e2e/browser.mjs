// Headless Chromium for the browser tests, and a loopback server for the pages they open.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

/** Debian's Chromium, with the flags a root CI machine without a display needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

const TYPES = { ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };

/**
 * Serves `pages` (path → HTML) and the files directly inside each of `dirs` (URL prefix → directory) on
 * 127.0.0.1 and a free port. Resolves to `{ origin, close() }`.
 */
export async function servePages({ pages, dirs }) {
  async function serve(request, response) {
    const { pathname } = new URL(request.url, "http://127.0.0.1");
    if (Object.hasOwn(pages, pathname)) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(pages[pathname]);
      return;
    }
    const prefix = Object.keys(dirs).find((prefix) => pathname.startsWith(prefix));
    const file = prefix && path.join(dirs[prefix], decodeURIComponent(pathname.slice(prefix.length)));
    const type = file && TYPES[path.extname(file)];
    // Only files directly in a served directory, with a known type.
    if (!type || path.dirname(file) !== path.resolve(dirs[prefix])) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  }
  const server = createServer((request, response) => {
    serve(request, response).catch(() => response.destroy());
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
