"""Renders analysis results as documents: CSV tables now; charts, xlsx, pdf, docx, sav later."""
