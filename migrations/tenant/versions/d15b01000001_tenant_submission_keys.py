"""tenant: one-time submission keys of the forms that create money or numbers

A new table only (webapp.submissions.models): nothing to fill for the rows already there.

Revision ID: d15b01000001
Revises: 4097c5983762
Create Date: 2026-12-03 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd15b01000001'
down_revision: Union[str, Sequence[str], None] = '4097c5983762'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('submission_key',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('form', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result_kind', sa.String(length=30), nullable=False),
    sa.Column('result_id', sa.BigInteger(), nullable=True),
    sa.Column('result_label', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_key')),
    sa.UniqueConstraint('form', 'key', name=op.f('uq_submission_key_form_key'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('submission_key')
