// Headless Chromium and Firefox for the browser tests, and a loopback server for the pages they open.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { Builder } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";

/** Debian's Chromium, with the flags a root CI machine without a display needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** The browsers `openPage` drives. */
export const BROWSERS = ["Chromium", "Firefox"];

/**
 * Opens `url` in a fresh headless `browser` (one of BROWSERS) and waits until the page expression `ready` is true.
 * Resolves to `{ evaluate(fn, arg), close() }`: `evaluate` runs the async function `fn` in the page and resolves to
 * its result as JSON would carry it. Chromium runs under Playwright; Firefox (Debian's firefox-esr) under WebDriver
 * with geckodriver, as Playwright drives only its own build of Firefox. Pages record their own uncaught errors, as
 * WebDriver reports none.
 */
export async function openPage(browser, url, ready) {
  // Runs in the page's own realm, where `fn` sees the page's globals (Uint8Array, the module). Strings cross in and
  // out: JSON gives both browsers the same values (WebDriver would turn `undefined` fields into null).
  const inPage = async (source, argJson) => JSON.stringify((await (0, eval)(`(${source})`)(JSON.parse(argJson))) ?? null);
  const call = (fn, arg) => `(${inPage})(${JSON.stringify(String(fn))}, ${JSON.stringify(JSON.stringify(arg ?? null))})`;
  if (browser === "Chromium") {
    const instance = await launchChromium();
    const page = await instance.newPage();
    await page.goto(url);
    await page.waitForFunction(ready, null, { timeout: 20_000 });
    return {
      evaluate: async (fn, arg) => JSON.parse(await page.evaluate(call(fn, arg))),
      close: () => instance.close(),
    };
  }
  const options = new firefox.Options().setBinary("/usr/bin/firefox-esr").addArguments("-headless");
  const driver = await new Builder()
    .forBrowser("firefox")
    .setFirefoxOptions(options)
    // An explicit driver: otherwise Selenium Manager tries to download one.
    .setFirefoxService(new firefox.ServiceBuilder(process.env.GECKODRIVER ?? "geckodriver"))
    .build();
  try {
    await driver.manage().setTimeouts({ script: 120_000 });
    await driver.get(url);
    await driver.wait(() => driver.executeScript(`return window.eval(${JSON.stringify(`Boolean(${ready})`)})`), 20_000);
  } catch (error) {
    await driver.quit();
    throw error;
  }
  // WebDriver scripts run in a realm of their own: the page's `eval` runs the call in the page's realm.
  const script = `const done = arguments[1];
    window.eval(arguments[0]).then((json) => done({ json }), (error) => done({ thrown: String(error?.stack ?? error) }));`;
  return {
    async evaluate(fn, arg) {
      const { json, thrown } = await driver.executeAsyncScript(script, call(fn, arg));
      if (thrown !== undefined && thrown !== null) throw new Error(`in the page: ${thrown}`);
      return JSON.parse(json);
    },
    close: () => driver.quit(),
  };
}

const TYPES = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** A page's first script: it records the page's uncaught errors and unhandled rejections in `window.escaped`. */
export const RECORD_ESCAPED = `<script>
window.escaped = [];
addEventListener("error", (event) => window.escaped.push(\`error: \${event.message}\`));
addEventListener("unhandledrejection", (event) => window.escaped.push(\`unhandled rejection: \${event.reason}\`));
</script>`;

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
    // Only files inside a served directory (the package's snippets/ among them), with a known type.
    const inside = file && path.relative(path.resolve(dirs[prefix]), file);
    if (!type || !inside || inside.startsWith("..") || path.isAbsolute(inside)) {
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
