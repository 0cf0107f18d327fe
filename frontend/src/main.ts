import { createApp, nextTick } from 'vue'
import { emitEvent } from './api'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, currentLocale } from './i18n'
import { router } from './router'
import './style.css'

document.documentElement.lang = currentLocale.value

createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')

// Tell the desktop shell when the first screen is drawn (start-up benchmark, smoke test).
void router.isReady().then(async () => {
  await nextTick()
  requestAnimationFrame(() => {
    const name = router.currentRoute.value.name
    emitEvent('ui:ready', typeof name === 'string' ? name : 'app')
  })
})
