"""Pacts visualisation: the Solara browser app and its components (DESIGN §9).

Nothing imports this package; ``pacts app`` starts the app by module path.
"""
