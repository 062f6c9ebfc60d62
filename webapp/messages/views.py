"""The family's « Boîte de réception »: received messages, sent threads, deleted ones, writing.

Every page is the signed-in family's only: another family's message is a 404.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.auth import users
from webapp.auth.users import owned, signed_in_family
from webapp.db import db
from webapp.extensions import limiter
from webapp.messages import inbox
from webapp.messages.forms import MessageForm, ReplyForm
from webapp.messages.models import Message
from webapp.uploads import SENDS_PER_IP
from webapp.uploads import storage
from webapp.uploads.models import StoredFile
from webapp.uploads.serving import commune_folder, send_stored

bp = Blueprint("messages", __name__, url_prefix="/messages")
bp.before_request(require_tenant)


users.SESSION_EXTRAS["unread_messages"] = ("family", inbox.unread_count_column)


@bp.app_context_processor
def _unread_counter():
    """`unread_message_count()` in templates: the count read with the session (webapp.auth.users),
    or one COUNT on this blueprint's pages, which may have just marked messages read."""

    def unread_message_count() -> int:
        family = current_user.family if current_user.is_authenticated else None
        if family is None or g.get("tenant") is None:
            return 0
        if "unread_messages" not in g:
            known = current_user.extras.get("unread_messages") if request.blueprint != bp.name else None
            g.unread_messages = known if known is not None else inbox.unread_count(db, family.id)
        return g.unread_messages

    return {"unread_message_count": unread_message_count}


def store_attachment(field, now) -> StoredFile | None:
    """The form's checked file, stored (or None when no file was chosen)."""
    if field.cleaned is None:
        return None
    stored = storage.store(db, commune_folder(), field.cleaned, field.filename, kind="attachment", now=now)
    db.flush()
    return stored


def attachments_of(messages) -> dict[int, StoredFile]:
    ids = {m.attachment_id for m in messages if m.attachment_id}
    if not ids:
        return {}
    return {f.id: f for f in db.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))}


@bp.get("/")
@login_required
def received():
    family = signed_in_family()
    return render_template("messages/list.html", messages=inbox.received(db, family.id), deleted=False,
                           form=FlaskForm())


@bp.get("/supprimes")
@login_required
def deleted():
    family = signed_in_family()
    return render_template("messages/list.html", messages=inbox.received(db, family.id, deleted=True), deleted=True,
                           form=FlaskForm())


@bp.get("/envoyes")
@login_required
def sent():
    family = signed_in_family()
    return render_template("messages/sent.html", threads=inbox.sent_threads(db, family.id))


@bp.route("/nouveau", methods=["GET", "POST"])
@limiter.limit(SENDS_PER_IP, methods=["POST"])
@login_required
def write():
    family = signed_in_family()
    form = MessageForm()
    if form.validate_on_submit():
        now = clock.utcnow()
        attachment = store_attachment(form.attachment, now)
        inbox.write(db, family=family, from_family=True, sender_name=family.display_name,
                    subject=form.subject.data.strip(), body=form.body.data.strip(), attachment=attachment, now=now)
        db.commit()
        flash(_("Votre message est envoyé à la commune."), "success")
        return redirect(url_for("messages.sent"), 303)
    return render_template("messages/write.html", form=form), 400 if form.errors else 200


@bp.route("/<int:message_id>", methods=["GET", "POST"])
@limiter.limit(SENDS_PER_IP, methods=["POST"])
@login_required
def show(message_id: int):
    """A thread; the family replies at the bottom."""
    family = signed_in_family()
    messages = inbox.thread(db, message_id, family.id)
    if not messages:
        abort(404)
    form = ReplyForm()
    if form.validate_on_submit():
        now = clock.utcnow()
        attachment = store_attachment(form.attachment, now)
        inbox.write(db, family=family, from_family=True, sender_name=family.display_name, subject="",
                    body=form.body.data.strip(), attachment=attachment, thread=messages[0], now=now)
        db.commit()
        flash(_("Votre réponse est envoyée à la commune."), "success")
        return redirect(url_for("messages.show", message_id=messages[0].id), 303)
    inbox.mark_read(db, messages, by_family=True, now=clock.utcnow())
    db.commit()
    return render_template("messages/thread.html", messages=messages, attachments=attachments_of(messages),
                           form=form, family_side=True), 400 if form.errors else 200


@bp.post("/<int:message_id>/supprimer")
@login_required
def delete(message_id: int):
    return _set_deleted(message_id, True, _("Le message est déplacé dans « Messages supprimés »."))


@bp.post("/<int:message_id>/restaurer")
@login_required
def restore(message_id: int):
    return _set_deleted(message_id, False, _("Le message est de retour dans votre boîte de réception."))


def _set_deleted(message_id: int, deleted: bool, done: str):
    family = signed_in_family()
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not inbox.set_deleted(db, family.id, message_id, deleted, clock.utcnow()):
        abort(404)
    db.commit()
    flash(done, "success")
    return redirect(url_for("messages.deleted" if not deleted else "messages.received"), 303)


@bp.get("/<int:message_id>/piece-jointe")
@login_required
def attachment(message_id: int):
    message = owned(Message, message_id)
    if message.attachment_id is None:
        abort(404)
    return send_stored(db.get(StoredFile, message.attachment_id))
