#!/usr/bin/env python3
"""Command-line entry of multivector: a thin wrapper around :func:`sim.cli.main`."""

if __name__ == "__main__":
    from sim.cli import script

    script()
