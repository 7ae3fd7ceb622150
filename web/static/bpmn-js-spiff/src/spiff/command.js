// The "spiff.update" command: a list of {target, props} changes on moddle
// objects applied as one undoable step.

export default class SpiffUpdateHandler {
  constructor(elementRegistry) {
    this.elementRegistry = elementRegistry;
  }

  execute(ctx) {
    ctx.old = ctx.changes.map(({ target, props }) => {
      const old = {};
      for (const key of Object.keys(props)) {
        old[key] = target.get(key);
        if (Array.isArray(old[key])) {
          old[key] = old[key].slice();
        }
        setProp(target, key, props[key]);
      }
      return old;
    });
    return this.changed(ctx);
  }

  revert(ctx) {
    for (let i = ctx.changes.length - 1; i >= 0; i--) {
      const { target } = ctx.changes[i];
      const old = ctx.old[i];
      for (const key of Object.keys(old)) {
        setProp(target, key, old[key]);
      }
    }
    return this.changed(ctx);
  }

  changed(ctx) {
    const out = [ctx.element];
    // Labels of elements whose name changed must be redrawn too.
    for (const { target } of ctx.changes) {
      const shape = target.id && this.elementRegistry.get(target.id);
      if (shape && !out.includes(shape)) {
        out.push(shape);
      }
    }
    return out.filter(Boolean);
  }
}

SpiffUpdateHandler.$inject = ['elementRegistry'];

function setProp(target, key, value) {
  const desc = target.$descriptor && target.$descriptor.propertiesByName && target.$descriptor.propertiesByName[key];
  if (desc && desc.isMany) {
    // Many-valued properties keep their array object (moddle hands out the
    // same array); replace its content.
    const arr = target.get(key);
    arr.splice(0, arr.length, ...(value || []));
    return;
  }
  if (value === undefined) {
    if (desc) {
      target.set(key, undefined);
      delete target[desc.name];
    } else if (target.$attrs) {
      delete target.$attrs[key];
    }
    return;
  }
  target.set(key, value);
}
