"""evaluators' test answers (responses.test) and quotas that close (campaigns.close_full_quotas)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (SQLite can add a column with a constant default): a batch operation would
    # copy and drop the tables, which other tables' rows refer to.
    op.add_column('responses', sa.Column('test', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('campaigns', sa.Column('close_full_quotas', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('close_full_quotas')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('test')
