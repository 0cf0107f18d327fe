/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// In `npm run dev` the /api bridge of `gddctl ui serve` is proxied (GDD_API=http://127.0.0.1:PORT).
const apiTarget = process.env.GDD_API ?? 'http://127.0.0.1:34115'

export default defineConfig({
  plugins: [vue()],
  // Relative asset paths: Wails serves dist/ from its embedded asset server.
  base: './',
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts'],
  },
})
