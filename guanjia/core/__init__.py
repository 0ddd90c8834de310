"""The kernel every app shares: errors, input cleaning, periods, state changes, evidence, page and API plumbing.

``guanjia.core`` imports nothing from the rest of ``guanjia`` (a test holds it to that), so every app may import
it and no import cycle can run through it. A definition that two apps need lives here once.
"""
