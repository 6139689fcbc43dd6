// TypeDoc plugin for the reference (`npm run docs`): wasm-bindgen writes
// `free()` and `[Symbol.dispose]()` on every exported class without a
// comment; this gives them the one line they all share, so that the check
// that every export is documented holds for what we write, not for them.
import { Comment, Converter, ReflectionKind } from "typedoc";

const TEXT = {
  free: "Releases the object's wasm memory now rather than at garbage collection; the object is unusable after.",
  "[dispose]": "As free(), for `using` declarations.",
};

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const r of context.project.getReflectionsByKind(ReflectionKind.Method)) {
      const text = TEXT[r.name];
      if (!text) continue;
      for (const signature of r.signatures ?? []) {
        if (!signature.comment?.summary.some((part) => part.text.trim())) signature.comment = new Comment([{ kind: "text", text }]);
      }
    }
  });
}
