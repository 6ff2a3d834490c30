"""Alembic environment: run with a connection handed in by survey_app.db.upgrade."""
from alembic import context

from survey_app.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
