/**
 * The wx.request wrapper against a small HTTP stand-in of the API (node:test, real sockets):
 * the `wx` global is replaced by one that sends requests with fetch and keeps storage in memory.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { ApiError, createClient, NETWORK_ERROR, type WxLike } from "../src/request.js";

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

let server: Server;
let baseUrl = "";
let seen: Seen[] = [];
let logins = 0;
let currentToken = "fresh-1";

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function error(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const auth = req.headers.authorization;
  seen.push({ method: req.method ?? "", url: req.url ?? "", authorization: auth, body });
  const path = (req.url ?? "").split("?")[0];
  if (path === "/api/v1/auth/wx-login") {
    logins += 1;
    currentToken = `fresh-${logins + 1}`;
    await new Promise((r) => setTimeout(r, 20));
    return send(res, 200, { token: currentToken, token_type: "Bearer", expires_in: 86400, bound: true });
  }
  if (auth === "Bearer revoked") return send(res, 401, error("TOKEN_REVOKED", "登录已失效，请重新登录"));
  if (auth !== `Bearer ${currentToken}`) return send(res, 401, error("TOKEN_EXPIRED", "登录已过期，请重新登录"));
  if (path === "/api/v1/dashboard") return send(res, 200, { by: "district", echo: req.url });
  if (path === "/api/v1/auth/bind-trainee")
    return send(res, 400, error("VALIDATION_FAILED", "请求内容不正确：name: 缺少必填字段", { fields: [{ field: "name", problem: "缺少必填字段" }] }));
  if (path === "/api/v1/classes/7") return send(res, 429, error("TOO_MANY_ATTEMPTS", "尝试次数过多，请稍后再试", { retry_after: 60 }), { "Retry-After": "60" });
  res.writeHead(502, { "Content-Type": "text/html" });
  res.end("<html>bad gateway</html>");
}

function fakeWx(storage: Map<string, unknown>): WxLike {
  return {
    request(options) {
      fetch(options.url, {
        method: options.method,
        headers: options.header,
        body: options.data === undefined ? undefined : JSON.stringify(options.data),
      })
        .then(async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // wx.request leaves a non-JSON body as a string
          }
          options.success({ statusCode: response.status, data, header: {} });
        })
        .catch((e: Error) => options.fail({ errMsg: `request:fail ${e.message}` }));
    },
    login(options) {
      options.success({ code: "wx-code" });
    },
    getStorageSync: (key) => storage.get(key) ?? "",
    setStorageSync: (key, value) => void storage.set(key, value),
    removeStorageSync: (key) => void storage.delete(key),
  };
}

before(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen = [];
  logins = 0;
  currentToken = "fresh-1";
});

test("attaches the stored token and sends typed query parameters", async () => {
  const storage = new Map<string, unknown>([["jobready.token", "fresh-1"]]);
  const client = createClient({ baseUrl, wx: fakeWx(storage) });
  const result = await client.call("get", "/api/v1/dashboard", {
    query: { start: "2026-01-01", end: "2026-06-30", by: "district" },
  });
  assert.equal(result.by, "district");
  assert.equal(seen[0]?.authorization, "Bearer fresh-1");
  assert.equal(seen[0]?.url, "/api/v1/dashboard?start=2026-01-01&end=2026-06-30&by=district");
});

test("an expired token is refreshed once with wx.login, then the request is retried", async () => {
  const storage = new Map<string, unknown>([["jobready.token", "old"]]);
  const client = createClient({ baseUrl, wx: fakeWx(storage) });
  const query = { start: "2026-01-01", end: "2026-06-30" };
  const [a, b] = await Promise.all([
    client.call("get", "/api/v1/dashboard", { query }),
    client.call("get", "/api/v1/dashboard", { query }),
  ]);
  assert.equal(a.by, "district");
  assert.equal(b.by, "district");
  assert.equal(logins, 1, "two requests that expire together share one login");
  assert.equal(storage.get("jobready.token"), "fresh-2");
  const login = seen.find((s) => s.url === "/api/v1/auth/wx-login");
  assert.deepEqual(login?.body, { code: "wx-code" });
});

test("a revoked token is not refreshed: the app is told to log in again", async () => {
  const storage = new Map<string, unknown>([["jobready.token", "revoked"]]);
  const required: ApiError[] = [];
  const client = createClient({ baseUrl, wx: fakeWx(storage), onLoginRequired: (e) => void required.push(e) });
  await assert.rejects(
    client.call("get", "/api/v1/dashboard", { query: { start: "2026-01-01", end: "2026-06-30" } }),
    (e: ApiError) => e.status === 401 && e.code === "TOKEN_REVOKED",
  );
  assert.equal(logins, 0);
  assert.equal(required.length, 1);
  assert.equal(storage.has("jobready.token"), false);
});

test("errors are mapped: code, Chinese message, fields and retry_after", async () => {
  const storage = new Map<string, unknown>([["jobready.token", "fresh-1"]]);
  const client = createClient({ baseUrl, wx: fakeWx(storage) });
  await assert.rejects(client.call("post", "/api/v1/auth/bind-trainee", { body: { name: "", id_number: "x" } }), (e: ApiError) => {
    assert.equal(e.code, "VALIDATION_FAILED");
    assert.equal(e.message, "请求内容不正确：name: 缺少必填字段");
    assert.deepEqual(e.fields, [{ field: "name", problem: "缺少必填字段" }]);
    return true;
  });
  await assert.rejects(client.call("get", "/api/v1/classes/{class_id}", { path: { class_id: 7 } }), (e: ApiError) => {
    assert.equal(e.status, 429);
    assert.equal(e.retryAfter, 60);
    return true;
  });
  await assert.rejects(client.call("get", "/api/v1/me"), (e: ApiError) => e.status === 502 && e.code === "HTTP_502");
});

test("a network failure is an ApiError with NETWORK_ERROR", async () => {
  const client = createClient({ baseUrl: "http://127.0.0.1:1", wx: fakeWx(new Map()) });
  await assert.rejects(client.call("get", "/api/v1/health"), (e: ApiError) => e.code === NETWORK_ERROR && e.status === 0);
});

test("the types follow the document (checked by tsc when this file compiles)", () => {
  const client = createClient({ baseUrl, wx: fakeWx(new Map()) });
  // @ts-expect-error the dashboard's start and end are required query parameters
  void client.call("get", "/api/v1/dashboard", { query: { by: "district" } }).catch(() => undefined);
  // @ts-expect-error a path id is required
  void client.call("get", "/api/v1/classes/{class_id}").catch(() => undefined);
  // @ts-expect-error the binding body needs the ID-card number
  void client.call("post", "/api/v1/auth/bind-trainee", { body: { name: "张三" } }).catch(() => undefined);
  // @ts-expect-error no such operation
  void client.call("delete", "/api/v1/dashboard").catch(() => undefined);
});
