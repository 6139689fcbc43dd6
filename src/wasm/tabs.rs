//! Across tabs (#23), the shell's part: a BroadcastChannel that carries the
//! core's messages (src/credentials/tabs.rs) and a Web Lock, both named by
//! the provider's channel. No rule lives here: the provider says when to
//! ask, when to lock and what to post.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

fn global(name: &str) -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &name.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn locks() -> Option<JsValue> {
    let navigator = global("navigator")?;
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(JsValue::is_object)
}

/// Whether this platform can share across tabs: pages, workers and service
/// workers of browsers have both; Node lacks Web Locks.
pub(crate) fn available() -> bool {
    global("BroadcastChannel").is_some() && locks().is_some()
}

/// Whether sharing is on when the app does not say: in browsers. Deno has
/// both too, but a server's instances are not tabs of one user: there it
/// stays as it was (one exchange per instance) unless asked for.
pub(crate) fn on_by_default() -> bool {
    available() && global("Deno").is_none()
}

/// A BroadcastChannel whose messages (strings) go to `on_message`.
pub(crate) struct Channel {
    name: String,
    channel: JsValue,
    _listener: Closure<dyn FnMut(JsValue)>,
}

impl Channel {
    pub(crate) fn open(name: &str, mut on_message: impl FnMut(String) + 'static) -> Option<Self> {
        let constructor: Function = global("BroadcastChannel")?.dyn_into().ok()?;
        let channel = Reflect::construct(&constructor, &js_sys::Array::of1(&name.into())).ok()?;
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(text) = Reflect::get(&event, &"data".into())
                .ok()
                .and_then(|data| data.as_string())
            {
                on_message(text);
            }
        });
        Reflect::set(&channel, &"onmessage".into(), listener.as_ref()).ok()?;
        Some(Channel {
            name: name.into(),
            channel,
            _listener: listener,
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Posts `text`; a closed or failing channel loses it (the others then
    /// exchange themselves, as without sharing).
    pub(crate) fn post(&self, text: &str) {
        call(&self.channel, "postMessage", &text.into());
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        let _ = Reflect::set(&self.channel, &"onmessage".into(), &JsValue::NULL);
        call(&self.channel, "close", &JsValue::UNDEFINED);
    }
}

fn call(target: &JsValue, method: &str, arg: &JsValue) {
    if let Some(f) = Reflect::get(target, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = f.call1(target, arg);
    }
}

/// A Web Lock, held until this is dropped (the browser also releases it when
/// the tab closes).
pub(crate) struct Held {
    release: Function,
    _on_refused: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// The exclusive Web Lock `name`, and whether another held it first (then
/// this tab waited for it).
pub(crate) async fn lock(name: &str) -> Result<(Held, bool), JsValue> {
    if let Some(held) = request(name, true).await? {
        return Ok((held, false));
    }
    let held = request(name, false).await?;
    held.map(|h| (h, true))
        .ok_or_else(|| JsValue::from_str("the lock was not granted"))
}

/// `navigator.locks.request(name, { ifAvailable }, …)`: the lock, held while
/// the callback's promise is pending (it settles when `Held` is dropped);
/// None when `if_available` and another holds it. A refused request ends
/// the wait with its error.
async fn request(name: &str, if_available: bool) -> Result<Option<Held>, JsValue> {
    let locks = locks().ok_or_else(|| JsValue::from_str("navigator.locks is missing"))?;
    let request: Function = Reflect::get(&locks, &"request".into())?.dyn_into()?;
    let mut settle = None;
    let granted = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (grant, refuse) = settle.ok_or_else(|| JsValue::from_str("no resolver"))?;
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            // Not available: no release to hand over.
            let _ = grant.call1(&JsValue::UNDEFINED, &JsValue::NULL);
            return JsValue::UNDEFINED;
        }
        Promise::new(&mut |release, _| {
            let _ = grant.call1(&JsValue::UNDEFINED, &release);
        })
        .into()
    });
    let on_refused = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let _ = refuse.call1(&JsValue::UNDEFINED, &e);
    });
    let options = js_sys::Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &if_available.into())?;
    let pending: Promise = request
        .call3(&locks, &name.into(), &options, &callback)?
        .dyn_into()?;
    let _ = pending.catch(&on_refused);
    let release = JsFuture::from(granted).await?;
    Ok(release.dyn_into().ok().map(|release| Held {
        release,
        _on_refused: on_refused,
    }))
}

/// Resolves after `ms`, or as soon as `wake` (set here) is called.
pub(crate) async fn wait(ms: f64, wake: &std::cell::RefCell<Option<Function>>) {
    let woken = Promise::new(&mut |resolve, _| {
        super::fetch::set_timeout(&resolve, ms.max(0.0));
        *wake.borrow_mut() = Some(resolve);
    });
    let _ = JsFuture::from(woken).await;
    wake.borrow_mut().take();
}
