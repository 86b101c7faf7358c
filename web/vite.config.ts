/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console is built into the Python package, where the API serves it (ADR 0009).
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "../src/sentinelle/api/console",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // No inline scripts or data: modules, so the Content-Security-Policy can forbid them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8640" } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
