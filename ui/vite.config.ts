import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The app runs under a strict CSP (see src-tauri/tauri.conf.json): everything must be a file
// served from 'self', so nothing is inlined into index.html.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The Linux webview (WebKitGTK 2.40+) and WebView2 both handle ES2022.
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
