"""platform: federation admins' state, invitations and the platform journal

Revision ID: d15c11000001
Revises: 5d58f9ae1438
Create Date: 2026-12-03 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd15c11000001'
down_revision: Union[str, Sequence[str], None] = '5d58f9ae1438'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('admin_invitation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('admin_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['federation_admin.id'], name=op.f('fk_admin_invitation_admin_id_federation_admin'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_invitation')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_admin_invitation_secret_hash'))
    )
    with op.batch_alter_table('admin_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_invitation_admin_id'), ['admin_id'], unique=False)

    with op.batch_alter_table('federation_admin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('platform_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('target_id', sa.BigInteger(), nullable=True),
    sa.Column('details', sa.String(length=300), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_event'))
    )
    with op.batch_alter_table('platform_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platform_event_at'), ['at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('platform_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platform_event_at'))

    op.drop_table('platform_event')

    with op.batch_alter_table('federation_admin', schema=None) as batch_op:
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('disabled_at')

    with op.batch_alter_table('admin_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_invitation_admin_id'))

    op.drop_table('admin_invitation')

