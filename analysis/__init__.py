"""Pure computation: responses (a DataFrame) + questionnaire + targets -> weighted results.

Never imports Flask or SQLAlchemy and never reads files inside the computations.
"""
