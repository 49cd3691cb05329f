/**
 * Links between widget attributes that the frontend keeps (`DirectionalLinkModel` and `LinkModel` of
 * `@jupyter-widgets/controls` 5): when the source attribute changes in the browser, the frontend copies it to
 * the target without a round trip to the kernel, so a link also works in a saved page with no kernel.
 */
import { spec } from "./control";
import { ModelSpecState, Widget } from "./widget";

/** One end of a link: a widget and the name of one of its attributes. */
export type LinkEnd = readonly [Widget, string];

/** The state of DirectionalLink and Link. */
export type LinkState = ModelSpecState & { source: string[]; target: string[] };

function end(e: LinkEnd, role: string, what: string): string[] {
  const [w, attr] = e;
  if (!(attr in w.fullState())) throw new Error(`${what}: the ${role} ${w.describe()} has no attribute "${attr}"`);
  return [w.reference, attr];
}

/** Copies `source` to `target` in the frontend whenever the source changes (`DirectionalLinkModel`). */
export class DirectionalLink extends Widget<LinkState> {
  /**
   * Creates the link; it takes effect once both widgets are shown.
   * @throws Error when either widget has no attribute of the given name.
   */
  constructor(source: LinkEnd, target: LinkEnd) {
    super({
      ...spec("DirectionalLinkModel", null),
      source: end(source, "source", "dlink"),
      target: end(target, "target", "dlink"),
    });
  }
  override describe(): string {
    return `dlink(${this.get("source").join(".")} → ${this.get("target").join(".")})`;
  }
}

/** Keeps two attributes equal in the frontend, both ways (`LinkModel`). */
export class Link extends Widget<LinkState> {
  /**
   * Creates the link.
   * @throws Error when either widget has no attribute of the given name.
   */
  constructor(source: LinkEnd, target: LinkEnd) {
    super({
      ...spec("LinkModel", null),
      source: end(source, "source", "jslink"),
      target: end(target, "target", "jslink"),
    });
  }
  override describe(): string {
    return `jslink(${this.get("source").join(".")} ↔ ${this.get("target").join(".")})`;
  }
}

/** A frontend-side one-way link (ipywidgets' `dlink`). @throws Error on an unknown attribute. */
export function dlink(source: LinkEnd, target: LinkEnd): DirectionalLink {
  return new DirectionalLink(source, target);
}

/** A frontend-side two-way link (ipywidgets' `jslink`). @throws Error on an unknown attribute. */
export function jslink(source: LinkEnd, target: LinkEnd): Link {
  return new Link(source, target);
}
