/**
 * Which methods serve a path, so a request with the wrong one gets 405 and an `Allow` header
 * instead of 404 "接口不存在" — or, where a parameterised route of its method happens to match
 * (`GET /api/orders/create` against `GET /api/orders/:id`), a puzzling error about the id.
 */
export type AllowedMethods = (method: string, path: string, staticOnly: boolean) => readonly string[];

interface Route {
  readonly method: string;
  readonly path: string;
}

const trim = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Built on first use: the routes are all registered by then and never change. */
export function allowedMethods(routes: () => readonly Route[]): AllowedMethods {
  let index: { method: string; isStatic: boolean; path: string; pattern: RegExp }[] | undefined;
  const build = () =>
    routes()
      .filter((r) => r.path.startsWith('/api/') && /^[A-Z]+$/.test(r.method))
      .map((r) => {
        const path = trim(r.path);
        const isStatic = !/[:*]/.test(path);
        const source = path
          .split('/')
          .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : escapeRegExp(seg)))
          .join('/');
        return { method: r.method, isStatic, path, pattern: new RegExp(`^${source}$`) };
      });
  return (method, rawPath, staticOnly) => {
    index ??= build();
    const path = trim(rawPath);
    // A path some route names literally (`/api/orders/create`) is that route's: a parameterised
    // route of another method (`GET /api/orders/:id`) matching it too would be a method that 405s.
    const exact = index.filter((r) => r.isStatic && r.path === path);
    const found = new Set(
      (exact.length > 0 || staticOnly ? exact : index.filter((r) => r.pattern.test(path))).map(
        (r) => r.method,
      ),
    );
    if (found.has(method)) return [];
    return [...found].sort();
  };
}
