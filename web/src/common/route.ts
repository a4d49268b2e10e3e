// Hash routes (`#/inbox`, `#/grid_events/event/12`): the server serves one index.html per
// page, so a route is never a request, and a reload comes back to the same screen.

import { useEffect, useState } from "preact/hooks";

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a malformed escape in a pasted link: a route that shows nothing, not a blank app
  }
}

export function currentRoute(): string[] {
  return location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decoded);
}

export function go(...parts: (string | number)[]): void {
  location.hash = `#/${parts.map((part) => encodeURIComponent(String(part))).join("/")}`;
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const follow = () => setRoute(currentRoute());
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  return route;
}

/** A tile's target (`native:grid_events/report`) as the route that shows it. */
export function routeOfTarget(target: string): string[] {
  const native = /^native:([a-z_]+)\/([a-z_]+)$/.exec(target);
  return native ? [native[1], native[2]] : ["unavailable"];
}
