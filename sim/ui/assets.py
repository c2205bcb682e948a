"""Offline browser assets for the web page: ``npm pack`` Solara's CDN packages into a local cache.

Solara loads its JavaScript and CSS from a public CDN (jsDelivr) at run time. Where only the
package registries are reachable the page would stay blank, so this module fetches the same
packages from the npm registry once and unpacks each into ``CACHE/<name>@<version>/`` (the
package's files directly inside), the layout of Solara's asset proxy cache. The server is then
started with ``SOLARA_ASSETS_PROXY_CACHE_DIR=CACHE`` and never needs the CDN.

Solara's proxy (``/_solara/cdn/<package>/<file>``) fetches any file it does not have from the CDN
on demand, for whoever asks. When the cache is complete the server is told that the CDN is
:data:`OFFLINE_CDN`, which no HTTP client can fetch from, and the page module replaces the proxy
with :func:`cache_only_cdn`: cached files are served, everything else is a 404 at once.

Run ``python -m sim.ui.assets [CACHE]``: quick when the cache is already complete (it only
checks that each package folder has its ``package.json``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = ROOT / ".cache" / "solara-assets"

#: npm packages the page loads with ipyvuetify 1.x and matplotlib figures (no Vega charts).
PACKAGES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
)

#: Environment for the Solara server: the local asset cache and no telemetry.
TELEMETRY_OFF = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}

#: The "CDN" Solara's asset proxy is given when the cache is complete: not a network address
#: (``requests`` refuses the scheme before any connection), so the proxy cannot fetch anything.
OFFLINE_CDN = "offline://multivector-asset-cache/"


class AssetError(RuntimeError):
    """The assets could not be fetched (no npm, or the registry is unreachable)."""


def cache_dir() -> Path:
    """The asset cache folder: ``$MULTIVECTOR_ASSETS`` or ``.cache/solara-assets`` in the repo."""
    env = os.environ.get("MULTIVECTOR_ASSETS")
    return Path(env) if env else DEFAULT_CACHE


def missing(cache: Path, packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """The packages not yet unpacked in ``cache``."""
    return [p for p in packages if not (cache / p / "package.json").is_file()]


def _fetch(spec: str, cache: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is not installed (apt-get install npm, or use a machine with internet)"
        )
    target = cache / spec
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        proc = subprocess.run(
            [npm, "pack", spec, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        tgz = sorted(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or not tgz:
            said = (proc.stderr or proc.stdout).strip()[-400:]
            raise AssetError(f"npm pack {spec} failed: {said}")
        unpack = Path(tmp) / "unpacked"
        with tarfile.open(tgz[0]) as tar:
            tar.extractall(unpack, filter="data")
        inner = [d for d in unpack.iterdir() if d.is_dir()]
        if len(inner) != 1:
            raise AssetError(f"unexpected layout in the {spec} tarball")
        if target.exists():
            shutil.rmtree(target)
        inner[0].rename(target)  # atomic: the folder appears complete or not at all


def ensure_assets(cache: Path | None = None, quiet: bool = False) -> Path:
    """Make sure every package of :data:`PACKAGES` is unpacked in ``cache``; returns the folder.

    Raises:
        AssetError: npm is missing or a package could not be fetched.
    """
    cache = cache or cache_dir()
    todo = missing(cache)
    for i, spec in enumerate(todo, 1):
        if not quiet:
            print(f"fetching browser assets ({i}/{len(todo)}): {spec}", file=sys.stderr)
        _fetch(spec, cache)
    return cache


def server_env(cache: Path | None) -> dict[str, str]:
    """Environment variables for the Solara server (asset cache when given, telemetry off).

    With a complete cache, Solara's proxy serves the cache only: it is switched on whatever the
    caller's environment says, and its upstream CDN is :data:`OFFLINE_CDN`.
    """
    env = dict(TELEMETRY_OFF)
    if cache is not None:
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache)
        if not missing(cache):
            env["SOLARA_ASSETS_PROXY"] = "true"
            env["SOLARA_ASSETS_CDN"] = OFFLINE_CDN
    return env


def cached_file(cache: Path, path: str) -> Path | None:
    """The file of ``cache`` that serves ``/_solara/cdn/<path>``, or None if it is not cached.

    As in Solara's proxy, a bare package (``requirejs@2.3.6``) means its ``__main.js``. Nothing
    outside ``cache`` is ever returned (``..``, absolute paths and symlinks leading out).
    """
    rel = path.replace("\\", "/")
    if "/" not in rel:
        rel = f"{rel}/__main.js"
    root = cache.resolve()
    try:
        full = (root / rel.lstrip("/")).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if full == root or not full.is_relative_to(root) or not full.is_file():
        return None
    return full


def cache_only_cdn(cache: Path) -> Any:
    """An ASGI app for ``/_solara/cdn`` that serves the files of ``cache`` and never fetches.

    It is Solara's own proxy app (same compression and cache headers) with the lookup limited
    to :func:`cached_file`; anything else is a 404.
    """
    from solara.server.starlette import StaticCdn

    class CacheOnlyCdn(StaticCdn):
        def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
            full = cached_file(cache, path)
            if full is None:
                return "", None
            return str(full), full.stat()

    return CacheOnlyCdn(directory=cache)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.ui.assets [CACHE]``: fetch missing assets; exit 1 with a message if not."""
    args = sys.argv[1:] if argv is None else argv
    cache = Path(args[0]) if args else cache_dir()
    try:
        ensure_assets(cache)
    except AssetError as e:
        print(f"error: browser assets: {e}", file=sys.stderr)
        return 1
    print(f"browser assets ready in {cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
