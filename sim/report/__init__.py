"""Compare reports: what-if scenarios against a baseline on common random numbers.

:func:`sim.report.compare.compare` runs the scenarios and computes paired differences;
:func:`sim.report.writer.write_report` writes the HTML / Markdown / PNG bundle.
"""
