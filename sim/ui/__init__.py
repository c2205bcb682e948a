"""The classroom web page (Solara, over a mesa model): controls, model, figures and the Solara app.

:mod:`sim.ui.app` imports Solara and mesa's visualization; it is loaded only by the server.
"""
