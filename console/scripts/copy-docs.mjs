// Copy Swagger UI (from its npm package) and our page into the Python package's docs_dist/.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = process.env.DOCS_OUT_DIR || join(here, '..', '..', 'miniprogram_api', 'docs_dist')
const dist = join(here, '..', 'node_modules', 'swagger-ui-dist')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
for (const name of ['swagger-ui-bundle.js', 'swagger-ui-bundle.js.LICENSE.txt', 'swagger-ui.css', 'LICENSE']) {
  copyFileSync(join(dist, name), join(out, name === 'LICENSE' ? 'swagger-ui-LICENSE.txt' : name))
}
for (const name of ['index.html', 'docs-init.js']) {
  copyFileSync(join(here, '..', 'docs', name), join(out, name))
}
