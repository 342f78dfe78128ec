import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The build ships inside the Python package and is served by the API at /console/.
export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    // CONSOLE_OUT_DIR: the shipped-build check (tests/console/test_build.py) builds elsewhere
    outDir: process.env.CONSOLE_OUT_DIR || fileURLToPath(new URL('../miniprogram_api/console_dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
})
