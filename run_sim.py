#!/usr/bin/env python3
"""Command-line entry of multivector: a thin wrapper around :func:`sim.cli.script`."""

if __name__ == "__main__":
    from sim.cli import script

    script()
