"""The commune's shared inbox (/agent/messages): read, reply, mark handled, write to families.

Agents of this commune only (`staff_required`). A broadcast to a service, a site or the
whole commune creates one thread per family in one batched write; families who allow
e-mails are told a message waits, without its content.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.families.models import Family
from webapp.messages import inbox, notify
from webapp.messages.forms import AgentMessageForm, ReplyForm
from webapp.messages.models import Message
from webapp.messages.views import attachments_of, store_attachment
from webapp.planning.models import Service
from webapp.staff.access import no_store, staff_required
from webapp.uploads.models import StoredFile
from webapp.uploads.serving import send_stored
from webapp.validators import select_choices

bp = Blueprint("staff_messages", __name__, url_prefix="/agent/messages")
bp.before_request(require_tenant)
bp.after_request(no_store)


def _sender_name() -> str:
    agent = current_user.agent
    return f"{agent.name} – {g.tenant.name}"


@bp.get("/")
@staff_required
def inbox_page():
    state = request.args.get("etat", "a-traiter")
    state = state if state in ("a-traiter", "tous", "envoyes") else "a-traiter"
    if state == "envoyes":
        rows = inbox.sent_by_commune(db)
    else:
        rows = inbox.commune_inbox(db, unhandled_only=state == "a-traiter")
    return render_template("messages/staff_inbox.html", rows=rows, state=state)


@bp.route("/<int:message_id>", methods=["GET", "POST"])
@staff_required
def show(message_id: int):
    messages = inbox.thread(db, message_id)
    if not messages:
        abort(404)
    family = db.get(Family, messages[0].family_id)
    form = ReplyForm()
    if form.validate_on_submit():
        now = clock.utcnow()
        attachment = store_attachment(form.attachment, now)
        inbox.write(db, family=family, from_family=False, sender_name=_sender_name(), subject="",
                    body=form.body.data.strip(), attachment=attachment, thread=messages[0], now=now,
                    agent_id=current_user.agent.id)
        inbox.mark_handled(messages, current_user.agent.id, now)  # answering a message deals with it
        notify.queue_new_message_mails(db, g.tenant, [family.id], now)
        db.commit()
        flash(_("Votre réponse est envoyée à la famille."), "success")
        return redirect(url_for("staff_messages.show", message_id=messages[0].id), 303)
    inbox.mark_read(db, messages, by_family=False, now=clock.utcnow())
    db.commit()
    return render_template("messages/thread.html", messages=messages, attachments=attachments_of(messages),
                           form=form, family_side=False, family=family, handle_form=FlaskForm()), \
        400 if form.errors else 200


@bp.post("/<int:message_id>/traite")
@staff_required
def handled(message_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    messages = inbox.thread(db, message_id)
    if not messages:
        abort(404)
    inbox.mark_handled(messages, current_user.agent.id, clock.utcnow())
    db.commit()
    flash(_("Le message est marqué comme traité."), "success")
    return redirect(url_for("staff_messages.inbox_page"), 303)


def _choices(form: AgentMessageForm) -> None:
    services = db.execute(select(Service.id, Service.name, Service.site).order_by(Service.name)).all()
    form.service.choices = select_choices((str(s.id), f"{s.name} ({s.site})" if s.site else s.name) for s in services)
    form.site.choices = select_choices((site, site) for site in sorted({s.site for s in services if s.site}))


@bp.route("/nouveau", methods=["GET", "POST"])
@staff_required
def write():
    form = AgentMessageForm()
    _choices(form)
    if request.method == "GET" and request.args.get("famille"):  # « Écrire à cette famille » from elsewhere
        form.target.data, form.family_number.data = "famille", request.args["famille"][:20]
    status = 200
    if form.validate_on_submit():
        now = clock.utcnow()
        value = {"famille": form.family_number.data or "", "service": form.service.data or "",
                 "site": form.site.data or ""}.get(form.target.data, "")
        family_ids = inbox.recipients(db, form.target.data, value, now.astimezone(clock.PARIS).date())
        if not family_ids:
            form.form_errors.append(_("Aucune famille ne correspond à ces destinataires : rien n'a été envoyé."))
            return render_template("messages/staff_write.html", form=form), 400
        attachment = store_attachment(form.attachment, now)
        count = inbox.write_to_many(db, family_ids, sender_name=_sender_name(), agent_id=current_user.agent.id,
                                    subject=form.subject.data.strip(), body=form.body.data.strip(),
                                    attachment=attachment, now=now)
        notify.queue_new_message_mails(db, g.tenant, family_ids, now)
        db.commit()
        flash(ngettext("Message envoyé à %(num)d famille.", "Message envoyé à %(num)d familles.", count), "success")
        return redirect(url_for("staff_messages.inbox_page"), 303)
    if form.errors or form.form_errors:
        status = 400
    return render_template("messages/staff_write.html", form=form), status


@bp.get("/<int:message_id>/piece-jointe")
@staff_required
def attachment(message_id: int):
    message = db.get(Message, message_id)
    if message is None or message.attachment_id is None:
        abort(404)
    return send_stored(db.get(StoredFile, message.attachment_id))
