"""One-time submission keys (webapp.submissions.claims): a key creates once, its first result answers after."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from webapp.submissions import claims
from webapp.submissions.models import SubmissionKey

NOW = dt.datetime(2025, 12, 8, 9, tzinfo=dt.UTC)


def test_new_keys_are_random_and_valid():
    keys = {claims.new_key() for _ in range(50)}
    assert len(keys) == 50 and all(claims.valid_key(key) for key in keys)


@pytest.mark.parametrize("key", ["", "x" * 31, "x" * 33, "x" * 31 + "\n", "x" * 31 + "é", "x" * 31 + "=", None, 12])
def test_a_malformed_key_is_refused(tenant_db, key):
    assert not claims.valid_key(key)
    with pytest.raises(ValueError):
        claims.claim(tenant_db("alpha"), "billing.payment", key, now=NOW)


def test_a_key_claimed_and_committed_answers_with_its_first_result(tenant_db):
    db = tenant_db("alpha")
    key = claims.new_key()
    ticket = claims.claim(db, "billing.payment", key, now=NOW)
    assert ticket.first is None
    ticket.settle("payment", 7, "AL-R5")
    db.commit()
    again = claims.claim(db, "billing.payment", key, now=NOW)
    assert (again.first.result_kind, again.first.result_id, again.first.result_label) == ("payment", 7, "AL-R5")
    with pytest.raises(RuntimeError):
        again.settle("payment", 8, "AL-R6")
    assert db.scalar(select(func.count()).select_from(SubmissionKey)) == 1


def test_the_same_key_on_another_form_is_another_submission(tenant_db):
    db = tenant_db("alpha")
    key = claims.new_key()
    claims.claim(db, "billing.payment", key, now=NOW).settle("payment", 1, "AL-R1")
    db.commit()
    other = claims.claim(db, "billing.credit_note", key, now=NOW)
    assert other.first is None


def test_a_rolled_back_creation_frees_its_key(tenant_db):
    """The payment was refused (rolled back): the agent corrects the form and sends the same key again."""
    db = tenant_db("alpha")
    key = claims.new_key()
    claims.claim(db, "billing.payment", key, now=NOW)
    db.rollback()
    assert claims.claim(db, "billing.payment", key, now=NOW).first is None


def test_a_key_committed_between_the_look_and_the_insert_gives_the_first_result(tenant_db, monkeypatch):
    """The race window: another post committed the key after this one looked; the unique constraint decides."""
    winner, loser = tenant_db("alpha"), tenant_db("alpha")
    key = claims.new_key()
    claims.claim(winner, "billing.payment", key, now=NOW).settle("payment", 3, "AL-R3")
    looked = []
    real = claims._existing

    def late_look(db, form, value):
        if not looked:  # the first look happened before the winner committed
            looked.append(True)
            winner.commit()
            return None
        return real(db, form, value)

    monkeypatch.setattr(claims, "_existing", late_look)
    ticket = claims.claim(loser, "billing.payment", key, now=NOW)
    assert ticket.first is not None and ticket.first.result_label == "AL-R3"
    assert loser.scalar(select(func.count()).select_from(SubmissionKey)) == 1
