"""the county register: one row per administrative code that campaigns' counties name

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'county_register',
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_county_register')),
    )
    # Every county already in a campaign, under the name of its newest campaign.
    op.execute("""
        INSERT INTO county_register (code, name, updated_at)
        SELECT c.code, c.name, CURRENT_TIMESTAMP FROM counties c
        WHERE c.id = (SELECT MAX(d.id) FROM counties d WHERE d.code = c.code)
    """)
    # No foreign key from counties.code: adding one rebuilds `counties` on SQLite, which the rows of
    # channels and responses refer to; services.county_register keeps the two in step.


def downgrade():
    op.drop_table('county_register')
