/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies the API and WebSocket to Django (`manage.py serve` or daphne on :8000).
const DJANGO = 'http://127.0.0.1:8000';

export default defineConfig(({ command }) => ({
  // Django serves the build from /static/app/ and reads .vite/manifest.json to find the entry
  // chunk for index.html. The dev server serves the app from / so client routes match.
  base: command === 'build' ? '/static/app/' : '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    manifest: true,
    emptyOutDir: true,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate chunks cache better.
        manualChunks: {
          react: ['react', 'react-dom', 'react-router'],
          flow: ['@xyflow/react'],
          charts: ['uplot'],
          query: ['@tanstack/react-query', 'zustand'],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: DJANGO, changeOrigin: false },
      '/ws': { target: DJANGO, ws: true, changeOrigin: false },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
}));
