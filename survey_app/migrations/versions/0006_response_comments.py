"""residents' answers to the open question (responses.comment)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column in the response's own row: written by the same INSERT as the answers, so a
    # comment is durable exactly when its response is, and a double tap (one submission id) stores one.
    # Plain ADD COLUMN without a default changes no stored row on SQLite or PostgreSQL (no table rebuild).
    op.add_column('responses', sa.Column('comment', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('comment')
