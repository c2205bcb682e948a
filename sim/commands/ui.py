"""``ui``: serve the classroom web page (Solara, over a mesa model) and print the address to open."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from pathlib import Path

from sim.commands.argtypes import Subparsers
from sim.commands.argtypes import port as port_number

DEFAULT_PORT = 8765


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "ui",
        help="serve the interactive classroom page in a web browser",
        description="Serve the interactive page (scenario picker, sliders, step/play/reset, "
        "live charts and an event feed). Open the printed address in a browser; Ctrl+C stops it.",
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only; "
        "0.0.0.0 lets other computers of the network connect, without any password)",
    )
    p.add_argument(
        "--scenarios",
        type=Path,
        default=None,
        help="folder of scenario files for the picker (default: scenarios/)",
    )
    p.add_argument(
        "--no-asset-cache",
        action="store_true",
        help="load browser assets from the public CDN instead of the local npm cache",
    )
    return p


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _check_bind(host: str, port: int) -> None:
    from sim.errors import UserError

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as e:
        raise UserError(
            f"ui: cannot listen on {host}:{port} ({e.strerror}); "
            "choose another with --port or --host"
        ) from None


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line serving :mod:`sim.ui.app`."""
    import sim.ui

    app = Path(sim.ui.__file__).with_name("app.py")
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # no question to pypi.org at each start
        "--log-level",
        "warning",
    ]


def server_env(scenarios: Path | None = None, use_cache: bool = True) -> dict[str, str]:
    """Environment of the server process: offline asset cache (fetched if missing), no telemetry.

    Without npm or the registry the page falls back to the public CDN, with a warning.
    """
    from sim.ui import assets

    cache = None
    if use_cache:
        try:
            cache = assets.ensure_assets()
        except assets.AssetError as e:
            print(
                f"warning: browser assets not cached ({e}); the page will load them from the "
                "internet",
                file=sys.stderr,
            )
    env = dict(os.environ)
    env.update(assets.server_env(cache))
    # a quiet terminal for the teacher: mesa 3.3.1's own hook-rule warning and Solara's note on
    # cookies over plain http (expected on 127.0.0.1) say nothing actionable
    env.setdefault("SOLARA_CHECK_HOOKS", "off")
    # Solara's "runs on Solara" badge floats over the page's bottom-right corner (a legend);
    # the page credits Solara in its sidebar instead (sim.ui.app.CREDIT)
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    quiet = "ignore:Cookies with samesite=none"
    env["PYTHONWARNINGS"] = ",".join(x for x in (env.get("PYTHONWARNINGS"), quiet) if x)
    if scenarios is not None:
        env["MULTIVECTOR_SCENARIOS"] = str(scenarios.resolve())
    return env


def check_scenarios(folder: Path | None) -> None:
    """Refuse a scenario folder with no valid scenario (one clear line, exit 2)."""
    from sim.errors import UserError
    from sim.ui.library import load_library

    if folder is not None and not folder.is_dir():
        raise UserError(f"ui: --scenarios {folder}: no such folder")
    lib = load_library(folder)
    if not lib.entries:
        lines = [f"ui: no valid scenario in {lib.folder}"] + list(lib.skipped)
        raise UserError("\n".join(lines))


WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) reaches this computer only.

    A name counts as loopback when every address it resolves to is (``localhost``); a name
    that does not resolve does not.
    """
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    addresses = {str(info[4][0]).split("%")[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def _url(host: str, port: int) -> str:
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


def announce(host: str, port: int) -> None:
    """Print where the server listens (stdout) and, off loopback, a warning (stderr)."""
    url = _url(host, port)
    if host in WILDCARD_HOSTS:
        print(
            f"multivector classroom page: listening on {url} (every network interface of this "
            f"computer); open {_url('127.0.0.1' if host != '::' else '::1', port)} here, or "
            f"http://<this computer's address>:{port}/ from another computer (Ctrl+C to stop)",
            flush=True,
        )
    else:
        print(
            f"multivector classroom page: open {url} in a web browser (Ctrl+C to stop)",
            flush=True,
        )
    if not is_loopback(host):
        print(
            f"warning: ui: --host {host or '0.0.0.0'} is not a loopback address: anyone who can "
            "reach this computer over the network can open the page and run models on it, and "
            "the page has no password or other authentication; use it only on a network you "
            "trust, or keep the default --host 127.0.0.1",
            file=sys.stderr,
            flush=True,
        )


def execute(args: argparse.Namespace) -> int:
    check_scenarios(args.scenarios)
    port = args.port or free_port(args.host)
    _check_bind(args.host, port)
    env = server_env(args.scenarios, not args.no_asset_cache)
    announce(args.host, port)
    sys.stdout.flush()
    cmd = server_command(args.host, port)
    # the server takes over this process (same PID; Ctrl+C stops it): execve does not return
    os.execve(cmd[0], cmd, env)
