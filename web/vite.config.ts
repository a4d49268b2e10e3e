// Two builds, one per page: `vite build --mode app` makes /app/, `--mode console` makes
// /console/. Each is served under its own prefix by backend/shell, hashed assets and all, so
// neither needs the other nor any outside origin.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const OUT = resolve(HERE, "../backend/shell/built");

export default defineConfig(({ mode }) => {
  const page = mode === "console" ? "console" : "app";
  return {
    root: resolve(HERE, page),
    base: `/${page}/`,
    publicDir: false,
    esbuild: { jsx: "automatic", jsxImportSource: "preact", legalComments: "none" },
    build: {
      outDir: resolve(OUT, page),
      emptyOutDir: true,
      assetsDir: "assets",
      // No inline scripts or styles: the content security policy allows only 'self'.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
      target: "es2022",
    },
    server: { proxy: { "/v1": "http://127.0.0.1:8000" } },
  };
});
