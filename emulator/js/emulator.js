// The `Emulator` class of the npm package, over the wasm core (src/wasm.rs). Every runtime's entry (node.js,
// workerd.js, browser.js) initialises the wasm module and re-exports this file.
import { Core, checkSeed } from "./auth0_mfa_emulator.js";

/** Serves the emulator over HTTP: `serve` of listen.js, which node.js hands over, so that this file, and a Worker's or
 * page's bundle of it, never names node:http. */
let httpServer;
export function useHttpServer(serve) {
  httpServer = serve;
}

/** The base URL requests are resolved against, and the tenant's name until it listens or a public URL names it. */
const IN_PROCESS_URL = "http://localhost";

/** An error answer of the control plane, with its status and Auth0-shaped body. */
export class EmulatorError extends Error {
  constructor(method, path, status, body) {
    const detail = body && typeof body === "object" ? `${body.error}: ${body.error_description}` : String(body);
    super(`${method} ${path} answered ${status} (${detail})`);
    this.name = "EmulatorError";
    this.status = status;
    this.body = body;
  }
}

export class Emulator {
  #core;
  #makeCore;

  /**
   * @param {object} [options]
   * @param {object|string} [options.seed] the seed (an object or its JSON), as `--seed FILE` takes; default: the shipped seed
   * @param {string} [options.publicUrl] the tenant's base URL: issuer, MFA audience and discovery URLs
   * @param {boolean} [options.permissiveCors]
   * @param {number} [options.mfaTokenTtlSecs]
   */
  constructor(options = {}) {
    const { seed, publicUrl, permissiveCors = false, mfaTokenTtlSecs } = options ?? {};
    const seedJson = seed === undefined ? undefined : typeof seed === "string" ? seed : JSON.stringify(seed);
    const makeCore = () => new Core(seedJson, IN_PROCESS_URL, publicUrl, Boolean(permissiveCors), mfaTokenTtlSecs);
    // The core draws random values (password salts, the DPoP nonce), which workerd forbids in a Worker's global scope: a
    // module-level `new Emulator()` there makes it on its first request instead.
    if (mayDrawRandomValues()) {
      this.#core = makeCore();
    } else {
      // A bad seed is still refused here, where the mistake is.
      checkSeed(seedJson);
      this.#makeCore = makeCore;
    }
    // An own property, so that `fetch: emu.fetch` works unbound.
    this.fetch = (input, init) => this.#fetch(input, init);
  }

  get #ready() {
    return (this.#core ??= this.#makeCore());
  }

  async #fetch(input, init) {
    const request = new Request(await ownRequest(input), init);
    const url = new URL(request.url);
    const headers = [];
    for (const [name, value] of request.headers) headers.push(name, value);
    const bodyless = request.method === "GET" || request.method === "HEAD";
    const body = bodyless ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
    const answer = await this.#dispatch({ method: request.method, target: url.pathname + url.search, headers, body, signal: request.signal });
    if (answer === null) throw new TypeError("fetch failed: the emulator dropped the connection (a drop fault)");
    const responseHeaders = new Headers();
    for (let i = 0; i < answer.headers.length; i += 2) responseHeaders.append(answer.headers[i], answer.headers[i + 1]);
    const empty = answer.status === 204 || answer.status === 304 || request.method === "HEAD";
    return new Response(empty ? null : answer.body, { status: answer.status, headers: responseHeaders });
  }

  /**
   * One request, as the fronts give it: `headers` flat (name, value, …), `peer` the client's IP address. Resolves
   * `{ status, headers, body }`, or `null` for a drop fault; rejects with the signal's reason once it aborts.
   */
  async #dispatch({ method, target, headers, body, peer, signal }) {
    if (signal?.aborted) throw signal.reason;
    const aborted = signal && new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    const answer = await this.#ready.handle(method, target, headers, body, peer, aborted);
    if (answer === undefined) throw signal.reason;
    return answer;
  }

  /** Calls the control plane (`/__emu/…`); resolves its JSON, or rejects with an `EmulatorError`. */
  async control(method, path, body) {
    const response = await this.fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (response.status >= 400) throw new EmulatorError(method, path, response.status, json);
    return json;
  }

  /** The messages "sent" (SMS, voice, email), newest last; `{ user }` keeps one user's. */
  outbox({ user } = {}) {
    return this.control("GET", `/__emu/outbox${query({ user })}`);
  }

  /** The newest code sent to `user`, or undefined. */
  async lastCode({ user } = {}) {
    return (await this.outbox({ user })).at(-1)?.code;
  }

  /** Approves a pending push: `id`, or the newest of `user`. */
  approvePush({ user, id = "latest" } = {}) {
    return this.control("POST", `/__emu/pushes/${encodeURIComponent(id)}/approve${query({ user })}`);
  }

  rejectPush({ user, id = "latest" } = {}) {
    return this.control("POST", `/__emu/pushes/${encodeURIComponent(id)}/reject${query({ user })}`);
  }

  /** Moves the tenant's clock: every lifetime, bucket refill, TOTP step and push expiry follows it. */
  advanceClock(secs) {
    return this.control("POST", "/__emu/clock", { advance: secs });
  }

  /** `{ freeze, set, advance }`, any subset; resolves `{ now, now_ms, frozen }`. */
  setClock(clock) {
    return this.control("POST", "/__emu/clock", clock);
  }

  clock() {
    return this.control("GET", "/__emu/clock");
  }

  /** Adds a user in the seed's format (`{ username, password, authenticators, … }`). */
  addUser(user) {
    return this.control("POST", "/__emu/users", user);
  }

  addClient(client) {
    return this.control("POST", "/__emu/clients", client);
  }

  /** Queues one fault or an array of them. */
  fault(fault) {
    return this.control("POST", "/__emu/faults", fault);
  }

  /** Back to the seed: users, tokens, outbox, pushes, faults, journal, rate limit and clock. */
  reset() {
    return this.control("POST", "/__emu/reset");
  }

  /**
   * Serves the emulator over HTTP with `node:http` (Node only). Without a `publicUrl`, the tenant is then named by
   * this server's URL.
   * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
   */
  async listen({ port = 0, host = "127.0.0.1" } = {}) {
    if (!httpServer) throw new Error("Emulator.listen needs Node (the package's node entry); elsewhere, use emu.fetch");
    const server = await httpServer((request) => this.#dispatch(request), { port, host });
    this.#ready.reachedAt(server.url, host);
    return server;
  }
}

function mayDrawRandomValues() {
  try {
    crypto.getRandomValues(new Uint8Array(1));
    return true;
  } catch {
    return false;
  }
}

/** What `new Request` takes, from `fetch`'s first argument: a path or URL, resolved against the in-process base, or a
 * `Request`, also one from another copy of the Fetch API (Miniflare's, a test framework's), which this realm's
 * `Request` would read as the string "[object Request]". */
async function ownRequest(input) {
  if (typeof input === "string" || input instanceof URL) return new URL(input, IN_PROCESS_URL);
  if (input instanceof Request || typeof input?.url !== "string") return input;
  const bodyless = input.method === "GET" || input.method === "HEAD";
  const signal = input.signal instanceof AbortSignal ? input.signal : undefined;
  return new Request(input.url, { method: input.method, headers: [...input.headers], body: bodyless ? undefined : await input.arrayBuffer(), signal });
}

function query(params) {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined);
  return entries.length ? `?${new URLSearchParams(entries)}` : "";
}
